import {
  ErrorUri,
  IdSequence,
  MessageType,
  ProtocolViolation,
  WampError,
  hasFeature,
  messageTypeName,
  validateRouterMessage,
  type AbortMessage,
  type Dict,
  type ErrorMessage,
  type MessageTransport,
  type PublishMessage,
  type RouterToClientMessage,
  type TransportCloseInfo,
  type WampMessage,
} from '@junction/wamp';
import { Callee, type ProcedureTarget } from './callee.js';
import { Caller } from './caller.js';
import type { ClientAuth } from './client-auth.js';
import { ClientErrorUri } from './errors.js';
import { ProgressiveCall } from './progressive-call.js';
import { JUNCTION_CLIENT_ROLES } from './roles.js';
import { EMPTY_ARGS, EMPTY_KWARGS, hasKeys, type SessionLink } from './session-link.js';
import type { CallOptions, CallResult, Publication, PublishOptions, WelcomeDetails } from './types.js';

/** Where a {@link Session} is in its life. */
export type SessionState = 'establishing' | 'established' | 'closing' | 'closed';

/** Options of a {@link Session}. */
export interface SessionOptions {
  /** The realm to join. */
  realm: string;
  /** Authentication; default anonymous. */
  auth?: ClientAuth;
  /** Roles announced in HELLO. Default: the features this client implements. */
  roles?: Dict;
  /** Extra HELLO details (e.g. `agent`), merged over ours. */
  helloDetails?: Dict;
  /** Errors thrown by user code (event handlers, progress callbacks) land here; the session goes on. */
  onError?: (error: unknown) => void;
  /** The router revoked a registration or subscription (UNREGISTERED / UNSUBSCRIBED with request 0). */
  onRevoked?: (kind: 'registration' | 'subscription', id: number, reason: string | undefined) => void;
  /**
   * How long SUBSCRIBE, UNSUBSCRIBE, REGISTER, UNREGISTER and acknowledged PUBLISH wait for the
   * router's answer, in ms, before they reject with `wamp.error.timeout`. Default 30000;
   * `Infinity` waits as long as the session lives. (Calls have their own `timeout` option.)
   */
  requestTimeout?: number;
}

/** Default of {@link SessionOptions.requestTimeout}. */
export const DEFAULT_REQUEST_TIMEOUT = 30_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Why and how a session ended. */
export interface SessionCloseInfo {
  /**
   * A WAMP reason URI: the router's GOODBYE or ABORT reason, ours (`wamp.close.normal` after
   * {@link Session.goodbye}, `wamp.error.protocol_violation`), or `junction.error.connection_lost`
   * when the transport closed without either.
   */
  reason: string;
  /** Human-readable text (ABORT/GOODBYE `details.message`, or a description). */
  message: string;
  /** True when the session had been established (WELCOME). */
  established: boolean;
  /** True when the session ended because the router sent ABORT. */
  aborted: boolean;
  /** How the transport closed, when it closed first. */
  transport?: TransportCloseInfo;
}

/** Receives the events of one router subscription. */
export interface EventSink {
  dispatch(args: unknown[], kwargs: Record<string, unknown>, details: Record<string, unknown>, publication: number): void;
}

class PendingRequest {
  resolve!: (value: unknown) => void;
  reject!: (error: unknown) => void;
  /** performance.now() past which the request times out. */
  deadline = Infinity;
  /**
   * The caller was told it timed out (or it was ours alone): the router's late answer is taken
   * quietly, and a late SUBSCRIBED or REGISTERED is undone at once.
   */
  abandoned = false;
  constructor(
    readonly type: number,
    /** The sink, procedure target or registration ID the answer concerns. */
    readonly target: unknown,
  ) {}
}

const noop = (): void => {};

const MESSAGE_NAMES: Record<number, string> = {
  [MessageType.SUBSCRIBE]: 'SUBSCRIBE',
  [MessageType.UNSUBSCRIBE]: 'UNSUBSCRIBE',
  [MessageType.REGISTER]: 'REGISTER',
  [MessageType.UNREGISTER]: 'UNREGISTER',
  [MessageType.PUBLISH]: 'PUBLISH',
};

