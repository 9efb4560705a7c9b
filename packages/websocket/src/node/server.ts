import http from 'node:http';
import type https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { EventEmitter } from 'eventemitter3';
import { CloseCode, DEFAULT_MAX_PAYLOAD } from '../constants.js';
import { buildAcceptResponse, buildRejectionResponse, isRejection, validateUpgradeRequest, type HandshakeRejection } from '../handshake.js';
import { selectProtocol } from '../subprotocol.js';
import { parseExtensionsHeader } from '../extension-header.js';
import { negotiateDeflateServer, type PerMessageDeflateOptions, type ResolvedDeflateOptions } from '../permessage-deflate.js';
import { isOriginAllowed } from '../origin.js';
import type { MessageCodec } from '../connection.js';
import { createDeflateCodec, resolveDeflateOptions } from './deflate.js';
import { WebSocket, createServerSocket, type WebSocketCommonOptions } from './websocket.js';

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

/** A handler for the connections that chose one subprotocol; see {@link WebSocketServer.mount}. */
export type ProtocolHandler = (socket: WebSocket, request: http.IncomingMessage) => void;

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
  handleProtocols?: (offered: string[], request: http.IncomingMessage) => string | false | undefined;
  /** Refuse (400) clients that offer no subprotocol we speak, even when they offer none. Default false. */
  protocolRequired?: boolean;
  /**
   * Checks the upgrade request (cookie, bearer token...) before the 101. Its result becomes
   * `socket.auth`. Throw {@link HttpError} to refuse with a status; any other error refuses with 500.
   */
  authenticate?: (request: http.IncomingMessage) => unknown | Promise<unknown>;
  /** Allowed `Origin` values (strings or RegExps) or a predicate; others get 403. Requests without Origin pass. */
  origins?: readonly (string | RegExp)[] | ((origin: string | undefined) => boolean);
  /** Ping idle clients and drop the silent ones. Default: off. */
  heartbeat?: HeartbeatOptions | false;
  /** Time allowed from the upgrade request to the 101 (including `authenticate`), in ms. Default 10000. */
  handshakeTimeout?: number;
  /** Largest request head accepted, in bytes; larger gets 431. Default 16384. */
  maxHeaderSize?: number;
}

/** Events of {@link WebSocketServer}. */
export interface WebSocketServerEvents {
  connection: [socket: WebSocket, request: http.IncomingMessage];
  listening: [];
  /** A server-level error (e.g. listen failed, or `authenticate` threw something that is not an HttpError). */
  error: [error: Error];
  /** A handshake was refused: the status and the reason, for logs. */
  rejected: [status: number, reason: string, request: http.IncomingMessage];
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
  private readonly httpServer: http.Server | https.Server | null;
  private readonly ownsServer: boolean;
  private readonly deflate: ResolvedDeflateOptions | null;
  private readonly preference: string[];
  private readonly mounts = new Map<string, ProtocolHandler>();
  private readonly pending = new Set<Duplex>();
  private readonly upgradeListener: ((req: http.IncomingMessage, socket: Duplex, head: Buffer) => void) | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;

