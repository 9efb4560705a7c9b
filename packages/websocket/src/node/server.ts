import http from 'node:http';
import type https from 'node:https';
import net, { type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { EventEmitter } from 'eventemitter3';
import { CloseCode, DEFAULT_MAX_PAYLOAD } from '../constants.js';
import { buildAcceptResponse, buildRejectionResponse, isRejection, validateUpgradeRequest, type HandshakeRejection } from '../handshake.js';
import { selectProtocol } from '../subprotocol.js';
import { parseExtensionsHeader } from '../extension-header.js';
import { negotiateDeflateServer, type PerMessageDeflateOptions, type ResolvedDeflateOptions } from '../permessage-deflate.js';

type DeflateAgreement = NonNullable<ReturnType<typeof negotiateDeflateServer>>;
import { isOriginAllowed } from '../origin.js';
import { HttpHeadParser, type HttpHead } from '../http-head-parser.js';
import type { MessageCodec } from '../connection.js';
import { createDeflateCodec, deflateCodecOptions, resolveDeflateOptions } from './deflate.js';
import type { DeflateCodecOptions } from '../deflate-codec.js';
import { WebSocket, createServerSocket, kOwner, type WebSocketCommonOptions } from './websocket.js';

/**
 * Throw this from `authenticate` (or `handleProtocols`) to refuse a handshake with an HTTP status,
 * a body and extra headers (e.g. `WWW-Authenticate`).
 */
export class HttpError extends Error {
  /** HTTP status code, e.g. 401 or 403. */
  readonly status: number;
  /** Response body (plain text); defaults to the message. */
  readonly body: string;
  /** Extra response headers. */
  readonly headers: Record<string, string>;
  constructor(status: number, body?: string, headers: Record<string, string> = {}) {
    super(body ?? `HTTP ${status}`);
    this.name = 'HttpError';
    this.status = status;
    this.body = body ?? http.STATUS_CODES[status] ?? '';
    this.headers = headers;
  }
}

/** Heartbeat settings: ping every `interval` ms; drop a connection silent for `timeout` ms after a ping. */
export interface HeartbeatOptions {
  interval: number;
  /** Default: `interval`. */
  timeout?: number;
}

/**
 * The upgrade request as the server's hooks and events see it. Node's `http.IncomingMessage`
 * has this shape: with `server` and `noServer` the request is the `IncomingMessage` of the HTTP
 * server; with `port` it is a plain object read by the server's own HTTP parser, which costs far
 * less per connection.
 */
export interface UpgradeRequest {
  /** Request method, e.g. `GET` (always set with `port`; optional only because Node types it so). */
  method?: string | undefined;
  /** Request target as sent, e.g. `/ws?token=1` (always set with `port`). */
  url?: string | undefined;
  /** HTTP version, e.g. `1.1`. */
  httpVersion: string;
  /** Headers by lower-case name; repeated fields combined as Node combines them. */
  headers: http.IncomingHttpHeaders;
  /** Every header as received: name, value, name, value... */
  rawHeaders: string[];
  /** The TCP (or TLS) connection. */
  socket: Socket;
}

/** A handler for the connections that chose one subprotocol; see {@link WebSocketServer.mount}. */
export type ProtocolHandler = (socket: WebSocket, request: UpgradeRequest) => void;

/** Options of {@link WebSocketServer}. Exactly one of `port`, `server` or `noServer` is given. */
export interface WebSocketServerOptions extends WebSocketCommonOptions {
  /** Listen on this port (0 picks a free one), on a server of our own. */
  port?: number;
  /** Host to listen on with `port`. Default: Node's default (all interfaces). */
  host?: string;
  /** Attach to an existing HTTP or HTTPS server (its `upgrade` event). */
  server?: http.Server | https.Server;
  /** Neither listen nor attach: call {@link WebSocketServer.handleUpgrade} yourself. */
  noServer?: boolean;
  /** Accept upgrades on this path only (exact match, query ignored). Default: every path. */
  path?: string;
  /** Accept permessage-deflate: `true` (default) for default options, options, or `false`. */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /** Subprotocols we speak, in our order of preference. Mounted protocols are added to it. */
  protocols?: string[];
  /** Chooses the subprotocol instead of `protocols`: return one of `offered`, or false for none. May throw {@link HttpError}. */
  handleProtocols?: (offered: string[], request: UpgradeRequest) => string | false | undefined;
  /** Refuse (400) clients that offer no subprotocol we speak, even when they offer none. Default false. */
  protocolRequired?: boolean;
  /**
   * Checks the upgrade request (cookie, bearer token...) before the 101. Its result becomes
   * `socket.auth`. Throw {@link HttpError} to refuse with a status; any other error refuses with 500.
   */
  authenticate?: (request: UpgradeRequest) => unknown | Promise<unknown>;
  /** Allowed `Origin` values (strings or RegExps) or a predicate; others get 403. Requests without Origin pass. */
  origins?: readonly (string | RegExp)[] | ((origin: string | undefined) => boolean);
  /** Ping idle clients and drop the silent ones. Default: off. */
  heartbeat?: HeartbeatOptions | false;
  /**
   * Time allowed from the upgrade request to the 101 (including `authenticate`), in ms. With `port`
   * it runs from the TCP connection, so it also bounds reading the request head. Default 10000.
   */
  handshakeTimeout?: number;
  /** Largest request head accepted, in bytes; larger gets 431. Default 16384. */
  maxHeaderSize?: number;
}

/** Events of {@link WebSocketServer}. */
export interface WebSocketServerEvents {
  connection: [socket: WebSocket, request: UpgradeRequest];
  listening: [];
  /** A server-level error (e.g. listen failed, or `authenticate` threw something that is not an HttpError). */
  error: [error: Error];
  /**
   * A handshake was refused: the status and the reason, for logs. With `port`, a request whose
   * head could not be read (400, 431, 505) or did not arrive in time (408) comes with empty
   * `method`, `url` and `headers`.
   */
  rejected: [status: number, reason: string, request: UpgradeRequest];
  close: [];
}

/**
 * A WebSocket server: on a port of its own, on an existing HTTP(S) server, or fed by hand through
 * {@link handleUpgrade} (Express, Fastify, Hono...).
 */
export class WebSocketServer extends EventEmitter<WebSocketServerEvents> {
  /** The open connections. */
  readonly clients = new Set<WebSocket>();
  private readonly options: WebSocketServerOptions;
  /** The server we listen on (`port`) or were attached to (`server`). */
  private readonly netServer: net.Server | null;
  private readonly ownsServer: boolean;
  private readonly deflate: ResolvedDeflateOptions | null;
  /** Codec options shared by every connection of this server. */
  private readonly codecOptions: DeflateCodecOptions | null;
  private readonly preference: string[];
  private readonly mounts = new Map<string, ProtocolHandler>();
  /** Handshakes in flight, oldest first: all share one timeout, so this is deadline order. */
  private readonly pending = new Set<Handshake>();
  private readonly handshakeTimeout: number;
  private readonly maxHeaderSize: number;
  /** The settings of every server-side socket, built once. */
  private readonly socketOptions: WebSocketCommonOptions;
  private readonly upgradeListener: ((req: http.IncomingMessage, socket: Duplex, head: Buffer) => void) | null = null;
  /** A `close` listener shared by every client (eventemitter3 calls it with the socket as `this`). */
  /** One timer for every pending handshake, armed for the oldest one's deadline. */
  private sweepTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  /** The last Sec-WebSocket-Extensions offer seen and what it negotiated to. */
  private lastOffer: string | undefined;
  private lastAgreement: DeflateAgreement | null = null;
  private closing: Promise<void> | null = null;

  constructor(options: WebSocketServerOptions, onListening?: () => void) {
    super();
    const modes = [options.port !== undefined, options.server !== undefined, options.noServer === true].filter(Boolean).length;
    if (modes !== 1) throw new TypeError('Give exactly one of the options port, server or noServer');
    this.options = options;
    this.deflate = resolveDeflateOptions(options.perMessageDeflate, true);
    this.codecOptions = this.deflate === null ? null : deflateCodecOptions(this.deflate, options.maxPayload ?? DEFAULT_MAX_PAYLOAD);
    this.preference = [...(options.protocols ?? [])];
    this.handshakeTimeout = options.handshakeTimeout ?? 10000;
    this.maxHeaderSize = options.maxHeaderSize ?? 16384;
    this.socketOptions = {
      maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD,
      ...(options.maxBufferedAmount !== undefined ? { maxBufferedAmount: options.maxBufferedAmount } : {}),
      ...(options.slowConsumer !== undefined ? { slowConsumer: options.slowConsumer } : {}),
      ...(options.closeTimeout !== undefined ? { closeTimeout: options.closeTimeout } : {}),
      ...(options.autoPong !== undefined ? { autoPong: options.autoPong } : {}),
    };
    if (onListening) this.once('listening', onListening);

    if (options.port !== undefined) {
      // A plain TCP server and our own head parser: Node's HTTP server would allocate (and
      // partly keep) request, response and parser state for every connection. Half-open
      // connections are allowed, as on Node's HTTP server: the connection ends its side itself.
      const server = net.createServer({ noDelay: true, allowHalfOpen: true }, (socket) => this.onTcpConnection(socket));
      server.on('listening', () => this.emit('listening'));
      server.on('error', (err) => this.emit('error', err));
      server.listen(options.port, options.host);
      this.netServer = server;
      this.ownsServer = true;
    } else if (options.server !== undefined) {
      const server = options.server;
      this.netServer = server;
      this.ownsServer = false;
      if (server.listening) queueMicrotask(() => this.emit('listening'));
      else server.once('listening', () => this.emit('listening'));
      this.upgradeListener = (req, socket, head) => {
        if (!this.pathMatches(req)) {
          // On a shared server another listener may own this path.
          if (server.listenerCount('upgrade') === 1) this.reject(socket, req, { status: 404, headers: {}, body: `No WebSocket endpoint at ${pathOf(req)}` });
          return;
        }
        this.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, req));
      };
      server.on('upgrade', this.upgradeListener);
    } else {
      this.netServer = null;
      this.ownsServer = false;
    }

    if (options.heartbeat) this.startHeartbeat(options.heartbeat);
  }

  /**
   * Serves one subprotocol with its own handler: connections that choose `protocol` go to `handler`
   * (the `connection` event fires too). Mounting adds the protocol to the preference list.
   */
  mount(protocol: string, handler: ProtocolHandler): this {
    this.mounts.set(protocol, handler);
    if (!this.preference.includes(protocol)) this.preference.push(protocol);
    return this;
  }

  /** The listening address (port and host), or null with `noServer` or before listening. */
  address(): AddressInfo | null {
    const address = this.netServer?.address();
    return address !== null && typeof address === 'object' ? address : null;
  }

  /**
   * Completes (or refuses) the opening handshake of an HTTP upgrade request, then calls `cb` with
   * the open socket. For use with `noServer` from any HTTP framework's `upgrade` handler: pass
   * the `IncomingMessage`, socket and head of its `upgrade` event. Without an `authenticate`
   * hook, `cb` runs before this returns.
   */
  handleUpgrade<R extends UpgradeRequest>(req: R, socket: Duplex, head: Buffer, cb: (ws: WebSocket, req: R) => void): void {
    if (this.closing !== null) {
      this.reject(socket, req, { status: 503, headers: {}, body: 'The server is shutting down' });
      return;
    }
    const handshake = this.startHandshake(socket);
    handshake.request = req;
    handshake.rest = head;
    this.upgrade(handshake, req, cb);
  }

  /**
   * Closes gracefully: stops accepting, sends 1001 to every client and waits for the closing
   * handshakes (each bounded by `closeTimeout`). A server passed in `server` is left running.
   */
  close(): Promise<void> {
    if (this.closing !== null) return this.closing;
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    for (const handshake of this.pending) {
      handshake.finish();
      handshake.socket.destroy();
    }
    if (this.sweepTimer !== null) {
      clearTimeout(this.sweepTimer);
      this.sweepTimer = null;
    }
    const closed: Promise<void>[] = [];
    for (const ws of this.clients) {
      closed.push(new Promise((resolve) => ws.once('close', () => resolve())));
      ws.close(CloseCode.GoingAway, 'Server shutting down');
    }
    const server = this.netServer;
    if (server !== null && this.upgradeListener !== null) server.removeListener('upgrade', this.upgradeListener);
    const serverClosed = new Promise<void>((resolve) => {
      if (!this.ownsServer || server === null || !server.listening) return resolve();
      // Resolves once every connection is gone: the clients above, and refused ones (see refuse).
      server.close(() => resolve());
    });
    this.closing = Promise.all([...closed, serverClosed]).then(() => {
      this.emit('close');
    });
    return this.closing;
  }

  // Port mode ------------------------------------------------------------------------------

  /** With `port`: a new TCP connection, whose request head the handshake reads. */
  private onTcpConnection(socket: Socket): void {
    if (this.closing !== null) {
      socket.destroy();
      return;
    }
    this.startHandshake(socket).readHead(new HttpHeadParser('request', this.maxHeaderSize));
  }

  /**
   * The request head of a port-mode connection was read (or could not be).
   * @internal
   */
  onRequestHead(handshake: Handshake, head: HttpHead | null, status: number, message: string): void {
    const socket = handshake.socket as Socket;
    if (head === null) {
      handshake.finish();
      this.reject(socket, headlessRequest(socket), { status, headers: {}, body: message });
      return;
    }
    const req: UpgradeRequest = {
      method: head.method,
      url: head.url,
      httpVersion: head.httpVersion,
      headers: head.headers as http.IncomingHttpHeaders,
      rawHeaders: head.rawHeaders,
      socket,
    };
    handshake.request = req;
    if (head.headers['upgrade'] === undefined) {
      // A plain HTTP request (a browser tab, a health check): not a refused handshake.
      handshake.finish();
      this.refuse(socket, { status: 426, headers: { Upgrade: 'websocket' }, body: 'This is a WebSocket endpoint: connect with a WebSocket client.\n' });
      return;
    }
    if (!this.pathMatches(req)) {
      handshake.finish();
      this.reject(socket, req, { status: 404, headers: {}, body: `No WebSocket endpoint at ${pathOf(req)}` });
      return;
    }
    this.upgrade(handshake, req, (ws) => this.onConnection(ws, req));
  }

  // The handshake --------------------------------------------------------------------------

  /** Starts the clock on a handshake; it is tracked until {@link Handshake.finish}. */
  private startHandshake(socket: Duplex): Handshake {
    const handshake = new Handshake(this, this.pending, socket, performance.now() + this.handshakeTimeout);
    if (this.sweepTimer === null) this.armSweep(this.handshakeTimeout);
    return handshake;
  }

  private armSweep(delay: number): void {
    // setTimeout turns delays beyond 2^31-1 ms into 1 ms.
    this.sweepTimer = setTimeout(this.sweep, Math.min(MAX_TIMER_DELAY, Math.max(1, Math.ceil(delay))));
    this.sweepTimer.unref();
  }

  /** Drops every handshake past its deadline, then waits for the next deadline. */
  private readonly sweep = (): void => {
    this.sweepTimer = null;
    const now = performance.now();
    for (const handshake of this.pending) {
      if (handshake.deadline > now) {
        this.armSweep(handshake.deadline - now);
        return;
      }
      handshake.finish();
      this.emit('rejected', 408, 'handshake timeout', handshake.request ?? headlessRequest(handshake.socket as Socket));
      handshake.socket.destroy();
    }
  };

  /** Negotiates and answers the upgrade; `handshake` bounds it in time and tracks its socket. */
  private upgrade<R extends UpgradeRequest>(handshake: Handshake, req: R, cb: (ws: WebSocket, req: R) => void): void {
    const socket = handshake.socket;
    let result: HandshakeRejection | Accepted;
    try {
      result = this.negotiate(req);
    } catch (err) {
      handshake.finish();
      this.internalError(socket, req, err);
      return;
    }
    const authenticate = this.options.authenticate;
    if ('status' in result || authenticate === undefined) {
      this.answer(handshake, req, result, cb);
      return;
    }
    // The only asynchronous step; everything else completes in the turn the head arrived in.
    const accepted = result;
    new Promise((resolve) => resolve(authenticate(req))).then(
      (auth) => {
        accepted.auth = auth;
        this.answer(handshake, req, accepted, cb);
      },
      (err: unknown) => {
        accepted.codec?.close();
        if (err instanceof HttpError) {
          this.answer(handshake, req, { status: err.status, headers: err.headers, body: err.body }, cb);
          return;
        }
        handshake.finish();
        this.internalError(socket, req, err);
      },
    );
  }

  private answer<R extends UpgradeRequest>(handshake: Handshake, req: R, result: HandshakeRejection | Accepted, cb: (ws: WebSocket, req: R) => void): void {
    const socket = handshake.socket;
    const rest = handshake.rest;
    const timedOut = handshake.finished;
    handshake.finish();
    if (timedOut || socket.destroyed) {
      if (!('status' in result)) result.codec?.close();
      return;
    }
    try {
      if ('status' in result) this.reject(socket, req, result);
      else this.accept(req, socket as Socket, rest, result, cb);
    } catch (err) {
      // A bad HttpError from a hook: an error event and a 500, never an unhandled exception.
      if (!('status' in result)) result.codec?.close();
      this.internalError(socket, req, err);
    }
  }

  private internalError(socket: Duplex, req: UpgradeRequest, err: unknown): void {
    this.emit('error', err instanceof Error ? err : new Error(String(err)));
    if (socket.destroyed) return;
    try {
      this.reject(socket, req, { status: 500, headers: {}, body: 'Internal error during the WebSocket handshake' });
    } catch {
      socket.destroy();
    }
  }

  private pathMatches(req: UpgradeRequest): boolean {
    return this.options.path === undefined || pathOf(req) === this.options.path;
  }

  /** The sans-I/O checks and the synchronous hooks: what to answer, `authenticate` aside. */
  private negotiate(req: UpgradeRequest): HandshakeRejection | Accepted {
    const options = this.options;
    const maxHeaderSize = this.maxHeaderSize;
    if (headSize(req) > maxHeaderSize) return { status: 431, headers: {}, body: `Request header fields larger than ${maxHeaderSize} bytes` };
    const checked = validateUpgradeRequest({ method: req.method ?? '', httpVersion: req.httpVersion, headers: req.headers });
    if (isRejection(checked)) return checked;
    if (options.origins !== undefined && !isOriginAllowed(req.headers.origin, options.origins)) {
      return { status: 403, headers: {}, body: `Origin not allowed: ${(req.headers.origin ?? '(none)').slice(0, 200)}` };
    }

    let protocol: string | undefined;
    try {
      protocol = this.chooseProtocol(checked.protocols, req);
    } catch (err) {
      if (err instanceof HttpError) return { status: err.status, headers: err.headers, body: err.body };
      throw err;
    }
    if (protocol === undefined && (this.preference.length > 0 || options.handleProtocols)) {
      if (checked.protocols.length > 0) {
        return { status: 400, headers: {}, body: `None of the offered subprotocols (${checked.protocols.join(', ')}) is supported; this server speaks: ${this.preference.join(', ') || '(chosen by handleProtocols)'}` };
      }
      if (options.protocolRequired) return { status: 400, headers: {}, body: `A subprotocol is required; this server speaks: ${this.preference.join(', ')}` };
    }

    let deflateResponse = '';
    let codec: MessageCodec | null = null;
    if (this.deflate !== null && checked.extensions !== undefined) {
      const agreed = this.negotiateDeflate(checked.extensions);
      if (typeof agreed === 'string') return { status: 400, headers: {}, body: agreed };
      if (agreed !== null) {
        deflateResponse = agreed.response;
        codec = createDeflateCodec(agreed.params, true, this.codecOptions!);
      }
    }
    return { key: checked.key, protocol: protocol ?? '', extensions: deflateResponse, codec, auth: undefined };
  }

  /**
   * Parses and negotiates a Sec-WebSocket-Extensions offer; a string is the reason to refuse it.
   * Clients of one kind send the same offer every time, so the last answer is kept for the next
   * identical header (the agreed params are never mutated).
   */
  private negotiateDeflate(header: string | string[]): DeflateAgreement | null | string {
    const key = typeof header === 'string' ? header : header.join(', ');
    if (key === this.lastOffer) return this.lastAgreement;
    let agreed: DeflateAgreement | null;
    try {
      agreed = negotiateDeflateServer(parseExtensionsHeader(header), this.deflate!);
    } catch (err) {
      return `Invalid Sec-WebSocket-Extensions header: ${(err as Error).message}`;
    }
    this.lastOffer = key;
    this.lastAgreement = agreed;
    return agreed;
  }

  private chooseProtocol(offered: string[], req: UpgradeRequest): string | undefined {
    if (this.options.handleProtocols) {
      const chosen = this.options.handleProtocols(offered, req);
      if (chosen === false || chosen === undefined) return undefined;
      if (!offered.includes(chosen)) throw new Error(`handleProtocols chose "${chosen}", which the client did not offer`);
      return chosen;
    }
    return offered.length === 0 ? undefined : selectProtocol(offered, this.preference);
  }

  private accept<R extends UpgradeRequest>(req: R, socket: Socket, head: Buffer, result: Accepted, cb: (ws: WebSocket, req: R) => void): void {
    socket.write(buildAcceptResponse(result), 'latin1');
    // The socket leaves `clients` by itself when it closes (no listener per connection).
    const ws = createServerSocket(this.socketOptions, this.clients);
    ws.auth = result.auth;
    ws.attach(socket, head, { protocol: result.protocol, extensions: result.extensions, codec: result.codec });
    // A handshake that read more than it may hold paused the socket (see Handshake.onData).
    if (socket.isPaused()) socket.resume();
    this.clients.add(ws);
    try {
      cb(ws, req);
    } catch (err) {
      // A throwing `connection` listener loses its connection, not the process.
      this.emit('error', err instanceof Error ? err : new Error(String(err)));
      ws.terminate();
    }
  }

  private onConnection(ws: WebSocket, req: UpgradeRequest): void {
    this.emit('connection', ws, req);
    const handler = this.mounts.get(ws.protocol);
    if (handler) handler(ws, req);
  }

  private reject(socket: Duplex, req: UpgradeRequest, rejection: HandshakeRejection): void {
    this.emit('rejected', rejection.status, rejection.body, req);
    this.refuse(socket, rejection);
  }

  /** Answers with an error response and closes, whatever the client still sends. */
  private refuse(socket: Duplex, rejection: HandshakeRejection): void {
    // A reset while we answer must not be an unhandled error event.
    if (!socket.listeners('error').includes(destroyThis)) socket.on('error', destroyThis);
    if (socket.writable) socket.end(buildRejectionResponse(rejection), 'latin1');
    // Read and drop what the client still sends, so that its FIN is seen and the socket closes.
    socket.resume();
    // Don't let a client that never reads keep the socket open.
    setTimeout(destroySocket, 1000, socket).unref();
  }

  private startHeartbeat(heartbeat: HeartbeatOptions): void {
    const interval = heartbeat.interval;
    const timeout = heartbeat.timeout ?? interval;
    if (!(interval > 0) || !(timeout > 0)) throw new RangeError('heartbeat.interval and heartbeat.timeout must be positive');
    // One timer per server, not per connection: each sweep pings the clients that stayed silent
    // for a whole interval, and a check `timeout` later drops those that still said nothing.
    this.heartbeatTimer = setInterval(() => {
      const pinged: WebSocket[] = [];
      for (const ws of this.clients) {
        // A paused socket is not read: its answers cannot be seen, so it is not judged.
        if (ws.readyState !== WebSocket.OPEN || ws.isPaused) continue;
        if (ws.receivedSinceSweep) {
          ws.receivedSinceSweep = false;
          continue;
        }
        ws.heartbeatPending = true;
        ws.ping();
        pinged.push(ws);
      }
      if (pinged.length === 0) return;
      setTimeout(() => {
        for (const ws of pinged) {
          if (ws.heartbeatPending && !ws.receivedSinceSweep && ws.readyState === WebSocket.OPEN && !ws.isPaused) ws.terminate();
        }
      }, timeout).unref();
    }, interval);
    this.heartbeatTimer.unref();
  }
}

