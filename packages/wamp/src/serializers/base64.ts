/**
 * Standard base64 (RFC 4648, with padding) for the JSON binary convention. Written out here
 * because `Buffer` is Node-only and `btoa`/`atob` need a byte-per-char string in between.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const ENCODE: number[] = [];
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) {
  ENCODE[i] = ALPHABET.charCodeAt(i);
  DECODE[ALPHABET.charCodeAt(i)] = i;
}
const PAD = 61; // '='
// Characters per String.fromCharCode call: keeps the argument list well under engine limits.
const CHUNK = 0x3000;

/** Encodes bytes as base64 text with `=` padding. */
export function encodeBase64(bytes: Uint8Array): string {
  const length = bytes.length;
  const codes = new Uint16Array(Math.ceil(length / 3) * 4);
  let o = 0;
  let i = 0;
  for (const whole = length - (length % 3); i < whole; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    codes[o++] = ENCODE[n >> 18]!;
    codes[o++] = ENCODE[(n >> 12) & 63]!;
    codes[o++] = ENCODE[(n >> 6) & 63]!;
    codes[o++] = ENCODE[n & 63]!;
  }
  const rest = length - i;
  if (rest > 0) {
    const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
    codes[o++] = ENCODE[n >> 18]!;
    codes[o++] = ENCODE[(n >> 12) & 63]!;
    codes[o++] = rest === 2 ? ENCODE[(n >> 6) & 63]! : PAD;
    codes[o++] = PAD;
  }
  if (codes.length <= CHUNK) return String.fromCharCode.apply(null, codes as unknown as number[]);
  let text = '';
  for (let c = 0; c < codes.length; c += CHUNK) {
    text += String.fromCharCode.apply(null, codes.subarray(c, c + CHUNK) as unknown as number[]);
  }
  return text;
}

/**
 * Decodes base64 text from index `start` on (padding optional). Throws an `Error` on any
 * character outside the alphabet, misplaced padding or an impossible length.
 */
export function decodeBase64(text: string, start = 0): Uint8Array {
  let end = text.length;
  if (end > start && text.charCodeAt(end - 1) === PAD) end--;
  if (end > start && text.charCodeAt(end - 1) === PAD) end--;
  const chars = end - start;
  if (chars % 4 === 1 || (end < text.length && (text.length - start) % 4 !== 0)) {
    throw new Error('invalid base64: bad length or padding');
  }
  const out = new Uint8Array(Math.floor((chars * 3) / 4));
  let o = 0;
  let i = start;
  for (const whole = end - (chars % 4); i < whole; i += 4) {
    const n = (sextet(text, i) << 18) | (sextet(text, i + 1) << 12) | (sextet(text, i + 2) << 6) | sextet(text, i + 3);
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
    out[o++] = n & 255;
  }
  const rest = end - i;
  if (rest >= 2) {
    const n = (sextet(text, i) << 18) | (sextet(text, i + 1) << 12) | (rest === 3 ? sextet(text, i + 2) << 6 : 0);
    out[o++] = n >> 16;
    if (rest === 3) out[o++] = (n >> 8) & 255;
  }
  return out;
}

function sextet(text: string, index: number): number {
  const code = text.charCodeAt(index);
  const value = code < 128 ? DECODE[code]! : -1;
  if (value < 0) throw new Error(`invalid base64: unexpected character at offset ${index}`);
  return value;
}
