import { ErrorUri, MessageType, ProtocolViolation, ROUTER_ROLES, isDict, isValidUri, messageTypeName, validateClientMessage } from '@junction/wamp';
import type { ClientToRouterMessage, Dict, EncodedCache, MessageTransport, TransportCloseInfo, WampMessage } from '@junction/wamp';
import type { RouterPeer } from './realm-context.js';
import type { AuthHello, AuthIdentity, AuthStep, Authenticator } from './auth/types.js';
import { selectAuthenticator } from './auth/select.js';
import type { Action, AuthorizationDecision } from './authorization.js';
import { TokenBucket } from './rate-limit.js';
import type { Realm } from './realm.js';

/** What a session needs from its router: realms, unique session IDs, logging. */
export interface SessionHost {
  /** The realm named in a HELLO (made on the spot in development mode), or undefined. */
  realmForHello(name: string): Realm | undefined;
  /** A fresh session ID, unique among this router's live sessions. */
  allocateSessionId(session: RouterSession): number;
  /** The session is over: its transport closed. */
  sessionClosed(session: RouterSession): void;
  /** How long a session waits for the client's GOODBYE after sending its own, in ms. */
  readonly goodbyeTimeout: number;
  /** Time allowed from the connection to WELCOME (HELLO and authentication), in ms. */
  readonly establishTimeout: number;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, detail?: unknown): void;
}

/** Options of a {@link RouterSession}. */
export interface RouterSessionOptions {
  /** What the HTTP upgrade hook returned for this connection (see `upgradeRequestAuth`). */
  transportAuth?: unknown;
  /** Welcome with this identity without consulting the realm's authenticators (embedded sessions). */
  identity?: AuthIdentity;
  /** Shown in the session meta API (`transport` of `wamp.session.get`). */
  transportInfo?: Dict;
}

// Session states.
/** Waiting for HELLO. */
const AWAITING_HELLO = 0;
/** HELLO received; authenticating (possibly waiting for AUTHENTICATE). */
const AUTHENTICATING = 1;
/** WELCOME sent: the session is joined to its realm. */
const JOINED = 2;
/** We sent GOODBYE and wait for the client's; the session has left its realm. */
const CLOSING = 3;
/** The transport is closed (or closing); nothing more happens. */
const CLOSED = 4;

/** The decision for messages that need no authorization. */
const PASS: AuthorizationDecision = Object.freeze({ allowed: true });

const NO_DETAILS: Dict = Object.freeze({}) as Dict;

/**
 * Throttled messages past which the transport stops reading (TCP backpressure takes over); it
 * reads again once fewer than half of that wait, so a callee's answers are not held up long.
 */
const THROTTLE_PAUSE_AT = 256;
/**
 * Throttled messages past which the session is aborted (`junction.error.limit_exceeded`): one
 * second's worth at the session's rate, and at least this many, since one TCP read can carry
 * thousands of small messages that arrive even after reading paused.
 */
const THROTTLE_MIN_CAP = 16_384;

/** Requests count against the rate limit; answers, CANCEL and GOODBYE do not. */
function isRateLimited(type: number): boolean {
  return type === MessageType.CALL || type === MessageType.PUBLISH || type === MessageType.SUBSCRIBE || type === MessageType.REGISTER || type === MessageType.UNSUBSCRIBE || type === MessageType.UNREGISTER;
}

/**
 * The router's side of one WAMP session, as a sans-I/O state machine over a
 * `MessageTransport`: HELLO, authentication, WELCOME, then every message validated,
 * rate-limited, authorized and handed to the realm's broker or dealer; GOODBYE and ABORT both
 * ways. A bad message ends this session only (ABORT `wamp.error.protocol_violation`).
 *
 * It is the {@link RouterPeer} the broker and the dealer see.
 */
