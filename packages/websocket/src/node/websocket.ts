import type { Socket } from 'node:net';
import { EventEmitter } from 'eventemitter3';
import { CloseCode, DEFAULT_MAX_PAYLOAD, ReadyState, isValidWireCloseCode } from '../constants.js';
import { WebSocketError } from '../errors.js';
import { Connection, type ConnectionHandler, type MessageCodec } from '../connection.js';
import { validateClientProtocols } from '../subprotocol.js';
import type { PerMessageDeflateOptions } from '../permessage-deflate.js';
import { CloseEvent, ErrorEvent, MessageEvent, WebSocketEvent } from './events.js';
import { startClientHandshake, type ClientHandshake } from './client-handshake.js';
import { SLAB_SIZE, retireSlab, slabWriteStarted, slabWritten, takeSlab, type SendSlab } from './send-slab.js';

/** The Node-style events of a {@link WebSocket}, with their listener arguments. */
export interface WebSocketEvents {
  /** The connection is open. */
  open: [];
  /** A whole message: a Buffer for text and binary alike, with `isBinary` telling which. */
  message: [data: Buffer, isBinary: boolean];
  ping: [data: Buffer];
  pong: [data: Buffer];
  /** Once, when the TCP connection is gone. */
  close: [code: number, reason: string];
  /** A protocol violation, a handshake failure or a socket error; `close` follows. */
  error: [error: Error];
}

/** What to do when a peer reads slower than we send and `maxBufferedAmount` is passed. */
export type SlowConsumerPolicy = 'close' | 'drop';

/** Options shared by the client and the server-side sockets. */
export interface WebSocketCommonOptions {
  /** Largest message accepted, after decompression; larger gets close 1009. Default 16 MiB. */
  maxPayload?: number;
  /**
   * When more than this many bytes already wait unsent, the next send meets {@link slowConsumer}.
   * Default on the server side: 4 x `maxPayload`, at least 64 MiB (one slow reader must not exhaust memory); `Infinity` on
   * clients, as in browsers (the application that produces the data watches `bufferedAmount`).
   */
  maxBufferedAmount?: number;
  /** `close` (default): close with 1008 and drop the connection; `drop`: drop the new message (its callback gets an error). */
  slowConsumer?: SlowConsumerPolicy;
  /** How long to wait for the closing handshake before dropping the TCP connection, in ms. Default 5000. */
  closeTimeout?: number;
  /** Answer pings by itself. Default true. */
  autoPong?: boolean;
}

/** Options of the Node client. */
export interface WebSocketClientOptions extends WebSocketCommonOptions {
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Time allowed for the opening handshake, in ms. Default 10000. */
  handshakeTimeout?: number;
  /** Offer permessage-deflate: `true` for defaults, options, or `false`. Default true, as browsers do. */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /** The `Origin` header to send. */
  origin?: string;
  /** Options passed to `tls.connect` for wss:// (ca, rejectUnauthorized, servername...). */
  tls?: import('node:tls').ConnectionOptions;
}

/** Options of `send`. */
export interface SendOptions {
  /** Send as binary (default: true for buffers, false for strings). `false` with a Buffer sends its bytes as text. */
  binary?: boolean;
  /** Compress when permessage-deflate was negotiated. Default true (messages under the threshold never are). */
  compress?: boolean;
}

/** Data `send` accepts. */
export type SendData = string | Buffer | ArrayBuffer | ArrayBufferView;
/** Called once a message was handed to the socket, or with the reason it was not. */
export type SendCallback = (err?: Error | null) => void;

/** Options handed to the constructor by {@link createServerSocket}; null for clients. */
let serverSideOptions: WebSocketCommonOptions | null = null;
let serverSideClients: Set<WebSocket> | null = null;

/**
 * Creates the server-side socket for an accepted handshake (the public constructor is for clients).
 * `clients` is the server's set, which the socket leaves when it closes.
 * @internal
 */
export function createServerSocket(options: WebSocketCommonOptions, clients: Set<WebSocket>): WebSocket {
  serverSideOptions = options;
  serverSideClients = clients;
  try {
    return new WebSocket('ws://server-side.invalid/');
  } finally {
    serverSideOptions = null;
    serverSideClients = null;
  }
}

/**
 * The options of a socket, resolved once: server-side sockets of one server share one object,
 * so each socket holds a pointer instead of five fields.
 */
interface ResolvedSocketOptions {
  readonly isServer: boolean;
  readonly maxPayload: number;
  readonly maxBufferedAmount: number;
  readonly slowConsumer: SlowConsumerPolicy;
  readonly closeTimeout: number;
  readonly autoPong: boolean;
}

