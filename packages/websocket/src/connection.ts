import { CloseCode, Opcode, RSV1 } from './constants.js';
import { WebSocketError } from './errors.js';
import { FrameParser, type FrameSink } from './frame-parser.js';
import { encodeFrame, nextMaskKey, type FrameAllocator } from './frame-encoder.js';
import { encodeClosePayload, parseClosePayload } from './close-frame.js';
import { isValidUtf8, Utf8Validator } from './utf8.js';

/**
 * A per-message compression codec, as negotiated by an extension (permessage-deflate).
 * The core only needs this shape, so it stays free of `node:zlib`. Callbacks may run
 * synchronously or later; calls complete in the order they were made.
 */
export interface MessageCodec {
  /** Messages smaller than this many bytes are sent uncompressed. */
  readonly threshold: number;
  compress(data: Buffer, cb: (err: Error | null, out?: Buffer) => void): void;
  decompress(data: Buffer, fin: boolean, cb: (err: WebSocketError | null, out?: Buffer) => void): void;
  close(): void;
}

/**
 * What the protocol core reports to its adapter. Every method is called synchronously. The names
 * are distinct from the WebSocket API so that an adapter object can implement them itself.
 */
export interface ConnectionHandler {
  /** Bytes to put on the wire, in order. `cb`, when given, wants to hear once they were written. */
  transmit(data: Buffer, cb?: (err?: Error | null) => void): void;
  /** A whole message. Text has been checked to be UTF-8; `data` is the caller's to keep. */
  deliverMessage(data: Buffer, isBinary: boolean): void;
  receivedPing(data: Buffer): void;
  receivedPong(data: Buffer): void;
  /** The peer's close frame arrived (our reply, if one was due, was already written). */
  peerClosed(code: number, reason: string): void;
  /** The peer broke the protocol. A close frame with `error.closeCode` was already written. */
  failed(error: WebSocketError): void;
  /**
   * Optional: memory for one big masked (client) frame of `size` bytes, which the core fills and
   * then passes to {@link transmit}. Lets the adapter recycle send buffers. Default: a fresh Buffer.
   */
  allocateFrame?(size: number): Buffer;
  /** Reading should stop until {@link resumeReading} (an asynchronous inflate is running). */
  pauseReading(): void;
  resumeReading(): void;
}

/** Options of the protocol core. */
export interface ConnectionOptions {
  /** Server side: incoming frames must be masked and outgoing frames are not. */
  isServer: boolean;
  /** Largest message accepted, after decompression (close 1009 above it). */
  maxPayload: number;
  /** The negotiated compression codec, if any. */
  codec?: MessageCodec | null;
  /** Answer pings with pongs by itself. Default true. */
  autoPong?: boolean;
}

/** Where the closing handshake stands. */
const enum CloseState {
  Open = 0,
  /** We sent a close frame and wait for the peer's. */
  Sent = 1,
  /** The peer's close frame arrived (and ours was sent, before or in reply). */
  Done = 2,
}

/** A send waiting behind an asynchronous compression, so frames keep their order. */
interface QueuedSend {
  /** The payload to write; null while its compression runs. */
  payload: Buffer | null;
  /** Size of the message before compression, for {@link Connection.queuedBytes}. */
  size: number;
  opcode: number;
  rsv: number;
  cb: ((err?: Error | null) => void) | undefined;
}

/**
 * The sans-I/O WebSocket protocol for one connection: bytes in through {@link receive},
 * messages and control events out through a {@link ConnectionHandler}; messages in through
 * {@link sendMessage} and friends, bytes out through `handler.transmit`. No sockets, no timers.
 *
 * It reassembles fragmented messages, validates UTF-8 (failing on the fragment that makes the
 * text invalid), enforces `maxPayload` on the whole message (also while inflating), answers
 * pings and runs the closing handshake.
 */
export class Connection implements FrameSink {
  private readonly handler: ConnectionHandler;
  private readonly parser: FrameParser;
  private readonly isServer: boolean;
  private readonly maxPayload: number;
  private readonly autoPong: boolean;
  private codec: MessageCodec | null;

  // The message being received.
  private messageOpcode = 0;
  private messageCompressed = false;
  private fragments: Buffer[] = NO_FRAGMENTS;
  private fragmentBytes = 0;
  private utf8: Utf8Validator | null = null;

