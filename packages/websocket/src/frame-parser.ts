/**
 * Sans-I/O RFC 6455 frame parser: bytes in, validated and unmasked frames out.
 *
 * It enforces everything that can be judged at the frame level (§5.2-§5.5): opcodes, RSV
 * bits, masking direction, length encoding, control-frame rules, fragmentation order and
 * the per-message size limit. Message-level concerns (UTF-8 of text, inflate, close-frame
 * payloads) belong to the connection layer.
 *
 * @module
 */
import { constants as bufferConstants } from 'node:buffer';
import { CloseCode, MAX_CONTROL_PAYLOAD, Opcode } from './constants.js';
import { WebSocketError, type WebSocketErrorCode } from './errors.js';
import { mask, unmask } from './mask.js';

/** Options of a {@link FrameParser}. */
export interface FrameParserOptions {
  /** Server side: every incoming frame must be masked (else 1002). Client side (false): no frame may be masked (else 1002). */
  expectMasked: boolean;
  /**
   * RSV bits (as in the first header byte: RSV1=0x40...) that a negotiated extension allows
   * on a data frame that STARTS a message. Any other RSV bit, RSV on control frames or on
   * continuation frames -> 1002.
   */
  allowedRsv: number;
  /**
   * Limit on the summed payload bytes of one message as it travels (for compressed messages
   * that is compressed size; the connection layer checks decompressed size itself). A frame
   * whose declared length would push the message past it -> WebSocketError
   * 'WS_ERR_MESSAGE_TOO_BIG' close 1009, raised from the header alone, before buffering the
   * payload. Use `Infinity` for no limit.
   */
  maxPayload: number;
}

/** Receives the output of a {@link FrameParser}. */
export interface FrameSink {
  /**
   * One complete frame, payload already unmasked. `payload` may be a view into the chunk
   * given to push() (the parser owns and may mutate chunks passed to push: unmasking is in
   * place) or a fresh Buffer when the frame spanned chunks. The sink may keep it.
   */
  onFrame(fin: boolean, rsv: number, opcode: number, payload: Buffer): void;
  /** The stream is invalid; the parser stops for good after calling this. */
  onError(error: WebSocketError): void;
}

const EMPTY = Buffer.alloc(0);
/**
 * The queue of a parser with nothing queued: shared and frozen (a stray push throws), so an idle
 * connection holds no array of its own; the first chunk to queue gets a real one.
 */
const NO_CHUNKS: Buffer[] = Object.freeze([]) as unknown as Buffer[];
/** Where a header that straddles chunks is gathered; parsing is synchronous, so one serves all parsers. */
const HEADER_SCRATCH = new Uint8Array(14);
/** The bytes of a masking key, rotated to a payload phase; filled right before each use. */
const KEY_SCRATCH = new Uint8Array(4);

/** Unpacks a big-endian packed key into KEY_SCRATCH, rotated so index 0 is payload byte `phase`. */
function keyBytes(word: number, phase: number): Uint8Array {
  for (let i = 0; i < 4; i++) KEY_SCRATCH[i] = (word >>> (24 - 8 * ((phase + i) & 3))) & 0xff;
  return KEY_SCRATCH;
}
/** 2 bytes of header, 8 of extended length, 4 of masking key. */
const MAX_HEADER = 14;
const RSV_BITS = 0x70;
/**
 * A frame at least this large that is not complete in the bytes at hand is streamed: its
 * buffer is allocated from the header and each chunk is copied (and unmasked) into it as
 * it arrives, one pass over memory while the bytes are still in cache, instead of queueing
 * the chunks, concatenating them and unmasking in a second pass.
 */
const STREAM_MIN = 4096;
const TWO_32 = 0x1_0000_0000;

// Parser phases: reading a header, or waiting for the payload of a parsed header.
const HEADER = 0;
const PAYLOAD = 1;