const resolvedOptions = new WeakMap<WebSocketCommonOptions, ResolvedSocketOptions>();

function resolveSocketOptions(options: WebSocketCommonOptions, isServer: boolean): ResolvedSocketOptions {
  const cached = isServer ? resolvedOptions.get(options) : undefined;
  if (cached !== undefined) return cached;
  const maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
  const resolved: ResolvedSocketOptions = {
    isServer,
    maxPayload,
    // Server default: room for four messages of the largest size we accept, and at least 64 MiB.
    // Node credits a batched write only once all of it is flushed, so a backlog limit close to the
    // message size would trip on a peer that reads fine.
    maxBufferedAmount: options.maxBufferedAmount ?? (isServer ? Math.max(DEFAULT_SERVER_MAX_BUFFERED, 4 * maxPayload) : Infinity),
    slowConsumer: options.slowConsumer ?? 'close',
    closeTimeout: options.closeTimeout ?? 5000,
    autoPong: options.autoPong ?? true,
  };
  if (isServer) resolvedOptions.set(options, resolved);
  return resolved;
}

/**
 * Setup of a socket once its handshake succeeded.
 * @internal
 */
export interface AttachOptions {
  protocol: string;
  extensions: string;
  codec: MessageCodec | null;
}

type Listener = (...args: never[]) => void;
/** A DOM-style listener: a function or an object with `handleEvent`. */
export type EventListenerLike = ((event: never) => void) | { handleEvent(event: never): void };

const PAUSED_BY_USER = 1;
const PAUSED_BY_CODEC = 2;

/** Smallest default backlog limit of server-side sockets. */
const DEFAULT_SERVER_MAX_BUFFERED = 64 * 1024 * 1024;

const EMPTY = Buffer.alloc(0);
/**
 * A batch is written as soon as it holds this many buffers, without waiting for the end of the
 * turn, so that the peer can start on the first replies while we produce the rest: on 2 cores
 * the two ends then work at the same time instead of taking turns. Echo of 32 B messages with
 * 64 in flight: 167k msg/s flushing only at the end of the turn, 325k at 32 (340k at 16);
 * upload of 32 B: 266k vs 489k (387k at 16). Server CPU per message went down too.
 */
const FLUSH_AT = 32;
/**
 * A batch is also written as soon as it holds this many bytes: big frames gain nothing from
 * waiting (one system call per 64 KiB is cheap already), and a frame written right after it was
 * produced is still in the CPU cache when the kernel copies it.
 */
const FLUSH_BYTES = 64 * 1024;
/** Small batches of frames are copied into one buffer; bigger ones go out through writev. */
const CONCAT_LIMIT = 64 * 1024;

/**
 * A WebSocket connection, client or server side. For clients, `new WebSocket(url, protocols, options)`
 * connects over ws:// or wss://. It offers the WHATWG surface (`readyState`, `binaryType`,
 * `bufferedAmount`, `onmessage`, `addEventListener`...) and Node-style events
 * (`on('message', (data, isBinary) => ...)`).
 *
 * Frames produced in one turn of the event loop (for example all replies to one read) are written
 * to the socket together, in one system call.
 */
export class WebSocket extends EventEmitter<WebSocketEvents> implements ConnectionHandler {
  static readonly CONNECTING = ReadyState.CONNECTING;
  static readonly OPEN = ReadyState.OPEN;
  static readonly CLOSING = ReadyState.CLOSING;
  static readonly CLOSED = ReadyState.CLOSED;
  // Getters rather than fields: on the prototype, not in every instance.
  /** 0: the handshake is in progress. */
  get CONNECTING(): 0 {
    return ReadyState.CONNECTING;
  }
  /** 1: messages can flow. */
  get OPEN(): 1 {
    return ReadyState.OPEN;
  }
  /** 2: the closing handshake is in progress. */
  get CLOSING(): 2 {
    return ReadyState.CLOSING;
  }
  /** 3: the connection is closed. */
  get CLOSED(): 3 {
    return ReadyState.CLOSED;
  }

  /** The URL this client connected to (empty on the server side). */
  readonly url: string;
  /** The subprotocol the server chose, or ''. */
  protocol = '';
  /** The extensions in use, as the server's `Sec-WebSocket-Extensions` header said them, or ''. */
  extensions = '';
  /** How binary messages reach `onmessage` / `addEventListener('message')`. Node-style listeners always get Buffers. */
  binaryType: 'nodebuffer' | 'arraybuffer' = 'nodebuffer';
  /** Whatever the server's `authenticate` hook returned for this connection (server side). */
  auth: unknown = undefined;

