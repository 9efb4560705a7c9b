import { MessageType, type Args, type Dict, type ErrorMessage, type InterruptMessage } from '@junction/wamp';

/** Ours until `@junction/wamp`'s ErrorUri lists it: the spec's error for a feature a peer lacks. */
export const FEATURE_NOT_SUPPORTED = 'wamp.error.feature_not_supported';

/** `[ERROR, REQUEST.Type, REQUEST.Request, {}, Error, [text]]`: the dealer's own error with a clear text. */
export function errorMessage(requestType: number, requestId: number, uri: string, text: string): ErrorMessage {
  return [MessageType.ERROR, requestType, requestId, {}, uri, [text]];
}

/** `[ERROR, CALL, Request, {}, Error, Args?, Kwargs?]`: an error for a caller, payload passed through. */
export function callErrorMessage(requestId: number, uri: string, args: Args | undefined, kwargs: Dict | undefined): ErrorMessage {
  if (kwargs !== undefined) return [MessageType.ERROR, MessageType.CALL, requestId, {}, uri, args ?? [], kwargs];
  if (args !== undefined) return [MessageType.ERROR, MessageType.CALL, requestId, {}, uri, args];
  return [MessageType.ERROR, MessageType.CALL, requestId, {}, uri];
}

/** `[INTERRUPT, INVOCATION.Request, {mode, reason}]`. */
export function interruptMessage(invocationId: number, mode: 'kill' | 'killnowait', reason: string): InterruptMessage {
  return [MessageType.INTERRUPT, invocationId, { mode, reason }];
}
