import { randomFillSync } from 'node:crypto';
import net, { type Socket } from 'node:net';
import tls from 'node:tls';
import { CloseCode, DEFAULT_MAX_PAYLOAD } from '../constants.js';
import { WebSocketError, type HandshakeResponse } from '../errors.js';
import { validateUpgradeResponse } from '../handshake.js';
import { parseExtensionsHeader } from '../extension-header.js';
import { acceptDeflateResponse, deflateOfferHeader } from '../permessage-deflate.js';
import { HttpHeadParser, type HttpHead } from '../http-head-parser.js';
import { isToken, isValidHeaderValue } from '../http-tokens.js';
import type { MessageCodec } from '../connection.js';
import { createDeflateCodec, deflateCodecOptions, resolveDeflateOptions } from './deflate.js';
import type { WebSocket, WebSocketClientOptions } from './websocket.js';

/**
 * A client handshake in flight.
 * @internal
 */
export interface ClientHandshake {
  abort(error: Error): void;
}

/** Largest response head we read, as Node's default `maxHeaderSize`. */
const MAX_RESPONSE_HEAD = 16 * 1024;
/** Largest part of a refusal's body we keep (`WebSocketError.response.body`). */
const MAX_REFUSAL_BODY = 64 * 1024;
/** How much of the body the error message quotes, on one line. */
const QUOTED_BODY = 200;

// Headers the handshake writes itself; a user's copy would corrupt it. The three conditional
// ones (protocol, extensions, origin) are ours only when we set them. A user's Host replaces ours.
const RESERVED = new Set(['upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version']);

/**
 * Sends the opening handshake of a client over a raw TCP or TLS connection and, on a valid 101
 * answer, hands the socket to `ws`. The request head is written by hand, the answer is read by
 * {@link HttpHeadParser}, and the checks are the sans-I/O ones in `handshake.ts`.
 * @throws TypeError (synchronously) for a user header whose name or value could inject lines.
 * @internal
 */
export function startClientHandshake(ws: WebSocket, url: URL, protocols: string[], options: WebSocketClientOptions): ClientHandshake {
  const key = nextKey();
  const deflate = resolveDeflateOptions(options.perMessageDeflate, true);
  const isTls = url.protocol === 'wss:';
  const request = buildRequestHead(url, key, protocols, deflate === null ? undefined : deflateOfferHeader(deflate), options);

  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port === '' ? (isTls ? 443 : 80) : Number(url.port);
  const socket: Socket = isTls
    ? tls.connect({
        ...options.tls,
        host,
        port,
        // SNI takes host names only (RFC 6066 §3).
        ...(options.tls?.servername === undefined && net.isIP(host) === 0 ? { servername: host } : {}),
      })
    : net.connect({ host, port, noDelay: true });
  // Written now, sent once connected (and, with TLS, once secure).
  socket.write(request, 'latin1');

  const parser = new HttpHeadParser('response', MAX_RESPONSE_HEAD);
  let settled = false;
  const timeout = options.handshakeTimeout ?? 10000;
  /** A refused handshake whose body is still arriving. */
  let refusal: { head: HttpHead; chunks: Buffer[]; received: number; wanted: number } | null = null;
  const timer = setTimeout(() => {
    // A slow refusal still says more than a timeout would.
    if (refusal !== null) refused();
    else fail(new WebSocketError('WS_ERR_HANDSHAKE_TIMEOUT', CloseCode.Abnormal, `Opening handshake timed out after ${timeout} ms`));
  }, timeout);
  timer.unref();

  function cleanup(): void {
    settled = true;
    clearTimeout(timer);
    socket.removeListener('close', onClose);
    socket.removeListener('error', onError);
    socket.removeListener('data', onData);
  }

  function fail(error: Error): void {
    if (settled) return;
    cleanup();
    // Late errors of a dying socket must not go unhandled.
    socket.on('error', ignore);
    socket.destroy();
    ws.failHandshake(error);
  }

  function onError(err: Error): void {
    fail(err);
  }

  function onClose(): void {
    if (refusal !== null) refused();
    else fail(new WebSocketError('WS_ERR_HANDSHAKE', CloseCode.Abnormal, 'The server closed the connection during the opening handshake'));
  }

  /** Fails with the refusal's status, headers and the body read so far. */
  function refused(): void {
    const { head, chunks } = refusal!;
    const body = Buffer.concat(chunks).subarray(0, refusal!.wanted).toString('utf8');
    const response: HandshakeResponse = { statusCode: head.statusCode, statusMessage: head.statusMessage, headers: head.headers, body };
    const quoted = body.replace(/\s+/g, ' ').trim();
    const excerpt = quoted.length > QUOTED_BODY ? `${quoted.slice(0, QUOTED_BODY)}…` : quoted;
    const message = `Unexpected server response: ${head.statusCode} ${head.statusMessage}`.trim() + (excerpt === '' ? '' : `: ${excerpt}`);
    fail(new WebSocketError('WS_ERR_HANDSHAKE', CloseCode.Abnormal, message, response));
  }

  /** Reads the body of a refusal (bounded by MAX_REFUSAL_BODY and the handshake timer), then fails. */
  function readRefusal(head: HttpHead, rest: Buffer): void {
    const length = head.headers['content-length'];
    const chunked = /chunked/i.test(String(head.headers['transfer-encoding'] ?? ''));
    // Without a length the body ends when the server closes (RFC 9112 §6.3); a chunked one is not decoded.
    const wanted = chunked ? 0 : typeof length === 'string' && /^\d+$/.test(length) ? Math.min(Number(length), MAX_REFUSAL_BODY) : MAX_REFUSAL_BODY;
    refusal = { head, chunks: [rest], received: rest.length, wanted };
    if (refusal.received >= wanted) refused();
  }

  function onData(chunk: Buffer): void {
    if (refusal !== null) {
      refusal.chunks.push(chunk);
      refusal.received += chunk.length;
      if (refusal.received >= refusal.wanted) refused();
      return;
    }
    const result = parser.push(chunk);
    if (!result.done) return;
    if (result.error) {
      fail(new WebSocketError('WS_ERR_HANDSHAKE', CloseCode.Abnormal, `Invalid HTTP response: ${result.error.message}`));
      return;
    }
    const res = result.head;
    if (res.statusCode !== 101) {
      readRefusal(res, result.rest);
      return;
    }
    let protocol: string;
    let extensions = '';
    let codec: MessageCodec | null = null;
    try {
      const checked = validateUpgradeResponse({ statusCode: res.statusCode, headers: res.headers }, { key, protocols });
      protocol = checked.protocol;
      const answered = parseExtensionsHeader(checked.extensions);
      if (answered.length > 0) {
        if (deflate === null || answered.some((offer) => offer.name !== 'permessage-deflate')) {
          throw new Error(`The server answered extensions we did not offer: ${String(checked.extensions)}`);
        }
        const params = acceptDeflateResponse(answered, deflate);
        codec = createDeflateCodec(params, false, deflateCodecOptions(deflate, options.maxPayload ?? DEFAULT_MAX_PAYLOAD));
        extensions = Array.isArray(checked.extensions) ? checked.extensions.join(', ') : (checked.extensions ?? '');
      }
    } catch (err) {
      fail(err instanceof WebSocketError ? err : new WebSocketError('WS_ERR_HANDSHAKE', CloseCode.Abnormal, (err as Error).message));
      return;
    }
    cleanup();
    // The connection takes over the listeners in this same turn: no byte is missed.
    ws.attach(socket, result.rest, { protocol, extensions, codec });
    ws.opened();
  }

  socket.on('data', onData);
  socket.on('error', onError);
  socket.on('close', onClose);

  return {
    abort(error: Error): void {
      fail(error);
    },
  };
}

