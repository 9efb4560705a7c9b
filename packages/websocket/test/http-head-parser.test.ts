/**
 * The HTTP/1.x head parser: requests and responses, Node-compatible header combining, every
 * refusal, the size limit, and property tests (any split gives the same result; random bytes
 * never throw; valid heads read as Node's own parser reads them).
 */
import fc from 'fast-check';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { HttpHeadParser, type HeadResult, type HttpHeadKind } from '../src/http-head-parser.js';

function parse(text: string | Buffer, kind: HttpHeadKind = 'request', max = 16384): HeadResult {
  return new HttpHeadParser(kind, max).push(typeof text === 'string' ? Buffer.from(text, 'latin1') : text);
}

/** Feeds `bytes` split at `cuts` (sorted offsets); stops at the first `done`, whose rest then includes the bytes not fed. */
function parseSplit(bytes: Buffer, cuts: number[], kind: HttpHeadKind = 'request', max = 16384): HeadResult {
  const parser = new HttpHeadParser(kind, max);
  let last = 0;
  let result: HeadResult = { done: false };
  for (const cut of [...cuts, bytes.length]) {
    if (cut < last) continue;
    result = parser.push(bytes.subarray(last, cut));
    last = cut;
    if (result.done && result.head) return { ...result, rest: Buffer.concat([result.rest, bytes.subarray(cut)]) };
    if (result.done) return result;
  }
  return result;
}

/** A comparable form of a result: `rest` as hex (its bytes, not its identity). */
function plain(result: HeadResult): unknown {
  if (!result.done) return { done: false };
  if (result.error) return { error: result.error };
  return { head: result.head, rest: result.rest.toString('hex') };
}

const UPGRADE = 'GET /chat?room=1 HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

