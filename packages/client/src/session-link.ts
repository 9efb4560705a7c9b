import type { WampMessage } from '@junction/wamp';

/** What the role handlers (caller, callee, subscriber) need from their session. Internal. */
export interface SessionLink {
  /** Sends one message; throws when it cannot be serialized. */
  send(message: WampMessage): void;
  /** The next session-scope request ID. */
  nextId(): number;
  /** True when the router's dealer announced `call_canceling`. */
  readonly dealerCancels: boolean;
  /** Reports an error thrown by user code (handlers, callbacks) without ending the session. */
  reportError(error: unknown): void;
}

/** Shared empty payloads for messages without Arguments / ArgumentsKw (frozen: never mutate). */
export const EMPTY_ARGS = Object.freeze([]) as unknown as unknown[];
/** See {@link EMPTY_ARGS}. */
export const EMPTY_KWARGS = Object.freeze({}) as Record<string, unknown>;

/** True when `value` has a callable `then`. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

/** True when `dict` has an own enumerable key (without allocating a key list). */
export function hasKeys(dict: Record<string, unknown>): boolean {
  for (const key in dict) if (Object.hasOwn(dict, key)) return true;
  return false;
}
