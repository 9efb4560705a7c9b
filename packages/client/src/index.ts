/**
 * `@junction/client`: a WAMP v2 client for browsers and Node: calls (with progressive results,
 * timeouts and cancellation), registrations, subscriptions, publications, authentication and
 * reconnects. This entry (the browser build) uses the global `WebSocket`; the `node` export
 * condition resolves to `dist/node.js`, which uses `@junction/websocket` instead.
 *
 * Serializers: this entry loads JSON only, so a browser bundle carries neither msgpackr nor
 * cbor-x. `import '@junction/client/msgpack'` and `import '@junction/client/cbor'` add the
 * others (usable by name, and first in the default list); their `msgpackSerializer` and
 * `cborSerializer` exports can also go straight into `serializers`. The Node entry loads all three.
 * @packageDocumentation
 */
import { connectWith, type Client, type ClientOptions } from './client.js';

/**
 * Connects to a router and resolves once the first session is established (WELCOME). Rejects on
 * ABORT, or when the first connection fails and reconnecting is off or exhausted.
 */
export function connect(options: ClientOptions): Promise<Client> {
  return connectWith(options);
}

export { Client, Registration, Subscription, connectWith } from './client.js';
export type { ClientOptions, ClientEvents, ClientCloseInfo, ReconnectingInfo, TransportConnector } from './client.js';
export { Session } from './session.js';
export { ProgressiveCall } from './progressive-call.js';
export type { SessionOptions, SessionState, SessionCloseInfo, EventSink } from './session.js';
export { InvocationContext, InvocationResult, result } from './callee.js';
export type { InvocationHandler, InvocationChunk, ProcedureTarget } from './callee.js';
export type { ClientAuth } from './client-auth.js';
export { ticketAuth, wampcraAuth, deriveWampcraKey, signWampcraChallenge, cryptosignAuth } from './auth/index.js';
export type { TicketAuthOptions, WampcraAuthOptions, CryptosignAuthOptions, CryptosignClientAuth } from './auth/index.js';
export { ClientErrorUri } from './errors.js';
export { DEFAULT_RECONNECT, reconnectDelay, reconnectPolicy } from './backoff.js';
export type { ReconnectOptions } from './backoff.js';
export { connectWebSocket } from './transports/browser.js';
export type { WebSocketLike, WebSocketConstructor } from './transports/browser.js';
export { resolveSerializers } from './serializers.js';
export { jsonSerializer } from '@junction/wamp/json';
export { JUNCTION_CLIENT_ROLES } from './roles.js';
export { WampError, ErrorUri } from '@junction/wamp';
export type { MessageTransport, Serializer, SerializerName, MatchPolicy } from '@junction/wamp';
export type {
  CallOptions,
  CallResult,
  CancelMode,
  Dict,
  EventHandler,
  EventMessageData,
  EventsOptions,
  Publication,
  PublishOptions,
  RegisterOptions,
  SubscribeOptions,
  WelcomeDetails,
} from './types.js';