/**
 * One WAMP session over one {@link MessageTransport}, as a client: sans-I/O (it only calls
 * `transport.send`/`close` and reacts to `onmessage`/`onclose`). It sends HELLO at once, answers
 * CHALLENGEs through its {@link ClientAuth}, and once WELCOME arrives serves the four client roles.
 * Every router message is validated; a malformed or out-of-place one ABORTs the session with
 * `wamp.error.protocol_violation`. When it ends, everything pending rejects with
 * `junction.error.connection_lost` and running handlers see their signal abort.
 */
export class Session {
  /** Where the session is in its life. */
  state: SessionState = 'establishing';
  /** The session ID once established. */
  id: number | null = null;
  /** WELCOME.Details once established. */
  welcome: WelcomeDetails | null = null;
  /** Resolves on WELCOME; rejects on ABORT (a `WampError` with the reason) or when the link closes first. */
  readonly ready: Promise<WelcomeDetails>;
  /** Resolves once when the session ended, however it ended. */
  readonly closed: Promise<SessionCloseInfo>;
  /** Called once when the session ended (after {@link Session.closed} resolved). */
  onclose: ((info: SessionCloseInfo) => void) | null = null;

  private readonly ids = new IdSequence();
  private readonly link: SessionLink;
  private readonly caller: Caller;
  private readonly callee: Callee;
  private readonly sinks = new Map<number, EventSink>();
  /** Requests awaiting the router's answer, oldest first (a Map keeps insertion order). */
  private readonly requests = new Map<number, PendingRequest>();
  /** Requests whose caller gave up (timed out) or that were ours alone: their answer is taken quietly. */
  private readonly abandonedRequests = new Map<number, PendingRequest>();
  /** One timer for all requests: they share one timeout, so they expire oldest first. */
  private requestTimer: ReturnType<typeof setTimeout> | null = null;
  private dealerCancels = false;
  private dealerStreams = false;
  private resolveReady!: (details: WelcomeDetails) => void;
  private rejectReady!: (error: unknown) => void;
  private resolveClosed!: (info: SessionCloseInfo) => void;
  private goodbyeTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  private goodbyeReason = ErrorUri.CLOSE_NORMAL as string;
  private abortError: WampError | null = null;

  constructor(
    private readonly transport: MessageTransport,
    private readonly options: SessionOptions,
  ) {
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(noop); // whoever awaits it still sees the rejection; nobody awaiting is fine too
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    const session = this;
    this.link = {
      send: (message) => this.send(message),
      nextId: () => this.ids.next(),
      get dealerCancels() {
        return session.dealerCancels;
      },
      reportError: (error) => this.reportError(error),
    };
    this.caller = new Caller(this.link);
    this.callee = new Callee(this.link);
    transport.onmessage = (message) => this.receive(message);
    transport.onclose = (info) => this.transportClosed(info);

    const details: Dict = { roles: options.roles ?? JUNCTION_CLIENT_ROLES, agent: 'junction-client' };
    const auth = options.auth;
    if (auth !== undefined) {
      details.authmethods = auth.authmethods;
      if (auth.authid !== undefined) details.authid = auth.authid;
      if (auth.authextra !== undefined) details.authextra = auth.authextra;
    }
    if (options.helloDetails !== undefined) Object.assign(details, options.helloDetails);
    this.send([MessageType.HELLO, options.realm, details]);
  }

  /** The serializer of the underlying transport. */
  get serializer(): string {
    return this.transport.serializer;
  }

  /** The ABORT that ended the session (the router's, or ours), if one did. */
  get abortReason(): WampError | null {
    return this.abortError;
  }

  /** Calls in flight (for tests and diagnostics). */
  get pendingCalls(): number {
    return this.caller.size;
  }

  /** Calls `procedure`; see `Client.call`. */
  call(procedure: string, args?: unknown[], kwargs?: Record<string, unknown>, options?: CallOptions): Promise<CallResult> {
    if (this.state !== 'established') return Promise.reject(this.notEstablished());
    return this.caller.call(procedure, args, kwargs, options);
  }