/**
 * Incremental frame parser. Push chunks as they arrive in any sizes; complete frames come
 * out through {@link FrameSink.onFrame} synchronously, in order. The first violation is
 * reported once through {@link FrameSink.onError}, after which the parser ignores input.
 *
 * Frames that lie wholly inside one pushed chunk are delivered as zero-copy views of it;
 * a frame that spans chunks costs one copy, made once its last byte has arrived.
 */
export class FrameParser {
  private readonly expectMasked: boolean;
  private readonly maxPayload: number;
  private allowedRsv: number;
  private readonly sink: FrameSink;

  // Pending input: chunks[qHead..] with the first `headOffset` bytes of chunks[qHead]
  // already consumed. An index instead of shift() keeps many-chunk frames linear.
  private chunks: Buffer[] = NO_CHUNKS;
  private qHead = 0;
  private headOffset = 0;
  private buffered = 0;

  private phase: typeof HEADER | typeof PAYLOAD = HEADER;
  // The frame whose header has been read and whose payload is awaited.
  private fin = false;
  private rsv = 0;
  private opcode = 0;
  private masked = false;
  private payloadLength = 0;
  /** The current frame's masking key, its four bytes packed big-endian (a typed array per parser would cost ~150 bytes). */
  private maskWord = 0;
  /** The payload buffer of a streamed frame (see STREAM_MIN), and how much of it is filled. */
  private partial: Buffer | null = null;
  private partialFilled = 0;

  // Fragmentation: a data message is open between a FIN=0 data frame and its FIN=1
  // continuation; `messageBytes` sums its payloads so far for the maxPayload check.
  private inMessage = false;
  private messageBytes = 0;

  private paused = false;
  /** Set while frames are being delivered, to turn reentrant push()/resume() into queueing. */
  private draining = false;
  private hasFailed = false;


  /**
   * @param options - side, allowed RSV bits and size limit
   * @param sink - receives frames and the error
   */
  constructor(options: FrameParserOptions, sink: FrameSink) {
    this.expectMasked = options.expectMasked;
    this.allowedRsv = options.allowedRsv & RSV_BITS;
    this.maxPayload = options.maxPayload;
    this.sink = sink;
  }

  /** Bytes buffered but not yet delivered as frames (header bytes already parsed excluded). */
  get bufferedBytes(): number {
    return this.buffered + this.partialFilled;
  }

  /** True after an error. */
  get failed(): boolean {
    return this.hasFailed;
  }

  /** Change allowedRsv after construction (set once the handshake has agreed on extensions). */
  setAllowedRsv(bits: number): void {
    this.allowedRsv = bits & RSV_BITS;
  }

  /**
   * Stop delivering frames (e.g. while an async inflate runs); bytes pushed meanwhile are
   * buffered. Safe to call from inside onFrame: no further frame is delivered after it returns.
   */
  pause(): void {
    this.paused = true;
  }

