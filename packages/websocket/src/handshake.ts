/**
 * The RFC 6455 opening handshake (§4), sans I/O: checks of the client's upgrade request and
 * of the server's answer, and the raw response text a server writes. The caller parses the
 * HTTP bytes (Node's parser) and writes the strings returned here with `latin1` encoding.
 *
 * @module
 */

import * as nodeCrypto from 'node:crypto';
import { createHash, randomBytes } from 'node:crypto';

import { STATUS_CODES } from 'node:http';

import { WEBSOCKET_GUID } from './constants.js';
import { protocolError, type WebSocketError } from './errors.js';
import {
  asciiLowerCase,
  getHeader,
  headerHasToken,
  isOnlyToken,
  isToken,
  isValidHeaderValue,
  parseTokenList,
  trimOws,
  type HeaderValue,
} from './http-tokens.js';
import { parseProtocolHeader } from './subprotocol.js';

/** `crypto.hash` where this Node has it (>= 20.12); a namespace read, so older Nodes still load us. */
const oneShotHash = (nodeCrypto as { hash?: (algorithm: string, data: Buffer | string, encoding: 'base64') => string }).hash;

/** A refusal of an upgrade request, to be sent with {@link buildRejectionResponse}. */
export interface HandshakeRejection {
  /** HTTP status code (400, 405, 426, or e.g. 401/403 from an application check). */
  status: number;
  /** Extra response headers, e.g. `Sec-WebSocket-Version: 13` on a 426. */
  headers: Record<string, string>;
  /** Short plain-text explanation for the client. */
  body: string;
}

/** The parts of an HTTP request the server-side checks need. */
export interface UpgradeRequestInfo {
  /** Request method, e.g. `GET` (case-sensitive, RFC 7231 §4.1). */
  method: string;
  /** As Node's `req.httpVersion`: `1.1`; an `HTTP/` prefix is tolerated. */
  httpVersion: string;
  /** Request headers in Node's `IncomingHttpHeaders` shape (lower-case keys). */
  headers: Record<string, string | string[] | undefined>;
}

/** What a valid upgrade request carries, for the rest of the server handshake. */
export interface ValidUpgrade {
  /** The client's `Sec-WebSocket-Key`, OWS-trimmed; pass it to {@link buildAcceptResponse}. */
  key: string;
  /** Subprotocols offered, in the client's order (possibly empty). */
  protocols: string[];
  /** Raw `Sec-WebSocket-Extensions` value, for the extension negotiation. */
  extensions: string | string[] | undefined;
}

// 16 bytes encode to 22 base64 characters plus "==". Non-canonical trailing bits in the
// 22nd character are tolerated (RFC 4648 §3.5 lets decoders accept them; Node and ws do).
const KEY_RE = /^[A-Za-z0-9+/]{22}==$/;

function reject(status: number, body: string, headers: Record<string, string> = {}): HandshakeRejection {
  return { status, headers, body };
}

// A single-valued header: one field, OWS-trimmed; a repeated one (array) is invalid.
function singleValue(value: HeaderValue): string | undefined {
  if (Array.isArray(value)) return value.length === 1 ? singleValue(value[0]) : undefined;
  return typeof value === 'string' ? trimOws(value) : undefined;
}

// "1.1", "HTTP/1.1", "2" -> at least HTTP/1.1? Upgrade does not exist in HTTP/1.0.
function isHttp11OrLater(version: string): boolean {
  if (version === '1.1') return true; // nearly every request; the regex allocates its match
  const m = /^(?:HTTP\/)?(\d{1,3})(?:\.(\d{1,3}))?$/.exec(typeof version === 'string' ? version : '');
  if (m === null) return false;
  const major = Number(m[1]);
  const minor = Number(m[2] ?? '0');
  return major > 1 || (major === 1 && minor >= 1);
}

