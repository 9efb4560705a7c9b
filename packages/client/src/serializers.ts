import { SERIALIZERS, serializerByName, type Serializer, type SerializerName } from '@junction/wamp';

/**
 * Resolves a serializer preference list (names or {@link Serializer} objects) to serializers, in
 * that order; without one, every serializer of `@junction/wamp` in its default order.
 */
export function resolveSerializers(preference?: readonly (SerializerName | Serializer)[]): Serializer[] {
  if (preference === undefined) return [...SERIALIZERS];
  if (preference.length === 0) throw new TypeError('serializers: give at least one');
  return preference.map((entry) => {
    if (typeof entry !== 'string') return entry;
    const serializer = serializerByName(entry);
    if (serializer === undefined) throw new TypeError(`unknown WAMP serializer "${entry}" (known: ${SERIALIZERS.map((s) => s.name).join(', ')})`);
    return serializer;
  });
}

/** The serializer of `list` bound to the subprotocol the server chose, or an error naming the problem. */
export function serializerForProtocol(list: readonly Serializer[], protocol: string): Serializer {
  const serializer = list.find((s) => s.protocol === protocol);
  if (serializer !== undefined) return serializer;
  throw new Error(protocol === '' ? 'the server chose no WAMP subprotocol' : `the server chose subprotocol "${protocol}", which we did not offer`);
}