  private closeState = CloseState.Open;
  private dead = false;
  /** Sends waiting while a compression runs asynchronously; null when nothing waits. */
  private sendQueue: QueuedSend[] | null = null;
  /** Message bytes waiting in {@link sendQueue}. */
  private queued = 0;

  /** Status code of the peer's close frame (1005 when it had none), once received. */
  peerCloseCode: number | undefined;
  /** Reason of the peer's close frame, once received. */
  peerCloseReason = '';

  constructor(options: ConnectionOptions, handler: ConnectionHandler) {
    this.handler = handler;
    this.isServer = options.isServer;
    this.maxPayload = options.maxPayload;
    this.autoPong = options.autoPong ?? true;
    this.codec = options.codec ?? null;
    this.parser = new FrameParser(
      {
        expectMasked: options.isServer,
        allowedRsv: this.codec ? RSV1 : 0,
        maxPayload: options.maxPayload,
      },
      this,
    );
  }

  /** True once the closing handshake finished or the connection failed: nothing more is read or sent. */
  get finished(): boolean {
    return this.dead;
  }

  /** True once a close frame was sent or received. */
  get closing(): boolean {
    return this.closeState !== CloseState.Open || this.dead;
  }

  /** Bytes received but not yet turned into frames (non-zero while an inflate runs). */
  get bufferedBytes(): number {
    return this.parser.bufferedBytes;
  }

  /** Bytes of messages accepted by {@link sendMessage} but still waiting for compression. */
  get queuedBytes(): number {
    return this.queued;
  }

  /** Feeds bytes from the wire. */
  receive(chunk: Buffer): void {
    // After the peer's close frame nothing more may be read (RFC 6455 §5.5.1).
    if (this.dead || this.closeState === CloseState.Done) return;
    this.parser.push(chunk);
  }

  /** Queues a data message. Returns false when the connection is closing and it was dropped. */
  sendMessage(data: Buffer, isBinary: boolean, compress = true, cb?: (err?: Error | null) => void): boolean {
    if (this.closeState !== CloseState.Open || this.dead) {
      if (cb) cb(new Error('WebSocket is closing or closed'));
      return false;
    }
    const opcode = isBinary ? Opcode.Binary : Opcode.Text;
    const codec = this.codec;
    if (codec !== null && compress && data.length >= codec.threshold) {
      this.sendCompressed(codec, data, opcode, cb);
    } else if (this.sendQueue !== null) {
      this.sendQueue.push({ payload: data, size: data.length, opcode, rsv: 0, cb });
      this.queued += data.length;
    } else {
      this.writeFrame(opcode, data, 0, cb);
    }
    return true;
  }

  /** Sends a ping (payload at most 125 bytes). */
  ping(data: Buffer = EMPTY): void {
    this.sendControl(Opcode.Ping, data);
  }

  /** Sends a pong (payload at most 125 bytes). */
  pong(data: Buffer = EMPTY): void {
    this.sendControl(Opcode.Pong, data);
  }

  /**
   * Starts the closing handshake (or answers the peer's). `code` undefined sends an empty close
   * payload. Returns false when a close frame was already sent.
   */
  close(code?: number, reason = ''): boolean {
    if (this.dead || this.closeState !== CloseState.Open) return false;
    const payload = encodeClosePayload(code, reason);
    this.closeState = CloseState.Sent;
    this.flushQueueNow();
    this.writeFrame(Opcode.Close, payload, 0, undefined);
    return true;
  }

  /** Stops for good and releases the codec; called by the adapter when the socket is gone. */
  destroy(): void {
    this.dead = true;
    this.fragments = NO_FRAGMENTS;
    this.dropQueue('WebSocket closed before the message was sent');
    if (this.codec !== null) {
      this.codec.close();
      this.codec = null;
    }
  }

  private sendControl(opcode: number, data: Buffer): void {
    if (data.length > 125) throw new RangeError('A control frame payload must be 125 bytes or less');
    if (this.dead || this.closeState !== CloseState.Open) return;
    // Control frames may overtake data waiting for compression: they are never fragmented into it.
    this.writeFrame(opcode, data, 0, undefined);
  }