describe('requests', () => {
  it('reads a WebSocket upgrade request', () => {
    const result = parse(UPGRADE);
    expect(result.done && result.head).toEqual({
      method: 'GET',
      url: '/chat?room=1',
      statusCode: 0,
      statusMessage: '',
      httpVersion: '1.1',
      headers: {
        host: 'example.com',
        upgrade: 'websocket',
        connection: 'Upgrade',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'sec-websocket-version': '13',
      },
      rawHeaders: ['Host', 'example.com', 'Upgrade', 'websocket', 'Connection', 'Upgrade', 'Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version', '13'],
    });
    expect(result.done && !result.error && result.rest.length).toBe(0);
  });

  it('returns the bytes after the empty line as rest, without copying them', () => {
    const bytes = Buffer.concat([Buffer.from(UPGRADE), Buffer.from([0x81, 0x82, 1, 2, 3, 4, 5, 6])]);
    const result = parse(bytes);
    if (!result.done || result.error) throw new Error('expected a head');
    expect([...result.rest]).toEqual([0x81, 0x82, 1, 2, 3, 4, 5, 6]);
    expect(result.rest.buffer).toBe(bytes.buffer);
  });

  it('needs more until the empty line, then completes across chunks', () => {
    const parser = new HttpHeadParser('request', 16384);
    expect(parser.push(Buffer.from('GET / HTTP/1.1\r\nHost: a\r'))).toEqual({ done: false });
    expect(parser.push(Buffer.from('\n\r'))).toEqual({ done: false });
    const result = parser.push(Buffer.from('\nxyz'));
    expect(result.done && !result.error && result.rest.toString()).toBe('xyz');
    expect(result.head?.headers).toEqual({ host: 'a' });
  });

  it('trims optional whitespace around values and keeps empty values', () => {
    const result = parse('GET / HTTP/1.1\r\nHost:a\r\nX-A: \t spaced  value \t\r\nX-Empty:\r\nX-Blank:   \r\n\r\n');
    expect(result.head?.headers).toEqual({ host: 'a', 'x-a': 'spaced  value', 'x-empty': '', 'x-blank': '' });
    expect(result.head?.rawHeaders).toEqual(['Host', 'a', 'X-A', 'spaced  value', 'X-Empty', '', 'X-Blank', '']);
  });

  it('combines repeated fields as Node does', () => {
    const result = parse(
      'GET / HTTP/1.1\r\nHost: a\r\nSec-WebSocket-Protocol: a\r\nsec-websocket-protocol: b\r\nCookie: x=1\r\nCookie: y=2\r\n' +
        'Set-Cookie: s=1\r\nSet-Cookie: s=2\r\nAuthorization: first\r\nAuthorization: second\r\nUser-Agent: u1\r\nUser-Agent: u2\r\n\r\n',
    );
    expect(result.head?.headers).toEqual({
      host: 'a',
      'sec-websocket-protocol': 'a, b',
      cookie: 'x=1; y=2',
      'set-cookie': ['s=1', 's=2'],
      authorization: 'first',
      'user-agent': 'u1',
    });
    expect(result.head?.rawHeaders).toHaveLength(22);
  });

  it('is not confused by header names that exist on Object.prototype', () => {
    const result = parse('GET / HTTP/1.1\r\nHost: a\r\nconstructor: c\r\nConstructor: d\r\n__proto__: p\r\ntoString: t\r\nhasOwnProperty: h\r\n\r\n');
    const headers = result.head!.headers;
    expect(headers['constructor']).toBe('c, d');
    expect(headers['tostring']).toBe('t');
    expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
    expect(result.head!.rawHeaders).toContain('__proto__');
  });

  it('ignores empty lines before the request line', () => {
    const result = parse('\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(result.head?.method).toBe('GET');
  });

  it('accepts HTTP/1.0 without Host (the handshake check refuses 1.0 later)', () => {
    const result = parse('GET / HTTP/1.0\r\n\r\n');
    expect(result.head?.httpVersion).toBe('1.0');
  });

  it('accepts obs-text in values and the target, decoded as latin1', () => {
    const result = parse(Buffer.concat([Buffer.from('GET /caf\xe9 HTTP/1.1\r\nHost: a\r\nX-Name: ', 'latin1'), Buffer.from('é'), Buffer.from('\r\n\r\n')]));
    expect(result.head?.url).toBe('/caf\xe9');
    expect(Buffer.from(result.head!.headers['x-name'] as string, 'latin1').toString()).toBe('é');
  });

  it.each([
    ['a bare LF line end', 'GET / HTTP/1.1\nHost: a\n\n', 400],
    ['a bare LF on the empty line', 'GET / HTTP/1.1\r\nHost: a\r\n\n', 400],
    ['a lone CR in a value', 'GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n', 400],
    ['a NUL in a value', 'GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n', 400],
    ['DEL in a value', 'GET / HTTP/1.1\r\nHost: a\r\nX: a\x7f\r\n\r\n', 400],
    ['obs-fold', 'GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n', 400],
    ['whitespace before the first field', 'GET / HTTP/1.1\r\n Host: a\r\n\r\n', 400],
    ['whitespace before the colon', 'GET / HTTP/1.1\r\nHost : a\r\n\r\n', 400],
    ['a field without a colon', 'GET / HTTP/1.1\r\nHost: a\r\nnonsense\r\n\r\n', 400],
    ['an empty field name', 'GET / HTTP/1.1\r\nHost: a\r\n: x\r\n\r\n', 400],
    ['a non-token field name', 'GET / HTTP/1.1\r\nHost: a\r\nX(y): z\r\n\r\n', 400],
    ['a request line without version', 'GET /\r\nHost: a\r\n\r\n', 400],
    ['two spaces in the request line', 'GET  / HTTP/1.1\r\nHost: a\r\n\r\n', 400],
    ['a lower-case protocol name', 'GET / http/1.1\r\nHost: a\r\n\r\n', 400],
    ['a non-token method', 'G(T / HTTP/1.1\r\nHost: a\r\n\r\n', 400],
    ['a control character in the target', 'GET /a\x01b HTTP/1.1\r\nHost: a\r\n\r\n', 400],
    ['a malformed version', 'GET / HTTP/1.10\r\nHost: a\r\n\r\n', 400],
    ['garbage', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n', 400],
    ['HTTP/1.1 without Host', 'GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n', 400],
    ['two Host fields', 'GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n', 400],
    ['HTTP/2.0', 'GET / HTTP/2.0\r\nHost: a\r\n\r\n', 505],
    ['HTTP/0.9', 'GET / HTTP/0.9\r\nHost: a\r\n\r\n', 505],
  ])('refuses %s', (_name, text, status) => {
    const result = parse(text);
    expect(result.done).toBe(true);
    expect(result.error?.status).toBe(status);
    expect(result.error?.message.length).toBeGreaterThan(0);
  });

  it('refuses a bare LF before the head is complete, without waiting for more', () => {
    const parser = new HttpHeadParser('request', 16384);
    expect(parser.push(Buffer.from('GET / HTTP/1.1\r')).done).toBe(false);
    expect(parser.push(Buffer.from('\nHost: a\n')).error?.status).toBe(400);
  });

  it('throws when fed after completion (a caller bug, not an input problem)', () => {
    const parser = new HttpHeadParser('request', 16384);
    parser.push(Buffer.from(UPGRADE));
    expect(() => parser.push(Buffer.from('x'))).toThrow(/already complete/);
  });
});

describe('the size limit', () => {
  const head = 'GET / HTTP/1.1\r\nHost: a\r\n\r\n';

  it('accepts a head of exactly maxHeaderSize bytes and refuses one byte more with 431', () => {
    expect(parse(head, 'request', head.length).head?.method).toBe('GET');
    expect(parse(head, 'request', head.length - 1).error?.status).toBe(431);
  });

  it('counts bytes after the head as rest, not as head', () => {
    const result = parse(head + 'x'.repeat(1000), 'request', head.length);
    expect(result.done && !result.error && result.rest.length).toBe(1000);
  });

  it('answers 431 on the chunk that passes the limit, before any end of head', () => {
    const parser = new HttpHeadParser('request', 1024);
    expect(parser.push(Buffer.from('GET / HTTP/1.1\r\nX: ')).done).toBe(false);
    let result: HeadResult = { done: false };
    let fed = 19;
    while (!result.done) {
      result = parser.push(Buffer.alloc(100, 0x61));
      fed += 100;
    }
    expect(result.error?.status).toBe(431);
    expect(fed).toBeGreaterThan(1024);
    expect(fed - 100).toBeLessThanOrEqual(1024);
  });

  it('handles a large head sent one byte at a time', () => {
    const big = `GET / HTTP/1.1\r\nHost: a\r\nCookie: ${'c'.repeat(15000)}\r\n\r\n`;
    const bytes = Buffer.from(big);
    const result = parseSplit(bytes, Array.from({ length: bytes.length }, (_, i) => i));
    expect((result.head?.headers.cookie as string).length).toBe(15000);
  });
});

describe('responses', () => {
  it('reads a 101 answer with frames after it', () => {
    const result = parse(
      Buffer.concat([Buffer.from('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n'), Buffer.from([0x81, 0x00])]),
      'response',
    );
    if (!result.done || result.error) throw new Error('expected a head');
    expect(result.head).toMatchObject({ statusCode: 101, statusMessage: 'Switching Protocols', httpVersion: '1.1', method: '', url: '' });
    expect(result.head.headers['sec-websocket-accept']).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    expect([...result.rest]).toEqual([0x81, 0x00]);
  });

  it('accepts an empty reason phrase, with or without its space, and no Host', () => {
    expect(parse('HTTP/1.1 404 \r\n\r\n', 'response').head?.statusMessage).toBe('');
    expect(parse('HTTP/1.1 404\r\n\r\n', 'response').head?.statusCode).toBe(404);
  });

  it.each([
    ['a request line', 'GET / HTTP/1.1\r\n\r\n', 400],
    ['a two-digit status', 'HTTP/1.1 99 Odd\r\n\r\n', 400],
    ['an empty status line', '\r\nHTTP/1.1 101 OK\r\n\r\n', 400],
    ['a control character in the reason', 'HTTP/1.1 101 Swi\x00tching\r\n\r\n', 400],
    ['HTTP/2', 'HTTP/2.0 101 Switching Protocols\r\n\r\n', 505],
  ])('refuses %s', (_name, text, status) => {
    expect(parse(text, 'response').error?.status).toBe(status);
  });
});

// ------------------------------------------------------------------------------------ properties

const tchar = fc.constantFrom(...'!#$%&\'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'.split(''));
const token = fc.string({ unit: tchar, minLength: 1, maxLength: 12 });
const vchar = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c));
const valueChar = fc.oneof({ weight: 8, arbitrary: vchar }, { weight: 1, arbitrary: fc.constantFrom(' ', '\t') }, { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)) });
const ows = fc.string({ unit: fc.constantFrom(' ', '\t'), maxLength: 2 });
// Names the parser knows by heart (and spellings it must not mistake for them) come up often.
const knownish = fc.constantFrom('Upgrade', 'upgrade', 'UPGRADE', 'Connection', 'Sec-WebSocket-Key', 'sec-websocket-key', 'Sec-Websocket-Key', 'Sec-WebSocket-Version', 'Sec-WebSocket-Extensions', 'Sec-WebSocket-Protocol', 'Origin', 'User-Agent', 'Cookie', 'Authorization', 'Upgradex', 'Origi');
const field = fc.record({ name: fc.oneof(token, knownish), before: ows, value: fc.string({ unit: valueChar, maxLength: 30 }), after: ows });
const target = fc.string({ unit: vchar, minLength: 1, maxLength: 40 }).map((s) => `/${s}`);

