/**
 * The Node entry of `@junction/client` (export condition `node`): everything of the browser entry,
 * with {@link connect} opening WebSockets through `@junction/websocket`, and all three serializers
 * loaded (MessagePack, CBOR, JSON: the default list, and usable by name).
 * @packageDocumentation
 */
import './msgpack.js';
import './cbor.js';
import { connectWith, type Client, type ClientOptions, type TransportConnector } from './client.js';
import { connectNodeWebSocket } from './transports/node.js';

export * from './index.js';
export { connectNodeWebSocket } from './transports/node.js';

/** Opens `@junction/websocket` connections, with `options.webSocketOptions`. */
export const nodeConnector: TransportConnector = (url, serializers, signal, options) => connectNodeWebSocket(url, serializers, signal, options.webSocketOptions);

/**
 * Connects to a router over `@junction/websocket` and resolves once the first session is
 * established; see the browser entry's `connect` for the rules.
 */
export function connect(options: ClientOptions): Promise<Client> {
  return connectWith(options, nodeConnector);
}
