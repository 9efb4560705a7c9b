import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { CloseCode, DEFAULT_MAX_PAYLOAD } from '../constants.js';
import { WebSocketError } from '../errors.js';
import { generateKey, validateUpgradeResponse } from '../handshake.js';
import { parseExtensionsHeader } from '../extension-header.js';
import { acceptDeflateResponse, deflateOfferHeader } from '../permessage-deflate.js';
import type { MessageCodec } from '../connection.js';
import { createDeflateCodec, resolveDeflateOptions } from './deflate.js';
import type { WebSocket, WebSocketClientOptions } from './websocket.js';

/**
 * A client handshake in flight.
 * @internal
 */
export interface ClientHandshake {
  abort(error: Error): void;
}

/**
 * Sends the opening handshake of a client and, on a valid 101 answer, hands the socket to `ws`.
 * Node's HTTP client parses the bytes; the checks are the sans-I/O ones in `handshake.ts`.
 * @internal
 */
export function startClientHandshake(ws: WebSocket, url: URL, protocols: string[], options: WebSocketClientOptions): ClientHandshake {
  const key = generateKey();
  const deflate = resolveDeflateOptions(options.perMessageDeflate, true);
  const headers: Record<string, string> = {
    ...options.headers,
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': key,
  };
  if (protocols.length > 0) headers['Sec-WebSocket-Protocol'] = protocols.join(', ');
  if (deflate !== null) headers['Sec-WebSocket-Extensions'] = deflateOfferHeader(deflate);
  if (options.origin !== undefined) headers['Origin'] = options.origin;

  const isTls = url.protocol === 'wss:';
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const request = (isTls ? https : http).request({
    ...(isTls ? options.tls : undefined),
    host,
    port: url.port === '' ? (isTls ? 443 : 80) : Number(url.port),
    path: `${url.pathname || '/'}${url.search}`,
    method: 'GET',
    headers,
    agent: false,
    ...(isTls && options.tls?.servername === undefined && !/^[\d.:]+$/.test(host) ? { servername: host } : {}),
  });

  let settled = false;
  const timer = setTimeout(() => {
    fail(new WebSocketError('WS_ERR_HANDSHAKE_TIMEOUT', CloseCode.Abnormal, `Opening handshake timed out after ${options.handshakeTimeout ?? 10000} ms`));
  }, options.handshakeTimeout ?? 10000);
  timer.unref();

  function fail(error: Error, socket?: Socket): void {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    request.destroy();
    socket?.destroy();
    ws.failHandshake(error);
  }

  request.on('error', (err) => fail(err));
  request.on('response', (res) => {
    res.resume();
    fail(new WebSocketError('WS_ERR_HANDSHAKE', CloseCode.Abnormal, `Unexpected server response: ${res.statusCode} ${res.statusMessage ?? ''}`.trim()));
  });
  request.on('upgrade', (res, socket: Socket, head: Buffer) => {
    if (settled) {
      socket.destroy();
      return;
    }
    let protocol: string;
    let extensions = '';
    let codec: MessageCodec | null = null;
    try {
      const checked = validateUpgradeResponse({ statusCode: res.statusCode ?? 0, headers: res.headers }, { key, protocols });
      protocol = checked.protocol;
      const answered = parseExtensionsHeader(checked.extensions);
      if (answered.length > 0) {
        if (deflate === null || answered.some((offer) => offer.name !== 'permessage-deflate')) {
          throw new Error(`The server answered extensions we did not offer: ${String(checked.extensions)}`);
        }
        const params = acceptDeflateResponse(answered, deflate);
        codec = createDeflateCodec(params, false, deflate, options.maxPayload ?? DEFAULT_MAX_PAYLOAD);
        extensions = Array.isArray(checked.extensions) ? checked.extensions.join(', ') : (checked.extensions ?? '');
      }
    } catch (err) {
      const error = err instanceof WebSocketError ? err : new WebSocketError('WS_ERR_HANDSHAKE', CloseCode.Abnormal, (err as Error).message);
      fail(error, socket);
      return;
    }
    settled = true;
    clearTimeout(timer);
    ws.attach(socket, head, { protocol, extensions, codec });
    ws.opened();
  });
  request.end();

  return {
    abort(error: Error): void {
      fail(error);
    },
  };
}
