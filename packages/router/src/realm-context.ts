import type { Args, Dict, EncodedCache, WampMessage, SubscribeMessage, UnsubscribeMessage, PublishMessage, RegisterMessage, UnregisterMessage, CallMessage, CancelMessage, YieldMessage, ErrorMessage } from '@junction/wamp';

/**
 * The contracts between the parts of the router: a realm hands joined sessions ({@link RouterPeer})
 * to its broker and dealer, which know nothing of transports, authentication or authorization
 * (the session checks those before it dispatches a message).
 */

/** A joined session as the broker and the dealer see it. */
export interface RouterPeer {
  /** The WAMP session ID (global scope, random). */
  readonly id: number;
  readonly authid: string;
  readonly authrole: string;
  readonly authmethod: string;
  readonly authprovider: string;
  /** The roles the client announced in HELLO (`roles.callee.features...`). */
  readonly roles: Dict;
  /** `json`, `msgpack`, `cbor` or `local`. */
  readonly serializer: string;
  /** False once the session has left (GOODBYE, ABORT or a lost connection). */
  readonly open: boolean;
  /** Sends one message to this peer; see {@link EncodedCache} for `shared`. */
  send(message: WampMessage, shared?: EncodedCache): void;
  /** Ends the session with ABORT (e.g. `wamp.error.protocol_violation`) and a clear message. */
  abort(reason: string, message: string): void;
}

/** Limits with defaults; see `DEFAULT_LIMITS` in `limits.ts`. */
export interface RouterLimits {
  /** Largest WebSocket message accepted, in bytes (1009 past it). Default 16 MiB. */
  maxMessageSize: number;
  /** Calls a session may have waiting for a result at once. Default 1000. */
  maxPendingCallsPerSession: number;
  /** Subscriptions per session. Default 1000. */
  maxSubscriptionsPerSession: number;
  /** Registrations per session. Default 1000. */
  maxRegistrationsPerSession: number;
  /** Requests (CALL, PUBLISH, SUBSCRIBE, UNSUBSCRIBE, REGISTER, UNREGISTER) per second a session may send (token bucket, burst = one second's worth; replies are not counted); also the most messages that may wait behind an asynchronous authorization. Default 10000 (raise it for busy backend connections: one caller making tens of thousands of calls a second is refused past it). */
  maxMessagesPerSecond: number;
  /** Sessions per realm. Default 10000. */
  maxSessionsPerRealm: number;
  /**
   * How long the dealer waits, in ms, for a callee's answer after an INTERRUPT in `kill` mode
   * before it ends the call for the caller with `wamp.error.canceled`: a callee that ignores the
   * INTERRUPT must not hold the call forever. Default 10000.
   */
  interruptTimeout: number;
  /**
   * Bytes queued to one peer before it counts as a slow consumer and is dropped (close 1008,
   * reason "slow consumer"). Default 16 MiB.
   */
  maxBufferedAmount: number;
}

/** What a router-provided procedure (meta API) returns. */
export interface InternalResult {
  args?: Args;
  kwargs?: Dict;
}

/** A procedure the router implements itself (the meta API): it throws a `WampError` to answer with an error. */
export type InternalProcedure = (caller: RouterPeer, args: Args, kwargs: Dict) => InternalResult | Promise<InternalResult>;

/** The broker of one realm. */
export interface BrokerApi {
  subscribe(peer: RouterPeer, message: SubscribeMessage): void;
  unsubscribe(peer: RouterPeer, message: UnsubscribeMessage): void;
  publish(peer: RouterPeer, message: PublishMessage): void;
  /** Publishes from the router itself (meta events such as `wamp.session.on_join`). */
  publishInternal(topic: string, args?: Args, kwargs?: Dict, options?: Dict): void;
  /** The peer left: drop its subscriptions (and emit the subscription meta events). */
  detach(peer: RouterPeer): void;
}

/** The dealer of one realm. */
export interface DealerApi {
  register(peer: RouterPeer, message: RegisterMessage): void;
  unregister(peer: RouterPeer, message: UnregisterMessage): void;
  call(peer: RouterPeer, message: CallMessage): void;
  cancel(peer: RouterPeer, message: CancelMessage): void;
  /** A callee's YIELD. */
  yield(peer: RouterPeer, message: YieldMessage): void;
  /** A callee's ERROR for an INVOCATION. */
  invocationError(peer: RouterPeer, message: ErrorMessage): void;
  /** Makes `uri` a router-provided procedure (meta API); calls to it never reach a callee. */
  registerInternal(uri: string, procedure: InternalProcedure): void;
  /** The peer left: fail the calls it was serving, cancel the calls it made, drop its registrations. */
  detach(peer: RouterPeer): void;
}

/** What the broker and the dealer may use of their realm. */
export interface RealmContext {
  readonly name: string;
  readonly limits: RouterLimits;
  /** The joined sessions by ID. */
  readonly sessions: ReadonlyMap<number, RouterPeer>;
  readonly broker: BrokerApi;
  readonly dealer: DealerApi;
  /** Logs a problem that is the router's, not a peer's (never thrown at a peer). */
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, detail?: unknown): void;
}
