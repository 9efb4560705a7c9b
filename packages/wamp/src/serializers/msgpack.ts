// Also the subpath `@junction/wamp/msgpack`: the only module that imports msgpackr (the registry reaches it through here).
import { Packr, Unpackr } from 'msgpackr';
import type { Serializer } from '../serializer.js';
import { encodeError } from './errors.js';
import { prepareForMsgpack } from './prepare.js';

// Plain MessagePack that every WAMP implementation reads:
// - useRecords: false: maps, not msgpackr's record extension; decoded maps become plain objects.
// - variableMapSize: fixmap for small dicts (the common `{}` costs 1 byte, not 3) and no 65,535-key limit.
// - encodeUndefinedAsNil: nil instead of msgpackr's private extension (prepareForMsgpack catches it
//   first; this covers values inside class instances the pass does not enter).
// - int64AsType 'number': 64-bit integers decode to numbers (exact up to 2^53), never to BigInt,
//   which the rest of the stack (JSON above all) could not carry.
// - copyBuffers: decoded binary values own their bytes instead of pinning the whole frame.
// - structuredClone: false: msgpackr otherwise honours its reference extensions (0x69/0x70) even when
//   decoding, so a peer could send a cyclic or exponentially shared value that hangs or overflows
//   whoever encodes it next.
const packr = new Packr({ useRecords: false, variableMapSize: true, encodeUndefinedAsNil: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number', copyBuffers: true, structuredClone: false });

/**
 * `wamp.2.msgpack`: MessagePack (msgpackr) in binary frames. Binary values travel as `bin` and
 * decode to `Uint8Array` (a `Buffer` in Node). Integers up to 2^53 in magnitude travel as integers
 * (msgpackr alone would write those beyond 32 bits as float64).
 */
export const msgpackSerializer: Serializer = {
  name: 'msgpack',
  protocol: 'wamp.2.msgpack',
  binary: true,

  encode(message: readonly unknown[]): Uint8Array {
    try {
      return packr.pack(prepareForMsgpack(message));
    } catch (error) {
      throw encodeError('MessagePack', error);
    }
  },

  decode(data: Uint8Array | string): unknown {
    if (typeof data === 'string') throw new Error('malformed MessagePack message: got text, expected binary');
    try {
      return unpackr.unpack(data);
    } catch (error) {
      throw new Error(`malformed MessagePack message: ${error instanceof Error ? error.message : String(error)}`);
    }
  },
};
