/**
 * The permessage-deflate (RFC 7692) codec of one connection, over node:zlib.
 *
 * Two lanes, one per direction, each with its own raw DEFLATE stream and FIFO of calls:
 * - streams are created on first use, so idle connections hold no zlib memory;
 * - with context takeover a stream lives across messages; without it, it is reset after
 *   each message (reset keeps the allocation, which is much cheaper than re-creating it).
 *
 * Fast path. The async zlib API costs a libuv thread-pool round trip per call (ws pays two per
 * message: write, then flush). For inputs up to `syncMaxBytes` we instead drive the stream's
 * native handle synchronously with `handle.writeSync()` and `_writeState`, the internals that
 * Node's own `zlib.*Sync()` functions use. `_processChunk()` without a callback would be the
 * obvious entry point, but it closes the handle when it returns, which kills the LZ77 context
 * we must keep. Because these are internals, support is probed once (a compress + decompress
 * round trip); without it, and for larger inputs, the public stream API is used through the
 * process-wide {@link ZlibLimiter}. A lane never runs a sync call while an async one is in
 * flight on its stream, so results always come back in call order. (`node --trace-sync-io`
 * reports these calls, as it does for `zlib.*Sync()`.)
 * @module
 */

import { constants as zc, createDeflateRaw, createInflateRaw } from 'node:zlib';
import type { Transform } from 'node:stream';
import { CloseCode } from './constants.js';
import { WebSocketError } from './errors.js';
import type { DeflateParams } from './permessage-deflate.js';
import type { ZlibLimiter } from './zlib-limiter.js';

/** RFC 7692 §7.2.1: the tail of the empty stored block that a sync flush emits. */
const TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/** Default for {@link DeflateCodecOptions.syncMaxBytes}. */
export const DEFAULT_SYNC_MAX_BYTES = 64 * 1024;

/** Options of a {@link DeflateCodec}. */
export interface DeflateCodecOptions {
  /** zlib level 0..9 for our compressor. */
  level: number;
  /** zlib memLevel 1..9 for our compressor. */
  memLevel: number;
  /** Exposed as {@link DeflateCodec.threshold}; the codec itself compresses whatever it is given. */
  threshold: number;
  /** Largest decompressed message in bytes; 0 (or less, or Infinity) for no limit. */
  maxPayload: number;
  /** Caps concurrent async zlib jobs; normally `sharedZlibLimiter()`. */
  limiter: ZlibLimiter;
  /**
   * Inputs of at most this many bytes are processed synchronously on the calling thread
   * (when the running Node supports it); larger ones go to the thread pool. Default 64 KiB;
   * 0 forces the async path.
   */
  syncMaxBytes?: number;
}

/** The native zlib handle methods and stream fields that the sync path relies on (Node internals). */
interface NativeHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
}
type ZStream = Transform & {
  reset(): void;
  close(): void;
  bytesWritten: number;
  _handle?: NativeHandle | null;
  _writeState?: Uint32Array;
};

let scratchBuf: Buffer | undefined;
/** Output area for sync calls. Shared process-wide: sync calls cannot interleave. */
function scratch(): Buffer {
  return (scratchBuf ??= Buffer.allocUnsafeSlow(64 * 1024));
}

function hasSyncInternals(s: ZStream): boolean {
  return typeof s._handle?.writeSync === 'function' && s._writeState instanceof Uint32Array && s._writeState.length >= 2;
}

/**
 * Feeds `input[start..]` to the native handle synchronously until zlib has consumed what it
 * will and has no more output; every piece of output goes to `sink` (which copies it out of the
 * shared scratch buffer, or returns false to stop early). Returns the input bytes consumed, or -1
 * when the sink stopped. Inflate consumes less than everything only when the DEFLATE stream
 * ended (a block with BFINAL set).
 * @throws the zlib error when the data is invalid (Node destroys the stream in that case).
 */
