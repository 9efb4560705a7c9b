import { EventEmitter } from 'eventemitter3';
import { ErrorUri, WampError, type Dict, type MessageTransport, type Serializer, type SerializerName } from '@junction/wamp';
import type { WebSocketClientOptions } from '@junction/websocket';
import { AsyncQueue } from './async-queue.js';
import { reconnectDelay, reconnectPolicy, type ReconnectOptions } from './backoff.js';
import type { InvocationHandler, ProcedureTarget } from './callee.js';
import type { ClientAuth } from './client-auth.js';
import { ClientErrorUri } from './errors.js';
import { ProgressiveCall } from './progressive-call.js';
import { resolveSerializers } from './serializers.js';
import { Session, type EventSink, type SessionCloseInfo } from './session.js';
import { isThenable } from './session-link.js';
import { connectWebSocket, type WebSocketConstructor } from './transports/browser.js';
import type {
  CallOptions,
  CallResult,
  EventHandler,
  EventMessageData,
  EventsOptions,
  Publication,
  PublishOptions,
  RegisterOptions,
  SubscribeOptions,
  WelcomeDetails,
} from './types.js';

/** Options of {@link connect}. */
export interface ClientOptions {
  /** The router's WebSocket URL (`ws://` or `wss://`). One of `url`, `urls` or `transport` is required. */
  url?: string;
  /** Several router URLs, tried in turn (round robin across attempts). */
  urls?: string[];
  /** The realm to join. */
  realm: string;
  /**
   * Serializers offered as WebSocket subprotocols, in order of preference: names, or serializer
   * objects (`jsonSerializer`; `msgpackSerializer` from `@junction/client/msgpack`, `cborSerializer`
   * from `@junction/client/cbor`). Default: every loaded serializer in the order msgpack, cbor,
   * json: all three in Node, JSON alone in the browser entry unless those modules are imported.
   * A name whose module is not loaded throws, naming the import to add.
   */
  serializers?: readonly (SerializerName | Serializer)[];
  /** Authentication (`ticketAuth`, `wampcraAuth`, `cryptosignAuth` or your own); default anonymous. */
  auth?: ClientAuth;
  /** Reconnect policy, or `false` for none. Default: on, with the defaults of {@link ReconnectOptions}. */
  reconnect?: ReconnectOptions | false;
  /** Opens any message transport instead of a WebSocket to `url` (in-process links, custom sockets). */
  transport?: () => MessageTransport | Promise<MessageTransport>;
  /** Time allowed per attempt from opening the transport to WELCOME, in ms. Default 10000. */
  connectTimeout?: number;
  /** How long {@link Client.close} waits for the router's GOODBYE, in ms. Default 2000. */
  closeTimeout?: number;
  /**
   * How long subscribe, unsubscribe, register, unregister and acknowledged publish wait for the
   * router's answer, in ms, before they reject with `wamp.error.timeout`. Default 30000;
   * `Infinity` to wait as long as the session lives. A late answer is handled: a subscription
   * or registration that arrives after its caller gave up is undone at once.
   */
  requestTimeout?: number;
  /** Extra HELLO details, merged over ours (`roles`, `agent`, auth fields). */
  helloDetails?: Dict;
  /** Browser entry: a WHATWG WebSocket class to use instead of the global `WebSocket`. */
  webSocket?: WebSocketConstructor;
  /** Node entry: options of `@junction/websocket`'s client (headers, TLS, permessage-deflate...). */
  webSocketOptions?: WebSocketClientOptions;
  /**
   * Event listeners, attached before the first attempt: the only way to hear the events of the
   * first connection (`connect` resolves only once it is established), e.g.
   * `on: { reconnecting: ({ attempt, error }) => console.warn(attempt, error) }`.
   */
  on?: { [E in keyof ClientEvents]?: (...args: ClientEvents[E]) => void };
}

/** What the `close` event reports. */
export interface ClientCloseInfo {
  /** The reason URI (see {@link SessionCloseInfo.reason}); `junction.error.reconnect_failed` when reconnecting gave up. */
  reason: string;
  /** Human-readable text. */
  message: string;
  /** True when the client is going to reconnect (`reconnecting` events follow). */
  willReconnect: boolean;
}