  private state: ReadyState = ReadyState.CONNECTING;
  private readonly opts: ResolvedSocketOptions;
  /** Server side: the server's `clients`, left on close. */
  private readonly serverClients: Set<WebSocket> | null;
  private sock: Socket | null = null;
  private conn: Connection | null = null;
  private handshake: ClientHandshake | null = null;

  private out: Buffer[] | null = null;
  private outBytes = 0;
  private outCallbacks: SendCallback[] | null = null;
  private flushQueued = false;
  /**
   * The slab big masked frames are built in, while this socket has frames in it to write (see send-slab.ts).
   * @internal
   */
  slab: SendSlab | null = null;
  /** Slabs holding frames of the unflushed batch. */
  private batchSlabs: SendSlab[] | null = null;

  /** Who holds reading back: PAUSED_BY_USER ({@link pause}) and PAUSED_BY_CODEC (an async inflate). */
  private readPause = 0;
  private closeTimer: NodeJS.Timeout | null = null;
  private closeCode: number = CloseCode.Abnormal;
  private closeReason = '';
  private closeSent = false;
  private errorEmitted = false;
  private listenerWrappers: Map<string, Map<EventListenerLike, Listener>> | null = null;
  private handlerProps: Partial<Record<string, Listener>> | null = null;

  /**
   * True when data arrived since the server's last heartbeat sweep.
   * @internal
   */
  receivedSinceSweep = true;
  /**
   * True while a heartbeat ping waits for any answer.
   * @internal
   */
  heartbeatPending = false;

  /**
   * Opens a client connection without offering subprotocols: `new WebSocket(url, options)`, as
   * `ws` allows.
   * @param url `ws://` or `wss://` URL (http/https are accepted and mapped).
   * @param options client options.
   * @throws SyntaxError for a bad URL, as browsers do.
   */
  constructor(url: string | URL, options?: WebSocketClientOptions);
  /**
   * Opens a client connection.
   * @param url `ws://` or `wss://` URL (http/https are accepted and mapped).
   * @param protocols subprotocols to offer, in order of preference.
   * @param options client options.
   * @throws SyntaxError for a bad URL or bad protocol list, as browsers do.
   */
  constructor(url: string | URL, protocols?: string | Iterable<string>, options?: WebSocketClientOptions);
  constructor(url: string | URL, protocolsOrOptions?: string | Iterable<string> | WebSocketClientOptions, clientOptions?: WebSocketClientOptions) {
    super();
    let protocols: string | Iterable<string> | undefined;
    if (protocolsOrOptions !== null && typeof protocolsOrOptions === 'object' && !(Symbol.iterator in protocolsOrOptions)) {
      clientOptions ??= protocolsOrOptions as WebSocketClientOptions;
    } else {
      protocols = protocolsOrOptions ?? undefined;
    }
    const serverSide = serverSideOptions;
    const options: WebSocketClientOptions = serverSide ?? clientOptions ?? {};
    this.opts = resolveSocketOptions(options, serverSide !== null);
    this.serverClients = serverSideClients;
    if (serverSide !== null) {
      this.url = '';
      return;
    }
    const target = parseClientUrl(url);
    this.url = target.href;
    const list = protocols === undefined ? [] : typeof protocols === 'string' ? [protocols] : [...protocols];
    validateClientProtocols(list);
    this.handshake = startClientHandshake(this, target, list, options);
  }

  /** CONNECTING (0), OPEN (1), CLOSING (2) or CLOSED (3). */
  get readyState(): ReadyState {
    return this.state;
  }

  /** Bytes queued for sending and not yet handed to the kernel. */
  get bufferedAmount(): number {
    const sock = this.sock;
    return this.outBytes + (this.conn?.queuedBytes ?? 0) + (sock ? sock.writableLength : 0);
  }

  /** The underlying TCP (or TLS) socket, once open. */
  get socket(): Socket | null {
    return this.sock;
  }

