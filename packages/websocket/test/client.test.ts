/**
 * The Node client over real sockets: the WHATWG surface, browser-style argument checks,
 * handshake failures and error reporting.
 */
import { afterEach, describe, expect, it } from 'vitest';
import net, { type AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { CloseEvent, HttpError, MessageEvent, WebSocket, WebSocketError, WebSocketServer } from '../src/index.js';
import { WEBSOCKET_GUID } from '../src/constants.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function echoServer(options: ConstructorParameters<typeof WebSocketServer>[0] | object = {}): Promise<{ server: WebSocketServer; url: string }> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1', ...options });
  server.on('connection', (socket) => {
    socket.on('message', (data, isBinary) => {
      if (data.toString() === 'close-me') socket.close(4001, 'as you wish');
      else socket.send(data, { binary: isBinary });
    });
  });
  await new Promise<void>((resolve) => server.on('listening', resolve));
  cleanups.push(() => server.close());
  return { server, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

/** A TCP server that answers every upgrade with the given raw response (for broken-server tests). */
async function fakeServer(answer: (key: string) => string): Promise<string> {
  const server = net.createServer((socket) => {
    let head = '';
    socket.on('data', (chunk) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      const key = /sec-websocket-key:\s*(\S+)/i.exec(head)?.[1] ?? '';
      socket.write(Buffer.from(answer(key), 'latin1'));
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

function accept(key: string): string {
  return createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
}

function track(ws: WebSocket): WebSocket {
  cleanups.push(() => ws.terminate());
  return ws;
}

function outcome(ws: WebSocket): Promise<{ error: Error | null; code: number }> {
  return new Promise((resolve) => {
    let error: Error | null = null;
    ws.on('error', (err) => (error = err));
    ws.on('close', (code) => resolve({ error, code }));
  });
}

describe('WHATWG surface', () => {
  it('goes through readyState 0 -> 1 -> 2 -> 3 and fires DOM-style events', async () => {
    const { url } = await echoServer();
    const ws = track(new WebSocket(url));
    expect(ws.readyState).toBe(WebSocket.CONNECTING);
    expect(ws.url).toBe(url);
    const events: string[] = [];
    ws.onopen = () => events.push(`open:${ws.readyState}`);
    ws.addEventListener('message', (event) => events.push(`message:${(event as MessageEvent).data as string}`));
    const closed = new Promise<CloseEvent>((resolve) => (ws.onclose = (e) => resolve(e)));
    await new Promise((resolve) => ws.addEventListener('open', resolve, { once: true }));
    ws.send('hi');
    await new Promise((resolve) => ws.addEventListener('message', resolve, { once: true }));
    ws.close(1000, 'done');
    expect(ws.readyState).toBe(WebSocket.CLOSING);
    const event = await closed;
    expect(ws.readyState).toBe(WebSocket.CLOSED);
    expect(event.code).toBe(1000);
    expect(event.reason).toBe('done');
    expect(event.wasClean).toBe(true);
    expect(events).toEqual(['open:1', 'message:hi']);
  });

  it('gives text as strings and binary as Buffer or ArrayBuffer per binaryType', async () => {
    const { url } = await echoServer();
    const ws = track(new WebSocket(url));
    await new Promise<void>((resolve) => (ws.onopen = () => resolve()));
    const received: unknown[] = [];
    ws.onmessage = (event) => received.push(event.data);
    ws.send('text');
    ws.send(new Uint8Array([1, 2, 3]));
    await new Promise((resolve) => setTimeout(resolve, 100));
    ws.binaryType = 'arraybuffer';
    ws.send(new Float32Array([1.5]).buffer);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received[0]).toBe('text');
    expect(Buffer.isBuffer(received[1])).toBe(true);
    expect(received[2]).toBeInstanceOf(ArrayBuffer);
    expect(new Float32Array(received[2] as ArrayBuffer)[0]).toBe(1.5);
  });

  it('removeEventListener and onX = null stop delivery', async () => {
    const { url } = await echoServer();
    const ws = track(new WebSocket(url));
    await new Promise<void>((resolve) => (ws.onopen = () => resolve()));
    let a = 0;
    let b = 0;
    const listener = (): void => {
      a++;
    };
    ws.addEventListener('message', listener);
    ws.onmessage = () => b++;
    ws.removeEventListener('message', listener);
    ws.onmessage = null;
    const done = new Promise((resolve) => ws.on('message', resolve));
    ws.send('x');
    await done;
    expect([a, b]).toEqual([0, 0]);
  });

  it('one listener can be added for several event types, and removed from one of them', async () => {
    const { url } = await echoServer();
    const ws = track(new WebSocket(url));
    const seen: string[] = [];
    const listener = (event: { type: string }): void => {
      seen.push(event.type);
    };
    ws.addEventListener('open', listener);
    ws.addEventListener('message', listener);
    ws.addEventListener('close', listener);
    ws.addEventListener('message', listener); // a duplicate is ignored, as in the DOM
    await new Promise<void>((resolve) => ws.on('open', () => resolve()));
    const echoed = new Promise((resolve) => ws.once('message', resolve));
    ws.send('x');
    await echoed;
    ws.removeEventListener('close', listener);
    ws.close();
    await new Promise((resolve) => ws.on('close', resolve));
    expect(seen).toEqual(['open', 'message']);
  });

  it('Node-style message events carry (Buffer, isBinary)', async () => {
    const { url } = await echoServer();
    const ws = track(new WebSocket(url));
    await new Promise<void>((resolve) => ws.on('open', () => resolve()));
    const got = new Promise<[Buffer, boolean]>((resolve) => ws.on('message', (d, b) => resolve([d, b])));
    ws.send('héllo');
    const [data, isBinary] = await got;
    expect(Buffer.isBuffer(data)).toBe(true);
    expect(data.toString()).toBe('héllo');
    expect(isBinary).toBe(false);
  });

  it('reports the server close code and reason', async () => {
    const { url } = await echoServer();
    const ws = track(new WebSocket(url));
    await new Promise<void>((resolve) => ws.on('open', () => resolve()));
    const closed = new Promise<[number, string]>((resolve) => ws.on('close', (code, reason) => resolve([code, reason])));
    ws.send('close-me');
    expect(await closed).toEqual([4001, 'as you wish']);
  });

  it('send callbacks fire once the data is written, and bufferedAmount drains', async () => {
    const { url } = await echoServer();
    const ws = track(new WebSocket(url));
    await new Promise<void>((resolve) => ws.on('open', () => resolve()));
    const sent = new Promise<Error | null | undefined>((resolve) => ws.send(Buffer.alloc(1 << 20), resolve));
    expect(ws.bufferedAmount).toBeGreaterThan(0);
    expect(await sent).toBeFalsy();
    await new Promise((resolve) => ws.once('message', resolve));
    expect(ws.bufferedAmount).toBe(0);
  });

  it('writes a burst of sends from one turn in one socket write, 32 frames at most per write', async () => {
    const { url } = await echoServer({ perMessageDeflate: false });
    const ws = track(new WebSocket(url, [], { perMessageDeflate: false }));
    await new Promise<void>((resolve) => ws.on('open', () => resolve()));
    const sock = ws.socket!;
    const writes: number[] = [];
    const original = sock.write.bind(sock);
    sock.write = ((chunk: Buffer, ...rest: unknown[]) => {
      writes.push(chunk.length);
      return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof sock.write;
    let echoed = 0;
    const all = new Promise<void>((resolve) => ws.on('message', () => ++echoed === 110 && resolve()));
    for (let i = 0; i < 10; i++) ws.send(`small ${i}`);
    await Promise.resolve(); // the end-of-turn flush is a microtask, not a timer
    expect(writes).toHaveLength(1);
    for (let i = 0; i < 100; i++) ws.send(`burst ${i}`);
    await Promise.resolve();
    // 100 frames: three full batches of 32 written as they fill, the last 4 at the end of the turn.
    expect(writes).toHaveLength(5);
    await all;
  });

  it('writes the replies made while handling a read chunk before that read returns, in one write', async () => {
    const { url } = await echoServer({ perMessageDeflate: false });
    const ws = track(new WebSocket(url, [], { perMessageDeflate: false }));
    const other = track(new WebSocket(url, [], { perMessageDeflate: false }));
    await Promise.all([ws, other].map((s) => new Promise<void>((resolve) => s.on('open', () => resolve()))));
    const writesOf = (s: WebSocket): number[] => {
      const writes: number[] = [];
      const sock = s.socket!;
      const original = sock.write.bind(sock);
      sock.write = ((chunk: Buffer, ...rest: unknown[]) => {
        writes.push(chunk.length);
        return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof sock.write;
      return writes;
    };
    ws.send('go');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const writes = writesOf(ws);
    const otherWrites = writesOf(other);
    const seen = new Promise<[number, number]>((resolve) =>
      ws.once('message', () => {
        for (let i = 0; i < 3; i++) ws.send(`reply ${i}`);
        other.send('forwarded');
        // nextTick callbacks run before microtasks: the writes must not wait for one.
        process.nextTick(() => resolve([writes.length, otherWrites.length]));
      }),
    );
    ws.send('go again');
    expect(await seen).toEqual([2, 1]); // 'go again' itself, then the three replies together; other's frame
  });

  it('ping and pong events', async () => {
    const { url } = await echoServer();
    const ws = track(new WebSocket(url));
    await new Promise<void>((resolve) => ws.on('open', () => resolve()));
    const pong = new Promise<Buffer>((resolve) => ws.on('pong', resolve));
    ws.ping('are you there');
    expect((await pong).toString()).toBe('are you there');
    expect(() => ws.ping(Buffer.alloc(126))).toThrow(RangeError);
  });
});

describe('argument checks, as in browsers', () => {
  it('throws SyntaxError for bad URLs and protocol lists', () => {
    expect(() => new WebSocket('not a url')).toThrow(/Invalid WebSocket URL/);
    expect(() => new WebSocket('ftp://127.0.0.1/')).toThrow(/scheme/);
    expect(() => new WebSocket('ws://127.0.0.1/#frag')).toThrow(/fragment/);
    expect(() => new WebSocket('ws://127.0.0.1:1/', ['a', 'a'])).toThrow();
    expect(() => new WebSocket('ws://127.0.0.1:1/', ['bad proto'])).toThrow();
  });

  it('takes the options as second argument, as ws does, and any iterable of protocols', async () => {
    const { server, url } = await echoServer({ protocols: ['b.v1'] });
    const seen = new Promise<string | undefined>((resolve) => server.once('connection', (_socket, request) => resolve(request.headers['x-test'] as string | undefined)));
    const ws = track(new WebSocket(url, { perMessageDeflate: false, headers: { 'x-test': 'second argument' } }));
    await new Promise<void>((resolve) => ws.on('open', () => resolve()));
    expect(await seen).toBe('second argument');
    expect(ws.extensions).toBe(''); // perMessageDeflate: false was taken
    expect(ws.protocol).toBe('');
    const withSet = track(new WebSocket(url, new Set(['a.v1', 'b.v1']), { perMessageDeflate: false }));
    await new Promise<void>((resolve) => withSet.on('open', () => resolve()));
    expect(withSet.protocol).toBe('b.v1');
  });

  it('throws InvalidStateError on send while connecting', async () => {
    const { url } = await echoServer();
    const ws = track(new WebSocket(url));
    expect(() => ws.send('too early')).toThrow(expect.objectContaining({ name: 'InvalidStateError' }));
    await new Promise<void>((resolve) => ws.on('open', () => resolve()));
  });

  it('close() takes only 1000 or 3000-4999 and a reason of at most 123 bytes', async () => {
    const { url } = await echoServer();
    const ws = track(new WebSocket(url));
    await new Promise<void>((resolve) => ws.on('open', () => resolve()));
    expect(() => ws.close(1001)).toThrow(expect.objectContaining({ name: 'InvalidAccessError' }));
    expect(() => ws.close(2999)).toThrow(expect.objectContaining({ name: 'InvalidAccessError' }));
    expect(() => ws.close(5000)).toThrow(expect.objectContaining({ name: 'InvalidAccessError' }));
    expect(() => ws.close(1000, 'é'.repeat(62))).toThrow(expect.objectContaining({ name: 'SyntaxError' }));
    expect(ws.readyState).toBe(WebSocket.OPEN);
    const closed = new Promise<number>((resolve) => ws.on('close', resolve));
    ws.close(3000, 'x'.repeat(123));
    expect(await closed).toBe(3000);
  });

  it('close() while connecting fails the connection with 1006', async () => {
    const { url } = await echoServer();
    const ws = track(new WebSocket(url));
    const result = outcome(ws);
    ws.close();
    const { error, code } = await result;
    expect(code).toBe(1006);
    expect(error?.message).toMatch(/before the connection was established/);
  });
});

describe('handshake failures', () => {
  it('reports an HTTP refusal with its status', async () => {
    const { url } = await echoServer({ protocols: ['only-this'] });
    const { error, code } = await outcome(track(new WebSocket(url, 'something-else')));
    expect(code).toBe(1006);
    expect(error?.message).toMatch(/400/);
  });

  it('refuses a wrong Sec-WebSocket-Accept', async () => {
    const url = await fakeServer(() => 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n');
    const { error } = await outcome(track(new WebSocket(url)));
    expect(error?.message).toMatch(/Accept/i);
  });

  it('refuses a protocol it did not offer', async () => {
    const url = await fakeServer((key) => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(key)}\r\nSec-WebSocket-Protocol: surprise\r\n\r\n`);
    const { error } = await outcome(track(new WebSocket(url, ['a'])));
    expect(error?.message).toMatch(/surprise|protocol/i);
  });

  it('refuses an extension it did not offer', async () => {
    const url = await fakeServer((key) => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(key)}\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n`);
    const { error } = await outcome(track(new WebSocket(url, [], { perMessageDeflate: false })));
    expect(error?.message).toMatch(/did not offer/);
  });

  it.each(['permessage-deflate; server_max_window_bits=7', 'permessage-deflate; x_unknown', 'permessage-deflate, permessage-deflate'])('refuses an invalid deflate answer: %s', async (answer) => {
    const url = await fakeServer((key) => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(key)}\r\nSec-WebSocket-Extensions: ${answer}\r\n\r\n`);
    const { error, code } = await outcome(track(new WebSocket(url)));
    expect(code).toBe(1006);
    expect(error).not.toBeNull();
  });

  it('times out a server that never answers', async () => {
    const url = await fakeServer(() => '');
    const started = Date.now();
    const { error, code } = await outcome(track(new WebSocket(url, [], { handshakeTimeout: 200 })));
    expect(code).toBe(1006);
    expect((error as Error & { code?: string }).code).toBe('WS_ERR_HANDSHAKE_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('reports a refused TCP connection as error then close 1006', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const { error, code } = await outcome(track(new WebSocket(`ws://127.0.0.1:${port}/`)));
    expect(code).toBe(1006);
    expect((error as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });
});

describe('protocol errors seen by the client', () => {
  it('fails a masked server frame with 1002 and emits an error with a code', async () => {
    const url = await fakeServer((key) => {
      const head = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(key)}\r\n\r\n`;
      // A masked text frame "hi": servers must not mask.
      const frame = Buffer.from([0x81, 0x82, 1, 2, 3, 4, 'h'.charCodeAt(0) ^ 1, 'i'.charCodeAt(0) ^ 2]);
      return head + frame.toString('latin1');
    });
    const { error, code } = await outcome(track(new WebSocket(url, [], { perMessageDeflate: false, closeTimeout: 200 })));
    expect(code).toBe(1002);
    expect((error as Error & { code?: string }).code).toBe('WS_ERR_UNEXPECTED_MASK');
  });

  it('fails invalid UTF-8 from the server with 1007', async () => {
    const url = await fakeServer((key) => {
      const head = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(key)}\r\n\r\n`;
      return head + Buffer.from([0x81, 0x02, 0xc0, 0xaf]).toString('latin1');
    });
    const { error, code } = await outcome(track(new WebSocket(url, [], { perMessageDeflate: false, closeTimeout: 200 })));
    expect(code).toBe(1007);
    expect((error as Error & { code?: string }).code).toBe('WS_ERR_INVALID_UTF8');
  });

  it('fails a message over maxPayload with 1009', async () => {
    const { url } = await echoServer({ perMessageDeflate: false });
    const ws = track(new WebSocket(url, [], { maxPayload: 1000, perMessageDeflate: false }));
    await new Promise<void>((resolve) => ws.on('open', () => resolve()));
    const result = outcome(ws);
    ws.send(Buffer.alloc(1001));
    const { error, code } = await result;
    expect(code).toBe(1009);
    expect((error as Error & { code?: string }).code).toBe('WS_ERR_MESSAGE_TOO_BIG');
  });
});

describe('the handshake over raw TCP', () => {
  /** A TCP server that records the request head and lets `respond` write whatever it likes. */
  async function scriptedServer(respond: (socket: net.Socket, key: string) => void | Promise<void>): Promise<{ url: string; heads: string[] }> {
    const heads: string[] = [];
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      let head = '';
      socket.on('error', () => {});
      const onData = (chunk: Buffer): void => {
        head += chunk.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end === -1) return;
        socket.removeListener('data', onData);
        heads.push(head.slice(0, end + 4));
        void respond(socket, /sec-websocket-key:\s*(\S+)/i.exec(head)?.[1] ?? '');
      };
      socket.on('data', onData);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    }));
    return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, heads };
  }

  const switching = (key: string): string => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(key)}\r\n\r\n`;

  it('writes the request line, Host with the port, the handshake headers and the user headers', async () => {
    const { url, heads } = await scriptedServer((socket, key) => void socket.write(switching(key)));
    const ws = track(
      new WebSocket(`${url}/chat?room=1`, ['wamp.2.json'], {
        origin: 'https://app.example.com',
        perMessageDeflate: false,
        headers: { Authorization: 'Bearer t', 'X-Trace': 'abc', 'sec-websocket-key': 'not-ours', Connection: 'keep-alive' },
      }),
    );
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => resolve());
      ws.on('error', reject);
    });
    const lines = heads[0]!.split('\r\n');
    const port = new URL(url).port;
    expect(lines[0]).toBe('GET /chat?room=1 HTTP/1.1');
    expect(lines).toContain(`Host: 127.0.0.1:${port}`);
    expect(lines).toContain('Upgrade: websocket');
    expect(lines).toContain('Connection: Upgrade');
    expect(lines).toContain('Sec-WebSocket-Version: 13');
    expect(lines).toContain('Sec-WebSocket-Protocol: wamp.2.json');
    expect(lines).toContain('Origin: https://app.example.com');
    expect(lines).toContain('Authorization: Bearer t');
    expect(lines).toContain('X-Trace: abc');
    // The user's copies of the handshake's own headers are not sent.
    expect(lines.filter((l) => /^sec-websocket-key:/i.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /^connection:/i.test(l))).toEqual(['Connection: Upgrade']);
    expect(lines.some((l) => /^sec-websocket-extensions:/i.test(l))).toBe(false);
  });

  it('uses a Host header given by the user instead of its own', async () => {
    const { url, heads } = await scriptedServer((socket, key) => void socket.write(switching(key)));
    const ws = track(new WebSocket(url, [], { headers: { host: 'virtual.example' } }));
    await new Promise<void>((resolve) => ws.on('open', () => resolve()));
    expect(heads[0]!.split('\r\n').filter((l) => /^host:/i.test(l))).toEqual(['Host: virtual.example']);
  });

  it.each([
    ['a CRLF in a value', { 'X-A': 'a\r\nX-Injected: 1' }],
    ['a LF in a value', { 'X-A': 'a\nb' }],
    ['a NUL in a value', { 'X-A': 'a\0b' }],
    ['a code point above U+00FF', { 'X-A': 'snow ☃' }],
    ['a space in a name', { 'X A': 'b' }],
    ['a colon in a name', { 'X:A': 'b' }],
    ['an empty name', { '': 'b' }],
  ])('refuses %s synchronously with a TypeError', (_name, headers) => {
    expect(() => new WebSocket('ws://127.0.0.1:1/', [], { headers })).toThrow(TypeError);
  });

  it('refuses an origin that could inject lines', () => {
    expect(() => new WebSocket('ws://127.0.0.1:1/', [], { origin: 'https://a\r\nX: y' })).toThrow(TypeError);
  });

  it('reports a refusal with its status, headers and body', async () => {
    const { url } = await scriptedServer((socket) => void socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 4\r\nX-Reason: policy\r\nConnection: close\r\n\r\nnope'));
    const { error, code } = await outcome(track(new WebSocket(url)));
    expect(code).toBe(1006);
    expect(error).toBeInstanceOf(WebSocketError);
    const refusal = error as WebSocketError;
    expect(refusal.code).toBe('WS_ERR_HANDSHAKE');
    expect(refusal.message).toBe('Unexpected server response: 403 Forbidden: nope');
    expect(refusal.response).toEqual({ statusCode: 403, statusMessage: 'Forbidden', headers: { 'content-length': '4', 'x-reason': 'policy', connection: 'close' }, body: 'nope' });
  });

  it('reads a refusal body that arrives in pieces, up to Content-Length, without waiting for the close', async () => {
    const body = JSON.stringify({ error: 'token expired', detail: 'x'.repeat(500) });
    const { url } = await scriptedServer(async (socket) => {
      socket.write(`HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`);
      await new Promise((resolve) => setTimeout(resolve, 30));
      socket.write(body.slice(10)); // and the connection stays open
    });
    const started = Date.now();
    const { error } = await outcome(track(new WebSocket(url, [], { handshakeTimeout: 5000 })));
    const refusal = error as WebSocketError;
    expect(refusal.response?.statusCode).toBe(401);
    expect(JSON.parse(refusal.response!.body)).toEqual({ error: 'token expired', detail: 'x'.repeat(500) });
    // The message quotes the start of the body on one line, cut at 200 characters.
    expect(refusal.message).toBe(`Unexpected server response: 401 Unauthorized: ${body.slice(0, 200)}…`);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reads a refusal body without a length until the server closes, and leaves a chunked one out', async () => {
    const closeDelimited = await scriptedServer((socket) => void socket.end('HTTP/1.1 503 Service Unavailable\r\n\r\ntry again later'));
    const first = (await outcome(track(new WebSocket(closeDelimited.url)))).error as WebSocketError;
    expect(first.response?.body).toBe('try again later');
    const chunked = await scriptedServer((socket) => void socket.end('HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nnope\r\n0\r\n\r\n'));
    const second = (await outcome(track(new WebSocket(chunked.url)))).error as WebSocketError;
    expect(second.response?.statusCode).toBe(400);
    expect(second.response?.body).toBe('');
    expect(second.message).toBe('Unexpected server response: 400 Bad Request');
  });

  it('gets the status and body an authenticate hook of our server refused with', async () => {
    const server = new WebSocketServer({
      port: 0,
      host: '127.0.0.1',
      authenticate: () => Promise.reject(new HttpError(401, 'token expired', { 'WWW-Authenticate': 'Bearer' })),
    });
    await new Promise<void>((resolve) => server.on('listening', resolve));
    cleanups.push(() => server.close());
    const { error } = await outcome(track(new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`)));
    const refusal = error as WebSocketError;
    expect(refusal.message).toBe('Unexpected server response: 401 Unauthorized: token expired');
    expect(refusal.response?.headers['www-authenticate']).toBe('Bearer');
    expect(refusal.response?.body).toBe('token expired');
  });

  it('reports a malformed answer', async () => {
    const { url } = await scriptedServer((socket, key) => void socket.write(switching(key).replaceAll('\r\n', '\n')));
    const { error, code } = await outcome(track(new WebSocket(url, [], { handshakeTimeout: 2000 })));
    expect(code).toBe(1006);
    expect(error?.message).toMatch(/Invalid HTTP response/);
  });

  it('reports a server that closes the connection during the handshake', async () => {
    const { url } = await scriptedServer((socket) => void socket.destroy());
    const { error, code } = await outcome(track(new WebSocket(url)));
    expect(code).toBe(1006);
    expect((error as Error & { code?: string }).code).toBe('WS_ERR_HANDSHAKE');
  });

  it('reads a 101 sent one byte at a time, and the frame that follows it in the same write', async () => {
    const { url } = await scriptedServer(async (socket, key) => {
      socket.setNoDelay(true);
      const bytes = Buffer.concat([Buffer.from(switching(key), 'latin1'), Buffer.from([0x81, 0x02, 0x68, 0x69])]);
      for (let i = 0; i < bytes.length - 6; i++) {
        socket.write(bytes.subarray(i, i + 1));
        await new Promise((r) => setTimeout(r, 1));
      }
      // The empty line's last bytes and the frame in one write.
      socket.write(bytes.subarray(bytes.length - 6));
    });
    const ws = track(new WebSocket(url, [], { perMessageDeflate: false }));
    const message = new Promise<string>((resolve) => ws.on('message', (data) => resolve(data.toString())));
    ws.on('error', () => {});
    expect(await message).toBe('hi');
    expect(ws.readyState).toBe(WebSocket.OPEN);
  });
});