/** What the `reconnecting` event reports. */
export interface ReconnectingInfo {
  /** 1 for the first attempt after a loss (or after the first connection's first attempt). */
  attempt: number;
  /** Milliseconds until this attempt. */
  delay: number;
  /**
   * Why the previous attempt failed (e.g. `ECONNREFUSED`, a timeout, an ABORT that is retried).
   * Absent on the first attempt after a session ended: the `close` event said why.
   */
  error?: unknown;
}

/** The events of a {@link Client} (eventemitter3). */
export interface ClientEvents {
  /** A session was established (after a reconnect: once registrations and subscriptions are restored). */
  open: [details: WelcomeDetails];
  /** A session ended; see {@link ClientCloseInfo.willReconnect}. */
  close: [info: ClientCloseInfo];
  /** A reconnect attempt is scheduled. */
  reconnecting: [info: ReconnectingInfo];
  /** Something went wrong that no promise reports: a handler threw, a restore failed, a reconnect attempt failed. */
  error: [error: unknown];
}

/**
 * Opens a transport to `url` (the browser entry uses the global WebSocket, the Node entry
 * `@junction/websocket`).
 */
export type TransportConnector = (url: string, serializers: readonly Serializer[], signal: AbortSignal, options: ClientOptions) => Promise<MessageTransport>;

/** ABORT reasons after which reconnecting is pointless. */
const PERMANENT_ABORTS = new Set<string>([
  ErrorUri.NO_SUCH_REALM,
  ErrorUri.NO_SUCH_ROLE,
  ErrorUri.NO_SUCH_PRINCIPAL,
  ErrorUri.AUTHENTICATION_FAILED,
  ErrorUri.NO_AUTH_METHOD,
  ErrorUri.NOT_AUTHORIZED,
  ErrorUri.AUTHORIZATION_FAILED,
  'wamp.error.cannot_authenticate',
]);

const noop = (): void => {};

/** Progressive results `callProgress` buffers for a slow loop before it fails (and cancels the call). */
const MAX_QUEUED_RESULTS = 10_000;

const browserConnector: TransportConnector = (url, serializers, signal, options) => connectWebSocket(url, serializers, signal, options.webSocket);

/** A procedure registered through {@link Client.register}; re-registered after every reconnect. */
export class Registration implements ProcedureTarget {
  /** @internal The registration ID in the current session. */
  id: number | null = null;
  private isActive = true;

  /** @internal */
  constructor(
    /** The registered URI (or pattern). */
    readonly procedure: string,
    /** The handler serving invocations. */
    readonly handler: InvocationHandler,
    /** @internal REGISTER options. */
    readonly wampOptions: Dict,
    private readonly release: (registration: Registration) => Promise<void>,
  ) {}

  /** The router's registration ID in the current session, or null while disconnected. */
  get registrationId(): number | null {
    return this.id;
  }

  /** False once unregistered (or revoked by the router). */
  get active(): boolean {
    return this.isActive;
  }

  /** Unregisters (idempotent). */
  unregister(): Promise<void> {
    if (!this.isActive) return Promise.resolve();
    this.isActive = false;
    return this.release(this);
  }
}

/** One router subscription shared by every local subscriber of the same topic and match policy. */
class Topic implements EventSink {
  readonly subscribers = new Set<Subscription>();
  subscriptionId: number | null = null;
  session: Session | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly key: string,
    readonly topic: string,
    /** SUBSCRIBE options for the first subscription. */
    readonly options: Dict,
    private readonly onError: (error: unknown) => void,
  ) {}

  dispatch(args: unknown[], kwargs: Record<string, unknown>, details: Record<string, unknown>, publication: number): void {
    for (const subscription of this.subscribers) {
      try {
        const outcome = subscription.handler(args, kwargs, details, publication);
        if (isThenable(outcome)) outcome.then(undefined, this.onError);
      } catch (error) {
        this.onError(error);
      }
    }
  }

  /** Runs subscribe/unsubscribe steps of this topic one after the other. */
  serial(step: () => Promise<void>): Promise<void> {
    const run = this.chain.then(step);
    this.chain = run.then(noop, noop);
    return run;
  }
}