/**
 * Server side: checks a client's opening handshake (RFC 6455 §4.2.1). In order:
 *
 * 1. method `GET`, else **405** with `Allow: GET` (the endpoint exists but only GET can
 *    upgrade; RFC 7231 §6.5.5 requires `Allow` on a 405);
 * 2. HTTP/1.1 or later, else 400;
 * 3. `Upgrade` list contains `websocket` (ASCII case-insensitive), else 400;
 * 4. `Connection` list contains `upgrade` (ASCII case-insensitive), else 400;
 * 5. `Sec-WebSocket-Version` is exactly `13`, else (missing too) **426** with
 *    `Sec-WebSocket-Version: 13` and `Upgrade: websocket` (RFC 6455 §4.2.2, RFC 7231 §6.5.15);
 *    checked before the key because another version may use another key format;
 * 6. `Sec-WebSocket-Key` is the base64 of exactly 16 bytes, else 400;
 * 7. `Sec-WebSocket-Protocol`, if present, parses ({@link parseProtocolHeader}), else 400.
 *
 * Never throws on hostile input: anything malformed yields a rejection whose body says
 * what was wrong. Origin, path, Host and extensions are left to the caller.
 */
export function validateUpgradeRequest(req: UpgradeRequestInfo): ValidUpgrade | HandshakeRejection {
  const headers = req.headers ?? {};

  if (req.method !== 'GET') {
    return reject(405, 'WebSocket upgrade requires the GET method', { Allow: 'GET' });
  }
  if (!isHttp11OrLater(req.httpVersion)) {
    return reject(400, 'WebSocket upgrade requires HTTP/1.1 or later');
  }
  if (!headerHasToken(getHeader(headers, 'upgrade'), 'websocket')) {
    return reject(400, 'Missing or invalid Upgrade header: expected "websocket"');
  }
  if (!headerHasToken(getHeader(headers, 'connection'), 'upgrade')) {
    return reject(400, 'Missing or invalid Connection header: expected "Upgrade"');
  }
  if (singleValue(getHeader(headers, 'sec-websocket-version')) !== '13') {
    return reject(426, 'Unsupported or missing Sec-WebSocket-Version: this server supports 13', {
      'Sec-WebSocket-Version': '13',
      Upgrade: 'websocket',
    });
  }
  const key = singleValue(getHeader(headers, 'sec-websocket-key'));
  if (key === undefined || !KEY_RE.test(key)) {
    return reject(400, 'Missing or invalid Sec-WebSocket-Key header: expected base64 of 16 bytes');
  }
  let protocols: string[];
  try {
    protocols = parseProtocolHeader(getHeader(headers, 'sec-websocket-protocol'));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return reject(400, `Invalid Sec-WebSocket-Protocol header: ${why}`);
  }
  return { key, protocols, extensions: getHeader(headers, 'sec-websocket-extensions') };
}

/** Type guard: true if `x` is a {@link HandshakeRejection} rather than a {@link ValidUpgrade}. */
export function isRejection(x: ValidUpgrade | HandshakeRejection): x is HandshakeRejection {
  return typeof (x as Partial<HandshakeRejection>).status === 'number';
}

const ASCII_RE = /^[\x00-\x7f]*$/;

/** `Sec-WebSocket-Accept` for a key: base64(SHA-1(key + GUID)) (RFC 6455 §4.2.2). */
export function acceptKeyFor(key: string): string {
  const text = key + WEBSOCKET_GUID;
  // crypto.hash (Node >= 20.12) skips the Hash object a one-shot digest does not need, and takes
  // an ASCII string as it is (a valid key is base64, so ASCII). Anything else goes through
  // latin1, which turns the string back into the bytes Node decoded the header from.
  if (oneShotHash && ASCII_RE.test(text)) return oneShotHash('sha1', text, 'base64');
  const input = Buffer.from(text, 'latin1');
  return oneShotHash ? oneShotHash('sha1', input, 'base64') : createHash('sha1').update(input).digest('base64');
}

// Outgoing headers are checked so that no name or value can end its line early and inject
// headers or a body (CR/LF), nor hold characters latin1 cannot carry.
function checkHeader(name: string, value: string): void {
  if (!isToken(name)) throw new TypeError(`Invalid header name ${JSON.stringify(name)}`);
  if (!isValidHeaderValue(value)) {
    throw new TypeError(
      `Invalid value for header ${JSON.stringify(name)}: expected a string without CR, LF, ` +
        'other control characters or code points above U+00FF',
    );
  }
}

function headerLine(name: string, value: string): string {
  checkHeader(name, value);
  return `${name}: ${value}\r\n`;
}

