/**
 * Error URIs of our own that the client uses for conditions the WAMP spec does not name. The
 * spec's URIs are in `ErrorUri` from `@junction/wamp`.
 */
export const ClientErrorUri = {
  /** The connection (or session) ended while the request was pending. */
  CONNECTION_LOST: 'junction.error.connection_lost',
  /** The client has no established session (connecting, reconnecting or closed). */
  NOT_CONNECTED: 'junction.error.not_connected',
  /** Reconnecting gave up (`reconnect.maxRetries` attempts failed). */
  RECONNECT_FAILED: 'junction.error.reconnect_failed',
  /** An async iterator ({@link Client.events}) queued more items than its limit: the consumer is too slow. */
  QUEUE_OVERFLOW: 'junction.error.queue_overflow',
  /**
   * The server refused the WebSocket handshake with an HTTP status that retrying will not change
   * (4xx but 408, 425 and 429, e.g. 401 or 403 from an authenticating proxy): `connect()`
   * rejects with it and reconnecting stops. kwargs: `status`, `body`. Node only: browsers do not
   * tell a page why a handshake failed. A custom `transport` may reject with it too.
   */
  CONNECTION_REFUSED: 'junction.error.connection_refused',
} as const;