/** A local subscriber made by {@link Client.subscribe}; resubscribed after every reconnect. */
export class Subscription {
  private isActive = true;

  /** @internal */
  constructor(
    /** The subscribed topic (or pattern). */
    readonly topic: string,
    /** The event handler. */
    readonly handler: EventHandler,
    private readonly shared: Topic,
    private readonly release: (subscription: Subscription, shared: Topic) => Promise<void>,
  ) {}

  /** The router's subscription ID in the current session (shared with other local subscribers of the topic), or null. */
  get subscriptionId(): number | null {
    return this.shared.subscriptionId;
  }

  /** False once unsubscribed (or revoked by the router). */
  get active(): boolean {
    return this.isActive;
  }

  /** @internal */
  deactivate(): void {
    this.isActive = false;
  }

  /** Stops this handler; the router subscription ends when its last local subscriber leaves (idempotent). */
  unsubscribe(): Promise<void> {
    if (!this.isActive) return Promise.resolve();
    this.isActive = false;
    return this.release(this, this.shared);
  }
}

/**
 * A WAMP client: one session at a time over a WebSocket (or any message transport), re-established
 * with exponential backoff when it drops, with its registrations and subscriptions restored.
 * Create it with {@link connect}.
 */
export class Client extends EventEmitter<ClientEvents> {
  private session: Session | null = null;
  private state: 'connecting' | 'open' | 'reconnecting' | 'closed' = 'connecting';
  private readonly policy: Required<ReconnectOptions> | null;
  private readonly serializers: Serializer[];
  private readonly urls: string[];
  private urlIndex = 0;
  private sleeping: { timer: ReturnType<typeof setTimeout>; wake: () => void } | null = null;
  private attempt: AbortController | null = null;
  private readonly registrations = new Set<Registration>();
  private readonly topics = new Map<string, Topic>();
  private readonly reportError = (error: unknown): void => {
    this.emit('error', error);
  };
  private readonly releaseRegistration = (registration: Registration): Promise<void> => this.unregisterOf(registration);
  private readonly releaseSubscription = (subscription: Subscription, shared: Topic): Promise<void> => this.unsubscribeOf(subscription, shared);

  /** Prefer {@link connect}, which also establishes the first session. */
  constructor(
    private readonly options: ClientOptions,
    private readonly connector: TransportConnector = browserConnector,
  ) {
    super();
    if (typeof options.realm !== 'string' || options.realm === '') throw new TypeError('connect: `realm` is required');
    this.urls = options.urls ?? (options.url !== undefined ? [options.url] : []);
    if (this.urls.length === 0 && options.transport === undefined) throw new TypeError('connect: give `url`, `urls` or `transport`');
    if (options.requestTimeout !== undefined && !(options.requestTimeout > 0)) throw new RangeError(`connect: \`requestTimeout\` must be a positive number of ms (or Infinity); got ${String(options.requestTimeout)}`);
    this.serializers = resolveSerializers(options.serializers);
    this.policy = options.reconnect === false ? null : reconnectPolicy(options.reconnect);
    if (options.on !== undefined) {
      for (const [event, listener] of Object.entries(options.on)) {
        if (typeof listener === 'function') this.on(event as keyof ClientEvents, listener as never);
      }
    }
  }

  /** The current session's ID, or null while not connected. */
  get sessionId(): number | null {
    return this.session?.id ?? null;
  }

  /** True while a session is established. */
  get isOpen(): boolean {
    return this.session !== null && this.session.state === 'established';
  }

  /** The current session's WELCOME details, or null. */
  get welcome(): WelcomeDetails | null {
    return this.session?.welcome ?? null;
  }

  /** The serializer of the current connection (`json`, `msgpack`, `cbor`, `local`), or null. */
  get serializer(): string | null {
    return this.session?.serializer ?? null;
  }

  /** @internal Establishes the first session (used by {@link connect}). */
  async start(): Promise<void> {
    await this.connectLoop(true);
  }