function driveSync(s: ZStream, input: Uint8Array, start: number, sink: (buf: Buffer, n: number) => boolean): number {
  const handle = s._handle;
  const state = s._writeState!;
  if (!handle) throw new Error('zlib stream is closed');
  const out = scratch();
  let off = start;
  let len = input.length - start;
  for (;;) {
    handle.writeSync(zc.Z_SYNC_FLUSH, input, off, len, out, 0, out.length);
    // On error Node's onerror hook destroys the stream synchronously; the 'error' event follows later.
    if (s.destroyed) throw s.errored ?? new Error('zlib failed');
    const availOut = state[0]!;
    const availIn = state[1]!;
    off += len - availIn;
    len = availIn;
    const produced = out.length - availOut;
    if (produced > 0 && !sink(out, produced)) return -1;
    // zlib stops with output space left only when it cannot go further with this input.
    if (availOut !== 0) return off - start;
  }
}

/** Copies output out of transient buffers and joins it at the end. */
class Collector {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  readonly sink = (buf: Buffer, n: number): boolean => {
    const copy = Buffer.allocUnsafe(n);
    buf.copy(copy, 0, 0, n);
    this.chunks.push(copy);
    this.size += n;
    return true;
  };

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  take(): Buffer {
    if (this.chunks.length === 1) return this.chunks[0]!;
    return Buffer.concat(this.chunks, this.size);
  }
}

let syncProbe: boolean | undefined;
/** One-time check that the native sync interface exists and behaves as we expect. */
function syncSupported(): boolean {
  if (syncProbe !== undefined) return syncProbe;
  let d: ZStream | undefined;
  let i: ZStream | undefined;
  try {
    d = createDeflateRaw() as unknown as ZStream;
    i = createInflateRaw() as unknown as ZStream;
    d.on('error', () => {});
    i.on('error', () => {});
    if (!hasSyncInternals(d) || !hasSyncInternals(i)) return (syncProbe = false);
    const sample = Buffer.from('permessage-deflate sync probe, permessage-deflate sync probe');
    const c = new Collector();
    if (driveSync(d, sample, 0, c.sink) !== sample.length) return (syncProbe = false);
    const packed = c.take();
    if (!endsWithTrailer(packed)) return (syncProbe = false);
    const u = new Collector();
    driveSync(i, packed, 0, u.sink);
    syncProbe = u.take().equals(sample);
  } catch {
    syncProbe = false;
  } finally {
    d?.close();
    i?.close();
  }
  return syncProbe;
}

function endsWithTrailer(b: Buffer): boolean {
  const n = b.length;
  return n >= 4 && b[n - 4] === 0x00 && b[n - 3] === 0x00 && b[n - 2] === 0xff && b[n - 1] === 0xff;
}

type LaneCallback = (err: WebSocketError | null, out?: Buffer) => void;

interface Job {
  data: Buffer;
  fin: boolean;
  cb: LaneCallback;
}

/** One async job in flight: settles exactly once, whichever of completion, error, overflow or close comes first. */
interface AsyncRun {
  job: Job;
  done: (() => void) | null;
  settled: boolean;
  stream: ZStream | null;
  out: Collector;
}

interface LaneConfig {
  deflate: boolean;
  windowBits: number;
  level: number;
  memLevel: number;
  /** Reset the stream after each message (no_context_takeover for this lane's direction). */
  resetPerMessage: boolean;
  maxPayload: number;
  syncMaxBytes: number;
  limiter: ZlibLimiter;
}

/** One direction of a codec: a zlib stream, created lazily, and a FIFO of calls. */
class Lane {
  private stream: ZStream | null = null;
  private readonly jobs: Job[] = [];
  /** A pump loop is running, or an async job is in flight: new calls wait in `jobs`. */
  private busy = false;
  private current: AsyncRun | null = null;
  /** Set once the lane failed or was closed: every later call gets this error. */
  private failure: WebSocketError | null = null;
  /** Inflate: decompressed bytes of the current message so far. */
  private messageBytes = 0;
  /** Inflate: the peer's DEFLATE stream ended (BFINAL); the next bytes start a fresh one. */
  private streamEnded = false;
  /**
   * The current stream has done one job on the thread pool. Node's zlib allocates a stream's
   * state (about 270 KiB with window 15) on its first write, on whichever thread runs it; on a
   * thread-pool thread that memory comes from a per-thread malloc arena that glibc can give
   * back, on the main thread from the brk heap, which fragments. Measured with 1,000
   * compressed connections: RSS after closing them 317 MiB when the first write ran on the
   * main thread, 141 MiB when it ran on the pool (bench/deflate-rss). So the first job of
   * each stream goes through the pool; later ones may run synchronously.
   */
  private warmed = false;