export class RouterSession implements RouterPeer {
  /** The session ID; 0 until HELLO. */
  id = 0;
  authid = '';
  authrole = '';
  authmethod = '';
  authprovider = '';
  authextra: Dict | undefined = undefined;
  /** The roles the client announced in HELLO. */
  roles: Dict = NO_DETAILS;
  /** The realm, from HELLO on (joined only once {@link open}). */
  realm: Realm | null = null;
  readonly serializer: string;
  readonly transportInfo: Dict;
  private state = AWAITING_HELLO;
  private readonly transport: MessageTransport;
  private readonly host: SessionHost;
  private readonly transportAuth: unknown;
  private readonly presetIdentity: AuthIdentity | undefined;
  /** Embedded sessions: the router's own code, never subject to authorization. */
  private readonly trusted: boolean;
  /** Bounds the time from connection to WELCOME. */
  private establishTimer: ReturnType<typeof setTimeout> | null = null;
  private authenticator: Authenticator | null = null;
  private authHello: AuthHello | null = null;
  /** The challenge's state while waiting for AUTHENTICATE; undefined when no challenge is out. */
  private challengeState: unknown = undefined;
  private challengeOut = false;
  /** The request rate limit, from WELCOME on. */
  private bucket: TokenBucket | null = null;
  /** Messages waiting for the rate limit (see startThrottle); null when not throttled. */
  private throttled: ClientToRouterMessage[] | null = null;
  /** The first throttled message already took its token. */
  private throttledHeadPaid = false;
  private throttleTimer: ReturnType<typeof setTimeout> | null = null;
  private readingPaused = false;
  private throttleReported = false;
  private maxBufferedAmount = Infinity;
  /** Messages waiting behind an asynchronous authorization (keeps the session's order). */
  private queued = 0;
  private queue: Promise<void> | null = null;
  private goodbyeTimer: ReturnType<typeof setTimeout> | null = null;
  /** Past its backlog limit: nothing more is sent; the session is dropped on the next microtask. */
  private dropping = false;

  constructor(host: SessionHost, transport: MessageTransport, options: RouterSessionOptions = {}) {
    this.host = host;
    this.transport = transport;
    this.serializer = transport.serializer;
    this.transportAuth = options.transportAuth;
    this.presetIdentity = options.identity;
    this.trusted = options.identity !== undefined;
    this.transportInfo = options.transportInfo ?? { type: transport.serializer === 'local' ? 'local' : 'websocket', serializer: transport.serializer };
    transport.onmessage = (message) => this.receive(message);
    transport.onclose = (info) => this.transportClosed(info);
    if (host.establishTimeout !== Infinity) {
      this.establishTimer = setTimeout(() => this.establishTimedOut(), host.establishTimeout);
      this.establishTimer.unref?.();
    }
  }

  private establishTimedOut(): void {
    this.establishTimer = null;
    if (this.state === AWAITING_HELLO) this.closeTransport(1000, 'no HELLO in time');
    else if (this.state === AUTHENTICATING) this.abort(ErrorUri.AUTHENTICATION_FAILED, `the session was not established within ${this.host.establishTimeout} ms`);
  }

  private clearTimers(): void {
    if (this.establishTimer !== null) {
      clearTimeout(this.establishTimer);
      this.establishTimer = null;
    }
    if (this.goodbyeTimer !== null) {
      clearTimeout(this.goodbyeTimer);
      this.goodbyeTimer = null;
    }
    this.clearThrottle();
  }

  /** True while the session is joined to its realm (WELCOME sent, not yet left). */
  get open(): boolean {
    return this.state === JOINED;
  }

  /** True once WELCOME was sent and the transport is still up (joined, or saying goodbye). */
  get established(): boolean {
    return this.state === JOINED || this.state === CLOSING;
  }

  /** True once the transport closed. */
  get closed(): boolean {
    return this.state === CLOSED;
  }

  // RouterPeer ------------------------------------------------------------------------------