  /**
   * Calls a procedure. Rejects with a `WampError`: the callee's error, `wamp.error.timeout`,
   * `wamp.error.canceled` (abort signal), `junction.error.connection_lost` (the connection dropped
   * while waiting) or `junction.error.not_connected`.
   */
  call(procedure: string, args?: unknown[], kwargs?: Record<string, unknown>, options?: CallOptions): Promise<CallResult> {
    const session = this.session;
    if (session === null) return Promise.reject(this.notConnected());
    return session.call(procedure, args, kwargs, options);
  }

  /**
   * Calls a procedure asking for progressive results: yields each progressive result, then the
   * final result as the last item (its `details.progress` is not true). Leaving the loop early
   * cancels the call (with `options.cancelMode`).
   */
  callProgress(procedure: string, args?: unknown[], kwargs?: Record<string, unknown>, options: Omit<CallOptions, 'onProgress'> = {}): AsyncIterableIterator<CallResult, undefined> {
    const controller = new AbortController();
    const userSignal = options.signal;
    const queue = new AsyncQueue<CallResult>({
      max: MAX_QUEUED_RESULTS,
      // A callee streaming faster than the loop reads must not grow memory without bound.
      overflow: () => {
        controller.abort();
        return new WampError(ClientErrorUri.QUEUE_OVERFLOW, [`more than ${MAX_QUEUED_RESULTS} progressive results queued for a slow consumer`]);
      },
      onReturn: () => controller.abort(),
    });
    // The user's signal may outlive many calls: its listener goes when this call is over.
    const onUserAbort = (): void => controller.abort();
    if (userSignal !== undefined) {
      if (userSignal.aborted) controller.abort();
      else userSignal.addEventListener('abort', onUserAbort, { once: true });
    }
    this.call(procedure, args, kwargs, { ...options, signal: controller.signal, onProgress: (r) => queue.push(r) }).then(
      (r) => {
        userSignal?.removeEventListener('abort', onUserAbort);
        queue.push(r);
        queue.end();
      },
      (error: unknown) => {
        userSignal?.removeEventListener('abort', onUserAbort);
        queue.fail(error);
      },
    );
    return queue;
  }

  /**
   * Calls a procedure with streamed arguments (WAMP progressive call invocations): `args` and
   * `kwargs` are the first chunk, sent now; {@link ProgressiveCall.send} sends more and
   * {@link ProgressiveCall.end} the last one. `options` are those of {@link Client.call} and apply
   * to the whole call. Needs a router that announces `progressive_call_invocations`; otherwise
   * `result` rejects with `wamp.error.feature_not_supported`.
   */
  progressiveCall(procedure: string, args?: unknown[], kwargs?: Record<string, unknown>, options?: CallOptions): ProgressiveCall {
    const session = this.session;
    if (session === null) return new ProgressiveCall(procedure, null, 0, Promise.reject(this.notConnected()));
    return session.progressiveCall(procedure, args, kwargs, options);
  }

  /**
   * Registers a procedure. The handler's return value answers the call (see {@link InvocationHandler});
   * `ctx.signal` aborts when the call is cancelled.
   */
  async register(procedure: string, handler: InvocationHandler, options: RegisterOptions = {}): Promise<Registration> {
    const session = this.session;
    if (session === null) throw this.notConnected();
    const wampOptions: Dict = {};
    if (options.match !== undefined && options.match !== 'exact') wampOptions.match = options.match;
    if (options.invoke !== undefined && options.invoke !== 'single') wampOptions.invoke = options.invoke;
    if (options.options !== undefined) Object.assign(wampOptions, options.options);
    const registration = new Registration(procedure, handler, wampOptions, this.releaseRegistration);
    registration.id = await session.register(registration, wampOptions);
    this.registrations.add(registration);
    return registration;
  }