  constructor(private readonly cfg: LaneConfig) {}

  push(job: Job): void {
    this.jobs.push(job);
    this.pump();
  }

  close(err: WebSocketError): void {
    this.failure ??= err;
    const run = this.current;
    this.dropStream();
    if (run) this.settle(run, this.failure);
    else this.pump();
  }

  private pump(): void {
    if (this.busy) return;
    this.busy = true;
    let handedOff = false;
    try {
      while (this.jobs.length > 0) {
        const job = this.jobs.shift()!;
        if (this.failure) {
          job.cb(this.failure);
          continue;
        }
        if (this.canRunSync(job)) {
          let out: Buffer | undefined;
          let err: WebSocketError | null = null;
          try {
            out = this.cfg.deflate ? this.compressSync(job.data) : this.decompressSync(job);
          } catch (e) {
            err = this.fail(e);
          }
          if (err) job.cb(err);
          else job.cb(null, out);
          continue;
        }
        handedOff = true;
        this.runAsync(job);
        return;
      }
    } finally {
      if (!handedOff) {
        this.busy = false;
        // Only reachable when a callback threw: do not strand the calls queued behind it.
        if (this.jobs.length > 0) queueMicrotask(() => this.pump());
      }
    }
  }

  private canRunSync(job: Job): boolean {
    if (this.cfg.deflate && job.data.length === 0) return true; // no zlib involved
    return this.warmed && job.data.length <= this.cfg.syncMaxBytes && syncSupported();
  }

  private ensureStream(): ZStream {
    if (this.stream) return this.stream;
    const { cfg } = this;
    // flush: Z_SYNC_FLUSH makes every write() a complete flush: one thread-pool hop per call.
    const s = (
      cfg.deflate
        ? createDeflateRaw({
            windowBits: cfg.windowBits,
            level: cfg.level,
            memLevel: cfg.memLevel,
            flush: zc.Z_SYNC_FLUSH,
          })
        : createInflateRaw({ windowBits: cfg.windowBits, flush: zc.Z_SYNC_FLUSH })
    ) as unknown as ZStream;
    s.on('error', (err: Error) => this.onStreamError(s, err));
    s.on('data', (chunk: Buffer) => this.onStreamData(s, chunk));
    this.stream = s;
    this.streamEnded = false;
    this.warmed = false;
    return s;
  }

  private dropStream(): void {
    const s = this.stream;
    if (!s) return;
    this.stream = null;
    // Its listeners stay: they ignore a stream that is no longer ours, and the
    // error listener keeps a late 'error' from becoming an uncaught exception.
    s.close();
  }

  /** Poisons the lane with `e` (as a WebSocketError) and releases the stream. */
  private fail(e: unknown): WebSocketError {
    const err = this.toError(e);
    this.failure ??= err;
    this.dropStream();
    return err;
  }

  private toError(e: unknown): WebSocketError {
    if (e instanceof WebSocketError) return e;
    const msg = e instanceof Error ? e.message : String(e);
    return this.cfg.deflate
      ? new WebSocketError('WS_ERR_INTERNAL', CloseCode.InternalError, `permessage-deflate: compression failed: ${msg}`)
      : new WebSocketError(
          'WS_ERR_INFLATE',
          CloseCode.InvalidPayload,
          `permessage-deflate: invalid compressed data: ${msg}`,
        );
  }

  private tooBig(): WebSocketError {
    return new WebSocketError(
      'WS_ERR_MESSAGE_TOO_BIG',
      CloseCode.MessageTooBig,
      `permessage-deflate: message exceeds the maximum size of ${this.cfg.maxPayload} bytes once decompressed`,
    );
  }

  /** Adds decompressed bytes to the message count; false once it is over the limit. */
  private countOutput(n: number): boolean {
    this.messageBytes += n;
    return !(this.cfg.maxPayload > 0 && this.messageBytes > this.cfg.maxPayload);
  }

  // ---- compression -------------------------------------------------------------------------

