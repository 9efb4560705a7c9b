// Also the subpath `@junction/wamp/cbor`: the only module that imports cbor-x (the registry reaches it through here).
import { Decoder, Encoder } from 'cbor-x';
import type { Options as DecoderOptions } from 'cbor-x';
import type { Serializer } from '../serializer.js';
import { encodeError } from './errors.js';
import { prepareForCbor } from './prepare.js';

// Plain CBOR that every WAMP implementation reads:
// - useRecords: false: maps, not cbor-x's record extension; decoded maps become plain objects.
// - tagUint8Array: false: binary as a plain byte string, not tagged 64 (cbor-x tags Uint8Array in Node).
// - variableMapSize: smallest map headers, no 65,535-key limit.
// - encodeUndefinedAsNil: null, not CBOR `undefined` (prepareForCbor catches it first; this covers
//   values inside class instances the pass does not enter).
// - int64AsNumber (supported by decode.js, missing from its typings): 64-bit integers decode to
//   numbers (exact up to 2^53), never to BigInt, which the rest of the stack could not carry.
// - copyBuffers: decoded binary values own their bytes instead of pinning the whole frame.
const encoder = new Encoder({ useRecords: false, tagUint8Array: false, variableMapSize: true, encodeUndefinedAsNil: true });
const decoderOptions: DecoderOptions & { int64AsNumber: boolean } = { useRecords: false, mapsAsObjects: true, int64AsNumber: true, copyBuffers: true };
const decoder = new Decoder(decoderOptions);

// cbor-x always honours value sharing (tags 28/29) and packed values (tag 51, with references in
// tag 6): no decoder option turns them off, and replacing its global extension table would change
// cbor-x for the whole process. A peer could use them to send a cyclic or exponentially shared value that hangs or
// overflows whoever encodes it next. Such tags are rare, so bytes that may hold one get a walk
// that allows no more values than a tree of that many bytes can have.
const SHARING_TAGS = [28, 29, 51];

function mayShareValues(bytes: Uint8Array): boolean {
  // A tag in 24..255 is 0xd8 + 1 byte; decoders also take the longer forms with leading zeros.
  for (let head = 0xd8; head <= 0xdb; head++) {
    const width = 1 << (head - 0xd8);
    for (let i = bytes.indexOf(head); i !== -1; i = bytes.indexOf(head, i + 1)) {
      let zeros = true;
      for (let j = 1; j < width; j++) if (bytes[i + j] !== 0) zeros = false;
      if (zeros && SHARING_TAGS.includes(bytes[i + width]!)) return true;
    }
  }
  return false;
}

/** Throws when `value` holds more values than `budget` (a cycle or a shared subtree repeated). */
function checkTreeSize(value: unknown, budget: number): void {
  let remaining = budget;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (--remaining < 0) throw new Error('shared or cyclic values (CBOR tags 28, 29, 51) are not supported');
    if (typeof item !== 'object' || item === null || ArrayBuffer.isView(item)) continue;
    if (Array.isArray(item)) {
      for (const child of item) stack.push(child);
    } else if (item instanceof Map || item instanceof Set) {
      for (const child of item.values()) stack.push(child);
    } else {
      for (const key in item) stack.push((item as Record<string, unknown>)[key]);
    }
  }
}

/**
 * `wamp.2.cbor`: CBOR (cbor-x) in binary frames. Binary values travel as byte strings and decode to
 * `Uint8Array` (a `Buffer` in Node). Integers up to 2^53 in magnitude travel as integers (cbor-x
 * alone would write those beyond 32 bits as float64).
 */
export const cborSerializer: Serializer = {
  name: 'cbor',
  protocol: 'wamp.2.cbor',
  binary: true,

  encode(message: readonly unknown[]): Uint8Array {
    try {
      return encoder.encode(prepareForCbor(message));
    } catch (error) {
      throw encodeError('CBOR', error);
    }
  },

  decode(data: Uint8Array | string): unknown {
    if (typeof data === 'string') throw new Error('malformed CBOR message: got text, expected binary');
    try {
      const value: unknown = decoder.decode(data);
      if (mayShareValues(data)) checkTreeSize(value, data.length);
      return value;
    } catch (error) {
      throw new Error(`malformed CBOR message: ${error instanceof Error ? error.message : String(error)}`);
    }
  },
};