  /**
   * Subscribes a handler to a topic. Local subscribers of the same topic and match policy share
   * one router subscription.
   */
  async subscribe(topic: string, handler: EventHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    if (this.session === null) throw this.notConnected();
    const match = options.match ?? 'exact';
    const key = `${match} ${topic}`;
    let shared = this.topics.get(key);
    if (shared === undefined) {
      const wampOptions: Dict = {};
      if (match !== 'exact') wampOptions.match = match;
      if (options.options !== undefined) Object.assign(wampOptions, options.options);
      shared = new Topic(key, topic, wampOptions, this.reportError);
      this.topics.set(key, shared);
    }
    const subscription = new Subscription(topic, handler, shared, this.releaseSubscription);
    shared.subscribers.add(subscription);
    const topicEntry = shared;
    try {
      await shared.serial(() => this.ensureSubscribed(topicEntry, options.getRetained === true));
    } catch (error) {
      subscription.deactivate();
      shared.subscribers.delete(subscription);
      if (shared.subscribers.size === 0 && shared.subscriptionId === null && this.topics.get(key) === shared) this.topics.delete(key);
      throw error;
    }
    return subscription;
  }

  /**
   * Subscribes as an async iterator of events. The subscription starts with the first `next()`
   * and ends when the loop is left. A consumer more than `maxQueued` events behind fails with
   * `junction.error.queue_overflow`.
   */
  events(topic: string, options: EventsOptions = {}): AsyncIterableIterator<EventMessageData, undefined> {
    let subscription: Subscription | null = null;
    const max = options.maxQueued ?? 10_000;
    const queue: AsyncQueue<EventMessageData> = new AsyncQueue<EventMessageData>({
      max,
      overflow: () => {
        void subscription?.unsubscribe().catch(noop);
        return new WampError(ClientErrorUri.QUEUE_OVERFLOW, [`more than ${max} events queued for a slow consumer`]);
      },
      onStart: () => {
        this.subscribe(topic, (args, kwargs, details, publication) => void queue.push({ args, kwargs, details, publication }), options).then(
          (s) => {
            subscription = s;
            if (queue.closed) void s.unsubscribe().catch(noop);
          },
          (error: unknown) => queue.fail(error),
        );
      },
      onReturn: () => void subscription?.unsubscribe().catch(noop),
    });
    return queue;
  }

  /**
   * Publishes an event. Without `acknowledge` it resolves (to undefined) once the message is
   * handed to the transport; with it, to `{ publication }` once the broker confirms. Rejects with
   * `junction.error.not_connected` while disconnected.
   */
  publish(topic: string, args?: unknown[], kwargs?: Record<string, unknown>, options?: PublishOptions): Promise<Publication | undefined> {
    const session = this.session;
    if (session === null) return Promise.reject(this.notConnected());
    return session.publish(topic, args, kwargs, options);
  }

