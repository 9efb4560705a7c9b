import type { IncomingHttpHeaders } from 'node:http';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';

import { WebSocketError } from '../src/errors.js';
import {
  acceptKeyFor,
  buildAcceptResponse,
  buildRejectionResponse,
  generateKey,
  isRejection,
  validateUpgradeRequest,
  validateUpgradeResponse,
  type HandshakeRejection,
  type UpgradeRequestInfo,
  type ValidUpgrade,
} from '../src/handshake.js';

const SAMPLE_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const SAMPLE_ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

function request(overrides: Partial<UpgradeRequestInfo> = {}, headers: IncomingHttpHeaders = {}): UpgradeRequestInfo {
  return {
    method: 'GET',
    httpVersion: '1.1',
    ...overrides,
    headers: {
      host: 'server.example.com',
      upgrade: 'websocket',
      connection: 'Upgrade',
      'sec-websocket-key': SAMPLE_KEY,
      'sec-websocket-version': '13',
      ...headers,
    },
  };
}

function expectRejection(result: ValidUpgrade | HandshakeRejection, status: number, body?: RegExp): HandshakeRejection {
  expect(isRejection(result)).toBe(true);
  const rejection = result as HandshakeRejection;
  expect(rejection.status).toBe(status);
  expect(rejection.body.length).toBeGreaterThan(0);
  if (body) expect(rejection.body).toMatch(body);
  return rejection;
}

function expectValid(result: ValidUpgrade | HandshakeRejection): ValidUpgrade {
  if (isRejection(result)) throw new Error(`unexpected rejection ${result.status}: ${result.body}`);
  return result;
}

describe('acceptKeyFor / generateKey', () => {
  it('computes the RFC 6455 §1.3 sample', () => {
    expect(acceptKeyFor(SAMPLE_KEY)).toBe(SAMPLE_ACCEPT);
  });

  it('generates fresh 16-byte base64 keys that the server accepts', () => {
    const keys = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const key = generateKey();
      expect(Buffer.from(key, 'base64')).toHaveLength(16);
      expect(key).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expectValid(validateUpgradeRequest(request({}, { 'sec-websocket-key': key })));
      keys.add(key);
    }
    expect(keys.size).toBe(50);
  });
});