  /** Resume delivering buffered frames (synchronously, from inside resume()). */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    // From inside onFrame the running delivery loop sees the flag and carries on.
    if (!this.draining && !this.hasFailed) this.drain();
  }

  /**
   * Feeds bytes; calls sink.onFrame for each complete frame, in order, synchronously.
   * The parser takes ownership of `chunk`: payload views into it are unmasked in place.
   */
  push(chunk: Buffer): void {
    if (this.hasFailed || chunk.length === 0) return;
    if (this.draining || this.paused) {
      this.enqueue(chunk);
      return;
    }
    if (this.qHead === this.chunks.length && this.phase === HEADER) {
      this.parseWhole(chunk);
    } else if (this.partial !== null && this.qHead === this.chunks.length) {
      const need = this.payloadLength - this.partialFilled;
      if (chunk.length < need) {
        this.fill(chunk, 0, chunk.length);
        return;
      }
      this.fill(chunk, 0, need);
      this.draining = true;
      try {
        this.finishPartial();
      } finally {
        this.draining = false;
      }
      if (need < chunk.length) {
        if (this.paused || this.hasFailed) {
          if (!this.hasFailed) this.enqueue(chunk.subarray(need));
        } else if (this.qHead === this.chunks.length) {
          this.parseWhole(chunk.subarray(need));
        } else {
          this.enqueue(chunk.subarray(need));
          this.drain();
        }
      } else if (!this.paused && this.qHead < this.chunks.length) {
        this.drain();
      }
    } else {
      this.enqueue(chunk);
      this.drain();
    }
  }

  private enqueue(chunk: Buffer): void {
    if (this.chunks === NO_CHUNKS) this.chunks = [];
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /**
   * Fast path, nothing buffered: walk the frames of `chunk` in place and queue only an
   * incomplete last frame.
   */
  private parseWhole(chunk: Buffer): void {
    const end = chunk.length;
    let pos = 0;
    this.draining = true;
    try {
      while (pos < end) {
        const headerLength = this.parseHeader(chunk, pos, end - pos);
        if (headerLength <= 0) break; // need more bytes, or failed
        pos += headerLength;
        const length = this.payloadLength;
        if (end - pos < length) {
          this.phase = PAYLOAD;
          if (length >= STREAM_MIN) {
            this.partial = Buffer.allocUnsafe(length);
            this.fill(chunk, pos, end - pos);
            pos = end;
          }
          break;
        }
        const payload = chunk.subarray(pos, pos + length);
        pos += length;
        this.deliver(payload);
        if (this.paused) break;
      }
    } finally {
      // In `finally` so that the parser stays consistent even if the sink throws.
      this.draining = false;
      if (!this.hasFailed && pos < end) {
        // Reentrant pushes may have queued chunks meanwhile; our remainder goes first.
        if (this.chunks === NO_CHUNKS) this.chunks = [chunk];
        else this.chunks.splice(this.qHead, 0, chunk);
        this.headOffset = pos;
        this.buffered += end - pos;
      }
    }
    if (!this.paused && this.qHead < this.chunks.length) this.drain();
  }

  /** General path: delivers every complete frame in the queue, unless paused. */
  private drain(): void {
    this.draining = true;
    try {
      while (!this.paused && !this.hasFailed) {
        if (this.phase === HEADER) {
          if (this.buffered < 2) return;
          const first = this.chunks[this.qHead]!;
          const firstAvailable = first.length - this.headOffset;
          let headerLength: number;
          if (firstAvailable >= MAX_HEADER || firstAvailable === this.buffered) {
            headerLength = this.parseHeader(first, this.headOffset, firstAvailable);
          } else {
            // The header may straddle chunks: parse a small contiguous copy of it.
            const n = this.gather(HEADER_SCRATCH, Math.min(MAX_HEADER, this.buffered));
            headerLength = this.parseHeader(HEADER_SCRATCH, 0, n);
          }
          if (headerLength <= 0) return;
          this.skip(headerLength);
          this.phase = PAYLOAD;
          if (this.buffered < this.payloadLength && this.payloadLength >= STREAM_MIN) {
            this.partial = Buffer.allocUnsafe(this.payloadLength);
          }
        }
        if (this.partial !== null) {
          // Move what is queued into the streamed frame's buffer.
          const n = Math.min(this.buffered, this.payloadLength - this.partialFilled);
          this.fillFromQueue(n);
          if (this.partialFilled < this.payloadLength) return;
          this.finishPartial();
          continue;
        }
        if (this.buffered < this.payloadLength) return;
        this.phase = HEADER;
        this.deliver(this.take(this.payloadLength));
      }
    } finally {
      this.draining = false;
    }
  }

  /** Copies `src[start..start+n)` into the streamed frame's buffer, unmasking on the way. */
  private fill(src: Buffer, start: number, n: number): void {
    const target = this.partial!;
    const filled = this.partialFilled;
    if (this.masked) {
      // The key phase of target byte `filled` is filled % 4: rotate the key to match.
      mask(start === 0 && n === src.length ? src : src.subarray(start, start + n), keyBytes(this.maskWord, filled), target, filled, n);
    } else {
      src.copy(target, filled, start, start + n);
    }
    this.partialFilled = filled + n;
  }

  /** Consumes `n` queued bytes into the streamed frame's buffer. */
  private fillFromQueue(n: number): void {
    this.buffered -= n;
    while (n > 0) {
      const chunk = this.chunks[this.qHead]!;
      const offset = this.headOffset;
      const count = Math.min(chunk.length - offset, n);
      this.fill(chunk, offset, count);
      n -= count;
      if (offset + count === chunk.length) this.dropHead();
      else this.headOffset = offset + count;
    }
  }

  /** Delivers a streamed frame whose buffer is full (already unmasked). */
  private finishPartial(): void {
    const payload = this.partial!;
    this.partial = null;
    this.partialFilled = 0;
    this.phase = HEADER;
    this.sink.onFrame(this.fin, this.rsv, this.opcode, payload);
  }

  private deliver(payload: Buffer): void {
    if (this.masked) unmask(payload, keyBytes(this.maskWord, 0));
    this.sink.onFrame(this.fin, this.rsv, this.opcode, payload);
  }

  /**
   * Validates and records the header at `buf[pos..pos+available)`.
   * Returns its length, 0 if more bytes are needed, -1 after reporting an error.
   * Everything decidable from the first two bytes is checked before waiting for the rest.
   */
  private parseHeader(buf: Uint8Array, pos: number, available: number): number {
    if (available < 2) return 0;
    const b0 = buf[pos]!;
    const b1 = buf[pos + 1]!;
    const fin = (b0 & 0x80) !== 0;
    const rsv = b0 & RSV_BITS;
    const opcode = b0 & 0x0f;
    const masked = (b1 & 0x80) !== 0;
    let length = b1 & 0x7f;

    if (opcode >= Opcode.Close) {
      if (opcode > Opcode.Pong) {
        return this.fail('WS_ERR_INVALID_OPCODE', `Reserved control opcode 0x${opcode.toString(16)}`);
      }
      if (rsv !== 0) return this.fail('WS_ERR_UNEXPECTED_RSV', 'RSV bits set on a control frame');
      if (!fin) return this.fail('WS_ERR_FRAGMENTED_CONTROL', 'Fragmented control frame');
      if (length > MAX_CONTROL_PAYLOAD) {
        return this.fail('WS_ERR_CONTROL_TOO_LONG', 'Control frame payload longer than 125 bytes');
      }
    } else if (opcode === Opcode.Continuation) {
      if (!this.inMessage) {
        return this.fail('WS_ERR_INVALID_CONTINUATION', 'Continuation frame with no message in progress');
      }
      if (rsv !== 0) return this.fail('WS_ERR_UNEXPECTED_RSV', 'RSV bits set on a continuation frame');
    } else if (opcode <= Opcode.Binary) {
      if (this.inMessage) {
        return this.fail('WS_ERR_EXPECTED_CONTINUATION', 'New data frame inside a fragmented message');
      }
      if ((rsv & ~this.allowedRsv) !== 0) {
        return this.fail('WS_ERR_UNEXPECTED_RSV', `RSV bits 0x${rsv.toString(16)} not negotiated`);
      }
    } else {
      return this.fail('WS_ERR_INVALID_OPCODE', `Reserved data opcode 0x${opcode.toString(16)}`);
    }
    if (masked !== this.expectMasked) {
      return masked
        ? this.fail('WS_ERR_UNEXPECTED_MASK', 'Masked frame from a server')
        : this.fail('WS_ERR_EXPECTED_MASK', 'Unmasked frame from a client');
    }

    const headerLength = 2 + (length === 126 ? 2 : length === 127 ? 8 : 0) + (masked ? 4 : 0);
    if (available < headerLength) return 0;
    let p = pos + 2;
    if (length === 126) {
      length = (buf[p]! << 8) | buf[p + 1]!;
      p += 2;
    } else if (length === 127) {
      const high = buf[p]! * 0x100_0000 + ((buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!);
      if (high >= 0x8000_0000) {
        return this.fail('WS_ERR_INVALID_LENGTH', '64-bit payload length with the top bit set');
      }
      const low = buf[p + 4]! * 0x100_0000 + ((buf[p + 5]! << 16) | (buf[p + 6]! << 8) | buf[p + 7]!);
      // Above 2^53 this loses precision, but such lengths fail the limits below anyway.
      length = high * TWO_32 + low;
      p += 8;
    }
    if (masked) {
      this.maskWord = ((buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!) | 0;
    }

    if (opcode < Opcode.Close) {
      const total = opcode === Opcode.Continuation ? this.messageBytes + length : length;
      if (total > this.maxPayload) {
        return this.fail(
          'WS_ERR_MESSAGE_TOO_BIG',
          `Message exceeds the limit of ${this.maxPayload} bytes`,
          CloseCode.MessageTooBig,
        );
      }
      // Even without a limit, a frame no Buffer can hold could never be assembled.
      if (length > bufferConstants.MAX_LENGTH) {
        return this.fail(
          'WS_ERR_MESSAGE_TOO_BIG',
          `Frame of ${length} bytes exceeds the largest possible Buffer`,
          CloseCode.MessageTooBig,
        );
      }
      this.inMessage = !fin;
      this.messageBytes = fin ? 0 : total;
    }

    this.fin = fin;
    this.rsv = rsv;
    this.opcode = opcode;
    this.masked = masked;
    this.payloadLength = length;
    return headerLength;
  }

  /** Reports the error (1002 unless told otherwise), drops all input and stops for good. */
  private fail(code: WebSocketErrorCode, message: string, closeCode: number = CloseCode.ProtocolError): -1 {
    const error = new WebSocketError(code, closeCode, message);
    this.hasFailed = true;
    this.partial = null;
    this.partialFilled = 0;
    this.chunks = NO_CHUNKS;
    this.qHead = 0;
    this.headOffset = 0;
    this.buffered = 0;
    this.sink.onError(error);
    return -1;
  }

  /** Copies the first `n` queued bytes into `target` without consuming them. */
  private gather(target: Uint8Array, n: number): number {
    let copied = 0;
    let offset = this.headOffset;
    for (let i = this.qHead; copied < n; i++) {
      const chunk = this.chunks[i]!;
      const count = Math.min(chunk.length - offset, n - copied);
      target.set(chunk.subarray(offset, offset + count), copied);
      copied += count;
      offset = 0;
    }
    return copied;
  }

  /** Consumes `n` queued bytes (n <= buffered). */
  private skip(n: number): void {
    this.buffered -= n;
    while (n > 0) {
      const available = this.chunks[this.qHead]!.length - this.headOffset;
      if (n < available) {
        this.headOffset += n;
        return;
      }
      n -= available;
      this.dropHead();
    }
  }

  /** Consumes and returns `n` queued bytes (n <= buffered): a view when they are contiguous. */
  private take(n: number): Buffer {
    if (n === 0) return EMPTY;
    const first = this.chunks[this.qHead]!;
    const start = this.headOffset;
    const available = first.length - start;
    if (n <= available) {
      this.buffered -= n;
      if (n === available) this.dropHead();
      else this.headOffset = start + n;
      return first.subarray(start, start + n);
    }
    const out = Buffer.allocUnsafe(n);
    let copied = 0;
    while (copied < n) {
      const chunk = this.chunks[this.qHead]!;
      const offset = this.headOffset;
      const count = Math.min(chunk.length - offset, n - copied);
      chunk.copy(out, copied, offset, offset + count);
      copied += count;
      if (offset + count === chunk.length) this.dropHead();
      else this.headOffset = offset + count;
    }
    this.buffered -= n;
    return out;
  }

  private dropHead(): void {
    this.chunks[this.qHead++] = EMPTY; // release the chunk for GC
    this.headOffset = 0;
    if (this.qHead === this.chunks.length) {
      this.chunks = NO_CHUNKS;
      this.qHead = 0;
    }
  }
}
