import type { WampMessage } from './messages.js';

/**
 * Encoded copies of one message, by serializer name. The broker hands the same cache to every
 * subscriber of a subscription, so an EVENT is encoded once per serializer, not once per subscriber.
 */
export type EncodedCache = { [serializer: string]: Uint8Array | undefined };

/** How a transport ended: a WebSocket close code and reason (in-process links use 1000). */
export interface TransportCloseInfo {
  code: number;
  reason: string;
  /** True when the closing handshake completed (or the link was closed on purpose in-process). */
  wasClean: boolean;
}

/**
 * A message-level link between a WAMP peer and the router: a WebSocket with a serializer, or an
 * in-process link that passes message arrays without serializing them (embedded sessions).
 *
 * Sessions (client and router side) are written against this interface only, which keeps them
 * free of I/O and runnable in browsers, in Node and in one process.
 */
export interface MessageTransport {
  /** Serializer name: `json`, `msgpack`, `cbor`, or `local` for an in-process link. */
  readonly serializer: string;
  /**
   * Sends one message. `shared`, when given, is a cache of this very message already encoded by
   * serializer name: use (or fill) `shared[serializer]` instead of encoding again.
   */
  send(message: WampMessage, shared?: EncodedCache): void;
  /** Closes the link; `onclose` fires once, later. */
  close(code?: number, reason?: string): void;
  /** Bytes written but not yet sent by the OS (0 for in-process links): for slow-consumer limits. */
  readonly bufferedAmount: number;
  /**
   * Optional: stop reading from the peer until {@link MessageTransport.resumeReading} (a router
   * throttles a session that sends faster than its rate limit this way). Messages already read
   * may still arrive. Transports without it are throttled by queueing alone.
   */
  pauseReading?(): void;
  /** Optional: read again after {@link MessageTransport.pauseReading}. */
  resumeReading?(): void;
  /** Set by the session: each decoded (not yet validated) message. */
  onmessage: ((message: unknown) => void) | null;
  /** Set by the session: the link closed (from either side). */
  onclose: ((info: TransportCloseInfo) => void) | null;
}