  /** Sends one message (see {@link RouterPeer.send}); a peer past its backlog limit is dropped. */
  send(message: WampMessage, shared?: EncodedCache): void {
    if (this.state === CLOSED || this.dropping) return;
    const transport = this.transport;
    if (transport.bufferedAmount > this.maxBufferedAmount) {
      // Dropped on a microtask: the broker or the dealer is in the middle of an operation that
      // involves this peer, and must not see it detached under its feet.
      this.dropping = true;
      queueMicrotask(() => this.slowConsumer());
      return;
    }
    try {
      transport.send(message, shared);
    } catch (err) {
      // A value this peer's serializer cannot carry (e.g. a BigInt from an embedded peer).
      this.host.log('warn', `could not send ${messageTypeName(message[0])} to session ${this.id}`, err);
      this.unsendable(message, err);
    }
  }

  /**
   * A RESULT or INVOCATION that could not be encoded must still end its call: the caller gets an
   * ERROR instead of waiting for its timeout. Other messages (events) are lost for this peer only.
   */
  private unsendable(message: WampMessage, err: unknown): void {
    const text = `the message could not be encoded as ${this.serializer}: ${(err as Error)?.message ?? String(err)}`.slice(0, 300);
    if (message[0] === MessageType.RESULT) {
      if (message[2].progress === true) return; // the final result still comes
      try {
        this.transport.send([MessageType.ERROR, MessageType.CALL, message[1], {}, ErrorUri.INVALID_ARGUMENT, [text]]);
      } catch {
        // Nothing more we can say to this peer.
      }
    } else if (message[0] === MessageType.INVOCATION && this.realm !== null) {
      // As if the callee had answered with an error: the dealer routes it to the caller.
      this.realm.dealer.invocationError(this, [MessageType.ERROR, MessageType.INVOCATION, message[1], {}, ErrorUri.INVALID_ARGUMENT, [text]]);
    }
  }

  /** Ends the session with ABORT and closes the transport. */
  abort(reason: string, message: string): void {
    if (this.state === CLOSED) return;
    if (this.state === CLOSING || this.dropping) {
      // Already said GOODBYE (or cannot send): just finish.
      this.closeTransport(this.dropping ? 1008 : 1000, this.dropping ? 'slow consumer' : 'WAMP session closed');
      return;
    }
    this.transport.send([MessageType.ABORT, { message }, reason]);
    this.leave();
    this.closeTransport(1000, 'WAMP session aborted');
  }

  /**
   * Ends a joined session with GOODBYE (`wamp.close.killed`, `wamp.close.system_shutdown`...):
   * the session leaves its realm at once; the transport closes when the client answers GOODBYE,
   * or after the host's `goodbyeTimeout`. Sessions not yet joined are simply closed.
   */
  goodbye(reason: string, message?: string): void {
    if (this.state === CLOSED || this.state === CLOSING) return;
    if (this.state !== JOINED) {
      this.transport.send([MessageType.ABORT, message === undefined ? {} : { message }, reason]);
      this.closeTransport(1000, 'WAMP session closed');
      return;
    }
    this.transport.send([MessageType.GOODBYE, message === undefined ? {} : { message }, reason]);
    this.leave();
    this.state = CLOSING;
    this.goodbyeTimer = setTimeout(() => this.closeTransport(1000, 'no GOODBYE reply'), this.host.goodbyeTimeout);
    this.goodbyeTimer.unref?.();
  }

  /** The session's details as the meta API shows them (`wamp.session.get`, `on_join`). */
  details(): Dict {
    const details: Dict = {
      session: this.id,
      authid: this.authid,
      authrole: this.authrole,
      authmethod: this.authmethod,
      authprovider: this.authprovider,
      transport: this.transportInfo,
    };
    if (this.authextra !== undefined) details.authextra = this.authextra;
    return details;
  }

  // Incoming messages ------------------------------------------------------------------------

  private receive(raw: unknown): void {
    if (this.state === CLOSED) return;
    let message: ClientToRouterMessage;
    try {
      // A transport that could not decode a message hands over the violation itself.
      if (raw instanceof ProtocolViolation) throw raw;
      message = validateClientMessage(raw);
    } catch (err) {
      if (err instanceof ProtocolViolation) this.protocolViolation(err.message);
      else this.internalError(err);
      return;
    }
    try {
      if (this.state === JOINED) this.joinedMessage(message);
      else if (this.state === CLOSING) this.closingMessage(message);
      else this.handshakeMessage(message);
    } catch (err) {
      this.internalError(err, message);
    }
  }