  /**
   * Ends the session (GOODBYE `wamp.close.normal`, waiting at most `closeTimeout` for the router's
   * GOODBYE) and stops reconnecting. Pending calls reject with `junction.error.connection_lost`.
   */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const wasReconnecting = this.state === 'reconnecting';
    this.state = 'closed';
    this.attempt?.abort();
    if (this.sleeping !== null) {
      clearTimeout(this.sleeping.timer);
      this.sleeping.wake();
      this.sleeping = null;
    }
    const session = this.session;
    if (session !== null) {
      const info = await session.goodbye(ErrorUri.CLOSE_NORMAL, this.options.closeTimeout ?? 2000);
      this.sessionEnded(session, info);
    } else if (wasReconnecting) {
      this.emit('close', { reason: ErrorUri.CLOSE_NORMAL, message: 'closed while reconnecting', willReconnect: false });
    }
  }

  private async connectLoop(initial: boolean): Promise<void> {
    let lastError: unknown;
    for (let attempt = initial ? 0 : 1; ; attempt++) {
      if (attempt > 0) {
        if (this.policy === null || attempt > this.policy.maxRetries) throw new WampError(ClientErrorUri.RECONNECT_FAILED, [`gave up after ${attempt - 1} attempts`]);
        const delay = reconnectDelay(attempt, this.policy);
        this.emit('reconnecting', lastError === undefined ? { attempt, delay } : { attempt, delay, error: lastError });
        await this.sleep(delay);
      }
      if (this.isClosed()) throw new WampError(ClientErrorUri.NOT_CONNECTED, ['the client was closed']);
      let session: Session;
      try {
        session = await this.openSession();
      } catch (failure) {
        if (this.isClosed()) throw failure;
        const abortReason = failure instanceof AttemptAborted ? failure.error.uri : null;
        const error = failure instanceof AttemptAborted ? failure.error : failure;
        // The first connection fails on any ABORT; later ones only on those that will not change.
        if (abortReason !== null && (initial || PERMANENT_ABORTS.has(abortReason))) throw error;
        // Neither does a handshake refused with 401 or 403: waiting for it would hang connect().
        if (error instanceof WampError && error.uri === ClientErrorUri.CONNECTION_REFUSED) throw error;
        if (this.policy === null) throw error;
        if (!initial) this.emit('error', error);
        lastError = error;
        if (attempt + 1 > this.policy.maxRetries) {
          if (initial) throw error;
          throw new WampError(ClientErrorUri.RECONNECT_FAILED, [`gave up after ${attempt} attempts: ${error instanceof Error ? error.message : String(error)}`]);
        }
        continue;
      }
      await this.established(session, initial);
      return;
    }
  }

  private async openSession(): Promise<Session> {
    const controller = new AbortController();
    this.attempt = controller;
    const timeout = this.options.connectTimeout ?? 10_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Settles the attempt when it times out, or at once when close() aborts it (the handshake may
    // never finish: a router that does not answer HELLO).
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`no session within ${timeout} ms`));
        controller.abort();
      }, timeout);
      controller.signal.addEventListener('abort', () => reject(new Error('connecting was abandoned')), { once: true });
    });
    let session: Session | null = null;
    try {
      const transport = await Promise.race([this.openTransport(controller.signal), timedOut]);
      if (controller.signal.aborted) {
        transport.close(1000, 'abandoned');
        throw new Error('connecting was abandoned');
      }
      session = new Session(transport, {
        realm: this.options.realm,
        ...(this.options.auth !== undefined ? { auth: this.options.auth } : {}),
        ...(this.options.helloDetails !== undefined ? { helloDetails: this.options.helloDetails } : {}),
        ...(this.options.requestTimeout !== undefined ? { requestTimeout: this.options.requestTimeout } : {}),
        onError: this.reportError,
        onRevoked: (kind, id, reason) => this.revoked(kind, id, reason),
      });
      await Promise.race([session.ready, timedOut]);
      if (this.isClosed()) throw new WampError(ClientErrorUri.NOT_CONNECTED, ['the client was closed']);
      return session;
    } catch (error) {
      if (session !== null && session.state !== 'closed') void session.goodbye();
      if (session?.abortReason != null && error === session.abortReason) throw new AttemptAborted(session.abortReason);
      throw error;
    } finally {
      clearTimeout(timer);
      if (this.attempt === controller) this.attempt = null;
    }
  }

  private async openTransport(signal: AbortSignal): Promise<MessageTransport> {
    if (this.options.transport !== undefined) {
      const transport = await this.options.transport();
      if (signal.aborted) transport.close(1000, 'abandoned'); // the attempt timed out meanwhile
      return transport;
    }
    const url = this.urls[this.urlIndex++ % this.urls.length]!;
    return this.connector(url, this.serializers, signal, this.options);
  }

  private async established(session: Session, initial: boolean): Promise<void> {
    this.session = session;
    this.state = 'open';
    void session.closed.then((info) => this.sessionEnded(session, info));
    if (!initial) await this.restore(session);
    if (this.session === session && session.state === 'established') this.emit('open', session.welcome!);
  }

  /** Registers and subscribes again everything the user registered and subscribed. */
  private async restore(session: Session): Promise<void> {
    // Failures because the new session ended meanwhile are not worth an error event each.
    const report = (error: unknown): void => {
      if (session.state === 'established') this.reportError(error);
    };
    const steps: Promise<void>[] = [];
    for (const registration of this.registrations) {
      steps.push(
        session.register(registration, registration.wampOptions).then(
          (id) => {
            if (registration.active) registration.id = id;
            else void session.unregister(id).catch(noop);
          },
          report,
        ),
      );
    }
    for (const shared of this.topics.values()) steps.push(shared.serial(() => this.ensureSubscribed(shared, false)).catch(report));
    await Promise.all(steps);
  }

  private sessionEnded(session: Session, info: SessionCloseInfo): void {
    if (this.session !== session) return;
    this.session = null;
    for (const registration of this.registrations) registration.id = null;
    for (const shared of this.topics.values()) {
      shared.subscriptionId = null;
      shared.session = null;
    }
    const willReconnect = this.state !== 'closed' && this.policy !== null && !(info.aborted && PERMANENT_ABORTS.has(info.reason));
    this.state = willReconnect ? 'reconnecting' : 'closed';
    this.emit('close', { reason: info.reason, message: info.message, willReconnect });
    if (!willReconnect) return;
    this.connectLoop(false).catch((error: unknown) => {
      if (this.isClosed()) return; // close() stopped the attempts and reported it
      // Retries exhausted, or an ABORT that retrying will not change.
      this.state = 'closed';
      this.emit('close', {
        reason: error instanceof WampError ? error.uri : ClientErrorUri.RECONNECT_FAILED,
        message: error instanceof Error ? error.message : String(error),
        willReconnect: false,
      });
    });
  }

  private async ensureSubscribed(shared: Topic, getRetained: boolean): Promise<void> {
    const session = this.session;
    if (session === null) throw this.notConnected();
    if (shared.subscribers.size === 0) return;
    if (shared.session === session && shared.subscriptionId !== null) return;
    const options = getRetained ? { ...shared.options, get_retained: true } : shared.options;
    const id = await session.subscribe(shared.topic, shared, options);
    shared.session = session;
    shared.subscriptionId = id;
  }

  private unregisterOf(registration: Registration): Promise<void> {
    this.registrations.delete(registration);
    const session = this.session;
    const id = registration.id;
    registration.id = null;
    // Without an established session the router-side registration is gone (or going) anyway.
    if (session === null || id === null || session.state !== 'established') return Promise.resolve();
    return session.unregister(id);
  }

  private unsubscribeOf(subscription: Subscription, shared: Topic): Promise<void> {
    shared.subscribers.delete(subscription);
    return shared.serial(async () => {
      if (shared.subscribers.size > 0) return;
      const session = shared.session;
      const id = shared.subscriptionId;
      shared.session = null;
      shared.subscriptionId = null;
      if (this.topics.get(shared.key) === shared) this.topics.delete(shared.key);
      if (session !== null && id !== null && session === this.session && session.state === 'established') await session.unsubscribe(id);
    });
  }

  private revoked(kind: 'registration' | 'subscription', id: number, reason: string | undefined): void {
    if (kind === 'registration') {
      for (const registration of this.registrations) {
        if (registration.id !== id) continue;
        this.registrations.delete(registration);
        registration.id = null;
        void registration.unregister();
      }
    } else {
      for (const shared of this.topics.values()) {
        if (shared.subscriptionId !== id) continue;
        this.topics.delete(shared.key);
        for (const subscription of shared.subscribers) subscription.deactivate();
        shared.subscribers.clear();
        shared.subscriptionId = null;
        shared.session = null;
      }
    }
    this.emit('error', new WampError(`junction.error.${kind}_revoked`, [`the router revoked ${kind} ${id}${reason ? ` (${reason})` : ''}`]));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.sleeping = null;
        resolve();
      };
      this.sleeping = { timer: setTimeout(wake, ms), wake };
    });
  }

  /** Read through a method so that TypeScript does not narrow it across awaits. */
  private isClosed(): boolean {
    return this.state === 'closed';
  }

  private notConnected(): WampError {
    return new WampError(ClientErrorUri.NOT_CONNECTED, [this.state === 'closed' ? 'the client is closed' : 'not connected (reconnecting)']);
  }
}

/** An attempt ended by ABORT (from the router, or ours when authentication could not proceed). */
class AttemptAborted extends Error {
  constructor(readonly error: WampError) {
    super(error.message);
  }
}

/**
 * Connects with a given transport connector; the entries' `connect` use the global WebSocket
 * (browser) or `@junction/websocket` (Node).
 */
export async function connectWith(options: ClientOptions, connector?: TransportConnector): Promise<Client> {
  const client = new Client(options, connector);
  await client.start();
  return client;
}