  /**
   * Sends a message: strings as text, anything else as binary unless `options.binary` is false.
   * `cb` hears once the frame was handed to the socket, or an error.
   * @throws Error (InvalidStateError) while still connecting, as browsers do.
   */
  send(data: SendData, cb?: SendCallback): void;
  send(data: SendData, options: SendOptions, cb?: SendCallback): void;
  send(data: SendData, optionsOrCb?: SendOptions | SendCallback, maybeCb?: SendCallback): void {
    let options: SendOptions | undefined;
    let cb: SendCallback | undefined;
    if (typeof optionsOrCb === 'function') cb = optionsOrCb;
    else {
      options = optionsOrCb;
      cb = maybeCb;
    }
    if (this.state === ReadyState.CONNECTING) throw invalidState('WebSocket is not open: readyState 0 (CONNECTING)');
    let payload: Buffer;
    let isBinary: boolean;
    if (typeof data === 'string') {
      payload = Buffer.from(data);
      isBinary = options?.binary ?? false;
    } else {
      payload = toBuffer(data);
      isBinary = options?.binary ?? true;
    }
    const conn = this.conn;
    if (this.state !== ReadyState.OPEN || conn === null) {
      if (cb) process.nextTick(cb, new Error(`WebSocket is not open: readyState ${this.state}`));
      return;
    }
    // The backlog decides, not the new message: one big message to a reader that keeps up is fine.
    if (this.bufferedAmount > this.opts.maxBufferedAmount && this.onSlowConsumer(cb)) return;
    conn.sendMessage(payload, isBinary, options?.compress ?? true, cb);
  }

  /** Sends a ping with up to 125 bytes of payload. */
  ping(data: SendData = EMPTY): void {
    if (this.state === ReadyState.CONNECTING) throw invalidState('WebSocket is not open: readyState 0 (CONNECTING)');
    this.conn?.ping(typeof data === 'string' ? Buffer.from(data) : toBuffer(data));
  }

  /** Sends an unsolicited pong with up to 125 bytes of payload. */
  pong(data: SendData = EMPTY): void {
    if (this.state === ReadyState.CONNECTING) throw invalidState('WebSocket is not open: readyState 0 (CONNECTING)');
    this.conn?.pong(typeof data === 'string' ? Buffer.from(data) : toBuffer(data));
  }

  /**
   * Starts the closing handshake. Clients follow the browsers' rules: `code` is 1000 or 3000-4999
   * (else an InvalidAccessError), `reason` at most 123 UTF-8 bytes (else a SyntaxError). Server-side
   * sockets may use any code valid on the wire.
   */
  close(code?: number, reason?: string): void {
    if (code !== undefined) {
      const allowed = this.opts.isServer ? isValidWireCloseCode(code) : code === 1000 || (code >= 3000 && code <= 4999);
      if (!allowed) throw domError('InvalidAccessError', `The close code must be ${this.opts.isServer ? 'valid on the wire' : '1000 or in 3000-4999'}; got ${code}`);
    }
    if (reason !== undefined && Buffer.byteLength(reason) > 123) throw domError('SyntaxError', 'The close reason must be at most 123 UTF-8 bytes');
    if (this.state === ReadyState.CLOSING || this.state === ReadyState.CLOSED) return;
    if (this.state === ReadyState.CONNECTING) {
      this.state = ReadyState.CLOSING;
      this.handshake?.abort(new WebSocketError('WS_ERR_HANDSHAKE', CloseCode.Abnormal, 'WebSocket was closed before the connection was established'));
      return;
    }
    this.state = ReadyState.CLOSING;
    if (this.conn?.close(code, reason ?? '')) this.closeSent = true;
    this.armCloseTimer();
  }

  /** Drops the TCP connection at once, with no closing handshake (close code 1006). */
  terminate(): void {
    if (this.state === ReadyState.CLOSED) return;
    if (this.state === ReadyState.CONNECTING) {
      this.state = ReadyState.CLOSING;
      this.handshake?.abort(new WebSocketError('WS_ERR_HANDSHAKE', CloseCode.Abnormal, 'WebSocket was terminated before the connection was established'));
      return;
    }
    this.state = ReadyState.CLOSING;
    this.sock?.destroy();
  }

  // WHATWG event surface -------------------------------------------------------------------

