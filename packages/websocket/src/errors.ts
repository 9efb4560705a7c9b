import { CloseCode } from './constants.js';

/** Machine-readable error codes carried by {@link WebSocketError.code}. */
export type WebSocketErrorCode =
  | 'WS_ERR_INVALID_OPCODE'
  | 'WS_ERR_UNEXPECTED_RSV'
  | 'WS_ERR_EXPECTED_MASK'
  | 'WS_ERR_UNEXPECTED_MASK'
  | 'WS_ERR_INVALID_LENGTH'
  | 'WS_ERR_CONTROL_TOO_LONG'
  | 'WS_ERR_FRAGMENTED_CONTROL'
  | 'WS_ERR_INVALID_CONTINUATION'
  | 'WS_ERR_EXPECTED_CONTINUATION'
  | 'WS_ERR_INVALID_CLOSE_PAYLOAD'
  | 'WS_ERR_INVALID_CLOSE_CODE'
  | 'WS_ERR_INVALID_UTF8'
  | 'WS_ERR_MESSAGE_TOO_BIG'
  | 'WS_ERR_INFLATE'
  | 'WS_ERR_DATA_AFTER_CLOSE'
  | 'WS_ERR_BUFFER_FULL'
  | 'WS_ERR_HEARTBEAT_TIMEOUT'
  | 'WS_ERR_HANDSHAKE'
  | 'WS_ERR_HANDSHAKE_TIMEOUT'
  | 'WS_ERR_INTERNAL';

/** The server's answer when it refused a client's opening handshake (anything but 101). */
export interface HandshakeResponse {
  /** HTTP status code, e.g. 401. */
  statusCode: number;
  /** HTTP reason phrase, e.g. `Unauthorized`. */
  statusMessage: string;
  /** Response headers, names in lower case (repeated ones as arrays). */
  headers: Record<string, string | string[]>;
  /**
   * The response body as UTF-8 text: at most 64 KiB, read until `Content-Length` bytes arrived
   * or the server closed the connection. Empty for a chunked body.
   */
  body: string;
}

/**
 * An error raised by the WebSocket layer. `code` says what went wrong in a stable,
 * machine-readable way; `closeCode` is the close status the connection was (or will be) closed with.
 */
export class WebSocketError extends Error {
  /** Stable machine-readable code, e.g. `WS_ERR_INVALID_UTF8`. */
  readonly code: WebSocketErrorCode;
  /** The RFC 6455 close code that goes with this error (1002, 1007, 1008, 1009, 1011...). */
  readonly closeCode: number;
  /** With `WS_ERR_HANDSHAKE` from a client: the server's refusal (status, headers, body), when it sent one. */
  readonly response?: HandshakeResponse;

  constructor(code: WebSocketErrorCode, closeCode: number, message: string, response?: HandshakeResponse) {
    super(message);
    this.name = 'WebSocketError';
    this.code = code;
    this.closeCode = closeCode;
    if (response !== undefined) this.response = response;
  }
}

/** Shorthand for a protocol violation (close code 1002). */
export function protocolError(code: WebSocketErrorCode, message: string): WebSocketError {
  return new WebSocketError(code, CloseCode.ProtocolError, message);
}