  private writeFrame(opcode: number, payload: Buffer, rsv: number, cb: ((err?: Error | null) => void) | undefined): void {
    const out: Buffer[] = [];
    const handler = this.handler;
    if (this.isServer) encodeFrame(out, opcode, payload, true, rsv, null);
    else encodeFrame(out, opcode, payload, true, rsv, nextMaskKey(), handler.allocateFrame !== undefined ? (handler as FrameAllocator) : null);
    if (out.length === 1) {
      handler.transmit(out[0]!, cb);
    } else {
      for (let i = 0; i < out.length - 1; i++) handler.transmit(out[i]!);
      handler.transmit(out[out.length - 1]!, cb);
    }
  }

  private sendCompressed(codec: MessageCodec, data: Buffer, opcode: number, cb: ((err?: Error | null) => void) | undefined): void {
    const item: QueuedSend = { payload: null, size: data.length, opcode, rsv: RSV1, cb };
    this.queued += data.length;
    (this.sendQueue ??= []).push(item);
    codec.compress(data, (err, out) => {
      if (this.dead) return;
      if (err || !out) {
        this.fail(new WebSocketError('WS_ERR_INTERNAL', CloseCode.InternalError, `Compression failed: ${err?.message ?? 'no output'}`));
        return;
      }
      item.payload = out;
      this.drainQueue();
    });
  }

  /** Writes the queued sends that are ready, in order, up to the first one still compressing. */
  private drainQueue(): void {
    const queue = this.sendQueue;
    if (queue === null) return;
    let i = 0;
    for (; i < queue.length; i++) {
      const item = queue[i]!;
      if (item.payload === null) break;
      this.queued -= item.size;
      this.writeFrame(item.opcode, item.payload, item.rsv, item.cb);
    }
    if (i === queue.length) this.sendQueue = null;
    else if (i > 0) queue.splice(0, i);
  }

  /** Before a close frame: what is ready goes out; what still compresses is dropped with an error. */
  private flushQueueNow(): void {
    this.drainQueue();
    this.dropQueue('WebSocket closed before the message was compressed');
  }

  private dropQueue(why: string): void {
    const queue = this.sendQueue;
    if (queue === null) return;
    this.sendQueue = null;
    this.queued = 0;
    for (const item of queue) item.cb?.(new Error(why));
  }

  /**
   * One frame from the parser.
   * @internal
   */
  onFrame(fin: boolean, rsv: number, opcode: number, payload: Buffer): void {
    if (opcode >= Opcode.Close) {
      this.onControlFrame(opcode, payload);
      return;
    }
    if (opcode !== Opcode.Continuation) {
      this.messageOpcode = opcode;
      this.messageCompressed = (rsv & RSV1) !== 0;
      // Fast path: a whole uncompressed message in one frame.
      if (fin && !this.messageCompressed) {
        this.deliver(payload, opcode);
        return;
      }
      if (opcode === Opcode.Text && !this.messageCompressed) this.utf8 = this.utf8 ?? new Utf8Validator();
    }
    if (this.messageCompressed) {
      this.inflate(payload, fin);
      return;
    }
    this.addFragment(payload, fin);
  }

  private addFragment(data: Buffer, fin: boolean): void {
    if (this.messageOpcode === Opcode.Text && this.utf8 !== null && data.length > 0 && !this.utf8.push(data)) {
      this.fail(invalidUtf8());
      return;
    }
    if (data.length > 0) {
      if (this.fragments === NO_FRAGMENTS) this.fragments = [];
      this.fragments.push(data);
      this.fragmentBytes += data.length;
    }
    if (fin) this.finishMessage();
  }

  private deliver(payload: Buffer, opcode: number): void {
    if (opcode === Opcode.Text && !isValidUtf8(payload)) {
      this.fail(invalidUtf8());
      return;
    }
    this.handler.deliverMessage(payload, opcode === Opcode.Binary);
  }

