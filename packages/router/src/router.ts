import type http from 'node:http';
import { EventEmitter } from 'eventemitter3';
import type https from 'node:https';
import { ErrorUri, randomId, serializerByName, SERIALIZERS } from '@junction/wamp';
import type { Dict, MessageTransport, Serializer, SerializerName } from '@junction/wamp';
import { WebSocketServer, type UpgradeRequest, type WebSocket, type WebSocketServerOptions } from '@junction/websocket';
import type { RouterLimits } from './realm-context.js';
import type { AuthIdentity } from './auth/types.js';
import type { TransportIdentity } from './auth/upgrade.js';
import { resolveLimits } from './limits.js';
import { Realm, type EmbeddedIdentity, type RealmConfig, type RealmHost, type RouterLog } from './realm.js';
import { RouterSession, type SessionHost } from './router-session.js';
import { createLocalLink } from './local-link.js';
import { WebSocketTransport } from './node/websocket-transport.js';

/** Options of {@link Router}. */
export interface RouterOptions {
  /** The realms. Default: none (see {@link RouterOptions.autoCreateRealms}). */
  realms?: RealmConfig[];
  /**
   * Development only: a HELLO for an unknown realm creates it (open to everyone, with the
   * router's limits). Default false: such a HELLO gets ABORT `wamp.error.no_such_realm`.
   */
  autoCreateRealms?: boolean;
  /** Router-wide limits; each realm may override them. Defaults: `DEFAULT_LIMITS`. */
  limits?: Partial<RouterLimits>;
  /** The serializers (subprotocols `wamp.2.<name>`) accepted. Default: all (`msgpack`, `cbor`, `json`). */
  serializers?: SerializerName[];
  /**
   * Authenticates the HTTP upgrade request (cookie, bearer header) on the WebSocket servers the
   * router creates. Return a {@link TransportIdentity} (the realm's `upgradeRequestAuth()`
   * authenticator, there by default, welcomes the session with it), `null` to let the client in
   * without one, or throw `HttpError(401, ...)` to refuse the handshake.
   */
  authenticateUpgrade?: (request: UpgradeRequest) => TransportIdentity | null | undefined | Promise<TransportIdentity | null | undefined>;
  /** Where the router reports its own problems. Default: `console.warn` for `warn` and `error`. */
  log?: RouterLog;
  /** Time a session has from connecting to WELCOME (HELLO and authentication), in ms. Default 10000. */
  establishTimeout?: number;
  /** Time a client has to answer the router's GOODBYE (kill, shutdown) before its connection is closed, in ms. Default 2000. */
  goodbyeTimeout?: number;
  /**
   * Options of the WebSocket servers the router creates (`listen`, `attach(httpServer)`):
   * `origins` (allowed browser origins: set it when browsers log in with cookies),
   * `heartbeat` (default `{ interval: 30000, timeout: 10000 }`: connections that stop answering
   * pings are dropped, so their sessions leave), `perMessageDeflate` (default on),
   * `handshakeTimeout`, `maxHeaderSize`, `closeTimeout`. Payload and backlog limits come from `limits`.
   */
  webSocket?: RouterWebSocketOptions;
}

/** The `@junction/websocket` server options a router passes through; see {@link RouterOptions.webSocket}. */
export type RouterWebSocketOptions = Pick<WebSocketServerOptions, 'origins' | 'heartbeat' | 'perMessageDeflate' | 'handshakeTimeout' | 'maxHeaderSize' | 'closeTimeout'>;

/** The events of a {@link Router} (eventemitter3). */
export interface RouterEvents {
  /**
   * A realm was added: by {@link Router.addRealm}, or on a first HELLO with
   * {@link RouterOptions.autoCreateRealms}. Emitted before any session joins it. (The realms of
   * {@link RouterOptions.realms} are added in the constructor, before anyone listens: see
   * {@link Router.realms}.)
   */
  realm: [Realm];
  /** {@link Router.close} finished: every session is gone and the router's own servers are closed. */
  close: [];
}

/**
 * Work {@link Router.close} runs and waits for before it tells the sessions goodbye (see
 * {@link Router.beforeClose}). A rejection is logged; closing goes on.
 */
export type CloseHook = () => void | Promise<void>;