  private joinedMessage(message: ClientToRouterMessage): void {
    const type = message[0];
    // While throttled, the session's messages wait their turn, except a callee's answers (YIELD,
    // ERROR): they depend on nothing queued, and other sessions' calls wait for them.
    if (this.throttled !== null && type !== MessageType.YIELD && type !== MessageType.ERROR) {
      this.throttle(message);
      return;
    }
    // Only requests count: replies (YIELD, ERROR), CANCEL and GOODBYE finish work that other
    // sessions' requests started (and were counted for), so a busy callee is never throttled.
    // Embedded sessions are the router's own code (a server publishing its events): not limited.
    if (!this.trusted && isRateLimited(type)) {
      const balance = this.bucket!.take();
      if (balance < 0) {
        this.startThrottle(message, balance);
        return;
      }
    }
    this.admitted(message);
  }

  /** A message within the rate: authorized (or queued behind a pending authorization) and dispatched. */
  private admitted(message: ClientToRouterMessage): void {
    const type = message[0];
    let verdict: AuthorizationDecision | Promise<AuthorizationDecision> = PASS;
    if (!this.trusted && (type === MessageType.PUBLISH || type === MessageType.SUBSCRIBE || type === MessageType.CALL || type === MessageType.REGISTER)) {
      verdict = this.realm!.authorizer.authorize(this, message[3], ACTION_OF[type]!, message[2]);
    }
    // While an authorization is pending, the session's messages wait their turn, except a callee's
    // answers (YIELD, ERROR): they depend on nothing queued, and other sessions' calls wait for them.
    if (verdict instanceof Promise || (this.queue !== null && type !== MessageType.YIELD && type !== MessageType.ERROR)) this.enqueue(message, verdict);
    else if (verdict.allowed) {
      if (verdict.disclose === true) discloseIdentity(message);
      this.dispatch(message);
    } else this.deny(message, verdict);
  }

  /** Hands an authorized (or authorization-free) message to the broker or the dealer. */
  private dispatch(message: ClientToRouterMessage): void {
    const realm = this.realm!;
    switch (message[0]) {
      case MessageType.PUBLISH:
        realm.broker.publish(this, message);
        return;
      case MessageType.SUBSCRIBE:
        realm.broker.subscribe(this, message);
        return;
      case MessageType.UNSUBSCRIBE:
        realm.broker.unsubscribe(this, message);
        return;
      case MessageType.CALL:
        realm.dealer.call(this, message);
        return;
      case MessageType.CANCEL:
        realm.dealer.cancel(this, message);
        return;
      case MessageType.REGISTER:
        realm.dealer.register(this, message);
        return;
      case MessageType.UNREGISTER:
        realm.dealer.unregister(this, message);
        return;
      case MessageType.YIELD:
        realm.dealer.yield(this, message);
        return;
      case MessageType.ERROR:
        if (message[1] !== MessageType.INVOCATION) {
          this.protocolViolation(`a client may send ERROR only for INVOCATION, not for ${messageTypeName(message[1])}`);
          return;
        }
        realm.dealer.invocationError(this, message);
        return;
      case MessageType.GOODBYE:
        this.transport.send([MessageType.GOODBYE, {}, ErrorUri.GOODBYE_AND_OUT]);
        this.leave();
        this.closeTransport(1000, 'WAMP session closed');
        return;
      case MessageType.ABORT:
        this.leave();
        this.closeTransport(1000, 'WAMP session aborted by the client');
        return;
      default:
        this.protocolViolation(`${messageTypeName(message[0])} received after the session was established`);
    }
  }

