/**
 * RFC 6455 frame encoding (§5.2). Frames are appended to a list of Buffers meant for a
 * vectored write, so big unmasked payloads are never copied.
 *
 * @module
 */
import { randomFillSync } from 'node:crypto';
import { MAX_CONTROL_PAYLOAD } from './constants.js';
import { mask } from './mask.js';

/**
 * Unmasked payloads up to this size are copied next to their header: one small Buffer
 * is cheaper to write than two iovecs, and the copy is negligible.
 */
const COPY_THRESHOLD = 1024;
const TWO_32 = 0x1_0000_0000;

/** Supplies the memory of big masked frames (see {@link encodeFrame}). */
export interface FrameAllocator {
  /**
   * A writable Buffer of exactly `size` bytes. The frame built in it is appended to the `out`
   * list of the same call; its memory must stay untouched until those bytes were written.
   */
  allocateFrame(size: number): Buffer;
}

/**
 * Appends one frame to `out`: a single Buffer (header+payload copied together) when the
 * payload is small (<= 1024 bytes) or when `maskKey` is given (client frames: the payload
 * is masked into the new buffer; the caller's payload is never mutated); otherwise two
 * entries, `[header, payload]`, so big payloads are not copied (the payload entry is a
 * view of the caller's bytes: don't modify them until written).
 *
 * @param out - list to append to
 * @param opcode - frame opcode (0-15)
 * @param payload - frame payload, up to 2^53-1 bytes
 * @param fin - FIN bit
 * @param rsv - RSV bits as in the first header byte (RSV1 = 0x40, RSV2 = 0x20, RSV3 = 0x10)
 * @param maskKey - 4-byte masking key (client side), or null for an unmasked frame
 * @param allocator - where a masked frame of 4 KiB or more is built (an adapter hands out a
 *   region of a recycled slab, so big frames don't each cost a fresh allocation and its page
 *   faults). Default: `Buffer.allocUnsafe`.
 * @returns the number of bytes appended
 * @throws RangeError for a control frame (opcode >= 8) with more than 125 payload bytes
 */
export function encodeFrame(
  out: Buffer[],
  opcode: number,
  payload: Uint8Array,
  fin: boolean,
  rsv: number,
  maskKey: Uint8Array | null,
  allocator?: FrameAllocator | null,
): number {
  const length = payload.length;
  if (opcode >= 8 && length > MAX_CONTROL_PAYLOAD) {
    throw new RangeError(`Control frame payload of ${length} bytes exceeds ${MAX_CONTROL_PAYLOAD}`);
  }
  const lengthBytes = length < 126 ? 0 : length < 0x1_0000 ? 2 : 8;
  const headerLength = 2 + lengthBytes + (maskKey === null ? 0 : 4);
  const together = maskKey !== null || length <= COPY_THRESHOLD;
  let frame: Buffer;
  if (maskKey !== null && length >= ALIGN_MIN) {
    // Put the masked payload at the same 8-byte alignment as the source, so that masking runs
    // 64 bits at a time in one pass instead of a copy followed by an in-place XOR.
    const size = headerLength + length + 7;
    const block = allocator != null && size >= RESERVE_MIN ? allocator.allocateFrame(size) : Buffer.allocUnsafe(size);
    const lead = (payload.byteOffset - (block.byteOffset + headerLength)) & 7;
    frame = block.subarray(lead, lead + headerLength + length);
  } else {
    frame = Buffer.allocUnsafe(together ? headerLength + length : headerLength);
  }

  frame[0] = (fin ? 0x80 : 0) | (rsv & 0x70) | (opcode & 0x0f);
  const maskBit = maskKey === null ? 0 : 0x80;
  if (lengthBytes === 0) {
    frame[1] = maskBit | length;
  } else if (lengthBytes === 2) {
    frame[1] = maskBit | 126;
    frame[2] = length >>> 8;
    frame[3] = length & 0xff;
  } else {
    frame[1] = maskBit | 127;
    frame.writeUInt32BE(Math.floor(length / TWO_32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }

  if (maskKey !== null) {
    const k = headerLength - 4;
    frame[k] = maskKey[0]!;
    frame[k + 1] = maskKey[1]!;
    frame[k + 2] = maskKey[2]!;
    frame[k + 3] = maskKey[3]!;
    mask(payload, maskKey, frame, headerLength, length);
    out.push(frame);
  } else if (together) {
    frame.set(payload, headerLength);
    out.push(frame);
  } else {
    out.push(
      frame,
      Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, length),
    );
  }
  return headerLength + length;
}

/** From this size on a masked payload is worth aligning (see mask.ts: WORD_THRESHOLD). */
const ALIGN_MIN = 128;

/**
 * Masked frames from this size on are built in memory from the `allocator` argument of
 * {@link encodeFrame}. Smaller ones come from Node's shared 8 KiB pool, which is cheap already.
 */
const RESERVE_MIN = 4096;

/** Keys handed out per crypto call. */
const KEY_POOL_SIZE = 8192;
let keyPool: Buffer = Buffer.alloc(0);
let keyPoolOffset = 0;

/**
 * A fresh 4-byte masking key (RFC 6455 §5.3: unpredictable, from a strong source).
 * Keys are views into a pool filled by one `crypto.randomFillSync` call per 2048 keys; a
 * used-up pool is replaced, never refilled, so a key never changes after it is returned.
 */
export function randomMaskKey(): Buffer {
  if (keyPoolOffset + 4 > keyPool.length) {
    keyPool = randomFillSync(Buffer.allocUnsafeSlow(KEY_POOL_SIZE));
    keyPoolOffset = 0;
  }
  const key = keyPool.subarray(keyPoolOffset, keyPoolOffset + 4);
  keyPoolOffset += 4;
  return key;
}

const keyScratch = new Uint8Array(4);

/**
 * The next masking key from the same pool as {@link randomMaskKey}, copied into one shared
 * 4-byte array that the next call overwrites: for callers that use the key at once (the
 * encoder copies it into the frame header), without a view object per frame.
 */
export function nextMaskKey(): Uint8Array {
  if (keyPoolOffset + 4 > keyPool.length) {
    keyPool = randomFillSync(Buffer.allocUnsafeSlow(KEY_POOL_SIZE));
    keyPoolOffset = 0;
  }
  const pool = keyPool;
  const at = keyPoolOffset;
  keyScratch[0] = pool[at]!;
  keyScratch[1] = pool[at + 1]!;
  keyScratch[2] = pool[at + 2]!;
  keyScratch[3] = pool[at + 3]!;
  keyPoolOffset = at + 4;
  return keyScratch;
}