  /** Adds a DOM-style listener that receives event objects. */
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: EventListenerLike, options?: { once?: boolean }): void {
    // Keyed by type and listener, as in the DOM: one function may listen to several types.
    const all = (this.listenerWrappers ??= new Map());
    let wrappers = all.get(type);
    if (wrappers === undefined) all.set(type, (wrappers = new Map()));
    if (wrappers.has(listener)) return;
    const wrapper = this.wrapListener(type, listener);
    wrappers.set(listener, wrapper);
    if (options?.once) {
      const once = ((...args: never[]) => {
        wrappers!.delete(listener);
        (wrapper as (...a: never[]) => void)(...args);
      }) as Listener;
      wrappers.set(listener, once);
      this.once(type, once as never);
    } else {
      this.on(type, wrapper as never);
    }
  }

  /** Removes a listener added with {@link addEventListener}. */
  removeEventListener(type: 'open' | 'message' | 'close' | 'error', listener: EventListenerLike): void {
    const wrappers = this.listenerWrappers?.get(type);
    const wrapper = wrappers?.get(listener);
    if (!wrapper) return;
    wrappers!.delete(listener);
    this.off(type, wrapper as never);
  }

  /** DOM-style `open` handler. */
  get onopen(): ((event: WebSocketEvent) => void) | null {
    return this.getHandlerProp('open');
  }
  set onopen(fn: ((event: WebSocketEvent) => void) | null) {
    this.setHandlerProp('open', fn);
  }
  /** DOM-style `message` handler: `event.data` is a string for text. */
  get onmessage(): ((event: MessageEvent) => void) | null {
    return this.getHandlerProp('message');
  }
  set onmessage(fn: ((event: MessageEvent) => void) | null) {
    this.setHandlerProp('message', fn);
  }
  /** DOM-style `close` handler. */
  get onclose(): ((event: CloseEvent) => void) | null {
    return this.getHandlerProp('close');
  }
  set onclose(fn: ((event: CloseEvent) => void) | null) {
    this.setHandlerProp('close', fn);
  }
  /** DOM-style `error` handler. */
  get onerror(): ((event: ErrorEvent) => void) | null {
    return this.getHandlerProp('error');
  }
  set onerror(fn: ((event: ErrorEvent) => void) | null) {
    this.setHandlerProp('error', fn);
  }

  private getHandlerProp<T>(type: string): T | null {
    const wrapper = this.handlerProps?.[type] as (Listener & { original?: T }) | undefined;
    return wrapper?.original ?? null;
  }

  private setHandlerProp(type: 'open' | 'message' | 'close' | 'error', fn: ((event: never) => void) | null): void {
    const props = (this.handlerProps ??= {});
    const old = props[type];
    if (old) this.off(type, old as never);
    delete props[type];
    if (typeof fn !== 'function') return;
    const wrapper = this.wrapListener(type, fn) as Listener & { original?: unknown };
    wrapper.original = fn;
    props[type] = wrapper;
    this.on(type, wrapper as never);
  }

  private wrapListener(type: string, listener: EventListenerLike): Listener {
    const call = (event: WebSocketEvent): void => {
      if (typeof listener === 'function') (listener as (e: WebSocketEvent) => void).call(this, event);
      else (listener.handleEvent as (e: WebSocketEvent) => void).call(listener, event);
    };
    switch (type) {
      case 'message':
        return ((data: Buffer, isBinary: boolean) => {
          const value = !isBinary ? data.toString() : this.binaryType === 'arraybuffer' ? toArrayBuffer(data) : data;
          call(new MessageEvent(this, value));
        }) as Listener;
      case 'close':
        return ((code: number, reason: string) => call(new CloseEvent(this, code, reason, this.closeSent && this.conn?.peerCloseCode !== undefined))) as Listener;
      case 'error':
        return ((error: Error) => call(new ErrorEvent(this, error))) as Listener;
      default:
        return (() => call(new WebSocketEvent(type, this))) as Listener;
    }
  }

  // Internals ------------------------------------------------------------------------------

  /**
   * Takes over a socket whose handshake succeeded and opens the connection.
   * @internal
   */
  attach(socket: Socket, head: Buffer, setup: AttachOptions): void {
    this.sock = socket;
    this.handshake = null;
    this.protocol = setup.protocol;
    this.extensions = setup.extensions;
    this.conn = new Connection({ isServer: this.opts.isServer, maxPayload: this.opts.maxPayload, codec: setup.codec, autoPong: this.opts.autoPong }, this);
    socket.setNoDelay(true);
    socket.setTimeout(0);
    // Module-level listeners that find us through the socket: no closures per connection.
    (socket as OwnedSocket)[kOwner] = this;
    socket.on('data', onSocketData);
    socket.on('end', onSocketEnd);
    socket.on('error', onSocketError);
    socket.on('close', onSocketClose);
    this.state = ReadyState.OPEN;
    if (this.readPause !== 0) socket.pause();
    if (head.length > 0) {
      // Frames that came with the handshake go in after the open/connection listeners ran.
      const copy = Buffer.from(head);
      queueMicrotask(() => this.conn?.receive(copy));
    }
  }

  /**
   * Bytes from the socket.
   * @internal
   */
  receive(chunk: Buffer): void {
    this.conn!.receive(chunk);
  }

  /**
   * Reports a failed client handshake: error then close (1006).
   * @internal
   */
  failHandshake(error: Error): void {
    this.handshake = null;
    this.state = ReadyState.CLOSED;
    this.emitError(error);
    this.emit('close', CloseCode.Abnormal, '');
  }

  /**
   * Opens a client once the handshake succeeded.
   * @internal
   */
  opened(): void {
    this.emit('open');
  }

  // ConnectionHandler: what the protocol core reports. Internal, not for applications.

  /** @internal */
  deliverMessage(data: Buffer, isBinary: boolean): void {
    this.emit('message', data, isBinary);
  }

  /** @internal */
  receivedPing(data: Buffer): void {
    this.heartbeatPending = false;
    this.emit('ping', data);
  }

  /** @internal */
  receivedPong(data: Buffer): void {
    this.heartbeatPending = false;
    this.emit('pong', data);
  }

  /** @internal */
  peerClosed(code: number, reason: string): void {
    this.closeCode = code;
    this.closeReason = reason;
    this.closeSent = true;
    this.state = ReadyState.CLOSING;
    this.finishClosingHandshake();
  }

  /** @internal */
  failed(error: WebSocketError): void {
    this.closeCode = error.closeCode;
    this.closeReason = error.message;
    this.closeSent = true;
    this.state = ReadyState.CLOSING;
    this.emitError(error);
    this.endAfterFlush();
  }

  /** @internal */
  pauseReading(): void {
    this.readPause |= PAUSED_BY_CODEC;
    this.sock?.pause();
  }

  /** @internal */
  resumeReading(): void {
    this.readPause &= ~PAUSED_BY_CODEC;
    if (this.readPause === 0) this.sock?.resume();
  }

  /**
   * Stops reading from the peer (TCP backpressure reaches it once the kernel buffers fill), as
   * `ws`'s `pause()`. Messages already read may still be delivered. A server, for example,
   * pauses a peer that sends faster than it may.
   */
  pause(): void {
    this.readPause |= PAUSED_BY_USER;
    this.sock?.pause();
  }

  /** Reads again after {@link pause} (unless an asynchronous inflate still holds reading back). */
  resume(): void {
    this.readPause &= ~PAUSED_BY_USER;
    if (this.readPause === 0 && this.state !== ReadyState.CONNECTING) this.sock?.resume();
  }

  /** True between {@link pause} and {@link resume}. */
  get isPaused(): boolean {
    return (this.readPause & PAUSED_BY_USER) !== 0;
  }

  /**
   * Memory for one big masked frame: the next region of this socket's slab (see send-slab.ts).
   * @internal
   */
  allocateFrame(size: number): Buffer {
    if (size > SLAB_SIZE) return Buffer.allocUnsafe(size);
    let slab = this.slab;
    if (slab !== null && slab.used + size > SLAB_SIZE) {
      retireSlab(slab);
      slab = null;
    }
    if (slab === null) slab = takeSlab(this);
    if (!slab.inBatch) {
      slab.inBatch = true;
      (this.batchSlabs ??= []).push(slab);
    }
    const start = slab.used;
    slab.used = start + size;
    return slab.buf.subarray(start, start + size);
  }

  /**
   * Queues bytes for the socket; every socket with queued bytes is flushed in one microtask.
   * @internal
   */
  transmit(data: Buffer, cb?: SendCallback): void {
    const out = (this.out ??= []);
    out.push(data);
    this.outBytes += data.length;
    if (cb) (this.outCallbacks ??= []).push(cb);
    if (out.length >= FLUSH_AT || this.outBytes >= FLUSH_BYTES) {
      this.flush();
      return;
    }
    if (!this.flushQueued) {
      this.flushQueued = true;
      if (flushQueue.push(this) === 1 && readingDepth === 0) queueMicrotask(flushAll);
    }
  }

  /** Writes every frame queued in this turn in one go: one buffer when small, writev when big. */
  /** @internal */
  flush(): void {
    this.flushQueued = false;
    const out = this.out;
    if (out === null) return;
    const count = out.length;
    const bytes = this.outBytes;
    const callbacks = this.outCallbacks;
    const slabs = this.batchSlabs;
    this.out = null;
    this.outBytes = 0;
    this.outCallbacks = null;
    this.batchSlabs = null;
    if (slabs !== null) for (const slab of slabs) slabWriteStarted(slab);
    const sock = this.sock;
    // Slab regions are reused only after the write that carries them completed (or failed).
    const done = callbacks === null && slabs === null ? undefined : (err?: Error | null) => {
      if (slabs !== null) for (const slab of slabs) slabWritten(slab);
      if (callbacks !== null) for (const cb of callbacks) cb(err ?? null);
    };
    if (sock === null || sock.destroyed || !sock.writable) {
      if (done) process.nextTick(done, new Error('WebSocket is closed'));
      return;
    }
    if (count === 1) {
      sock.write(out[0]!, done);
    } else if (bytes <= CONCAT_LIMIT) {
      sock.write(Buffer.concat(out, bytes), done);
    } else {
      sock.cork();
      for (let i = 0; i < count - 1; i++) sock.write(out[i]!);
      sock.write(out[count - 1]!, done);
      sock.uncork();
    }
  }

  /** Applies the slow-consumer policy; returns true when the message must not be sent. */
  private onSlowConsumer(cb: SendCallback | undefined): boolean {
    const error = new WebSocketError('WS_ERR_BUFFER_FULL', CloseCode.PolicyViolation, `The peer reads too slowly: more than ${this.opts.maxBufferedAmount} bytes are waiting to be sent`);
    if (this.opts.slowConsumer === 'drop') {
      if (cb) process.nextTick(cb, error);
      return true;
    }
    if (cb) process.nextTick(cb, error);
    this.closeCode = CloseCode.PolicyViolation;
    this.closeReason = 'slow consumer';
    this.emitError(error);
    // The peer is not reading: a closing handshake would wait behind the backlog, so drop it.
    this.state = ReadyState.CLOSING;
    this.sock?.destroy();
    return true;
  }

  /**
   * Both close frames have passed: RFC 6455 §7.1.1 has the server close TCP first and the client
   * wait for that. The server closes its descriptor once its close frame is in the kernel, which
   * still sends the queued bytes and then a FIN; the client sends nothing after its close frame,
   * so no unread bytes make the kernel reset the connection instead. The client just waits for
   * that FIN, as browsers do (then {@link socketEnded}), bounded by the close timer. Compared with
   * shutdown() on both ends this saves a system call and a pass through the stream machinery per
   * side, and the server no longer waits for the client's FIN: handshake benchmark, server CPU per
   * connection -11%, client -4%. TLS keeps end(), which sends close_notify; so does a socket
   * whose bytes still wait in the stream.
   */
  private finishClosingHandshake(): void {
    this.flush();
    const sock = this.sock;
    if (sock === null || !canCloseAtOnce(sock)) {
      this.endAfterFlush();
      return;
    }
    if (this.opts.isServer) {
      sock.destroy();
      return;
    }
    this.armCloseTimer();
  }

  private endAfterFlush(): void {
    this.flush();
    const sock = this.sock;
    if (sock !== null && !sock.writableEnded) sock.end();
    this.armCloseTimer();
  }

  private armCloseTimer(): void {
    if (this.closeTimer !== null || this.sock === null) return;
    this.closeTimer = setTimeout(() => this.sock?.destroy(), this.opts.closeTimeout);
    this.closeTimer.unref();
  }

  /** @internal */
  socketEnded(): void {
    // The peer half-closed: finish our side too (upgraded sockets allow half-open connections).
    // Not twice: end() on an ended socket builds an error with a stack trace, at every close.
    this.flush();
    const sock = this.sock;
    if (sock === null) return;
    // After the closing handshake nothing is left to say: close the descriptor, no shutdown first.
    if (this.conn?.finished && this.closeSent && canCloseAtOnce(sock)) {
      sock.destroy();
      return;
    }
    if (!sock.writableEnded) sock.end();
  }

  /** @internal */
  socketErrored(err: Error): void {
    // Resets after the closing handshake are routine, not news.
    if (this.conn?.finished && this.closeSent) return;
    this.emitError(err);
  }

  /** @internal */
  socketClosed(): void {
    if (this.closeTimer !== null) {
      clearTimeout(this.closeTimer);
      this.closeTimer = null;
    }
    const conn = this.conn;
    if (conn !== null) {
      if (conn.peerCloseCode !== undefined && this.closeCode === CloseCode.Abnormal) {
        this.closeCode = conn.peerCloseCode;
        this.closeReason = conn.peerCloseReason;
      }
      conn.destroy();
    }
    this.state = ReadyState.CLOSED;
    this.out = null;
    this.outBytes = 0;
    const slabs = this.batchSlabs;
    this.batchSlabs = null;
    if (slabs !== null) {
      for (const slab of slabs) {
        slabWriteStarted(slab);
        slabWritten(slab);
      }
    }
    if (this.slab !== null) retireSlab(this.slab);
    const callbacks = this.outCallbacks;
    this.outCallbacks = null;
    if (callbacks) for (const cb of callbacks) cb(new Error('WebSocket closed'));
    this.serverClients?.delete(this);
    this.emit('close', this.closeCode, this.closeReason);
  }

  private emitError(error: Error): void {
    if (this.errorEmitted) return;
    this.errorEmitted = true;
    this.emit('error', error);
  }
}