  /**
   * Queues a message behind an asynchronous authorization so the session's messages reach the
   * broker and the dealer in the order they were sent (messages that need no authorization
   * only wait for their turn). Only used while an authorization is pending: the synchronous path
   * allocates nothing. At most `maxMessagesPerSecond` messages wait; past that the session is
   * aborted with `junction.error.limit_exceeded`.
   */
  private enqueue(message: ClientToRouterMessage, verdict: AuthorizationDecision | Promise<AuthorizationDecision>): void {
    // A slow or hung authorizer must not let the queue grow without bound (CANCELs are not
    // rate-limited, and the rate limit refills): one second's worth of requests may wait.
    const max = this.realm!.limits.maxMessagesPerSecond;
    if (this.queued >= max) {
      this.abort(ErrorUri.LIMIT_EXCEEDED, `session ${this.id} has more than ${max} messages waiting for authorization`);
      return;
    }
    this.queued++;
    const previous = this.queue ?? Promise.resolve();
    // RealmAuthorizer.authorize never rejects.
    this.queue = previous.then(() => verdict).then((decision) => this.dequeued(message, decision));
  }

  private dequeued(message: ClientToRouterMessage, decision: AuthorizationDecision): void {
    if (--this.queued === 0) this.queue = null;
    if (this.state !== JOINED) return;
    try {
      if (decision.allowed) {
        if (decision.disclose === true) discloseIdentity(message);
        this.dispatch(message);
      } else this.deny(message, decision);
    } catch (err) {
      this.internalError(err, message);
    }
  }

  /** Answers a denied request with the decision's error (a PUBLISH only when acknowledged). */
  private deny(message: ClientToRouterMessage, decision: AuthorizationDecision & { allowed: false }): void {
    const type = message[0];
    if (type === MessageType.PUBLISH && message[2]['acknowledge'] !== true) return;
    this.error(type, message[1] as number, decision.error, decision.message);
  }

  // Rate limit: throttling ----------------------------------------------------------------------
  //
  // A request past the session's rate is not refused: it waits, with every later message of the
  // session (but YIELD and ERROR), until the token bucket has refilled, and the transport stops
  // reading once THROTTLE_PAUSE_AT messages wait, so TCP backpressure slows the peer down. A
  // busy but honest client is slowed to its rate and loses nothing; a flood costs the router
  // no more than reading at the allowed rate.

  /** The first request over the rate (its token is taken: the bucket is in debt for it). */
  private startThrottle(message: ClientToRouterMessage, balance: number): void {
    this.throttled = [message];
    this.throttledHeadPaid = true;
    if (!this.throttleReported) {
      this.throttleReported = true;
      this.host.log('info', `session ${this.id} (${this.authid}) sends faster than ${this.realm!.limits.maxMessagesPerSecond} requests per second: throttled`);
    }
    this.armThrottle(-balance);
  }

  private throttle(message: ClientToRouterMessage): void {
    const queue = this.throttled!;
    queue.push(message);
    if (queue.length >= THROTTLE_PAUSE_AT && !this.readingPaused && this.transport.pauseReading !== undefined) {
      this.readingPaused = true;
      this.transport.pauseReading();
    }
    // A transport that cannot pause (an in-process link) or a peer that ignores backpressure.
    const cap = Math.max(this.realm!.limits.maxMessagesPerSecond, THROTTLE_MIN_CAP);
    if (queue.length > cap) this.abort(ErrorUri.LIMIT_EXCEEDED, `session ${this.id} has more than ${cap} messages waiting for its rate limit of ${this.realm!.limits.maxMessagesPerSecond} requests per second`);
  }

  /** Waits until the bucket has paid off `debt` tokens. */
  private armThrottle(debt: number): void {
    const rate = this.realm!.limits.maxMessagesPerSecond;
    this.throttleTimer = setTimeout(this.drainThrottled, Math.max(1, Math.ceil((debt * 1000) / rate)));
    this.throttleTimer.unref?.();
  }

