import type { Serializer, SerializerName } from '@junction/wamp';
import { jsonSerializer } from '@junction/wamp/json';

/**
 * The serializers this bundle can use by name. JSON is always here; MessagePack and CBOR join when
 * `@junction/client/msgpack` or `@junction/client/cbor` is imported (the Node entry imports both),
 * so a browser bundle that never asks for them carries neither msgpackr nor cbor-x.
 */
const loaded = new Map<string, Serializer>([[jsonSerializer.name, jsonSerializer]]);

/** Our order of preference when no list is given: the binary formats first, as `@junction/wamp` orders them. */
const DEFAULT_ORDER: readonly SerializerName[] = ['msgpack', 'cbor', 'json'];

/** Makes `serializer` usable by its name in `serializers` lists and part of the default list. */
export function loadSerializer(serializer: Serializer): void {
  loaded.set(serializer.name, serializer);
}

/**
 * Resolves a serializer preference list (names or {@link Serializer} objects) to serializers, in
 * that order. Without a list: every loaded serializer, MessagePack, CBOR, then JSON; that is all
 * three in Node, and JSON alone in a browser bundle unless `@junction/client/msgpack` or
 * `@junction/client/cbor` was imported. A name that is not loaded throws a `TypeError` saying
 * which import adds it.
 */
export function resolveSerializers(preference?: readonly (SerializerName | Serializer)[]): Serializer[] {
  if (preference === undefined) return DEFAULT_ORDER.flatMap((name) => loaded.get(name) ?? []);
  if (preference.length === 0) throw new TypeError('serializers: give at least one');
  return preference.map((entry) => {
    if (typeof entry !== 'string') return entry;
    const serializer = loaded.get(entry);
    if (serializer !== undefined) return serializer;
    if (entry === 'msgpack' || entry === 'cbor') {
      throw new TypeError(`WAMP serializer "${entry}" is not loaded (the browser entry loads JSON only): add \`import '@junction/client/${entry}';\` (or pass its \`${entry}Serializer\` export in \`serializers\`)`);
    }
    throw new TypeError(`unknown WAMP serializer "${entry}" (known: ${DEFAULT_ORDER.join(', ')})`);
  });
}

/** The serializer of `list` bound to the subprotocol the server chose, or an error naming the problem. */
export function serializerForProtocol(list: readonly Serializer[], protocol: string): Serializer {
  const serializer = list.find((s) => s.protocol === protocol);
  if (serializer !== undefined) return serializer;
  throw new Error(protocol === '' ? 'the server chose no WAMP subprotocol' : `the server chose subprotocol "${protocol}", which we did not offer`);
}
