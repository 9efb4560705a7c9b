/** The GUID that RFC 6455 §1.3 appends to `Sec-WebSocket-Key` to form `Sec-WebSocket-Accept`. */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Frame opcodes (RFC 6455 §5.2). */
export const Opcode = {
  Continuation: 0x0,
  Text: 0x1,
  Binary: 0x2,
  Close: 0x8,
  Ping: 0x9,
  Pong: 0xa,
} as const;
/** One of the values of {@link Opcode}. */
export type Opcode = (typeof Opcode)[keyof typeof Opcode];

/** Close status codes (RFC 6455 §7.4.1) used by this package. */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  UnsupportedData: 1003,
  /** Never sent on the wire: reported when a close frame had no status code. */
  NoStatus: 1005,
  /** Never sent on the wire: reported when the TCP connection dropped without a close frame. */
  Abnormal: 1006,
  InvalidPayload: 1007,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  MandatoryExtension: 1010,
  InternalError: 1011,
  ServiceRestart: 1012,
  TryAgainLater: 1013,
  BadGateway: 1014,
} as const;

/** RSV1 bit: set on the first frame of a message compressed with permessage-deflate. */
export const RSV1 = 0x40;
/** RSV2 bit: no extension we implement uses it. */
export const RSV2 = 0x20;
/** RSV3 bit: no extension we implement uses it. */
export const RSV3 = 0x10;

/** Control frames carry at most this many payload bytes (RFC 6455 §5.5). */
export const MAX_CONTROL_PAYLOAD = 125;

/** Default limit on the size of one whole message, after decompression: 16 MiB. */
export const DEFAULT_MAX_PAYLOAD = 16 * 1024 * 1024;

/** `readyState` values, as in the WHATWG WebSocket interface. */
export const ReadyState = {
  CONNECTING: 0,
  OPEN: 1,
  CLOSING: 2,
  CLOSED: 3,
} as const;
/** One of the values of {@link ReadyState}. */
export type ReadyState = (typeof ReadyState)[keyof typeof ReadyState];

/**
 * True for a close code that may appear in a close frame on the wire (RFC 6455 §7.4):
 * 1000-1003, 1007-1014 and 3000-4999. 1004, 1005, 1006 and 1015 are reserved and never sent.
 */
export function isValidWireCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1003) ||
    (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999)
  );
}