  /** Admits throttled messages while the bucket allows, in order. */
  private readonly drainThrottled = (): void => {
    this.throttleTimer = null;
    const queue = this.throttled;
    if (queue === null || this.state !== JOINED) return;
    let i = 0;
    while (i < queue.length) {
      const message = queue[i]!;
      if (!(i === 0 && this.throttledHeadPaid) && isRateLimited(message[0])) {
        const balance = this.bucket!.take();
        if (balance < 0) {
          queue.splice(0, i);
          this.throttledHeadPaid = true;
          this.armThrottle(-balance);
          if (this.readingPaused && queue.length < THROTTLE_PAUSE_AT / 2) this.resumeReading();
          return;
        }
      }
      i++;
      try {
        this.admitted(message);
      } catch (err) {
        this.internalError(err, message);
      }
      // GOODBYE, an abort or a dropped transport ended it meanwhile.
      if (this.state !== JOINED) return;
    }
    this.throttled = null;
    if (this.readingPaused) this.resumeReading();
  };

  private resumeReading(): void {
    this.readingPaused = false;
    this.transport.resumeReading?.();
  }

  private clearThrottle(): void {
    if (this.throttleTimer !== null) {
      clearTimeout(this.throttleTimer);
      this.throttleTimer = null;
    }
    this.throttled = null;
    // The session ends: read again, or the peer's closing handshake would wait behind the pause.
    if (this.readingPaused) this.resumeReading();
  }

  private closingMessage(message: ClientToRouterMessage): void {
    // After our GOODBYE, only the client's GOODBYE (or ABORT) matters (spec: ignore the rest).
    if (message[0] === MessageType.GOODBYE || message[0] === MessageType.ABORT) this.closeTransport(1000, 'WAMP session closed');
  }

  // Establishment ------------------------------------------------------------------------------

  private handshakeMessage(message: ClientToRouterMessage): void {
    const type = message[0];
    if (type === MessageType.ABORT) {
      this.closeTransport(1000, 'WAMP session aborted by the client');
      return;
    }
    if (this.state === AWAITING_HELLO) {
      if (type === MessageType.HELLO) {
        this.hello(message[1], message[2]);
        return;
      }
      this.protocolViolation(`${messageTypeName(type)} received before HELLO`);
      return;
    }
    // AUTHENTICATING
    if (type === MessageType.AUTHENTICATE && this.challengeOut) {
      this.challengeOut = false;
      this.authenticate(message[1], message[2]);
      return;
    }
    if (type === MessageType.AUTHENTICATE) this.protocolViolation('AUTHENTICATE received without a CHALLENGE');
    else if (type === MessageType.HELLO) this.protocolViolation('HELLO received twice');
    else this.protocolViolation(`${messageTypeName(type)} received before WELCOME`);
  }

  private hello(realmName: string, details: Dict): void {
    this.state = AUTHENTICATING;
    const roles = details['roles'];
    if (roles !== undefined && !isDict(roles)) {
      this.protocolViolation('HELLO.Details.roles must be a dict');
      return;
    }
    this.roles = roles ?? {};
    if (!isValidUri(realmName)) {
      this.abort(ErrorUri.NO_SUCH_REALM, `"${String(realmName).slice(0, 200)}" is not a valid realm name`);
      return;
    }
    const realm = this.host.realmForHello(realmName);
    if (realm === undefined) {
      this.abort(ErrorUri.NO_SUCH_REALM, `no realm "${realmName}" on this router`);
      return;
    }
    if (!this.checkRoom(realm)) return;
    this.realm = realm;
    this.id = this.host.allocateSessionId(this);
    const identity = this.presetIdentity;
    if (identity !== undefined) {
      this.welcome(identity);
      return;
    }
    const authenticator = selectAuthenticator(realm.authenticators, details['authmethods'], this.transportAuth);
    if (authenticator === null) {
      const offered = Array.isArray(details['authmethods']) ? (details['authmethods'] as unknown[]).map(String).join(', ') : 'anonymous';
      this.abort(ErrorUri.NO_AUTH_METHOD, `none of the offered authentication methods (${offered}) is accepted on realm "${realmName}"`);
      return;
    }
    this.authenticator = authenticator;
    const hello: AuthHello = { realm: realmName, details, transportAuth: this.transportAuth, sessionId: this.id };
    this.authHello = hello;
    this.runAuthStep(authenticator, () => authenticator.hello(hello));
  }