  /**
   * Starts a call with streamed arguments (progressive call invocations): sends the first chunk
   * now. Fails (through `result`) with `wamp.error.feature_not_supported` when the router's
   * dealer does not announce `progressive_call_invocations`, since the spec has it ABORT us then.
   */
  progressiveCall(procedure: string, args?: unknown[], kwargs?: Record<string, unknown>, options?: CallOptions): ProgressiveCall {
    if (this.state !== 'established') return new ProgressiveCall(procedure, null, 0, Promise.reject(this.notEstablished()));
    if (!this.dealerStreams) {
      return new ProgressiveCall(procedure, null, 0, Promise.reject(new WampError('wamp.error.feature_not_supported', ['the router does not support progressive call invocations'])));
    }
    const stream = { id: 0 };
    const result = this.caller.call(procedure, args, kwargs, options, stream);
    return new ProgressiveCall(procedure, this.caller, stream.id, result);
  }

  /** Registers `target.procedure`; resolves to the registration ID. INVOCATIONs go to `target.handler` from REGISTERED on. */
  register(target: ProcedureTarget, options: Dict = {}): Promise<number> {
    if (this.state !== 'established') return Promise.reject(this.notEstablished());
    const id = this.ids.next();
    return this.request(MessageType.REGISTER, [MessageType.REGISTER, id, options, target.procedure], id, target) as Promise<number>;
  }

  /** Unregisters; invocations that arrive until UNREGISTERED are still served. */
  unregister(registration: number): Promise<void> {
    if (this.state !== 'established') return Promise.reject(this.notEstablished());
    const id = this.ids.next();
    return this.request(MessageType.UNREGISTER, [MessageType.UNREGISTER, id, registration], id, registration) as Promise<void>;
  }

  /** Subscribes; resolves to the subscription ID. Events go to `sink` from SUBSCRIBED on (so a retained event is not missed). */
  subscribe(topic: string, sink: EventSink, options: Dict = {}): Promise<number> {
    if (this.state !== 'established') return Promise.reject(this.notEstablished());
    const id = this.ids.next();
    return this.request(MessageType.SUBSCRIBE, [MessageType.SUBSCRIBE, id, options, topic], id, sink) as Promise<number>;
  }

  /** Unsubscribes; events stop at once (the ones still in flight are dropped). */
  unsubscribe(subscription: number): Promise<void> {
    if (this.state !== 'established') return Promise.reject(this.notEstablished());
    this.sinks.delete(subscription);
    const id = this.ids.next();
    return this.request(MessageType.UNSUBSCRIBE, [MessageType.UNSUBSCRIBE, id, subscription], id, subscription) as Promise<void>;
  }

  /** Publishes; with `acknowledge` resolves to the publication, else to undefined once handed to the transport. */
  publish(topic: string, args?: unknown[], kwargs?: Record<string, unknown>, options?: PublishOptions): Promise<Publication | undefined> {
    if (this.state !== 'established') return Promise.reject(this.notEstablished());
    const id = this.ids.next();
    const publishOptions = options === undefined ? {} : toPublishOptions(options);
    let message: PublishMessage;
    if (kwargs !== undefined && hasKeys(kwargs)) message = [MessageType.PUBLISH, id, publishOptions, topic, args ?? [], kwargs];
    else if (args !== undefined && args.length > 0) message = [MessageType.PUBLISH, id, publishOptions, topic, args];
    else message = [MessageType.PUBLISH, id, publishOptions, topic];
    if (publishOptions.acknowledge === true) return this.request(MessageType.PUBLISH, message, id, null) as Promise<Publication>;
    try {
      this.send(message);
    } catch (error) {
      return Promise.reject(error);
    }
    return Promise.resolve(undefined);
  }

  /**
   * Ends the session politely: GOODBYE with `reason`, then waits for the router's GOODBYE (at most
   * `timeout` ms) and closes the transport. Before WELCOME it just closes the transport.
   */
  goodbye(reason: string = ErrorUri.CLOSE_NORMAL, timeout = 2000): Promise<SessionCloseInfo> {
    if (this.state === 'establishing') {
      this.transport.close(1000, 'closed by the client');
      this.closeWith({ reason, message: 'closed before the session was established', established: false, aborted: false });
    } else if (this.state === 'established') {
      this.state = 'closing';
      this.goodbyeReason = reason;
      this.send([MessageType.GOODBYE, {}, reason]);
      this.goodbyeTimer = setTimeout(() => {
        this.transport.close(1000, 'goodbye');
        this.closeWith({ reason, message: 'the router did not answer GOODBYE in time', established: true, aborted: false });
      }, timeout);
    }
    return this.closed;
  }