  private inflate(payload: Buffer, fin: boolean): void {
    const codec = this.codec;
    if (codec === null) return;
    let sync = true;
    let done = false;
    codec.decompress(payload, fin, (err, out) => {
      done = true;
      if (this.dead) return;
      if (err || !out) {
        this.fail(err ?? new WebSocketError('WS_ERR_INFLATE', CloseCode.InvalidPayload, 'Inflate produced no output'));
        return;
      }
      if (this.messageOpcode === Opcode.Text && out.length > 0) {
        const utf8 = (this.utf8 = this.utf8 ?? new Utf8Validator());
        if (!utf8.push(out)) {
          this.fail(invalidUtf8());
          return;
        }
      }
      if (out.length > 0) {
        if (this.fragments === NO_FRAGMENTS) this.fragments = [];
        this.fragments.push(out);
        this.fragmentBytes += out.length;
        if (this.fragmentBytes > this.maxPayload) {
          this.fail(new WebSocketError('WS_ERR_MESSAGE_TOO_BIG', CloseCode.MessageTooBig, `Message exceeds maxPayload (${this.maxPayload} bytes)`));
          return;
        }
      }
      if (fin) this.finishMessage();
      if (!sync) {
        this.handler.resumeReading();
        this.parser.resume();
      }
    });
    sync = false;
    if (!done) {
      this.parser.pause();
      this.handler.pauseReading();
    }
  }

  /** Delivers the message whose fragments (or inflated pieces) are collected, once its text checks out. */
  private finishMessage(): void {
    const fragments = this.fragments;
    const total = this.fragmentBytes;
    this.fragments = NO_FRAGMENTS;
    this.fragmentBytes = 0;
    // end() also resets the validator for the next message.
    if (this.messageOpcode === Opcode.Text && this.utf8 !== null && !this.utf8.end()) {
      this.fail(invalidUtf8());
      return;
    }
    const message = fragments.length === 1 ? fragments[0]! : fragments.length === 0 ? EMPTY : Buffer.concat(fragments, total);
    this.handler.deliverMessage(message, this.messageOpcode === Opcode.Binary);
  }

  private onControlFrame(opcode: number, payload: Buffer): void {
    if (opcode === Opcode.Ping) {
      if (this.autoPong && this.closeState === CloseState.Open) this.writeFrame(Opcode.Pong, payload, 0, undefined);
      this.handler.receivedPing(payload);
      return;
    }
    if (opcode === Opcode.Pong) {
      this.handler.receivedPong(payload);
      return;
    }
    const parsed = parseClosePayload(payload);
    if (parsed instanceof WebSocketError) {
      this.fail(parsed);
      return;
    }
    this.peerCloseCode = parsed.code;
    this.peerCloseReason = parsed.reason;
    this.parser.pause();
    if (this.closeState === CloseState.Open) {
      // Echo the status code and reason (RFC 6455 §5.5.1); an empty close gets an empty reply.
      this.closeState = CloseState.Done;
      this.flushQueueNow();
      this.writeFrame(Opcode.Close, parsed.code === CloseCode.NoStatus ? EMPTY : encodeClosePayload(parsed.code, parsed.reason), 0, undefined);
    } else {
      this.closeState = CloseState.Done;
    }
    this.dead = true;
    this.handler.peerClosed(parsed.code, parsed.reason);
  }

  /**
   * A violation found by the parser.
   * @internal
   */
  onError(error: WebSocketError): void {
    this.fail(error);
  }

  /** Fails the connection: sends a close frame with the error's code (if none was sent) and reports it. */
  private fail(error: WebSocketError): void {
    if (this.dead) return;
    this.parser.pause();
    if (this.closeState === CloseState.Open) {
      this.closeState = CloseState.Sent;
      this.dropQueue(`WebSocket failed: ${error.message}`);
      this.writeFrame(Opcode.Close, encodeClosePayload(error.closeCode, closeReasonFor(error)), 0, undefined);
    }
    this.dead = true;
    this.handler.failed(error);
  }
}

const EMPTY = Buffer.alloc(0);
/** The fragment list of a connection between messages: shared and frozen, so idle connections hold no array. */
const NO_FRAGMENTS: Buffer[] = Object.freeze([]) as unknown as Buffer[];

function invalidUtf8(): WebSocketError {
  return new WebSocketError('WS_ERR_INVALID_UTF8', CloseCode.InvalidPayload, 'Invalid UTF-8 in a text message');
}

/** The reason sent in the close frame: the error message, cut to fit the 123 bytes a close reason may have. */
function closeReasonFor(error: WebSocketError): string {
  const message = error.message;
  if (Buffer.byteLength(message) <= 123) return message;
  let cut = message.slice(0, 120);
  while (Buffer.byteLength(cut) > 120) cut = cut.slice(0, -1);
  return cut;
}