/** Default heartbeat of the router's WebSocket servers. */
const DEFAULT_HEARTBEAT = { interval: 30_000, timeout: 10_000 };

/** Options of {@link Router.listen}. */
export interface ListenOptions {
  /** TCP port; 0 picks a free one. Default 8080. */
  port?: number;
  /** Address to listen on. Default `127.0.0.1`. */
  host?: string;
  /** WebSocket path. Default `/ws`. */
  path?: string;
}

/** Where {@link Router.listen} listens. */
export interface ListeningAddress {
  port: number;
  host: string;
  /** `ws://host:port/path`. */
  url: string;
}

/** Options of {@link Router.attach} with an HTTP(S) server. */
export interface AttachOptions {
  /** WebSocket path on that server. Default `/ws`. */
  path?: string;
}

const defaultLog: RouterLog = (level, message, detail) => {
  if (level === 'warn' || level === 'error') console.warn(`junction router ${level}: ${message}`, ...(detail === undefined ? [] : [detail]));
};

/**
 * A WAMP v2 router: realms with a broker and a dealer each, sessions over WebSocket
 * (`wamp.2.json`, `wamp.2.msgpack`, `wamp.2.cbor`) or in-process links.
 *
 * ```ts
 * const router = new Router({ realms: [{ name: 'realm1' }] });
 * const { url } = await router.listen({ port: 8080 });
 * ```
 */
export class Router extends EventEmitter<RouterEvents> implements SessionHost, RealmHost {
  /** Router-wide limits (realms start from these). */
  readonly limits: RouterLimits;
  readonly goodbyeTimeout: number;
  readonly establishTimeout: number;
  private readonly options: RouterOptions;
  private readonly realmsByName = new Map<string, Realm>();
  private readonly serializers: readonly Serializer[];
  /** Every live session, joined or not. */
  private readonly sessions = new Set<RouterSession>();
  /** Session IDs in use (allocated at HELLO). */
  private readonly sessionIds = new Map<number, RouterSession>();
  /** WebSocket servers the router made (closed with it). */
  private readonly ownServers: WebSocketServer[] = [];
  private readonly logger: RouterLog;
  private closing: Promise<void> | null = null;
  private allClosed: (() => void) | null = null;
  private readonly closeHooks = new Set<CloseHook>();

  constructor(options: RouterOptions = {}) {
    super();
    this.options = options;
    this.logger = options.log ?? defaultLog;
    this.limits = resolveLimits(options.limits);
    this.goodbyeTimeout = options.goodbyeTimeout ?? 2000;
    this.establishTimeout = options.establishTimeout ?? 10_000;
    this.serializers = (options.serializers ?? SERIALIZERS.map((s) => s.name)).map((name) => {
      const serializer = serializerByName(name);
      if (serializer === undefined) throw new TypeError(`unknown serializer "${name}" (use msgpack, cbor or json)`);
      return serializer;
    });
    if (this.serializers.length === 0) throw new TypeError('serializers must not be empty');
    for (const config of options.realms ?? []) this.addRealm(config);
  }

  /** The realm with this name, or undefined. */
  realm(name: string): Realm | undefined {
    return this.realmsByName.get(name);
  }

  /**
   * Every realm, in the order they were added (configured ones first). Realms added later are
   * announced by the `realm` event.
   */
  realms(): Realm[] {
    return [...this.realmsByName.values()];
  }

  /**
   * Adds a realm at run time; throws when one with that name exists. Emits `realm` (a
   * listener's exception is logged, never thrown from here).
   */
  addRealm(config: RealmConfig): Realm {
    if (typeof config?.name !== 'string' || config.name.length === 0) throw new TypeError('a realm needs a name');
    if (this.realmsByName.has(config.name)) throw new TypeError(`realm "${config.name}" exists already`);
    const realm = new Realm(config, this.options.limits ?? {}, this.logger, this);
    this.realmsByName.set(config.name, realm);
    try {
      this.emit('realm', realm);
    } catch (err) {
      this.logger('error', `a "realm" listener failed for realm "${config.name}"`, err);
    }
    return realm;
  }