  /** Sends ABORT with `reason` and closes the transport. */
  abort(reason: string, message: string): void {
    if (this.state === 'closed') return;
    this.abortError ??= new WampError(reason, [message]);
    this.send([MessageType.ABORT, { message }, reason]);
    this.transport.close(1000, 'abort');
    this.closeWith({ reason, message, established: this.state !== 'establishing', aborted: false });
  }

  private receive(raw: unknown): void {
    if (this.state === 'closed') return;
    let message: RouterToClientMessage;
    try {
      message = validateRouterMessage(raw);
    } catch (error) {
      this.violation(error instanceof ProtocolViolation ? error.message : String(error));
      return;
    }
    if (this.state === 'establishing') {
      this.receiveEstablishing(message);
      return;
    }
    switch (message[0]) {
      case MessageType.RESULT:
        this.caller.onResult(message);
        return;
      case MessageType.EVENT: {
        const sink = this.sinks.get(message[1]);
        if (sink === undefined) return; // unsubscribed meanwhile
        try {
          sink.dispatch(message[4] ?? EMPTY_ARGS, message[5] ?? EMPTY_KWARGS, message[3], message[2]);
        } catch (error) {
          this.reportError(error);
        }
        return;
      }
      case MessageType.INVOCATION:
        this.callee.onInvocation(message);
        return;
      case MessageType.ERROR:
        this.receiveError(message);
        return;
      case MessageType.INTERRUPT:
        this.callee.onInterrupt(message);
        return;
      case MessageType.PUBLISHED: {
        const request = this.takeRequest(message[1], MessageType.PUBLISH);
        request?.resolve({ publication: message[2] } satisfies Publication);
        return;
      }
      case MessageType.SUBSCRIBED: {
        const request = this.takeRequest(message[1], MessageType.SUBSCRIBE);
        if (request === undefined) return;
        if (request.abandoned) {
          // The caller gave up on it: a subscription nobody knows of would only cost events.
          this.sendQuietly(MessageType.UNSUBSCRIBE, [MessageType.UNSUBSCRIBE, this.ids.next(), message[2]], message[2]);
          return;
        }
        this.sinks.set(message[2], request.target as EventSink);
        request.resolve(message[2]);
        return;
      }
      case MessageType.UNSUBSCRIBED: {
        if (message[1] === 0) {
          const details = message[2] ?? {};
          const id = details.subscription;
          if (typeof id === 'number' && this.sinks.delete(id)) this.options.onRevoked?.('subscription', id, typeof details.reason === 'string' ? details.reason : undefined);
          return;
        }
        this.takeRequest(message[1], MessageType.UNSUBSCRIBE)?.resolve(undefined);
        return;
      }
      case MessageType.REGISTERED: {
        const request = this.takeRequest(message[1], MessageType.REGISTER);
        if (request === undefined) return;
        if (request.abandoned) {
          // Not served: the router would route calls to a procedure the caller believes unregistered.
          this.sendQuietly(MessageType.UNREGISTER, [MessageType.UNREGISTER, this.ids.next(), message[2]], message[2]);
          return;
        }
        this.callee.registrations.set(message[2], request.target as ProcedureTarget);
        request.resolve(message[2]);
        return;
      }
      case MessageType.UNREGISTERED: {
        if (message[1] === 0) {
          const details = message[2] ?? {};
          const id = details.registration;
          if (typeof id === 'number' && this.callee.registrations.delete(id)) this.options.onRevoked?.('registration', id, typeof details.reason === 'string' ? details.reason : undefined);
          return;
        }
        const request = this.takeRequest(message[1], MessageType.UNREGISTER);
        if (request === undefined) return;
        this.callee.registrations.delete(request.target as number);
        request.resolve(undefined);
        return;
      }
      case MessageType.GOODBYE:
        if (this.state === 'established') {
          this.send([MessageType.GOODBYE, {}, ErrorUri.GOODBYE_AND_OUT]);
          this.transport.close(1000, 'goodbye');
          this.closeWith({ reason: message[2], message: messageOf(message[1]), established: true, aborted: false });
        } else {
          this.transport.close(1000, 'goodbye');
          this.closeWith({ reason: this.goodbyeReason, message: 'closed by the client', established: true, aborted: false });
        }
        return;
      case MessageType.ABORT:
        this.aborted(message);
        return;
      default: // WELCOME, CHALLENGE
        this.violation(`${message[0] === MessageType.WELCOME ? 'WELCOME' : 'CHALLENGE'} after the session was established`);
    }
  }