// Headers the 101 response writes itself: an extra copy would corrupt the handshake, and a
// 1xx response must not carry Content-Length or Transfer-Encoding (RFC 7230 §3.3.1-2).
const ACCEPT_RESERVED = new Set([
  'upgrade',
  'connection',
  'sec-websocket-accept',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
  'content-length',
  'transfer-encoding',
]);

/**
 * The raw `101 Switching Protocols` response: status line, `Upgrade`, `Connection`,
 * `Sec-WebSocket-Accept`, then `Sec-WebSocket-Protocol` and `Sec-WebSocket-Extensions` if
 * given and non-empty, then `headers` (an array value gives one line per element), then the
 * blank line. Write it with `latin1` encoding.
 *
 * @throws TypeError if a header name is not a token, a value holds CR, LF or other control
 *   characters (header injection) or code points above U+00FF, `protocol` is not a token,
 *   or `headers` tries to set one of the headers this function owns (those above,
 *   `Content-Length`, `Transfer-Encoding`).
 */
export function buildAcceptResponse(opts: {
  key: string;
  protocol?: string;
  extensions?: string;
  headers?: Record<string, string | string[]>;
}): string {
  let out =
    'HTTP/1.1 101 Switching Protocols\r\n' +
    'Upgrade: websocket\r\n' +
    'Connection: Upgrade\r\n' +
    `Sec-WebSocket-Accept: ${acceptKeyFor(opts.key)}\r\n`;
  if (opts.protocol !== undefined && opts.protocol !== '') {
    if (!isToken(opts.protocol)) {
      throw new TypeError(`Invalid subprotocol ${JSON.stringify(opts.protocol)}: not a token`);
    }
    out += `Sec-WebSocket-Protocol: ${opts.protocol}\r\n`;
  }
  if (opts.extensions !== undefined && opts.extensions !== '') {
    out += headerLine('Sec-WebSocket-Extensions', opts.extensions);
  }
  const headers = opts.headers;
  if (headers !== undefined) {
    for (const [name, value] of Object.entries(headers)) {
      if (ACCEPT_RESERVED.has(asciiLowerCase(name))) {
        throw new TypeError(`Header ${JSON.stringify(name)} is set by the handshake and cannot be overridden`);
      }
      for (const v of Array.isArray(value) ? value : [value]) out += headerLine(name, v);
    }
  }
  return `${out}\r\n`;
}

/**
 * The raw HTTP error response for a rejection: status line with the standard reason phrase,
 * `Connection: close` (plus `Upgrade` when the rejection sends an `Upgrade` header, as
 * RFC 7230 §6.7 requires, plus any tokens of the rejection's own `Connection`),
 * `Content-Type: text/plain; charset=utf-8` (the rejection may override it),
 * `Content-Length`, the rejection's other headers, then the body.
 *
 * The body is UTF-8 encoded into the returned string one byte per character, so writing
 * the whole string with `latin1` encoding sends correct UTF-8 and `Content-Length` counts
 * bytes.
 *
 * @throws RangeError if `status` is not an integer in 300-599 (a 1xx/2xx would read as
 *   success). TypeError for invalid header names or values, or a `Content-Length` or
 *   `Transfer-Encoding` header (the framing is ours).
 */
export function buildRejectionResponse(rejection: HandshakeRejection): string {
  const { status } = rejection;
  if (!Number.isInteger(status) || status < 300 || status > 599) {
    throw new RangeError(`Invalid rejection status ${String(status)}: expected 300-599`);
  }
  const body = Buffer.from(rejection.body ?? '', 'utf8');
  const connection = ['close'];
  const addConnectionToken = (t: string): void => {
    if (!connection.some((c) => asciiLowerCase(c) === asciiLowerCase(t))) connection.push(t);
  };
  let contentType = 'text/plain; charset=utf-8';
  let rest = '';
  for (const [name, value] of Object.entries(rejection.headers ?? {})) {
    const lower = asciiLowerCase(name);
    if (lower === 'content-length' || lower === 'transfer-encoding') {
      throw new TypeError(`Header ${JSON.stringify(name)} is set by buildRejectionResponse`);
    }
    if (lower === 'connection') {
      checkHeader(name, value);
      parseTokenList(value).forEach(addConnectionToken);
    } else if (lower === 'content-type') {
      checkHeader(name, value);
      contentType = value;
    } else {
      if (lower === 'upgrade') addConnectionToken('Upgrade');
      rest += headerLine(name, value);
    }
  }
  const reason = STATUS_CODES[status] ?? 'Unknown';
  return (
    `HTTP/1.1 ${status} ${reason}\r\n` +
    headerLine('Connection', connection.join(', ')) +
    headerLine('Content-Type', contentType) +
    `Content-Length: ${body.length}\r\n` +
    rest +
    '\r\n' +
    body.toString('latin1')
  );
}