/** The request head: request line, Host, the handshake headers, then the user's headers. */
function buildRequestHead(url: URL, key: string, protocols: string[], extensions: string | undefined, options: WebSocketClientOptions): string {
  let own = `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n`;
  if (protocols.length > 0) own += `Sec-WebSocket-Protocol: ${protocols.join(', ')}\r\n`;
  if (extensions !== undefined) own += `Sec-WebSocket-Extensions: ${extensions}\r\n`;
  if (options.origin !== undefined) {
    checkHeader('Origin', options.origin);
    own += `Origin: ${options.origin}\r\n`;
  }

  // The URL parser has percent-encoded the path and query already, and `host` omits default ports.
  let host = url.host;
  let user = '';
  const headers = options.headers;
  if (headers !== undefined) {
    for (const name of Object.keys(headers)) {
      const value: unknown = headers[name];
      if (value === undefined || value === null) continue;
      const lower = name.toLowerCase();
      for (const v of Array.isArray(value) ? (value as unknown[]) : [value]) {
        const text = String(v);
        checkHeader(name, text);
        if (lower === 'host') host = text;
        else if (!isOurs(lower, protocols, extensions, options.origin)) user += `${name}: ${text}\r\n`;
      }
    }
  }
  return `GET ${url.pathname || '/'}${url.search} HTTP/1.1\r\nHost: ${host}\r\n${own}${user}\r\n`;
}

function isOurs(lower: string, protocols: string[], extensions: string | undefined, origin: string | undefined): boolean {
  if (RESERVED.has(lower)) return true;
  if (lower === 'sec-websocket-protocol') return protocols.length > 0;
  if (lower === 'sec-websocket-extensions') return extensions !== undefined;
  return lower === 'origin' && origin !== undefined;
}

// Sec-WebSocket-Key nonces come from a pool of random bytes: one CSPRNG call per 256 keys
// rather than one per connection (which showed in client profiles).
const KEY_POOL = Buffer.alloc(16 * 256);
let keyOffset = KEY_POOL.length;

/** A fresh `Sec-WebSocket-Key`: 16 random bytes in base64 (RFC 6455 §4.1). */
function nextKey(): string {
  if (keyOffset === KEY_POOL.length) {
    randomFillSync(KEY_POOL);
    keyOffset = 0;
  }
  const key = KEY_POOL.toString('base64', keyOffset, keyOffset + 16);
  keyOffset += 16;
  return key;
}

/** Refuses a header that is not a token name with a value free of CR, LF and other controls. */
function checkHeader(name: string, value: string): void {
  if (!isToken(name)) throw new TypeError(`Invalid header name ${JSON.stringify(name)}`);
  if (!isValidHeaderValue(value)) {
    throw new TypeError(`Invalid value for header ${JSON.stringify(name)}: CR, LF, other control characters and code points above U+00FF are not allowed`);
  }
}

function ignore(): void {}