  private compressSync(data: Buffer): Buffer {
    // RFC 7692 §7.2.3.6: an empty message is the single byte 0x00. Going through zlib would
    // not work right after a flush: with no new input, deflate() makes no progress and emits
    // nothing, so there would be no trailer to strip.
    if (data.length === 0) return Buffer.alloc(1);
    const s = this.ensureStream();
    const c = new Collector();
    driveSync(s, data, 0, c.sink);
    return this.finishCompressed(s, c.take());
  }

  private finishCompressed(s: ZStream, out: Buffer): Buffer {
    if (!endsWithTrailer(out)) throw new Error('zlib output does not end with a sync flush marker');
    if (this.cfg.resetPerMessage) s.reset();
    return out.subarray(0, out.length - 4);
  }

  // ---- decompression -----------------------------------------------------------------------

  private decompressSync(job: Job): Buffer {
    const s = this.ensureStream();
    const c = new Collector();
    let over = false;
    const sink = (buf: Buffer, n: number): boolean => {
      if (!this.countOutput(n)) {
        over = true; // stop the inflater now: never hold much more than maxPayload
        return false;
      }
      return c.sink(buf, n);
    };
    const feed = (input: Uint8Array, isTrailer: boolean): void => {
      let off = 0;
      let fresh = false;
      while (off < input.length) {
        if (this.streamEnded) {
          if (isTrailer) return; // our 00 00 FF FF after a final block: nothing to decode
          // RFC 7692 §7.2.1 lets another block follow a BFINAL one; zlib cannot continue an
          // ended stream, so go on with a fresh state (the LZ77 window is lost: see DeflateCodec).
          s.reset();
          this.streamEnded = false;
          fresh = true;
        }
        const used = driveSync(s, input, off, sink);
        if (used < 0) return;
        off += used;
        if (off < input.length) {
          // A fresh state always consumes something; guard against looping forever anyway.
          if (used === 0 && fresh) throw new Error('inflate made no progress');
          this.streamEnded = true;
        }
        fresh = false;
      }
    };
    feed(job.data, false);
    if (!over && job.fin) feed(TRAILER, true);
    if (over) throw this.tooBig();
    if (job.fin) this.endMessage();
    return c.take();
  }

  /** After the last frame of a message: reset the count, and the stream when no context is kept. */
  private endMessage(): void {
    this.messageBytes = 0;
    const s = this.stream;
    if (s && (this.cfg.resetPerMessage || this.streamEnded)) {
      s.reset();
      this.streamEnded = false;
    }
  }

  // ---- async path --------------------------------------------------------------------------

  private runAsync(job: Job): void {
    const run: AsyncRun = { job, done: null, settled: false, stream: null, out: new Collector() };
    this.current = run;
    this.cfg.limiter.run((done) => {
      if (run.settled) {
        done(); // closed while waiting for a slot
        return;
      }
      run.done = done;
      try {
        if (this.cfg.deflate) this.compressAsync(run);
        else if (job.fin) this.decompressAsync(run, Buffer.concat([job.data, TRAILER]), job.data.length);
        else this.decompressAsync(run, job.data, job.data.length);
      } catch (e) {
        this.settle(run, this.toError(e));
      }
    });
  }

  private compressAsync(run: AsyncRun): void {
    const s = this.ensureStream();
    run.stream = s;
    s.write(run.job.data, (err?: Error | null) => {
      if (run.settled) return;
      if (err) return this.settle(run, this.toError(s.errored ?? err));
      this.drainReadable(s);
      if (run.settled) return;
      let out: Buffer;
      try {
        out = this.finishCompressed(s, run.out.take());
      } catch (e) {
        return this.settle(run, this.toError(e));
      }
      this.settle(run, null, out);
    });
  }

