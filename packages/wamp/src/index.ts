/**
 * `@junction/wamp`: the WAMP v2 building blocks shared by the router and the client: message
 * types and their validation, URIs, IDs, error URIs, roles and serializers. No I/O here.
 * @packageDocumentation
 */
export { MessageType, messageTypeName } from './message-type.js';
export type { MessageTypeCode } from './message-type.js';
export * from './messages.js';
export { ErrorUri } from './error-uris.js';
export type { ErrorUriValue } from './error-uris.js';
export { MAX_ID, randomId, IdSequence, isWampId } from './ids.js';
export { isValidUri, isValidPattern, isReservedUri, wildcardMatches } from './uri.js';
export type { MatchPolicy, UriRule } from './uri.js';
export { WampError } from './wamp-error.js';
export { ROUTER_ROLES, CLIENT_ROLES, hasFeature } from './roles.js';
export type { Serializer, SerializerName } from './serializer.js';
// Each serializer from its own module, so that a bundle importing one of them (`jsonSerializer` in a
// browser) does not reach the registry, which needs all three (and msgpackr and cbor-x).
export { jsonSerializer } from './serializers/json.js';
export { msgpackSerializer } from './serializers/msgpack.js';
export { cborSerializer } from './serializers/cbor.js';
export { SERIALIZERS, WAMP_PROTOCOLS, serializerByName, serializerByProtocol, wampProtocols } from './serializers/index.js';
export type { MessageTransport, TransportCloseInfo, EncodedCache } from './transport.js';
