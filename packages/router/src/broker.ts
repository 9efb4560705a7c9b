// PLACEHOLDER written by the lead so the router core compiles; the broker helper replaces this file.
import type { Args, Dict, PublishMessage, SubscribeMessage, UnsubscribeMessage } from '@junction/wamp';
import type { BrokerApi, RealmContext, RouterPeer } from './realm-context.js';

/** The broker of one realm (placeholder). */
export class Broker implements BrokerApi {
  constructor(readonly realm: RealmContext) {}
  subscribe(_peer: RouterPeer, _message: SubscribeMessage): void { throw new Error('broker not implemented yet'); }
  unsubscribe(_peer: RouterPeer, _message: UnsubscribeMessage): void { throw new Error('broker not implemented yet'); }
  publish(_peer: RouterPeer, _message: PublishMessage): void { throw new Error('broker not implemented yet'); }
  publishInternal(_topic: string, _args?: Args, _kwargs?: Dict, _options?: Dict): void {}
  detach(_peer: RouterPeer): void {}
}