/** True when closing the descriptor now loses nothing: plain TCP, and no bytes wait in the stream. */
function canCloseAtOnce(sock: Socket): boolean {
  return sock.writableLength === 0 && (sock as { encrypted?: boolean }).encrypted !== true;
}

/**
 * The socket property that points back to its WebSocket (and, on the server, to its handshake
 * before that: one property for both, so the socket's shape is the same throughout).
 * @internal
 */
export const kOwner = Symbol('junction.websocket.owner');
interface OwnedSocket extends Socket {
  [kOwner]: WebSocket;
}

function onSocketData(this: Socket, chunk: Buffer): void {
  const ws = (this as OwnedSocket)[kOwner];
  ws.receivedSinceSweep = true;
  readingDepth++;
  try {
    ws.receive(chunk);
  } finally {
    // Replies made while handling this chunk go out now, as one write per socket.
    if (--readingDepth === 0 && flushQueue.length > 0) flushAll();
  }
}
function onSocketEnd(this: Socket): void {
  (this as OwnedSocket)[kOwner].socketEnded();
}
function onSocketError(this: Socket, err: Error): void {
  (this as OwnedSocket)[kOwner].socketErrored(err);
}
function onSocketClose(this: Socket): void {
  (this as OwnedSocket)[kOwner].socketClosed();
}