  constructor(options: WebSocketServerOptions, onListening?: () => void) {
    super();
    const modes = [options.port !== undefined, options.server !== undefined, options.noServer === true].filter(Boolean).length;
    if (modes !== 1) throw new TypeError('Give exactly one of the options port, server or noServer');
    this.options = options;
    this.deflate = resolveDeflateOptions(options.perMessageDeflate, true);
    this.preference = [...(options.protocols ?? [])];
    if (onListening) this.once('listening', onListening);

    if (options.port !== undefined) {
      const timeout = options.handshakeTimeout ?? 10000;
      const server = http.createServer({
        maxHeaderSize: options.maxHeaderSize ?? 16384,
        headersTimeout: timeout,
        requestTimeout: timeout,
        connectionsCheckingInterval: Math.max(100, Math.min(timeout / 2, 30000)),
      });
      server.on('request', (_req, res) => {
        const body = 'This is a WebSocket endpoint: connect with a WebSocket client.\n';
        res.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), Upgrade: 'websocket', Connection: 'close' });
        res.end(body);
      });
      server.on('listening', () => this.emit('listening'));
      server.on('error', (err) => this.emit('error', err));
      server.listen(options.port, options.host);
      this.httpServer = server;
      this.ownsServer = true;
    } else if (options.server !== undefined) {
      this.httpServer = options.server;
      this.ownsServer = false;
      if (options.server.listening) queueMicrotask(() => this.emit('listening'));
      else options.server.once('listening', () => this.emit('listening'));
    } else {
      this.httpServer = null;
      this.ownsServer = false;
    }

    if (this.httpServer !== null) {
      const server = this.httpServer;
      this.upgradeListener = (req, socket, head) => {
        if (!this.pathMatches(req)) {
          // On a shared server another listener may own this path.
          if (this.ownsServer || server.listenerCount('upgrade') === 1) this.reject(socket, req, { status: 404, headers: {}, body: `No WebSocket endpoint at ${pathOf(req)}` });
          return;
        }
        this.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, req));
      };
      server.on('upgrade', this.upgradeListener);
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
    const address = this.httpServer?.address();
    return address !== null && typeof address === 'object' ? address : null;
  }

  /**
   * Completes (or refuses) the opening handshake of an HTTP upgrade request, then calls `cb` with
   * the open socket. For use with `noServer` from any HTTP framework's `upgrade` handler.
   */
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, cb: (ws: WebSocket, req: http.IncomingMessage) => void): void {
    if (this.closing !== null) {
      this.reject(socket, req, { status: 503, headers: {}, body: 'The server is shutting down' });
      return;
    }
    const onError = (): void => {
      socket.destroy();
    };
    socket.on('error', onError);
    this.pending.add(socket);
    const timer = setTimeout(() => {
      this.emit('rejected', 408, 'handshake timeout', req);
      socket.destroy();
    }, this.options.handshakeTimeout ?? 10000);
    timer.unref();
    const done = (): void => {
      clearTimeout(timer);
      this.pending.delete(socket);
      socket.removeListener('error', onError);
    };
    const internalError = (err: unknown): void => {
      this.emit('error', err instanceof Error ? err : new Error(String(err)));
      if (socket.destroyed) return;
      try {
        this.reject(socket, req, { status: 500, headers: {}, body: 'Internal error during the WebSocket handshake' });
      } catch {
        socket.destroy();
      }
    };
    this.negotiate(req, socket).then(
      (result) => {
        done();
        if (socket.destroyed) {
          if (!('status' in result)) result.codec?.close();
          return;
        }
        try {
          if ('status' in result) this.reject(socket, req, result);
          else this.accept(req, socket as Socket, head, result, cb);
        } catch (err) {
          // A bad HttpError from a hook: an error event and a 500, never an unhandled rejection.
          internalError(err);
        }
      },
      (err: unknown) => {
        done();
        internalError(err);
      },
    );
  }

  /**
   * Closes gracefully: stops accepting, sends 1001 to every client and waits for the closing
   * handshakes (each bounded by `closeTimeout`). A server passed in `server` is left running.
   */
  close(): Promise<void> {
    if (this.closing !== null) return this.closing;
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    for (const socket of this.pending) socket.destroy();
    this.pending.clear();
    const closed: Promise<void>[] = [];
    for (const ws of this.clients) {
      closed.push(new Promise((resolve) => ws.once('close', () => resolve())));
      ws.close(CloseCode.GoingAway, 'Server shutting down');
    }
    const server = this.httpServer;
    if (server !== null && this.upgradeListener !== null) server.removeListener('upgrade', this.upgradeListener);
    const serverClosed = new Promise<void>((resolve) => {
      if (!this.ownsServer || server === null || !server.listening) return resolve();
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    this.closing = Promise.all([...closed, serverClosed]).then(() => {
      this.emit('close');
    });
    return this.closing;
  }

  private pathMatches(req: http.IncomingMessage): boolean {
    return this.options.path === undefined || pathOf(req) === this.options.path;
  }

  /** The sans-I/O checks plus the async hooks; resolves to what to answer. */
  private async negotiate(req: http.IncomingMessage, socket: Duplex): Promise<HandshakeRejection | Accepted> {
    const options = this.options;
    const maxHeaderSize = options.maxHeaderSize ?? 16384;
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

    let deflateResponse: string | undefined;
    let codec: MessageCodec | null = null;
    if (this.deflate !== null && checked.extensions !== undefined) {
      let offers;
      try {
        offers = parseExtensionsHeader(checked.extensions);
      } catch (err) {
        return { status: 400, headers: {}, body: `Invalid Sec-WebSocket-Extensions header: ${(err as Error).message}` };
      }
      const agreed = negotiateDeflateServer(offers, this.deflate);
      if (agreed !== null) {
        deflateResponse = agreed.response;
        codec = createDeflateCodec(agreed.params, true, this.deflate, options.maxPayload ?? DEFAULT_MAX_PAYLOAD);
      }
    }

    let auth: unknown;
    if (options.authenticate) {
      try {
        auth = await options.authenticate(req);
      } catch (err) {
        codec?.close();
        if (err instanceof HttpError) return { status: err.status, headers: err.headers, body: err.body };
        throw err;
      }
      if (socket.destroyed) codec?.close();
    }
    return { key: checked.key, protocol: protocol ?? '', extensions: deflateResponse ?? '', codec, auth };
  }

  private chooseProtocol(offered: string[], req: http.IncomingMessage): string | undefined {
    if (this.options.handleProtocols) {
      const chosen = this.options.handleProtocols(offered, req);
      if (chosen === false || chosen === undefined) return undefined;
      if (!offered.includes(chosen)) throw new Error(`handleProtocols chose "${chosen}", which the client did not offer`);
      return chosen;
    }
    return offered.length === 0 ? undefined : selectProtocol(offered, this.preference);
  }

  private accept(req: http.IncomingMessage, socket: Socket, head: Buffer, result: Accepted, cb: (ws: WebSocket, req: http.IncomingMessage) => void): void {
    const response = buildAcceptResponse({
      key: result.key,
      ...(result.protocol ? { protocol: result.protocol } : {}),
      ...(result.extensions ? { extensions: result.extensions } : {}),
    });
    socket.write(response, 'latin1');
    const options = this.options;
    const ws = createServerSocket({
      maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD,
      ...(options.maxBufferedAmount !== undefined ? { maxBufferedAmount: options.maxBufferedAmount } : {}),
      ...(options.slowConsumer !== undefined ? { slowConsumer: options.slowConsumer } : {}),
      ...(options.closeTimeout !== undefined ? { closeTimeout: options.closeTimeout } : {}),
      ...(options.autoPong !== undefined ? { autoPong: options.autoPong } : {}),
    });
    ws.auth = result.auth;
    ws.attach(socket, head, { protocol: result.protocol, extensions: result.extensions, codec: result.codec });
    this.clients.add(ws);
    ws.once('close', () => this.clients.delete(ws));
    try {
      cb(ws, req);
    } catch (err) {
      // A throwing `connection` listener loses its connection, not the process.
      this.emit('error', err instanceof Error ? err : new Error(String(err)));
      ws.terminate();
    }
  }

  private onConnection(ws: WebSocket, req: http.IncomingMessage): void {
    this.emit('connection', ws, req);
    const handler = this.mounts.get(ws.protocol);
    if (handler) handler(ws, req);
  }

  private reject(socket: Duplex, req: http.IncomingMessage, rejection: HandshakeRejection): void {
    this.emit('rejected', rejection.status, rejection.body, req);
    if (socket.writable) socket.end(buildRejectionResponse(rejection), 'latin1');
    // Don't let a client that never reads keep the socket open.
    setTimeout(() => socket.destroy(), 1000).unref();
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
        if (ws.readyState !== WebSocket.OPEN) continue;
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
          if (ws.heartbeatPending && !ws.receivedSinceSweep && ws.readyState === WebSocket.OPEN) ws.terminate();
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

function pathOf(req: http.IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** Size of the request head as received: request line plus header lines. */
function headSize(req: http.IncomingMessage): number {
  let size = (req.method?.length ?? 0) + (req.url?.length ?? 0) + 12;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) size += raw[i]!.length + raw[i + 1]!.length + 4;
  return size;
}

