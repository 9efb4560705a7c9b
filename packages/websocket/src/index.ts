/**
 * `@junction/websocket`: an RFC 6455 WebSocket implementation with permessage-deflate (RFC 7692).
 *
 * The protocol logic (frames, handshake, negotiation, the per-connection state machine) is
 * sans-I/O code over bytes; `WebSocketServer` and `WebSocket` are thin Node adapters on top.
 * @packageDocumentation
 */
export { WebSocketServer, HttpError } from './node/server.js';
export type { WebSocketServerOptions, WebSocketServerEvents, HeartbeatOptions, ProtocolHandler, UpgradeRequest } from './node/server.js';
export { WebSocket } from './node/websocket.js';
export type { WebSocketEvents, WebSocketClientOptions, WebSocketCommonOptions, SendOptions, SendData, SendCallback, EventListenerLike, SlowConsumerPolicy } from './node/websocket.js';
export { MessageEvent, CloseEvent, ErrorEvent, WebSocketEvent } from './node/events.js';
export { WebSocketError } from './errors.js';
export type { HandshakeResponse, WebSocketErrorCode } from './errors.js';
export { CloseCode, Opcode, ReadyState, WEBSOCKET_GUID, DEFAULT_MAX_PAYLOAD, isValidWireCloseCode } from './constants.js';
export type { PerMessageDeflateOptions } from './permessage-deflate.js';

// The sans-I/O core, for other runtimes and for testing.
export { Connection } from './connection.js';
export type { ConnectionHandler, ConnectionOptions, MessageCodec } from './connection.js';
export { FrameParser } from './frame-parser.js';
export type { FrameParserOptions, FrameSink } from './frame-parser.js';
export { encodeFrame } from './frame-encoder.js';
export type { FrameAllocator } from './frame-encoder.js';