/**
 * Sockets with frames queued in this turn. Frames queued while a read chunk is handled (replies,
 * forwarded messages) are flushed when its handler returns; others by one microtask. Flushing at
 * the end of the read rather than in a microtask puts the write before Node's nextTick work of
 * that read: a sequential 32 B round trip over loopback took about 0.6 us less at each end
 * (bench/transport/latency-mix.mjs; junction on both ends went from 0.3 us above ws to 0.9 below).
 */
let flushQueue: WebSocket[] = [];
/** The other queue array: the two swap at each flush, so flushing allocates nothing. */
let spareFlushQueue: WebSocket[] = [];
/** How many onSocketData calls are on the stack. */
let readingDepth = 0;
function flushAll(): void {
  const queue = flushQueue;
  flushQueue = spareFlushQueue;
  try {
    for (let i = 0; i < queue.length; i++) queue[i]!.flush();
  } finally {
    // Even after a throw the two arrays must stay distinct, or one flush would clear the next queue.
    queue.length = 0;
    spareFlushQueue = queue;
  }
}

function toBuffer(data: Buffer | ArrayBuffer | ArrayBufferView): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError('send() takes a string, Buffer, ArrayBuffer or ArrayBufferView');
}

function toArrayBuffer(data: Buffer): ArrayBuffer {
  if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength) return data.buffer as ArrayBuffer;
  return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
}

