// Also the subpath `@junction/wamp/json`. It pulls in no codec library, so a JSON-only browser bundle stays small.
import type { Serializer } from '../serializer.js';
import { encodeError } from './errors.js';
import { decodeBase64 } from './base64.js';
import { isPlainObject, prepareForJson } from './prepare.js';

const encoder = new TextEncoder();
// TextEncoder.encode allocates a fresh buffer per call, which costs several times the encoding of a
// small message. Instead, encodeInto writes messages one after another into a shared slab and each
// gets its own view; a region is never written twice (a full slab is replaced, not reused).
const SLAB_SIZE = 64 * 1024;
// UTF-8 takes at most 3 bytes per UTF-16 unit: texts up to this length need at most a quarter slab.
const MAX_SLAB_TEXT = SLAB_SIZE / 12;
let slab = new Uint8Array(SLAB_SIZE);
let slabOffset = 0;

function encodeUtf8(text: string): Uint8Array {
  const maxBytes = text.length * 3;
  if (text.length > MAX_SLAB_TEXT) return encoder.encode(text);
  if (slabOffset + maxBytes > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE);
    slabOffset = 0;
  }
  const { written } = encoder.encodeInto(text, slabOffset === 0 ? slab : slab.subarray(slabOffset));
  const bytes = slab.subarray(slabOffset, slabOffset + written);
  slabOffset += written;
  return bytes;
}

// fatal: invalid UTF-8 throws instead of turning into U+FFFD; ignoreBOM: a BOM is not JSON.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Turns every string starting with `"\0"` into the bytes its base64 rest encodes (the spec's
 * JSON binary convention), in place: the value was just parsed and belongs to nobody else.
 */
function restoreBinary(value: unknown): unknown {
  if (typeof value === 'string') return value.charCodeAt(0) === 0 ? decodeBase64(value, 1) : value;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'string' || typeof item === 'object') value[i] = restoreBinary(item);
    }
  } else if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      const item = value[key];
      if (typeof item === 'string' || typeof item === 'object') {
        const restored = restoreBinary(item);
        // JSON.parse makes `__proto__` an own data property: define, don't assign, to keep it one.
        if (restored !== item) Object.defineProperty(value, key, { value: restored, enumerable: true, writable: true, configurable: true });
      }
    }
  }
  return value;
}

/**
 * `wamp.2.json`: JSON in text frames. {@link Serializer.encode} returns the UTF-8 bytes of the
 * JSON text; {@link Serializer.decode} takes that text as a string or as UTF-8 bytes. Binary values
 * (`Uint8Array`, so also `Buffer`, and `ArrayBuffer`) travel as `"\0"` + base64 at any depth and
 * come back as `Uint8Array`. Integers are exact up to 2^53, as JavaScript numbers are.
 */
export const jsonSerializer: Serializer = {
  name: 'json',
  protocol: 'wamp.2.json',
  binary: false,

  encode(message: readonly unknown[]): Uint8Array {
    try {
      return encodeUtf8(JSON.stringify(prepareForJson(message)));
    } catch (error) {
      throw encodeError('JSON', error);
    }
  },

  decode(data: Uint8Array | string): unknown {
    let text: string;
    if (typeof data === 'string') {
      text = data;
    } else {
      try {
        text = decoder.decode(data);
      } catch {
        throw new Error('malformed JSON message: invalid UTF-8');
      }
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new Error(`malformed JSON message: ${(error as Error).message}`);
    }
    // A NUL can only appear in JSON text escaped, as \u0000: without one there is no binary to restore.
    if (text.includes('\\u0000')) {
      try {
        value = restoreBinary(value);
      } catch (error) {
        throw new Error(`malformed JSON message: ${(error as Error).message}`);
      }
    }
    return value;
  },
};