  private authenticate(signature: string, extra: Dict): void {
    const authenticator = this.authenticator!;
    const state = this.challengeState;
    this.challengeState = undefined;
    this.runAuthStep(authenticator, () => authenticator.authenticate(this.authHello!, state, signature, extra));
  }

  /**
   * Runs one authenticator step. A synchronous answer is applied at once (anonymous and the
   * upgrade identity welcome in the same turn as HELLO); a promise is awaited.
   */
  private runAuthStep(authenticator: Authenticator, step: () => AuthStep | Promise<AuthStep>): void {
    const failed = (err: unknown): void => {
      this.host.log('error', `the ${authenticator.method} authenticator threw`, err);
      this.authStep({ kind: 'abort', reason: ErrorUri.AUTHENTICATION_FAILED, message: `${authenticator.method} authentication failed` });
    };
    let result: AuthStep | Promise<AuthStep>;
    try {
      result = step();
    } catch (err) {
      failed(err);
      return;
    }
    if (typeof (result as PromiseLike<AuthStep>).then === 'function') {
      Promise.resolve(result).then((s) => this.authStep(s), failed).catch((err: unknown) => this.establishmentFailed(err));
    } else {
      this.authStep(result as AuthStep);
    }
  }

  /** Our bug during HELLO or AUTHENTICATE: log it and turn the client away. */
  private establishmentFailed(err: unknown): void {
    this.host.log('error', 'internal error while establishing a session', err);
    if (this.state === AUTHENTICATING) this.abort(ErrorUri.AUTHENTICATION_FAILED, 'internal router error');
  }

  private authStep(step: AuthStep): void {
    if (this.state !== AUTHENTICATING) return; // closed meanwhile
    switch (step.kind) {
      case 'welcome':
        this.welcome(step.identity);
        return;
      case 'challenge':
        this.challengeState = step.state;
        this.challengeOut = true;
        this.transport.send([MessageType.CHALLENGE, step.method, step.extra]);
        return;
      default:
        this.abort(step.reason, step.message);
    }
  }

  /** Sessions-per-realm limit; aborts and returns false when the realm is full. */
  private checkRoom(realm: Realm): boolean {
    const max = realm.limits.maxSessionsPerRealm;
    if (realm.sessions.size < max) return true;
    this.abort(ErrorUri.LIMIT_EXCEEDED, `realm "${realm.name}" has reached its limit of ${max} sessions`);
    return false;
  }

  private welcome(identity: AuthIdentity): void {
    const realm = this.realm!;
    if (realm.closed) {
      this.abort(ErrorUri.NO_SUCH_REALM, `realm "${realm.name}" was closed`);
      return;
    }
    if (!this.trusted && !realm.authorizer.hasRole(identity.authrole)) {
      this.abort(ErrorUri.NO_SUCH_ROLE, `no role "${identity.authrole}" on realm "${realm.name}"`);
      return;
    }
    // Authentication may have taken a while: check the room again.
    if (!this.checkRoom(realm)) return;
    this.authid = identity.authid;
    this.authrole = identity.authrole;
    this.authmethod = identity.authmethod;
    this.authprovider = identity.authprovider;
    this.authextra = identity.authextra;
    this.authenticator = null;
    this.authHello = null;
    const limits = realm.limits;
    this.bucket = new TokenBucket(limits.maxMessagesPerSecond);
    this.maxBufferedAmount = limits.maxBufferedAmount;
    // Transports that can check sizes themselves (WebSocket) apply the realm's message size limit.
    const sized = this.transport as MessageTransport & { maxMessageSize?: number };
    if (typeof sized.maxMessageSize === 'number') sized.maxMessageSize = limits.maxMessageSize;
    const details: Dict = {
      realm: realm.name,
      authid: identity.authid,
      authrole: identity.authrole,
      authmethod: identity.authmethod,
      authprovider: identity.authprovider,
      roles: ROUTER_ROLES,
    };
    if (identity.authextra !== undefined) details.authextra = identity.authextra;
    try {
      this.transport.send([MessageType.WELCOME, this.id, details]);
    } catch (err) {
      // E.g. an authextra the serializer cannot carry: the session must not count as joined.
      this.host.log('error', `could not send WELCOME to session ${this.id}`, err);
      this.abort(ErrorUri.AUTHENTICATION_FAILED, 'internal router error: the WELCOME could not be encoded');
      return;
    }
    this.state = JOINED;
    if (this.establishTimer !== null) {
      clearTimeout(this.establishTimer);
      this.establishTimer = null;
    }
    realm.join(this);
  }