describe('closing the TCP connection', () => {
  /**
   * A raw server that answers the handshake, answers a close frame with close 1000 (or sends
   * `first` right after the handshake), never closes TCP by itself and records the client's FIN.
   */
  async function halfOpenServer(first?: Buffer): Promise<{ url: string; socket: Promise<net.Socket>; clientFinAt: () => number }> {
    let finAt = 0;
    let gotSocket!: (socket: net.Socket) => void;
    const socket = new Promise<net.Socket>((resolve) => (gotSocket = resolve));
    const sockets: net.Socket[] = [];
    const server = net.createServer({ allowHalfOpen: true }, (sock) => {
      sockets.push(sock);
      let buffered = Buffer.alloc(0);
      let upgraded = false;
      sock.on('data', (chunk) => {
        buffered = Buffer.concat([buffered, chunk]);
        if (!upgraded) {
          const end = buffered.indexOf('\r\n\r\n');
          if (end === -1) return;
          const key = /sec-websocket-key:\s*(\S+)/i.exec(buffered.toString('latin1'))?.[1] ?? '';
          sock.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(key)}\r\n\r\n`);
          if (first) sock.write(first);
          upgraded = true;
          buffered = buffered.subarray(end + 4);
          gotSocket(sock);
        }
        // A masked close frame from the client: answer it unless we closed first.
        if (buffered.length > 0 && buffered[0] === 0x88 && !first) sock.write(Buffer.from([0x88, 0x02, 0x03, 0xe8]));
      });
      sock.on('end', () => (finAt = Date.now()));
      sock.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const sock of sockets) sock.destroy();
    }));
    return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`, socket, clientFinAt: () => finAt };
  }

  function closeOf(ws: WebSocket): Promise<{ code: number; at: number }> {
    return new Promise((resolve) => ws.once('close', (code) => resolve({ code, at: Date.now() })));
  }

  it('waits for the server to close TCP after the closing handshake (RFC 6455 §7.1.1), then closes at once', async () => {
    const server = await halfOpenServer();
    const ws = track(new WebSocket(server.url, [], { perMessageDeflate: false, closeTimeout: 10_000 }));
    await new Promise<void>((resolve) => ws.once('open', () => resolve()));
    const closed = closeOf(ws);
    ws.close(1000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The handshake is complete, yet the client has not half-closed: that is the server's move.
    expect(server.clientFinAt()).toBe(0);
    expect(ws.readyState).toBe(WebSocket.CLOSING);
    const released = Date.now();
    (await server.socket).end();
    const { code, at } = await closed;
    expect(code).toBe(1000);
    expect(at - released).toBeLessThan(1000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.clientFinAt()).toBeGreaterThanOrEqual(released);
  });

  it('sees the server close even when the user paused reading in the last message handler', async () => {
    // A text frame and the server's close frame arrive in one chunk; the handler pauses.
    const server = await halfOpenServer(Buffer.from([0x81, 0x02, 0x68, 0x69, 0x88, 0x02, 0x03, 0xe8]));
    const ws = track(new WebSocket(server.url, [], { perMessageDeflate: false, closeTimeout: 10_000 }));
    ws.on('message', () => ws.pause());
    const closed = closeOf(ws);
    const sock = await server.socket;
    await new Promise((resolve) => sock.once('data', resolve)); // the client's close reply
    const released = Date.now();
    sock.end();
    const { code, at } = await closed;
    expect(code).toBe(1000);
    expect(at - released).toBeLessThan(1000);
  });

  it('closes TCP itself when the server does not within closeTimeout', async () => {
    const server = await halfOpenServer();
    const ws = track(new WebSocket(server.url, [], { perMessageDeflate: false, closeTimeout: 300 }));
    await new Promise<void>((resolve) => ws.once('open', () => resolve()));
    const closed = closeOf(ws);
    const started = Date.now();
    ws.close(1000);
    const { code, at } = await closed;
    expect(code).toBe(1000);
    expect(at - started).toBeGreaterThanOrEqual(250);
    expect(at - started).toBeLessThan(3000);
  });
});
