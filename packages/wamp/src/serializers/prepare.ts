/**
 * Copy-on-write passes over an outgoing message, for what the codecs would otherwise get wrong.
 * They descend into arrays and plain objects only and return the input itself when nothing needs
 * changing, so a common message costs one walk and no allocation. The caller's message (which the
 * broker may share between subscribers) is never modified.
 */
import { encodeBase64 } from './base64.js';

const MAX_EXACT = 2 ** 53;

/** Plain objects (`{}`, `Object.create(null)`, parsed dicts): other class instances are left to the codec. */
export function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Sets an own property, also for the key `__proto__` (a plain assignment would change the prototype). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Copies a plain object's own enumerable properties into a fresh plain object (keeping `__proto__` as data). */
function copyObject(source: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(source)) setOwn(copy, key, source[key]);
  return copy;
}

/** Applies `fix` to each element and property, copying a container only when something changed. */
function mapChildren(value: object, fix: (item: unknown) => unknown): object {
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'string' || typeof item === 'boolean' || item === null) continue;
      const fixed = fix(item);
      // `fixed === fixed` skips NaN, which fix returns unchanged but never compares equal.
      if (fixed !== item && fixed === fixed) (out ??= value.slice())[i] = fixed;
    }
    return out ?? value;
  }
  if (!isPlainObject(value)) return value;
  let out: Record<string, unknown> | undefined;
  for (const key in value) {
    const item = value[key];
    if (typeof item === 'string' || typeof item === 'boolean' || item === null) continue;
    const fixed = fix(item);
    if (fixed !== item && fixed === fixed) setOwn((out ??= copyObject(value)), key, fixed);
  }
  return out ?? value;
}

/**
 * A pass for msgpackr or cbor-x, which write integers beyond 32 bits as float64: integers up to
 * 2^53 in magnitude become BigInts, which both write as 64-bit integers. `low` is the smallest
 * integer the codec writes as an integer by itself. `undefined` becomes `null`, as JSON does in
 * arrays: msgpackr would write its own extension, and CBOR `undefined` confuses other peers.
 */
function binaryPass(low: number): (value: unknown) => unknown {
  const fix = (value: unknown): unknown => {
    if (typeof value === 'number') {
      return (value > 0xffffffff || value < low) && Number.isInteger(value) && value <= MAX_EXACT && value >= -MAX_EXACT
        ? BigInt(value)
        : value;
    }
    if (value === undefined) return null;
    if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value;
    return mapChildren(value, fix);
  };
  return fix;
}

/** Prepares a message for msgpackr (which writes negative integers below -2^31 as floats, too). */
export const prepareForMsgpack = binaryPass(-0x80000000);
/** Prepares a message for cbor-x (which writes integers in [-2^32, 2^32) as integers by itself). */
export const prepareForCbor = binaryPass(-0x100000000);

/**
 * For JSON: binary values (any `Uint8Array`, including Node's `Buffer`, and `ArrayBuffer`) become
 * `"\0"` + base64 as the spec's JSON binary convention says, and BigInts (which `JSON.stringify`
 * rejects; a binary peer may send 64-bit integers) become numbers.
 */
export function prepareForJson(value: unknown): unknown {
  if (typeof value !== 'object') return typeof value === 'bigint' ? Number(value) : value;
  if (value === null) return value;
  if (value instanceof Uint8Array) return '\0' + encodeBase64(value);
  if (value instanceof ArrayBuffer) return '\0' + encodeBase64(new Uint8Array(value));
  if (ArrayBuffer.isView(value)) return value;
  return mapChildren(value, prepareForJson);
}