  // Ending ----------------------------------------------------------------------------------------

  /** Leaves the realm (idempotent): detached from broker and dealer, `on_leave` published. */
  private leave(): void {
    if (this.state === JOINED) {
      this.state = CLOSING;
      this.realm!.leave(this);
    }
  }

  private protocolViolation(text: string): void {
    this.host.log('debug', `protocol violation by session ${this.id}: ${text}`);
    this.abort(ErrorUri.PROTOCOL_VIOLATION, text);
  }

  private slowConsumer(): void {
    if (this.state === CLOSED) return;
    this.host.log('warn', `session ${this.id} (${this.authid}) reads too slowly: dropped`);
    this.leave();
    this.closeTransport(1008, 'slow consumer');
  }

  /** Our bug, not the peer's: log it, answer a request with an error, keep the session. */
  private internalError(err: unknown, message?: ClientToRouterMessage): void {
    this.host.log('error', `internal error while handling ${message === undefined ? 'a message' : messageTypeName(message[0])} of session ${this.id}`, err);
    if (this.state === AWAITING_HELLO || this.state === AUTHENTICATING) {
      this.abort(ErrorUri.AUTHENTICATION_FAILED, 'internal router error');
      return;
    }
    if (message === undefined || this.state !== JOINED) return;
    const type = message[0];
    if (type === MessageType.CALL || type === MessageType.REGISTER || type === MessageType.UNREGISTER || type === MessageType.SUBSCRIBE || type === MessageType.UNSUBSCRIBE || (type === MessageType.PUBLISH && message[2]['acknowledge'] === true)) {
      this.error(type, message[1], ErrorUri.RUNTIME_ERROR, 'internal router error');
    }
  }

  private error(type: number, request: number, uri: string, text: string): void {
    this.send([MessageType.ERROR, type, request, {}, uri, [text]]);
  }

  private closeTransport(code: number, reason: string): void {
    this.clearTimers();
    if (this.state === CLOSED) return;
    this.leave();
    this.state = CLOSED;
    this.transport.close(code, reason);
  }

  private transportClosed(info: TransportCloseInfo): void {
    this.clearTimers();
    this.leave();
    this.state = CLOSED;
    this.transport.onmessage = null;
    this.transport.onclose = null;
    this.host.sessionClosed(this);
    if (info.code === 1008 || info.code === 1009) this.host.log('debug', `session ${this.id} closed: ${info.code} ${info.reason}`);
  }
}

/**
 * A permission forces disclosure of the caller (CALL) or publisher (PUBLISH): as if the client
 * had asked with `disclose_me` (the options dict is the session's own decoded copy).
 */
function discloseIdentity(message: ClientToRouterMessage): void {
  if (message[0] === MessageType.CALL || message[0] === MessageType.PUBLISH) message[2].disclose_me = true;
}

/** The action each authorized message type asks for. */
const ACTION_OF: Record<number, Action> = {
  [MessageType.PUBLISH]: 'publish',
  [MessageType.SUBSCRIBE]: 'subscribe',
  [MessageType.CALL]: 'call',
  [MessageType.REGISTER]: 'register',
};