/** A valid request head (with one Host) and some bytes after it. */
const requestWith = (method: fc.Arbitrary<string>) => fc
  .record({
    leading: fc.integer({ min: 0, max: 1 }),
    method,
    target,
    fields: fc.array(field, { maxLength: 8 }),
    rest: fc.uint8Array({ maxLength: 20 }),
  })
  .map(({ leading, method, target, fields, rest }) => {
    let head = `${'\r\n'.repeat(leading)}${method} ${target} HTTP/1.1\r\nHost: h\r\n`;
    for (const f of fields) if (f.name.toLowerCase() !== 'host') head += `${f.name}:${f.before}${f.value}${f.after}\r\n`;
    return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), rest]);
  });
const validRequest = requestWith(token);

/** Offsets at which to cut a buffer of length n. */
const cutsFor = (n: number) => fc.uniqueArray(fc.integer({ min: 0, max: n }), { maxLength: 12 }).map((c) => c.sort((a, b) => a - b));

/** Bytes that look like HTTP now and then: CR, LF, colons, spaces and tokens are likely. */
const httpish = fc
  .array(
    fc.oneof(
      fc.constantFrom('\r\n', '\r', '\n', ':', ' ', '\t', 'GET / HTTP/1.1', 'HTTP/1.1 101 OK', 'Host: a', '\r\n\r\n', '\0', '\x7f').map((s) => Buffer.from(s, 'latin1')),
      fc.uint8Array({ maxLength: 8 }).map((a) => Buffer.from(a)),
      token.map((s) => Buffer.from(s)),
    ),
    { maxLength: 30 },
  )
  .map((parts) => Buffer.concat(parts));