  /**
   * Registers work for {@link close} to finish first, before it tells the sessions goodbye: a
   * cluster leaving (`@junction/cluster` uses this), a flush. Hooks run together and should end
   * promptly; a failing hook is logged. Returns a function that removes the hook.
   */
  beforeClose(hook: CloseHook): () => void {
    this.closeHooks.add(hook);
    return () => {
      this.closeHooks.delete(hook);
    };
  }

  /**
   * Listens on a WebSocket server of its own. Resolves once listening, with the address.
   * Clients that offer none of the router's subprotocols are refused with HTTP 400.
   */
  listen(options: ListenOptions = {}): Promise<ListeningAddress> {
    const host = options.host ?? '127.0.0.1';
    const path = options.path ?? '/ws';
    const server = this.createServer({ port: options.port ?? 8080, host, path });
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        server.removeListener('listening', onListening);
        reject(err);
      };
      const onListening = (): void => {
        server.removeListener('error', onError);
        server.on('error', (err) => this.logger('error', 'WebSocket server error', err));
        const port = server.address()!.port;
        const urlHost = host.includes(':') ? `[${host}]` : host;
        resolve({ port, host, url: `ws://${urlHost}:${port}${path}` });
      };
      server.once('error', onError);
      server.once('listening', onListening);
    });
  }

  /**
   * Serves WAMP on an existing server: an HTTP(S) server (Express, Fastify...: a WebSocket
   * server is made on it for `options.path`, default `/ws`), or a `@junction/websocket`
   * `WebSocketServer`, on which the router mounts its subprotocols (that server's own options
   * then apply: payload and backlog limits, `authenticate`, whose result is used as the
   * upgrade identity when it is a {@link TransportIdentity}).
   */
  attach(target: http.Server | https.Server | WebSocketServer, options: AttachOptions = {}): void {
    if (this.closing !== null) throw new Error('the router is closed');
    if (target instanceof WebSocketServer) {
      this.mountOn(target);
      return;
    }
    this.createServer({ server: target, path: options.path ?? '/ws' });
  }

  /**
   * Serves one session over any `MessageTransport` (a custom transport, or one end of
   * `createLocalLink()`). `transportAuth` is what an upgrade hook would have returned.
   */
  accept(transport: MessageTransport, options: { transportAuth?: unknown; transportInfo?: Dict } = {}): void {
    if (this.closing !== null) {
      transport.close(1001, 'router shutting down');
      return;
    }
    this.sessions.add(new RouterSession(this, transport, options));
  }

  /**
   * Opens an in-process link to the router with a session welcomed as `identity` (no
   * authentication, no authorization: the router's own code) and returns the client's end.
   * `Realm.session()` uses it with our client; use it directly with any peer that speaks
   * message arrays.
   */
  connectLocal(identity: EmbeddedIdentity = {}): MessageTransport {
    if (this.closing !== null) throw new Error('the router is closed');
    const link = createLocalLink();
    const preset: AuthIdentity = {
      authid: identity.authid ?? 'router',
      authrole: identity.authrole ?? 'trusted',
      authmethod: 'trusted',
      authprovider: 'router',
    };
    if (identity.authextra !== undefined) preset.authextra = identity.authextra;
    this.sessions.add(new RouterSession(this, link.router, { identity: preset, transportInfo: { type: 'local' } }));
    return link.client;
  }

  /**
   * Shuts down: refuses new sessions, runs the {@link beforeClose} hooks (an attached cluster
   * leaves) and waits for them, sends GOODBYE `wamp.close.system_shutdown` to every session,
   * waits for the answers (at most `goodbyeTimeout`), then closes the WebSocket servers the
   * router made (a server passed to {@link attach} keeps running, without the router's
   * protocols' sessions) and emits `close`. Calling it again returns the same promise.
   */
  close(): Promise<void> {
    if (this.closing !== null) return this.closing;
    for (const realm of this.realmsByName.values()) realm.closed = true;
    const hooks = [...this.closeHooks];
    this.closeHooks.clear();
    const goodbye = (): Promise<void> => {
      const sessionsDone = new Promise<void>((resolve) => {
        if (this.sessions.size === 0) resolve();
        else this.allClosed = resolve;
      });
      for (const session of [...this.sessions]) session.goodbye(ErrorUri.SYSTEM_SHUTDOWN, 'the router is shutting down');
      return sessionsDone;
    };
    // Without hooks the sessions are told at once, as close() is called.
    const sessionsDone = hooks.length === 0 ? goodbye() : this.runCloseHooks(hooks).then(goodbye);
    const closing = sessionsDone.then(async () => {
      await Promise.all(this.ownServers.map((server) => server.close()));
      try {
        this.emit('close');
      } catch (err) {
        this.logger('error', 'a "close" listener failed', err);
      }
    });
    this.closing = closing;
    return closing;
  }

  private async runCloseHooks(hooks: CloseHook[]): Promise<void> {
    await Promise.all(hooks.map(async (hook) => {
      try {
        await hook();
      } catch (err) {
        this.logger('error', 'a beforeClose hook failed', err);
      }
    }));
  }

  // SessionHost ---------------------------------------------------------------------------------

  /** @internal */
  realmForHello(name: string): Realm | undefined {
    const realm = this.realmsByName.get(name);
    if (realm !== undefined || this.closing !== null || this.options.autoCreateRealms !== true) return realm;
    this.logger('info', `realm "${name}" created on first use (autoCreateRealms)`);
    return this.addRealm({ name });
  }

  /** @internal */
  allocateSessionId(session: RouterSession): number {
    let id = randomId();
    while (this.sessionIds.has(id)) id = randomId();
    this.sessionIds.set(id, session);
    return id;
  }

  /** @internal */
  sessionClosed(session: RouterSession): void {
    this.sessions.delete(session);
    if (session.id !== 0 && this.sessionIds.get(session.id) === session) this.sessionIds.delete(session.id);
    if (this.sessions.size === 0 && this.allClosed !== null) {
      const done = this.allClosed;
      this.allClosed = null;
      done();
    }
  }

  /** @internal */
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, detail?: unknown): void {
    this.logger(level, message, detail);
  }

  // WebSocket -----------------------------------------------------------------------------------

  private createServer(mode: Pick<WebSocketServerOptions, 'port' | 'host' | 'server' | 'path'>): WebSocketServer {
    if (this.closing !== null) throw new Error('the router is closed');
    let maxPayload = this.limits.maxMessageSize;
    let maxBufferedAmount = this.limits.maxBufferedAmount;
    // The socket-level limits are the largest of any realm: realms enforce their own below that.
    for (const realm of this.realmsByName.values()) {
      maxPayload = Math.max(maxPayload, realm.limits.maxMessageSize);
      maxBufferedAmount = Math.max(maxBufferedAmount, realm.limits.maxBufferedAmount);
    }
    const protocols = this.serializers.map((s) => s.protocol);
    const authenticateUpgrade = this.options.authenticateUpgrade;
    const server = new WebSocketServer({
      heartbeat: DEFAULT_HEARTBEAT,
      ...this.options.webSocket,
      ...mode,
      maxPayload,
      maxBufferedAmount,
      protocolRequired: true,
      // The client's order of preference wins: it knows which format suits it best.
      handleProtocols: (offered) => offered.find((protocol) => protocols.includes(protocol)) ?? false,
      ...(authenticateUpgrade !== undefined ? { authenticate: async (request: UpgradeRequest) => (await authenticateUpgrade(request)) ?? null } : {}),
    });
    this.mountOn(server);
    this.ownServers.push(server);
    return server;
  }

  private mountOn(server: WebSocketServer): void {
    for (const serializer of this.serializers) {
      server.mount(serializer.protocol, (ws, request) => this.acceptWebSocket(ws, request, serializer));
    }
  }

  private acceptWebSocket(ws: WebSocket, request: UpgradeRequest, serializer: Serializer): void {
    if (this.closing !== null) {
      ws.close(1001, 'router shutting down');
      return;
    }
    const socket = request.socket;
    const transportInfo: Dict = {
      type: 'websocket',
      protocol: ws.protocol,
      serializer: serializer.name,
      peer: `${socket.remoteFamily === 'IPv6' ? 'tcp6' : 'tcp4'}:${socket.remoteAddress}:${socket.remotePort}`,
    };
    // The path only: a query string may carry a token, and the meta API shows this to other sessions.
    if (request.url !== undefined) transportInfo.path = request.url.split('?', 1)[0];
    this.sessions.add(new RouterSession(this, new WebSocketTransport(ws, serializer), { transportAuth: ws.auth, transportInfo }));
  }
}