  /**
   * Feeds `input` through the public stream API. On the last frame the trailer is appended
   * before writing (one thread-pool hop instead of two); `dataEnd` is where it starts.
   */
  private decompressAsync(run: AsyncRun, input: Buffer, dataEnd: number): void {
    const s = this.ensureStream();
    run.stream = s;
    const before = s.bytesWritten;
    s.write(input, (err?: Error | null) => {
      if (run.settled) return;
      if (err) return this.settle(run, this.toError(s.errored ?? err));
      this.drainReadable(s);
      if (run.settled) return;
      const used = s.bytesWritten - before;
      if (used < input.length) {
        // The DEFLATE stream ended (BFINAL) with input left, as in decompressSync. Here the
        // stream's readable side has ended too, so it cannot be reset, only replaced.
        this.dropStream();
        if (used < dataEnd) {
          // A fresh stream (nothing written before) that consumes nothing would loop forever.
          if (used === 0 && before === 0) return this.settle(run, this.toError(new Error('inflate made no progress')));
          return this.decompressAsync(run, input.subarray(used), dataEnd - used);
        }
        // Only (part of) our trailer is left after a final block: nothing to decode.
      }
      this.finishDecompressAsync(run);
    });
  }

  private finishDecompressAsync(run: AsyncRun): void {
    if (run.job.fin) {
      this.messageBytes = 0;
      if (this.cfg.resetPerMessage) this.stream?.reset();
    }
    this.settle(run, null, run.out.take());
  }

  /** Output still sitting in the readable buffer: `read()` in flowing mode emits it as 'data'. */
  private drainReadable(s: ZStream): void {
    while (s.readableLength > 0 && s.read() !== null) {
      /* emitted through onStreamData */
    }
  }

  private onStreamData(s: ZStream, chunk: Buffer): void {
    const run = this.current;
    if (!run || run.settled || run.stream !== s || s !== this.stream) return;
    if (!this.cfg.deflate && !this.countOutput(chunk.length)) {
      this.settle(run, this.tooBig()); // also drops the stream, abandoning the rest of the input
      return;
    }
    run.out.push(chunk);
  }

  private onStreamError(s: ZStream, err: Error): void {
    const run = this.current;
    if (run && !run.settled && run.stream === s) this.settle(run, this.toError(err));
    else if (s === this.stream) this.fail(err);
  }

  private settle(run: AsyncRun, err: WebSocketError | null, out?: Buffer): void {
    if (run.settled) return;
    run.settled = true;
    if (this.current === run) this.current = null;
    if (err) this.fail(err);
    else this.warmed = this.stream !== null;
    const done = run.done;
    run.done = null;
    done?.();
    this.busy = false;
    try {
      if (err) run.job.cb(err);
      else run.job.cb(null, out);
    } finally {
      this.pump();
    }
  }
}

let codecClosedError: WebSocketError | undefined;

/**
 * The error calls get after {@link DeflateCodec.close}. Every connection closes its codec: one
 * shared error, made on first use, instead of fresh ones whose stack traces cost more than the
 * rest of a close.
 */
function closedError(): WebSocketError {
  return (codecClosedError ??= new WebSocketError('WS_ERR_INTERNAL', CloseCode.InternalError, 'permessage-deflate: the codec is closed'));
}

/** Throws a RangeError unless `v` is an integer in `min..max`. */
function checkRange(name: string, v: number, min: number, max: number): void {
  if (!(Number.isInteger(v) && v >= min && v <= max)) {
    throw new RangeError(`DeflateCodec: ${name} must be an integer in ${min}..${max}, got ${v}`);
  }
}

/**
 * The permessage-deflate codec of one connection: compresses outgoing messages and
 * decompresses incoming ones with the agreed {@link DeflateParams}.
 *
 * Our compressor uses our direction's parameters (server_* on a server, client_* on a
 * client), the decompressor the peer's. A window of 8 bits is opened as 9 both ways: zlib has
 * no 8-bit raw deflate, but its 9-bit matches never reach back more than 250 bytes, and a
 * larger inflate window accepts any smaller-window stream.
 *
 * A DEFLATE block with BFINAL set ends zlib's stream; RFC 7692 §7.2.1 lets more blocks
 * follow. We go on decoding them with a fresh inflate state, which is right for every encoder
 * we know of (after a final block they start a new stream), but a peer whose blocks after
 * BFINAL refer back into earlier data would get a 1007.
 *
 * Callbacks may run synchronously (inputs up to `syncMaxBytes`) or later; within each
 * direction they run in call order. Errors are {@link WebSocketError}s; after an error, a
 * direction fails every later call, since the connection must be failed anyway.
 */