describe('properties', () => {
  it('any split of a valid request gives the same head and rest', () => {
    fc.assert(
      fc.property(validRequest.chain((bytes) => fc.tuple(fc.constant(bytes), cutsFor(bytes.length))), ([bytes, cuts]) => {
        const whole = parse(bytes);
        expect(whole.done && !whole.error).toBe(true);
        expect(plain(parseSplit(bytes, cuts))).toEqual(plain(whole));
      }),
      { numRuns: 500 },
    );
  });

  it('random bytes never throw, and any split gives the same outcome', () => {
    fc.assert(
      fc.property(
        httpish.chain((bytes) => fc.tuple(fc.constant(bytes), cutsFor(bytes.length), fc.constantFrom<HttpHeadKind>('request', 'response'), fc.integer({ min: 1, max: 200 }))),
        ([bytes, cuts, kind, max]) => {
          const whole = parse(bytes, kind, max);
          expect(plain(parseSplit(bytes, cuts, kind, max))).toEqual(plain(whole));
          if (whole.done && whole.error) expect([400, 431, 505]).toContain(whole.error.status);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('reads valid requests as Node reads them (method, url, headers, rawHeaders)', async () => {
    const seen: http.IncomingMessage[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req);
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    let refusedByNode = 0;
    try {
      await fc.assert(
        // Node's parser knows a fixed list of methods.
        fc.asyncProperty(requestWith(fc.constantFrom('GET', 'POST', 'OPTIONS')), async (bytes) => {
          const ours = parse(bytes);
          if (!ours.done || ours.error) throw new Error('expected a head');
          // Node reads a body after this head only with Content-Length/Transfer-Encoding; send none.
          const head = ours.head;
          if ('content-length' in head.headers || 'transfer-encoding' in head.headers) return;
          const text = bytes.subarray(0, bytes.length - ours.rest.length);
          const before = seen.length;
          await new Promise<void>((resolve) => {
            const socket = net.connect(port, '127.0.0.1', () => socket.end(text));
            socket.on('error', () => resolve());
            socket.on('close', () => resolve());
            socket.resume();
          });
          if (seen.length === before) {
            refusedByNode++;
            return;
          }
          const req = seen[seen.length - 1]!;
          expect({ method: head.method, url: head.url, headers: head.headers, rawHeaders: head.rawHeaders }).toEqual({
            method: req.method,
            url: req.url,
            headers: { ...req.headers },
            rawHeaders: req.rawHeaders,
          });
        }),
        { numRuns: 60 },
      );
      expect(refusedByNode).toBe(0);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
