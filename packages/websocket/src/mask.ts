/**
 * RFC 6455 §5.3 payload masking: every byte is XORed with `maskKey[i % 4]`.
 *
 * Large inputs are processed 64 bits at a time through BigUint64Array views. Such a view must
 * start on an 8-byte-aligned address, so the unaligned head is done byte by byte, the key is
 * rotated to match the phase at the first aligned lane, and the leftover tail is done byte by
 * byte again.
 *
 * @module
 */

/**
 * Below this many bytes a byte loop wins: creating a typed-array view costs about as much
 * as XORing ~100 bytes one at a time (measured on Node 20 / x64, see bench/mask.mjs).
 */
const WORD_THRESHOLD = 128;

// Scratch used to assemble the rotated key: writing the bytes in memory order and reading them
// back as one lane makes the key match what a BigUint64Array view over the payload reads, on
// little- and big-endian hosts alike. V8 (Node 20) compiles XOR on BigUint64Array elements to
// plain 64-bit instructions without allocating: measured 1.8x faster than 32-bit lanes
// (64 KiB unmask 9.8 -> 5.4 us, bench/mask.mjs).
const keyBytes64 = new Uint8Array(8);
const keyWord64 = new BigUint64Array(keyBytes64.buffer);

/** The 64-bit key for a lane whose first byte sits at payload index `phase` (mod 4). */
function rotatedKey64(maskKey: Uint8Array, phase: number): bigint {
  for (let i = 0; i < 8; i++) keyBytes64[i] = maskKey[(phase + i) & 3]!;
  return keyWord64[0]!;
}

/** XORs `buf[start..start+length)` in place byte by byte; the key phase counts from `start`. */
function xorBytes(buf: Uint8Array, start: number, length: number, maskKey: Uint8Array): void {
  // Key bytes in locals and four bytes per iteration: about twice as fast as `key[i & 3]`.
  const k0 = maskKey[0]!;
  const k1 = maskKey[1]!;
  const k2 = maskKey[2]!;
  const k3 = maskKey[3]!;
  const end = start + length;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    buf[i]! ^= k0;
    buf[i + 1]! ^= k1;
    buf[i + 2]! ^= k2;
    buf[i + 3]! ^= k3;
  }
  for (let j = 0; i < end; i++, j++) buf[i]! ^= maskKey[j]!;
}

/** XORs `buf[start..start+length)` in place; the key phase counts from `start`. */
function xorInPlace(buf: Uint8Array, start: number, length: number, maskKey: Uint8Array): void {
  if (length < WORD_THRESHOLD) {
    xorBytes(buf, start, length, maskKey);
    return;
  }
  // Bytes up to an 8-byte boundary, then 64-bit lanes, then the tail.
  const addr = buf.byteOffset + start;
  const head = (8 - (addr & 7)) & 7;
  for (let i = 0; i < head; i++) buf[start + i]! ^= maskKey[i & 3]!;

  const lanes = (length - head) >>> 3;
  const key = rotatedKey64(maskKey, head);
  const view = new BigUint64Array(buf.buffer, addr + head, lanes);
  // Backwards, four lanes per iteration (see the measurements in bench/mask.mjs).
  let w = lanes - 1;
  for (; w >= 3; w -= 4) {
    view[w]! ^= key;
    view[w - 1]! ^= key;
    view[w - 2]! ^= key;
    view[w - 3]! ^= key;
  }
  for (; w >= 0; w--) view[w]! ^= key;

  for (let i = head + (lanes << 3); i < length; i++) buf[start + i]! ^= maskKey[i & 3]!;
}

/**
 * Masks `source[0..length)` with `maskKey` into `output[offset..offset+length)`.
 * `source` is not modified. `output` must have room for `length` bytes at `offset`;
 * `source` and the output range must not overlap (unless they are the same range).
 *
 * @param source - bytes to mask (at least `length` long)
 * @param maskKey - the 4-byte masking key
 * @param output - destination buffer
 * @param offset - where to start writing in `output`
 * @param length - how many bytes to mask
 */
export function mask(
  source: Uint8Array,
  maskKey: Uint8Array,
  output: Uint8Array,
  offset: number,
  length: number,
): void {
  if (length < WORD_THRESHOLD) {
    const k0 = maskKey[0]!;
    const k1 = maskKey[1]!;
    const k2 = maskKey[2]!;
    const k3 = maskKey[3]!;
    let i = 0;
    for (; i + 4 <= length; i += 4) {
      output[offset + i] = source[i]! ^ k0;
      output[offset + i + 1] = source[i + 1]! ^ k1;
      output[offset + i + 2] = source[i + 2]! ^ k2;
      output[offset + i + 3] = source[i + 3]! ^ k3;
    }
    for (; i < length; i++) output[offset + i] = source[i]! ^ maskKey[i & 3]!;
    return;
  }
  const srcAddr = source.byteOffset;
  const dstAddr = output.byteOffset + offset;
  if (((srcAddr - dstAddr) & 7) !== 0) {
    // Source and destination are never both lane-aligned at the same index: let memcpy move
    // the bytes, then XOR the destination in place.
    output.set(length === source.length ? source : source.subarray(0, length), offset);
    xorInPlace(output, offset, length, maskKey);
    return;
  }
  const head = (8 - (dstAddr & 7)) & 7;
  for (let i = 0; i < head; i++) output[offset + i] = source[i]! ^ maskKey[i & 3]!;

  const lanes = (length - head) >>> 3;
  const key = rotatedKey64(maskKey, head);
  const src = new BigUint64Array(source.buffer, srcAddr + head, lanes);
  const dst = new BigUint64Array(output.buffer, dstAddr + head, lanes);
  // Backwards and unrolled for the same reason as in xorInPlace.
  let w = lanes - 1;
  for (; w >= 3; w -= 4) {
    dst[w] = src[w]! ^ key;
    dst[w - 1] = src[w - 1]! ^ key;
    dst[w - 2] = src[w - 2]! ^ key;
    dst[w - 3] = src[w - 3]! ^ key;
  }
  for (; w >= 0; w--) dst[w] = src[w]! ^ key;

  for (let i = head + (lanes << 3); i < length; i++) {
    output[offset + i] = source[i]! ^ maskKey[i & 3]!;
  }
}

/**
 * Unmasks (or masks: the operation is its own inverse) `buffer` in place with `maskKey`.
 *
 * @param buffer - the payload; modified in place
 * @param maskKey - the 4-byte masking key
 */
export function unmask(buffer: Uint8Array, maskKey: Uint8Array): void {
  xorInPlace(buffer, 0, buffer.length, maskKey);
}