export class DeflateCodec {
  readonly threshold: number;
  // Lanes are made on first use: most connections that negotiate compression never send a
  // message above the threshold in one direction or the other, and the handshake stays cheap.
  private deflaterLane: Lane | null = null;
  private inflaterLane: Lane | null = null;
  private closed = false;
  private readonly params: DeflateParams;
  private readonly isServer: boolean;
  private readonly options: DeflateCodecOptions;

  constructor(params: DeflateParams, isServer: boolean, options: DeflateCodecOptions) {
    checkRange('level', options.level, 0, 9);
    checkRange('memLevel', options.memLevel, 1, 9);
    checkRange('serverMaxWindowBits', params.serverMaxWindowBits, 8, 15);
    checkRange('clientMaxWindowBits', params.clientMaxWindowBits, 8, 15);
    if (!(options.threshold >= 0)) throw new RangeError(`DeflateCodec: threshold must be >= 0, got ${options.threshold}`);
    if (Number.isNaN(options.maxPayload)) throw new RangeError('DeflateCodec: maxPayload must be a number');
    const syncMaxBytes = options.syncMaxBytes ?? DEFAULT_SYNC_MAX_BYTES;
    if (!(syncMaxBytes >= 0)) throw new RangeError(`DeflateCodec: syncMaxBytes must be >= 0, got ${syncMaxBytes}`);
    this.threshold = options.threshold;
    this.params = params;
    this.isServer = isServer;
    this.options = options;
  }

  /** Builds one direction's lane: ours compresses with our window, the other inflates the peer's. */
  private lane(deflate: boolean): Lane {
    const { params, isServer, options } = this;
    const maxPayload = options.maxPayload > 0 && Number.isFinite(options.maxPayload) ? options.maxPayload : 0;
    const ours = deflate === isServer; // server deflater and client inflater use server_* params
    const lane = new Lane({
      level: options.level,
      memLevel: options.memLevel,
      maxPayload,
      syncMaxBytes: options.syncMaxBytes ?? DEFAULT_SYNC_MAX_BYTES,
      limiter: options.limiter,
      deflate,
      // zlib has no 8-bit raw deflate; 9 is safe for an 8-bit peer because zlib never
      // reaches back more than 2^9 - 262 = 250 bytes (MAX_DIST in deflate.h); and a 9-bit
      // inflate window accepts any smaller-window stream.
      windowBits: Math.max(9, ours ? params.serverMaxWindowBits : params.clientMaxWindowBits),
      resetPerMessage: ours ? params.serverNoContextTakeover : params.clientNoContextTakeover,
    });
    if (this.closed) lane.close(closedError());
    return lane;
  }

  static get syncSupported(): boolean {
    return syncSupported();
  }

  /**
   * Compresses one whole message; `out` is the payload to send with RSV1 set, with the trailing
   * `00 00 FF FF` removed (RFC 7692 §7.2.1). `cb` may run synchronously or later; messages
   * complete in call order.
   */
  compress(data: Buffer, cb: (err: Error | null, out?: Buffer) => void): void {
    (this.deflaterLane ??= this.lane(true)).push({ data, fin: true, cb });
  }

  /**
   * Decompresses one frame's payload of a compressed message; `fin` marks its last frame (the
   * `00 00 FF FF` trailer is appended then). `out` is this frame's share of the message.
   *
   * Errors: output of the message above `maxPayload` gives `WS_ERR_MESSAGE_TOO_BIG` (close
   * 1009), detected while inflating, so at most `maxPayload` bytes of output are ever held;
   * corrupt data gives `WS_ERR_INFLATE` (close 1007, as ws: the payload is not valid for the
   * message; RFC 7692 §7.2.2 only says to fail the connection). `cb` may run synchronously or
   * later; calls complete in order.
   */
  decompress(data: Buffer, fin: boolean, cb: (err: WebSocketError | null, out?: Buffer) => void): void {
    (this.inflaterLane ??= this.lane(false)).push({ data, fin, cb });
  }

  /**
   * Releases both zlib streams now. Calls still pending get `WS_ERR_INTERNAL` (close 1011)
   * synchronously, in order, and so does every later call.
   */
  close(): void {
    this.closed = true;
    this.deflaterLane?.close(closedError());
    this.inflaterLane?.close(closedError());
  }
}