/** Client side: a fresh `Sec-WebSocket-Key`, 16 random bytes in base64 (RFC 6455 §4.1). */
export function generateKey(): string {
  return randomBytes(16).toString('base64');
}

function handshakeError(message: string): WebSocketError {
  return protocolError('WS_ERR_HANDSHAKE', message);
}

/**
 * Client side: checks the server's answer to our upgrade request (RFC 6455 §4.1, with the
 * browser rule that a server may decline every offered subprotocol):
 *
 * - status 101;
 * - `Upgrade` is `websocket` (ASCII case-insensitive, a single element);
 * - `Connection` list contains `upgrade`;
 * - `Sec-WebSocket-Accept` equals {@link acceptKeyFor}(`expect.key`);
 * - `Sec-WebSocket-Protocol` absent, or a single name among `expect.protocols` (never
 *   present when we offered none).
 *
 * Extensions are not checked here: the raw `Sec-WebSocket-Extensions` value is returned for
 * the extension module to validate.
 *
 * @returns the chosen subprotocol (`''` if none) and the raw extensions value.
 * @throws WebSocketError with code `WS_ERR_HANDSHAKE` and close code 1002 on any failure.
 */
export function validateUpgradeResponse(
  res: { statusCode: number; headers: Record<string, string | string[] | undefined> },
  expect: { key: string; protocols: readonly string[] },
): { protocol: string; extensions: string | string[] | undefined } {
  const headers = res.headers ?? {};
  if (res.statusCode !== 101) {
    let message = `Unexpected server response: ${String(res.statusCode)} (expected 101 Switching Protocols)`;
    // A 426 names the versions the server speaks (RFC 6455 §4.4): worth showing.
    const versions = singleValue(getHeader(headers, 'sec-websocket-version'));
    if (res.statusCode === 426 && versions !== undefined) {
      message += `; server supports Sec-WebSocket-Version ${JSON.stringify(versions)}`;
    }
    throw handshakeError(message);
  }

  if (!isOnlyToken(getHeader(headers, 'upgrade'), 'websocket')) {
    throw handshakeError('Invalid Upgrade header in server response: expected "websocket"');
  }
  if (!headerHasToken(getHeader(headers, 'connection'), 'upgrade')) {
    throw handshakeError('Invalid Connection header in server response: expected "Upgrade"');
  }
  const accept = singleValue(getHeader(headers, 'sec-websocket-accept'));
  if (accept === undefined) {
    throw handshakeError('Missing Sec-WebSocket-Accept header in server response');
  }
  if (accept !== acceptKeyFor(expect.key)) {
    throw handshakeError('Invalid Sec-WebSocket-Accept header: it does not match the key sent');
  }

  const rawProtocol = getHeader(headers, 'sec-websocket-protocol');
  let protocol = '';
  if (rawProtocol !== undefined) {
    const chosen = singleValue(rawProtocol);
    if (chosen === undefined || !isToken(chosen)) {
      throw handshakeError('Invalid Sec-WebSocket-Protocol header in server response: expected one subprotocol name');
    }
    if (expect.protocols.length === 0) {
      throw handshakeError(`Server sent subprotocol ${JSON.stringify(chosen)} but none was requested`);
    }
    if (!expect.protocols.includes(chosen)) {
      throw handshakeError(`Server sent subprotocol ${JSON.stringify(chosen)}, which was not offered`);
    }
    protocol = chosen;
  }
  return { protocol, extensions: getHeader(headers, 'sec-websocket-extensions') };
}
