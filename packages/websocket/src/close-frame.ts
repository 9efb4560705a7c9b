/**
 * Close frame payloads (RFC 6455 §5.5.1, §7.4): an optional 2-byte status code followed by
 * an optional UTF-8 reason.
 *
 * @module
 */
import { CloseCode, MAX_CONTROL_PAYLOAD, isValidWireCloseCode } from './constants.js';
import { WebSocketError, protocolError } from './errors.js';
import { isValidUtf8 } from './utf8.js';

/** A control payload holds at most 125 bytes, two of which are the code. */
const MAX_REASON_BYTES = MAX_CONTROL_PAYLOAD - 2;

/**
 * Parses the payload of a received close frame. Empty -> `{ code: 1005, reason: '' }`.
 * A 1-byte payload, a code that is not valid on the wire (see `isValidWireCloseCode`), or a
 * reason that is not UTF-8 -> a WebSocketError (returned, not thrown):
 * `WS_ERR_INVALID_CLOSE_PAYLOAD` / `WS_ERR_INVALID_CLOSE_CODE` with close code 1002, and
 * `WS_ERR_INVALID_UTF8` with 1007 for the reason.
 *
 * @param payload - the unmasked close frame payload
 */
export function parseClosePayload(payload: Uint8Array): { code: number; reason: string } | WebSocketError {
  const length = payload.length;
  if (length === 0) return { code: CloseCode.NoStatus, reason: '' };
  if (length === 1) {
    return protocolError('WS_ERR_INVALID_CLOSE_PAYLOAD', 'Close frame payload of 1 byte');
  }
  const code = (payload[0]! << 8) | payload[1]!;
  if (!isValidWireCloseCode(code)) {
    return protocolError('WS_ERR_INVALID_CLOSE_CODE', `Invalid close code ${code}`);
  }
  if (length === 2) return { code, reason: '' };
  const reason = payload.subarray(2);
  if (!isValidUtf8(reason)) {
    return new WebSocketError('WS_ERR_INVALID_UTF8', CloseCode.InvalidPayload, 'Close reason is not valid UTF-8');
  }
  return { code, reason: Buffer.from(reason.buffer, reason.byteOffset, reason.length).toString('utf8') };
}

/**
 * Builds a close payload. `code` undefined -> empty payload (`reason` must then be empty).
 *
 * @param code - status code to send; must be valid on the wire (1000-1003, 1007-1014, 3000-4999)
 * @param reason - human-readable reason, at most 123 bytes once UTF-8 encoded
 * @throws RangeError for an invalid wire code, a reason without a code, or a reason longer
 * than 123 UTF-8 bytes
 */
export function encodeClosePayload(code?: number, reason?: string): Buffer {
  if (code === undefined) {
    if (reason) throw new RangeError('A close reason needs a close code');
    return Buffer.alloc(0);
  }
  if (!Number.isInteger(code) || !isValidWireCloseCode(code)) {
    throw new RangeError(`Invalid close code for the wire: ${code}`);
  }
  if (!reason) {
    const payload = Buffer.allocUnsafe(2);
    payload.writeUInt16BE(code, 0);
    return payload;
  }
  const reasonBytes = Buffer.byteLength(reason, 'utf8');
  if (reasonBytes > MAX_REASON_BYTES) {
    throw new RangeError(`Close reason is ${reasonBytes} bytes of UTF-8; the limit is ${MAX_REASON_BYTES}`);
  }
  const payload = Buffer.allocUnsafe(2 + reasonBytes);
  payload.writeUInt16BE(code, 0);
  payload.write(reason, 2, 'utf8');
  return payload;
}