interface Accepted {
  key: string;
  protocol: string;
  extensions: string;
  codec: MessageCodec | null;
  auth: unknown;
}

const MAX_TIMER_DELAY = 2 ** 31 - 1;

/** Bytes a handshake keeps of what a client sends after its head, before the socket is paused. */
const MAX_EARLY_BYTES = 64 * 1024;

/**
 * One opening handshake in flight, from the TCP connection (`port`) or from `handleUpgrade`
 * to the 101 or the refusal: its deadline, and its listeners on the socket.
 */
class Handshake {
  readonly server: WebSocketServer;
  private readonly pending: Set<Handshake>;
  readonly socket: Duplex;
  /** performance.now() after which the server drops the connection. */
  readonly deadline: number;
  /** Known once the request head was read. */
  request: UpgradeRequest | null = null;
  /** What followed the head: the first frames, for the connection. */
  rest: Buffer = EMPTY;
  finished = false;
  /** Port mode: the parser until the head is read, then null. */
  private parser: HttpHeadParser | null = null;
  private reading = false;

  constructor(server: WebSocketServer, pending: Set<Handshake>, socket: Duplex, deadline: number) {
    this.server = server;
    this.pending = pending;
    this.socket = socket;
    this.deadline = deadline;
    // Module-level listeners that find the handshake through the socket: no closures per handshake.
    (socket as HandshakeSocket)[kOwner] = this;
    socket.on('error', destroyThis);
    socket.on('close', onHandshakeSocketClose);
    pending.add(this);
  }