function domError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

function invalidState(message: string): Error {
  return domError('InvalidStateError', message);
}

/**
 * Parsed client URLs by their text: a client reconnecting to the same URL (or opening many
 * connections to it) does not parse it again. The URL objects are shared, so nothing may
 * change them.
 */
const parsedUrls = new Map<string, URL>();
const PARSED_URLS_MAX = 32;

/** Checks and normalises a client URL the way browsers do (a bad one throws every time, uncached). */
function parseClientUrl(url: string | URL): URL {
  if (typeof url !== 'string') return parseClientUrlUncached(url);
  let target = parsedUrls.get(url);
  if (target === undefined) {
    target = parseClientUrlUncached(url);
    if (parsedUrls.size >= PARSED_URLS_MAX) parsedUrls.delete(parsedUrls.keys().next().value as string);
    parsedUrls.set(url, target);
  }
  return target;
}

function parseClientUrlUncached(url: string | URL): URL {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw domError('SyntaxError', `Invalid WebSocket URL: ${String(url)}`);
  }
  if (target.protocol === 'http:') target.protocol = 'ws:';
  else if (target.protocol === 'https:') target.protocol = 'wss:';
  if (target.protocol !== 'ws:' && target.protocol !== 'wss:') throw domError('SyntaxError', `The URL's scheme must be ws or wss; got ${target.protocol}`);
  if (target.hash) throw domError('SyntaxError', 'A WebSocket URL must not have a fragment');
  return target;
}