  private receiveEstablishing(message: RouterToClientMessage): void {
    switch (message[0]) {
      case MessageType.WELCOME: {
        this.state = 'established';
        this.id = message[1];
        const details = message[2] as WelcomeDetails;
        this.welcome = details;
        this.dealerCancels = hasFeature(details.roles, 'dealer', 'call_canceling');
        this.dealerStreams = hasFeature(details.roles, 'dealer', 'progressive_call_invocations');
        this.resolveReady(details);
        return;
      }
      case MessageType.CHALLENGE:
        this.challenged(message[1], message[2]);
        return;
      case MessageType.ABORT:
        this.aborted(message);
        return;
      default:
        this.violation(`${messageTypeName(message[0])} before WELCOME`);
    }
  }

  private challenged(method: string, extra: Dict): void {
    const auth = this.options.auth;
    if (auth === undefined || !auth.authmethods.includes(method)) {
      this.abort('wamp.error.cannot_authenticate', `the router asked for ${method} authentication, which this client did not offer`);
      return;
    }
    let answer: Promise<{ signature: string; extra?: Record<string, unknown> }>;
    try {
      answer = Promise.resolve(auth.onChallenge(method, extra));
    } catch (error) {
      answer = Promise.reject(error);
    }
    answer.then(
      (reply) => {
        if (this.state === 'establishing') this.send([MessageType.AUTHENTICATE, reply.signature, reply.extra ?? {}]);
      },
      (error: unknown) => {
        if (this.state === 'establishing') this.abort('wamp.error.cannot_authenticate', `could not answer the ${method} challenge: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
  }

  private aborted(message: AbortMessage): void {
    const details = message[1];
    const text = messageOf(details);
    this.abortError = new WampError(message[2], message[3] ?? (text ? [text] : []), message[4] ?? {}, details);
    this.transport.close(1000, 'abort');
    this.closeWith({ reason: message[2], message: text, established: this.state !== 'establishing', aborted: true });
  }

  private receiveError(message: ErrorMessage): void {
    const type = message[1];
    if (type === MessageType.CALL) {
      this.caller.onError(message);
      return;
    }
    const request = this.takeRequest(message[2], type);
    request?.reject(new WampError(message[4], message[5] ?? [], message[6] ?? {}, message[3]));
  }

  /** The pending request answered by a reply; a reply to no request of ours (or of another type) breaks the protocol. */
  private takeRequest(id: number, type: number): PendingRequest | undefined {
    let request = this.requests.get(id);
    let from = this.requests;
    if (request === undefined) {
      request = this.abandonedRequests.get(id);
      from = this.abandonedRequests;
    }
    if (request === undefined || request.type !== type) {
      this.violation(`${request === undefined ? 'answer to unknown request' : 'answer of the wrong type to request'} ${id}`);
      return undefined;
    }
    from.delete(id);
    return request;
  }

  private request(type: number, message: WampMessage, id: number, target: unknown): Promise<unknown> {
    const request = new PendingRequest(type, target);
    const promise = new Promise((resolve, reject) => {
      request.resolve = resolve;
      request.reject = reject;
    });
    this.requests.set(id, request);
    try {
      this.send(message);
    } catch (error) {
      this.requests.delete(id);
      return Promise.reject(error);
    }
    const timeout = this.options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT;
    if (timeout <= MAX_TIMER_MS) {
      request.deadline = performance.now() + timeout;
      if (this.requestTimer === null) this.armRequestTimer(timeout);
    }
    return promise;
  }

  private armRequestTimer(delay: number): void {
    this.requestTimer = setTimeout(this.expireRequests, Math.max(1, Math.ceil(delay)));
    // Waiting requests must not keep the process alive on their own.
    (this.requestTimer as { unref?: () => void }).unref?.();
  }

  /** Rejects the requests past their deadline with `wamp.error.timeout`, oldest first. */
  private readonly expireRequests = (): void => {
    this.requestTimer = null;
    const now = performance.now();
    const timeout = this.options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT;
    for (const [id, request] of this.requests) {
      if (request.deadline > now) {
        if (request.deadline !== Infinity) this.armRequestTimer(request.deadline - now);
        return;
      }
      // Kept aside: the router may still answer, and that answer is not a protocol error.
      this.requests.delete(id);
      request.abandoned = true;
      this.abandonedRequests.set(id, request);
      request.reject(new WampError(ErrorUri.TIMEOUT, [`the router did not answer ${MESSAGE_NAMES[request.type] ?? request.type} within ${timeout} ms`]));
      request.resolve = noop;
      request.reject = noop;
    }
  };

  /** Sends a request whose answer nobody awaits (undoing a late SUBSCRIBED or REGISTERED). */
  private sendQuietly(type: number, message: WampMessage, target: unknown): void {
    const id = message[1] as number;
    const request = new PendingRequest(type, target);
    request.resolve = noop;
    request.reject = noop;
    request.abandoned = true;
    this.abandonedRequests.set(id, request);
    this.send(message);
  }

  private send(message: WampMessage): void {
    if (this.state === 'closed') return;
    this.transport.send(message);
  }

  private violation(text: string): void {
    this.abort(ErrorUri.PROTOCOL_VIOLATION, text);
  }

  private transportClosed(info: TransportCloseInfo): void {
    if (this.state === 'closed') return;
    const established = this.state !== 'establishing';
    const detail = info.reason ? `${info.code}: ${info.reason}` : `${info.code}`;
    this.closeWith({ reason: ClientErrorUri.CONNECTION_LOST, message: `the connection closed (${detail})`, established, aborted: false, transport: info });
  }

  private closeWith(info: SessionCloseInfo): void {
    if (this.state === 'closed') return;
    const wasEstablishing = this.state === 'establishing';
    this.state = 'closed';
    if (this.goodbyeTimer !== undefined) clearTimeout(this.goodbyeTimer);
    this.transport.onmessage = null;
    const lost = new WampError(ClientErrorUri.CONNECTION_LOST, [`the session ended (${info.reason}${info.message ? `: ${info.message}` : ''})`]);
    if (wasEstablishing) this.rejectReady(this.abortError ?? lost);
    this.caller.failAll(lost);
    const requests = [...this.requests.values()];
    this.requests.clear();
    this.abandonedRequests.clear();
    if (this.requestTimer !== null) {
      clearTimeout(this.requestTimer);
      this.requestTimer = null;
    }
    for (const request of requests) request.reject(lost);
    this.callee.failAll(lost);
    this.sinks.clear();
    this.resolveClosed(info);
    this.onclose?.(info);
  }

  private notEstablished(): WampError {
    return new WampError(ClientErrorUri.NOT_CONNECTED, [`the session is ${this.state}`]);
  }

  private reportError(error: unknown): void {
    this.options.onError?.(error);
  }
}

function messageOf(details: Dict): string {
  return typeof details.message === 'string' ? details.message : '';
}

/** Maps our camelCase publish options to WAMP's PUBLISH options. */
function toPublishOptions(options: PublishOptions): Dict {
  const out: Dict = {};
  if (options.acknowledge === true) out.acknowledge = true;
  if (options.excludeMe !== undefined) out.exclude_me = options.excludeMe;
  if (options.eligible !== undefined) out.eligible = options.eligible;
  if (options.exclude !== undefined) out.exclude = options.exclude;
  if (options.eligibleAuthid !== undefined) out.eligible_authid = options.eligibleAuthid;
  if (options.excludeAuthid !== undefined) out.exclude_authid = options.excludeAuthid;
  if (options.eligibleAuthrole !== undefined) out.eligible_authrole = options.eligibleAuthrole;
  if (options.excludeAuthrole !== undefined) out.exclude_authrole = options.excludeAuthrole;
  if (options.retain === true) out.retain = true;
  if (options.discloseMe === true) out.disclose_me = true;
  if (options.options !== undefined) Object.assign(out, options.options);
  return out;
}
