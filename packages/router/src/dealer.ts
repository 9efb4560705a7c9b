// PLACEHOLDER written by the lead so the router core compiles; the dealer helper replaces this file.
import type { CallMessage, CancelMessage, ErrorMessage, RegisterMessage, UnregisterMessage, YieldMessage } from '@junction/wamp';
import type { DealerApi, InternalProcedure, RealmContext, RouterPeer } from './realm-context.js';

/** The dealer of one realm (placeholder). */
export class Dealer implements DealerApi {
  constructor(readonly realm: RealmContext) {}
  register(_peer: RouterPeer, _message: RegisterMessage): void { throw new Error('dealer not implemented yet'); }
  unregister(_peer: RouterPeer, _message: UnregisterMessage): void { throw new Error('dealer not implemented yet'); }
  call(_peer: RouterPeer, _message: CallMessage): void { throw new Error('dealer not implemented yet'); }
  cancel(_peer: RouterPeer, _message: CancelMessage): void {}
  yield(_peer: RouterPeer, _message: YieldMessage): void {}
  invocationError(_peer: RouterPeer, _message: ErrorMessage): void {}
  registerInternal(_uri: string, _procedure: InternalProcedure): void {}
  detach(_peer: RouterPeer): void {}
}