describe('validateUpgradeRequest', () => {
  it('accepts the RFC 6455 §1.3 sample request', () => {
    const result = expectValid(
      validateUpgradeRequest(
        request({}, { 'sec-websocket-protocol': 'chat, superchat', origin: 'http://example.com' }),
      ),
    );
    expect(result).toEqual({ key: SAMPLE_KEY, protocols: ['chat', 'superchat'], extensions: undefined });
  });

  it('accepts a Node IncomingHttpHeaders object as is', () => {
    const headers: IncomingHttpHeaders = {
      upgrade: 'websocket',
      connection: 'Upgrade',
      'sec-websocket-key': SAMPLE_KEY,
      'sec-websocket-version': '13',
      'set-cookie': ['a=1', 'b=2'],
    };
    expectValid(validateUpgradeRequest({ method: 'GET', httpVersion: '1.1', headers }));
  });

  it('returns the raw Sec-WebSocket-Extensions value', () => {
    const ext = 'permessage-deflate; client_max_window_bits';
    expect(expectValid(validateUpgradeRequest(request({}, { 'sec-websocket-extensions': ext }))).extensions).toBe(ext);
    const arr = ['permessage-deflate', 'x-foo'];
    const repeated = request({}, { 'sec-websocket-extensions': arr as unknown as string });
    expect(expectValid(validateUpgradeRequest(repeated)).extensions).toEqual(arr);
  });

  describe('method', () => {
    it.each(['POST', 'HEAD', 'PUT', 'get', 'OPTIONS', ''])('%j -> 405 with Allow: GET', (method) => {
      const r = expectRejection(validateUpgradeRequest(request({ method })), 405, /GET/);
      expect(r.headers).toEqual({ Allow: 'GET' });
    });
  });

  describe('HTTP version', () => {
    it.each(['1.1', '2.0', 'HTTP/1.1', '1.2', '2'])('%j is accepted', (httpVersion) => {
      expectValid(validateUpgradeRequest(request({ httpVersion })));
    });
    it.each(['1.0', '0.9', '1', '', 'x', '1.1.1', 'HTTP/1.0'])('%j -> 400', (httpVersion) => {
      expectRejection(validateUpgradeRequest(request({ httpVersion })), 400, /HTTP\/1\.1/);
    });
  });

  describe('Upgrade header', () => {
    it.each(['websocket', 'WebSocket', 'WEBSOCKET', ' websocket ', 'h2c, websocket', 'websocket, foo', ',websocket,'])(
      '%j is accepted',
      (upgrade) => {
        expectValid(validateUpgradeRequest(request({}, { upgrade })));
      },
    );
    it('accepts a repeated header', () => {
      expectValid(validateUpgradeRequest(request({}, { upgrade: ['h2c', 'websocket'] as unknown as string })));
    });
    it.each([undefined, '', 'h2c', 'web socket', 'websocket/13', 'websockets', 'websoc\u212aet'])('%j -> 400', (upgrade) => {
      expectRejection(validateUpgradeRequest(request({}, { upgrade })), 400, /Upgrade header/);
    });
  });

  describe('Connection header', () => {
    it.each(['Upgrade', 'upgrade', 'UPGRADE', 'keep-alive, Upgrade', 'Upgrade ,keep-alive', ' ,  upgrade', 'close,upgrade'])(
      '%j is accepted',
      (connection) => {
        expectValid(validateUpgradeRequest(request({}, { connection })));
      },
    );
    it('accepts a repeated header', () => {
      expectValid(validateUpgradeRequest(request({}, { connection: ['keep-alive', 'Upgrade'] as unknown as string })));
    });
    it.each([undefined, '', 'keep-alive', 'close', 'upgrade-insecure-requests', 'up grade'])('%j -> 400', (connection) => {
      expectRejection(validateUpgradeRequest(request({}, { connection })), 400, /Connection header/);
    });
  });

  describe('Sec-WebSocket-Version', () => {
    it.each(['13', ' 13 ', '13\t'])('%j is accepted', (v) => {
      expectValid(validateUpgradeRequest(request({}, { 'sec-websocket-version': v })));
    });
    it('accepts a single-element array', () => {
      expectValid(validateUpgradeRequest(request({}, { 'sec-websocket-version': ['13'] as unknown as string })));
    });
    it.each([undefined, '', '8', '7', '12', '14', '013', '13, 8', '13,13', 'thirteen'])('%j -> 426 with Sec-WebSocket-Version: 13', (v) => {
      const r = expectRejection(validateUpgradeRequest(request({}, { 'sec-websocket-version': v })), 426, /13/);
      expect(r.headers['Sec-WebSocket-Version']).toBe('13');
      expect(r.headers.Upgrade).toBe('websocket');
    });
    it('rejects a repeated header with 426', () => {
      const r = validateUpgradeRequest(request({}, { 'sec-websocket-version': ['13', '13'] as unknown as string }));
      expectRejection(r, 426);
    });
    it('is checked before the key', () => {
      expectRejection(validateUpgradeRequest(request({}, { 'sec-websocket-version': '8', 'sec-websocket-key': 'bad' })), 426);
    });
  });

  describe('Sec-WebSocket-Key', () => {
    const b64 = (n: number): string => Buffer.alloc(n, 0xab).toString('base64');

    it('accepts base64 of 16 bytes, trimming OWS', () => {
      expect(expectValid(validateUpgradeRequest(request({}, { 'sec-websocket-key': b64(16) }))).key).toBe(b64(16));
      expect(expectValid(validateUpgradeRequest(request({}, { 'sec-websocket-key': ` ${SAMPLE_KEY}\t` }))).key).toBe(SAMPLE_KEY);
    });

    it.each([
      ['missing', undefined],
      ['empty', ''],
      ['15 bytes', b64(15)],
      ['17 bytes', b64(17)],
      ['32 bytes', b64(32)],
      ['no padding', SAMPLE_KEY.slice(0, 22)],
      ['base64url alphabet', 'dGhlIHNhbXBsZSBub25j-_=='],
      ['non-base64 characters', 'dGhlIHNhbXBsZSBub25j!Q=='],
      ['inner space', 'dGhlIHNhbXBs ZSBub25jZQ=='],
      ['hex instead of base64', '00112233445566778899aabbccddeeff'],
      ['two keys joined', `${SAMPLE_KEY}, ${SAMPLE_KEY}`],
    ])('%s -> 400', (_name, key) => {
      expectRejection(validateUpgradeRequest(request({}, { 'sec-websocket-key': key })), 400, /Sec-WebSocket-Key/);
    });

    it('rejects a repeated header', () => {
      const key = [SAMPLE_KEY, SAMPLE_KEY] as unknown as string;
      expectRejection(validateUpgradeRequest(request({}, { 'sec-websocket-key': key })), 400, /Sec-WebSocket-Key/);
    });
  });

  describe('Sec-WebSocket-Protocol', () => {
    it('parses lists with spaces and repeated headers', () => {
      const parse = (p: string | string[]): string[] =>
        expectValid(validateUpgradeRequest(request({}, { 'sec-websocket-protocol': p as string }))).protocols;
      expect(parse('a,b')).toEqual(['a', 'b']);
      expect(parse('  a ,  b  ')).toEqual(['a', 'b']);
      expect(parse(['wamp.2.json', 'wamp.2.msgpack, wamp.2.cbor'])).toEqual(['wamp.2.json', 'wamp.2.msgpack', 'wamp.2.cbor']);
      expect(expectValid(validateUpgradeRequest(request())).protocols).toEqual([]);
    });

    it.each(['a b', 'a, a', 'a;b', 'chat, "x"'])('%j -> 400', (p) => {
      expectRejection(validateUpgradeRequest(request({}, { 'sec-websocket-protocol': p })), 400, /Sec-WebSocket-Protocol/);
    });
  });

  it('finds headers given with other casing', () => {
    const result = validateUpgradeRequest({
      method: 'GET',
      httpVersion: '1.1',
      headers: { Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Key': SAMPLE_KEY, 'Sec-WebSocket-Version': '13' },
    });
    expect(expectValid(result).key).toBe(SAMPLE_KEY);
  });

  it('never throws on random input and every rejection is buildable', () => {
    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.constantFrom('websocket', 'Upgrade', '13', SAMPLE_KEY, 'GET', '1.1', 'a, b', ',', ''),
    );
    const value = fc.option(fc.oneof(text, fc.array(text, { maxLength: 3 })), { nil: undefined });
    const names = ['upgrade', 'connection', 'sec-websocket-version', 'sec-websocket-key', 'sec-websocket-protocol', 'sec-websocket-extensions'];
    const headers = fc
      .tuple(
        fc.record(Object.fromEntries(names.map((n) => [n, value]))),
        fc.dictionary(fc.string(), value, { maxKeys: 4 }),
      )
      .map(([known, extra]) => ({ ...extra, ...known }) as Record<string, string | string[] | undefined>);
    fc.assert(
      fc.property(fc.oneof(fc.constant('GET'), text), fc.oneof(fc.constant('1.1'), text), headers, (method, httpVersion, h) => {
        const result = validateUpgradeRequest({ method, httpVersion, headers: h });
        if (isRejection(result)) {
          expect([400, 405, 426]).toContain(result.status);
          expect(result.body).not.toBe('');
          expect(() => buildRejectionResponse(result)).not.toThrow();
        } else {
          expect(() => buildAcceptResponse({ key: result.key, protocol: result.protocols[0] })).not.toThrow();
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps a fully valid request valid whatever unrelated headers come along', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.option(fc.string(), { nil: undefined })), (extra) => {
        const base = request().headers;
        expect(isRejection(validateUpgradeRequest({ method: 'GET', httpVersion: '1.1', headers: { ...extra, ...base } }))).toBe(false);
      }),
    );
  });
});

describe('buildAcceptResponse', () => {
  it('builds the RFC 6455 sample response', () => {
    expect(buildAcceptResponse({ key: SAMPLE_KEY, protocol: 'chat' })).toBe(
      'HTTP/1.1 101 Switching Protocols\r\n' +
        'Upgrade: websocket\r\n' +
        'Connection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${SAMPLE_ACCEPT}\r\n` +
        'Sec-WebSocket-Protocol: chat\r\n' +
        '\r\n',
    );
  });

  it('omits protocol and extensions when absent or empty', () => {
    const plain = buildAcceptResponse({ key: SAMPLE_KEY });
    expect(buildAcceptResponse({ key: SAMPLE_KEY, protocol: '', extensions: '' })).toBe(plain);
    expect(plain).not.toMatch(/Sec-WebSocket-(Protocol|Extensions)/);
    expect(plain.endsWith('\r\n\r\n')).toBe(true);
  });

  it('adds extensions and extra headers, one line per array element', () => {
    const res = buildAcceptResponse({
      key: SAMPLE_KEY,
      extensions: 'permessage-deflate; server_no_context_takeover',
      headers: { 'Set-Cookie': ['a=1', 'b=2'], 'X-Served-By': 'junction' },
    });
    expect(res).toContain('\r\nSec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n');
    expect(res).toContain('\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n');
    expect(res).toContain('\r\nX-Served-By: junction\r\n\r\n');
  });

  it('rejects header injection in names and values', () => {
    expect(() => buildAcceptResponse({ key: SAMPLE_KEY, headers: { 'X-A': 'ok\r\nX-Evil: 1' } })).toThrow(TypeError);
    expect(() => buildAcceptResponse({ key: SAMPLE_KEY, headers: { 'X-A': 'ok\nX-Evil: 1' } })).toThrow(TypeError);
    expect(() => buildAcceptResponse({ key: SAMPLE_KEY, headers: { 'X-A': ['ok', 'bad\r\n'] } })).toThrow(TypeError);
    expect(() => buildAcceptResponse({ key: SAMPLE_KEY, headers: { 'X-A\r\nX-Evil': 'v' } })).toThrow(TypeError);
    expect(() => buildAcceptResponse({ key: SAMPLE_KEY, headers: { 'X A': 'v' } })).toThrow(TypeError);
    expect(() => buildAcceptResponse({ key: SAMPLE_KEY, headers: { '': 'v' } })).toThrow(TypeError);
    expect(() => buildAcceptResponse({ key: SAMPLE_KEY, headers: { 'X-A': 'nul\u0000' } })).toThrow(TypeError);
    expect(() => buildAcceptResponse({ key: SAMPLE_KEY, headers: { 'X-A': '\u20ac' } })).toThrow(TypeError);
    expect(() => buildAcceptResponse({ key: SAMPLE_KEY, extensions: 'x\r\n\r\nbody' })).toThrow(TypeError);
    expect(() => buildAcceptResponse({ key: SAMPLE_KEY, protocol: 'chat\r\nX-Evil: 1' })).toThrow(TypeError);
    expect(() => buildAcceptResponse({ key: SAMPLE_KEY, protocol: 'a b' })).toThrow(TypeError);
  });

  it('refuses extra headers that would duplicate or break the handshake', () => {
    for (const name of ['Upgrade', 'connection', 'Sec-WebSocket-Accept', 'SEC-WEBSOCKET-PROTOCOL', 'Sec-WebSocket-Extensions', 'Content-Length', 'Transfer-Encoding']) {
      expect(() => buildAcceptResponse({ key: SAMPLE_KEY, headers: { [name]: 'x' } }), name).toThrow(TypeError);
    }
  });
});

describe('buildRejectionResponse', () => {
  it('writes status line, Connection, Content-Type, Content-Length, headers and body', () => {
    const r = validateUpgradeRequest(request({ method: 'POST' })) as HandshakeRejection;
    const text = buildRejectionResponse(r);
    const body = r.body;
    expect(text).toBe(
      'HTTP/1.1 405 Method Not Allowed\r\n' +
        'Connection: close\r\n' +
        'Content-Type: text/plain; charset=utf-8\r\n' +
        `Content-Length: ${body.length}\r\n` +
        'Allow: GET\r\n' +
        '\r\n' +
        body,
    );
  });

  it('uses standard reason phrases', () => {
    for (const [status, reason] of [
      [400, 'Bad Request'],
      [401, 'Unauthorized'],
      [403, 'Forbidden'],
      [404, 'Not Found'],
      [426, 'Upgrade Required'],
      [429, 'Too Many Requests'],
      [500, 'Internal Server Error'],
      [503, 'Service Unavailable'],
      [302, 'Found'],
    ] as const) {
      expect(buildRejectionResponse({ status, headers: {}, body: '' })).toMatch(new RegExp(`^HTTP/1\\.1 ${status} ${reason}\\r\\n`));
    }
    expect(buildRejectionResponse({ status: 499, headers: {}, body: '' })).toMatch(/^HTTP\/1\.1 499 Unknown\r\n/);
  });

  it('adds Upgrade to Connection on the 426 (RFC 7230 §6.7)', () => {
    const r = validateUpgradeRequest(request({}, { 'sec-websocket-version': '8' })) as HandshakeRejection;
    const text = buildRejectionResponse(r);
    expect(text).toMatch(/^HTTP\/1\.1 426 Upgrade Required\r\n/);
    expect(text).toContain('\r\nConnection: close, Upgrade\r\n');
    expect(text).toContain('\r\nSec-WebSocket-Version: 13\r\n');
    expect(text).toContain('\r\nUpgrade: websocket\r\n');
  });

  it('merges a Connection header from the rejection and lets Content-Type be overridden', () => {
    const text = buildRejectionResponse({
      status: 403,
      headers: { connection: 'Close, X-Foo', 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(text).toContain('\r\nConnection: close, X-Foo\r\n');
    expect(text).toContain('\r\nContent-Type: application/json\r\n');
    expect(text.match(/Connection:/gi)).toHaveLength(1);
    expect(text.match(/Content-Type:/gi)).toHaveLength(1);
  });

  it('encodes the body as UTF-8 bytes and counts bytes in Content-Length', () => {
    const text = buildRejectionResponse({ status: 403, headers: {}, body: 'Origin refusée \u20ac' });
    const bytes = Buffer.from(text, 'latin1');
    const split = bytes.indexOf('\r\n\r\n');
    const body = bytes.subarray(split + 4);
    expect(body.toString('utf8')).toBe('Origin refusée \u20ac');
    expect(text).toContain(`Content-Length: ${body.length}\r\n`);
    expect(body.length).toBe(Buffer.byteLength('Origin refusée \u20ac'));
  });

  it('rejects header injection and framing headers', () => {
    const bad = (headers: Record<string, string>): (() => string) => () => buildRejectionResponse({ status: 400, headers, body: '' });
    expect(bad({ 'X-A': 'v\r\nX-Evil: 1' })).toThrow(TypeError);
    expect(bad({ 'X-A\nB': 'v' })).toThrow(TypeError);
    expect(bad({ Connection: 'close\r\nX-Evil: 1' })).toThrow(TypeError);
    expect(bad({ 'Content-Type': 'text/html\r\n\r\n<script>' })).toThrow(TypeError);
    expect(bad({ 'Content-Length': '0' })).toThrow(TypeError);
    expect(bad({ 'transfer-encoding': 'chunked' })).toThrow(TypeError);
  });

  it('rejects statuses that are not errors or redirects', () => {
    for (const status of [101, 200, 204, 299, 600, 400.5, Number.NaN]) {
      expect(() => buildRejectionResponse({ status, headers: {}, body: '' }), String(status)).toThrow(RangeError);
    }
  });
});

describe('validateUpgradeResponse', () => {
  const key = SAMPLE_KEY;
  const okHeaders = (extra: Record<string, string | string[] | undefined> = {}): Record<string, string | string[] | undefined> => ({
    upgrade: 'websocket',
    connection: 'Upgrade',
    'sec-websocket-accept': SAMPLE_ACCEPT,
    ...extra,
  });

  function fails(
    res: { statusCode: number; headers: Record<string, string | string[] | undefined> },
    protocols: readonly string[],
    message: RegExp,
  ): void {
    let error: unknown;
    try {
      validateUpgradeResponse(res, { key, protocols });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(WebSocketError);
    const wsError = error as WebSocketError;
    expect(wsError.code).toBe('WS_ERR_HANDSHAKE');
    expect(wsError.closeCode).toBe(1002);
    expect(wsError.message).toMatch(message);
  }

  it('accepts a valid answer', () => {
    expect(validateUpgradeResponse({ statusCode: 101, headers: okHeaders() }, { key, protocols: [] })).toEqual({
      protocol: '',
      extensions: undefined,
    });
  });

  it('accepts case and spacing variations', () => {
    const headers = okHeaders({ upgrade: ' WebSocket ', connection: 'keep-alive, UPGRADE', 'sec-websocket-accept': ` ${SAMPLE_ACCEPT}` });
    expect(validateUpgradeResponse({ statusCode: 101, headers }, { key, protocols: [] }).protocol).toBe('');
  });

  it('returns the chosen subprotocol and the raw extensions value', () => {
    const headers = okHeaders({ 'sec-websocket-protocol': 'wamp.2.json', 'sec-websocket-extensions': 'permessage-deflate' });
    expect(validateUpgradeResponse({ statusCode: 101, headers }, { key, protocols: ['wamp.2.msgpack', 'wamp.2.json'] })).toEqual({
      protocol: 'wamp.2.json',
      extensions: 'permessage-deflate',
    });
  });

  it('allows the server to choose no subprotocol among those offered', () => {
    expect(validateUpgradeResponse({ statusCode: 101, headers: okHeaders() }, { key, protocols: ['a', 'b'] }).protocol).toBe('');
  });

  it('fails on a status other than 101, naming it', () => {
    fails({ statusCode: 200, headers: okHeaders() }, [], /Unexpected server response: 200/);
    fails({ statusCode: 403, headers: {} }, [], /403/);
    fails({ statusCode: 426, headers: { 'sec-websocket-version': '8' } }, [], /426.*"8"/);
  });

  it('fails on a missing or wrong Upgrade header', () => {
    fails({ statusCode: 101, headers: okHeaders({ upgrade: undefined }) }, [], /Upgrade header/);
    fails({ statusCode: 101, headers: okHeaders({ upgrade: 'h2c' }) }, [], /Upgrade header/);
    fails({ statusCode: 101, headers: okHeaders({ upgrade: 'websocket, h2c' }) }, [], /Upgrade header/);
  });

  it('fails on a missing or wrong Connection header', () => {
    fails({ statusCode: 101, headers: okHeaders({ connection: undefined }) }, [], /Connection header/);
    fails({ statusCode: 101, headers: okHeaders({ connection: 'keep-alive' }) }, [], /Connection header/);
  });

  it('fails on a missing, wrong or repeated Sec-WebSocket-Accept', () => {
    fails({ statusCode: 101, headers: okHeaders({ 'sec-websocket-accept': undefined }) }, [], /Missing Sec-WebSocket-Accept/);
    fails({ statusCode: 101, headers: okHeaders({ 'sec-websocket-accept': acceptKeyFor(generateKey()) }) }, [], /does not match/);
    fails({ statusCode: 101, headers: okHeaders({ 'sec-websocket-accept': SAMPLE_ACCEPT.toLowerCase() }) }, [], /does not match/);
    fails({ statusCode: 101, headers: okHeaders({ 'sec-websocket-accept': [SAMPLE_ACCEPT, SAMPLE_ACCEPT] }) }, [], /Sec-WebSocket-Accept/);
  });

  it('fails on a subprotocol when none was offered', () => {
    fails({ statusCode: 101, headers: okHeaders({ 'sec-websocket-protocol': 'chat' }) }, [], /none was requested/);
  });

  it('fails on a subprotocol that was not offered (case-sensitive)', () => {
    fails({ statusCode: 101, headers: okHeaders({ 'sec-websocket-protocol': 'superchat' }) }, ['chat'], /not offered/);
    fails({ statusCode: 101, headers: okHeaders({ 'sec-websocket-protocol': 'Chat' }) }, ['chat'], /not offered/);
  });

  it('fails on a malformed Sec-WebSocket-Protocol', () => {
    fails({ statusCode: 101, headers: okHeaders({ 'sec-websocket-protocol': 'a, b' }) }, ['a', 'b'], /one subprotocol/);
    fails({ statusCode: 101, headers: okHeaders({ 'sec-websocket-protocol': '' }) }, ['a'], /one subprotocol/);
    fails({ statusCode: 101, headers: okHeaders({ 'sec-websocket-protocol': ['a', 'a'] }) }, ['a'], /one subprotocol/);
  });
});

describe('interoperability with the ws package over real sockets', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()?.();
  });

  async function listen(server: http.Server): Promise<number> {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return (server.address() as AddressInfo).port;
  }

  // A server using only our functions for the handshake.
  async function ourServer(supported: string[]): Promise<number> {
    const server = http.createServer((_req, res) => res.writeHead(404).end());
    server.on('upgrade', (req: http.IncomingMessage, socket) => {
      socket.on('error', () => {});
      cleanups.push(async () => void socket.destroy());
      // IncomingMessage.method is typed optional, hence the copy.
      const result = validateUpgradeRequest({ method: req.method ?? '', httpVersion: req.httpVersion, headers: req.headers });
      if (isRejection(result)) {
        socket.end(buildRejectionResponse(result), 'latin1');
        return;
      }
      const protocol = supported.find((s) => result.protocols.includes(s));
      socket.write(buildAcceptResponse({ key: result.key, ...(protocol ? { protocol } : {}) }), 'latin1');
    });
    return listen(server);
  }

  it('a ws client completes the handshake with our server and sees the chosen subprotocol', async () => {
    const port = await ourServer(['wamp.2.json']);
    const client = new WebSocket(`ws://127.0.0.1:${port}/`, ['wamp.2.msgpack', 'wamp.2.json']);
    await new Promise<void>((resolve, reject) => {
      client.once('open', () => resolve());
      client.once('error', reject);
    });
    expect(client.protocol).toBe('wamp.2.json');
    client.terminate();
  });

  it('Node parses our 426 rejection: status, headers and UTF-8 body', async () => {
    const port = await ourServer([]);
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request({
        port,
        host: '127.0.0.1',
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Key': SAMPLE_KEY, 'Sec-WebSocket-Version': '8' },
      });
      req.on('response', resolve);
      req.on('upgrade', () => reject(new Error('unexpected upgrade')));
      req.on('error', reject);
      req.end();
    });
    expect(res.statusCode).toBe(426);
    expect(res.headers['sec-websocket-version']).toBe('13');
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString('utf8')).toMatch(/Sec-WebSocket-Version/);
  });

  it('our client-side checks accept a ws server answer', async () => {
    const server = http.createServer();
    const wss = new WebSocketServer({ server, handleProtocols: (protocols) => (protocols.has('b') ? 'b' : false) });
    cleanups.push(async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    });
    const port = await listen(server);
    const key = generateKey();
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request({
        port,
        host: '127.0.0.1',
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Key': key,
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Protocol': 'a, b',
        },
      });
      req.on('upgrade', (response: http.IncomingMessage, socket) => {
        socket.destroy();
        resolve(response);
      });
      req.on('response', () => reject(new Error('no upgrade')));
      req.on('error', reject);
      req.end();
    });
    expect(validateUpgradeResponse({ statusCode: res.statusCode ?? 0, headers: res.headers }, { key, protocols: ['a', 'b'] })).toEqual({
      protocol: 'b',
      extensions: undefined,
    });
    expect(() =>
      validateUpgradeResponse({ statusCode: res.statusCode ?? 0, headers: res.headers }, { key: generateKey(), protocols: ['a', 'b'] }),
    ).toThrow(WebSocketError);
  });
});