  /** Port mode: reads the request head from the socket. */
  readHead(parser: HttpHeadParser): void {
    this.parser = parser;
    this.reading = true;
    // A client that half-closes before its 101 will not speak WebSocket (and would otherwise
    // hold a half-open socket until the deadline).
    this.socket.on('end', destroyThis);
    this.socket.on('data', onHandshakeData);
  }

  /** Stops the clock and lets go of the socket (idempotent); nothing refers to this afterwards. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    const socket = this.socket;
    if (this.reading) {
      socket.removeListener('data', onHandshakeData);
      socket.removeListener('end', destroyThis);
    }
    socket.removeListener('close', onHandshakeSocketClose);
    socket.removeListener('error', destroyThis);
    this.parser = null;
    this.pending.delete(this);
  }

  /** @internal */
  data(chunk: Buffer): void {
    const parser = this.parser;
    if (parser === null) {
      // A client that sent frames before our 101 (only possible while `authenticate` runs).
      this.rest = this.rest.length === 0 ? chunk : Buffer.concat([this.rest, chunk]);
      if (this.rest.length > MAX_EARLY_BYTES) this.socket.pause();
      return;
    }
    const result = parser.push(chunk);
    if (!result.done) return;
    this.parser = null;
    if (result.error) {
      this.server.onRequestHead(this, null, result.error.status, result.error.message);
    } else {
      this.rest = result.rest;
      this.server.onRequestHead(this, result.head, 0, '');
    }
  }
}

const EMPTY = Buffer.alloc(0);

interface HandshakeSocket extends Duplex {
  [kOwner]: Handshake;
}

function onHandshakeData(this: Duplex, chunk: Buffer): void {
  (this as HandshakeSocket)[kOwner].data(chunk);
}

/** The client went away during the handshake: nothing to answer, just stop tracking it. */
function onHandshakeSocketClose(this: Duplex): void {
  (this as HandshakeSocket)[kOwner].finish();
}

function destroyThis(this: Duplex): void {
  this.destroy();
}

function destroySocket(socket: Duplex): void {
  socket.destroy();
}

/** Stands for a request whose head was not read (or not readable), in `rejected` events. */
function headlessRequest(socket: Socket): UpgradeRequest {
  return { method: '', url: '', httpVersion: '', headers: {}, rawHeaders: [], socket };
}

function pathOf(req: UpgradeRequest): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** Size of the request head as received: request line plus header lines. */
function headSize(req: UpgradeRequest): number {
  let size = (req.method?.length ?? 0) + (req.url?.length ?? 0) + 12;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) size += raw[i]!.length + raw[i + 1]!.length + 4;
  return size;
}
