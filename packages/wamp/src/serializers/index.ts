/**
 * The registry of every serializer Junction ships. Importing it loads msgpackr and cbor-x: code
 * that needs only some serializers (a browser bundle) imports them one by one instead, from
 * `@junction/wamp/json`, `@junction/wamp/msgpack` and `@junction/wamp/cbor`, which share no heavy import.
 */
import type { Serializer } from '../serializer.js';
import { cborSerializer } from './cbor.js';
import { jsonSerializer } from './json.js';
import { msgpackSerializer } from './msgpack.js';

export { cborSerializer } from './cbor.js';
export { jsonSerializer } from './json.js';
export { msgpackSerializer } from './msgpack.js';

/**
 * Every serializer Junction ships, in our default order of preference: MessagePack, CBOR, JSON.
 * The binary ones carry binary values without base64 and need no UTF-8 validation of text frames;
 * MessagePack first because msgpackr encodes and decodes a typical CALL fastest here and every WAMP
 * client library we test with speaks it, CBOR next (Autobahn|Python's first choice), JSON last as
 * the format every WAMP peer speaks.
 */
export const SERIALIZERS: readonly Serializer[] = /* @__PURE__ */ Object.freeze([msgpackSerializer, cborSerializer, jsonSerializer]);

/** The WebSocket subprotocols of {@link SERIALIZERS}, in the same order of preference. */
export const WAMP_PROTOCOLS: readonly string[] = /* @__PURE__ */ Object.freeze(/* @__PURE__ */ SERIALIZERS.map((s) => s.protocol));

/** The serializer with this short name (`json`, `msgpack`, `cbor`), or `undefined`. */
export function serializerByName(name: string): Serializer | undefined {
  return SERIALIZERS.find((s) => s.name === name);
}

/** The serializer for this WebSocket subprotocol (`wamp.2.json`, ...), or `undefined`. */
export function serializerByProtocol(protocol: string): Serializer | undefined {
  return SERIALIZERS.find((s) => s.protocol === protocol);
}

/**
 * The subprotocols to offer (client) or serve (router) for a preference list of serializer names,
 * in that order; without one, {@link WAMP_PROTOCOLS}. Throws on an unknown name.
 */
export function wampProtocols(preference?: readonly string[]): string[] {
  if (preference === undefined) return [...WAMP_PROTOCOLS];
  return preference.map((name) => {
    const serializer = serializerByName(name);
    if (serializer === undefined) throw new Error(`unknown WAMP serializer "${name}" (known: ${SERIALIZERS.map((s) => s.name).join(', ')})`);
    return serializer.protocol;
  });
}
