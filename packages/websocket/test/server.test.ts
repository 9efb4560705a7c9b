/**
 * WebSocketServer over real sockets: handshake checks, hosting modes, subprotocols, hooks,
 * limits, heartbeat and graceful shutdown.
 */
import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HttpError, WebSocket, WebSocketServer, type WebSocketServerOptions } from '../src/index.js';
import { Opcode } from '../src/constants.js';
import { RawPeer, buildFrame, rawHttp, upgradeHead } from './support/raw-peer.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startServer(options: Partial<WebSocketServerOptions> = {}): Promise<{ server: WebSocketServer; port: number }> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1', ...options } as WebSocketServerOptions);
  server.on('connection', (socket) => {
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.on('listening', resolve));
  cleanups.push(() => server.close());
  return { server, port: (server.address() as AddressInfo).port };
}

function openClient(url: string, protocols?: string | string[], options?: ConstructorParameters<typeof WebSocket>[2]): Promise<WebSocket> {
  const ws = new WebSocket(url, protocols, options);
  cleanups.push(() => ws.terminate());
  return new Promise((resolve, reject) => {
    ws.on('open', () => resolve(ws));
    ws.on('error', reject);
  });
}

function nextMessage(ws: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve) => ws.once('message', (data, isBinary) => resolve({ data, isBinary })));
}

describe('opening handshake checks', () => {
  it('refuses a non-GET upgrade', async () => {
    const { port } = await startServer();
    const res = await rawHttp(port, upgradeHead({ method: 'POST' }));
    expect([400, 405]).toContain(res.status);
  });

  it('refuses HTTP/1.0 with 400', async () => {
    const { port } = await startServer();
    const res = await rawHttp(port, upgradeHead({ version: '1.0' }));
    expect(res.status).toBe(400);
  });

  it('answers a wrong Sec-WebSocket-Version with 426 and the version we speak', async () => {
    const { port } = await startServer();
    const res = await rawHttp(port, upgradeHead({ headers: { 'Sec-WebSocket-Version': '8' } }));
    expect(res.status).toBe(426);
    expect(res.headers['sec-websocket-version']).toBe('13');
  });

  it.each([
    ['missing', null],
    ['15 bytes', Buffer.alloc(15).toString('base64')],
    ['not base64', '!!!!!!!!!!!!!!!!!!!!!!=='],
  ])('refuses a %s Sec-WebSocket-Key with 400', async (_name, key) => {
    const { port } = await startServer();
    const res = await rawHttp(port, upgradeHead({ headers: { 'Sec-WebSocket-Key': key } }));
    expect(res.status).toBe(400);
    expect(res.body.length).toBeGreaterThan(0);
  });

  it('accepts Upgrade and Connection tokens in any case, inside comma lists', async () => {
    const { port } = await startServer();
    const peer = await RawPeer.connect(port, { headers: { Upgrade: 'WebSocket', Connection: 'keep-alive, UPGRADE' } });
    expect(peer.response.status).toBe(101);
    peer.destroy();
  });

  it('refuses an oversized request head with 431', async () => {
    const { port } = await startServer({ maxHeaderSize: 4096 });
    const res = await rawHttp(port, upgradeHead({ headers: { 'X-Filler': 'a'.repeat(8000) } }));
    expect(res.status).toBe(431);
  });

  it('answers plain HTTP requests with 426', async () => {
    const { port } = await startServer();
    const res = await rawHttp(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(426);
  });

  it('drops a slowloris client that never finishes its headers', async () => {
    const { port } = await startServer({ handshakeTimeout: 300 });
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.on('connect', resolve));
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
    const started = Date.now();
    await new Promise<void>((resolve) => {
      socket.on('close', () => resolve());
      socket.on('error', () => {});
      socket.resume();
    });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('times out an authenticate hook that never answers', async () => {
    const { server, port } = await startServer({ handshakeTimeout: 300, authenticate: () => new Promise(() => {}) });
    const rejected = new Promise<number>((resolve) => server.on('rejected', (status) => resolve(status)));
    const peer = RawPeer.connect(port);
    await expect(peer).rejects.toThrow();
    expect(await rejected).toBe(408);
  });

  it('serves only its path when one is set', async () => {
    const { port } = await startServer({ path: '/ws' });
    const res = await rawHttp(port, upgradeHead({ path: '/other' }));
    expect(res.status).toBe(404);
    const peer = await RawPeer.connect(port, { path: '/ws?token=1' });
    expect(peer.response.status).toBe(101);
    peer.destroy();
  });
});

describe('subprotocols', () => {
  it('chooses by server preference among offered protocols, with spaces and repeated headers', async () => {
    const { port } = await startServer({ protocols: ['wamp.2.msgpack', 'wamp.2.json'] });
    const peer = await RawPeer.connect(port, { headers: { 'Sec-WebSocket-Protocol': 'wamp.2.json ,  wamp.2.msgpack' } });
    expect(peer.response.headers['sec-websocket-protocol']).toBe('wamp.2.msgpack');
    peer.destroy();
    const client = await openClient(`ws://127.0.0.1:${port}/`, ['other', 'wamp.2.json']);
    expect(client.protocol).toBe('wamp.2.json');
  });

  it('refuses with 400 when none of the offered protocols is spoken', async () => {
    const { port } = await startServer({ protocols: ['wamp.2.json'] });
    const res = await rawHttp(port, upgradeHead({ headers: { 'Sec-WebSocket-Protocol': 'mqtt' } }));
    expect(res.status).toBe(400);
    expect(res.body).toContain('wamp.2.json');
  });

  it('refuses a malformed protocol header with 400', async () => {
    const { port } = await startServer({ protocols: ['a'] });
    const res = await rawHttp(port, upgradeHead({ headers: { 'Sec-WebSocket-Protocol': 'a, a' } }));
    expect(res.status).toBe(400);
  });

  it('lets handleProtocols choose, with the request at hand', async () => {
    const { port } = await startServer({ handleProtocols: (offered, req) => (req.url === '/json' ? 'json' : offered[0]!) });
    const a = await openClient(`ws://127.0.0.1:${port}/json`, ['msgpack', 'json']);
    const b = await openClient(`ws://127.0.0.1:${port}/`, ['msgpack', 'json']);
    expect([a.protocol, b.protocol]).toEqual(['json', 'msgpack']);
  });

  it('routes each mounted protocol to its own handler', async () => {
    const { server, port } = await startServer();
    server.mount('upper', (socket) => socket.on('message', (data) => socket.send(data.toString().toUpperCase())));
    server.mount('reverse', (socket) => socket.on('message', (data) => socket.send([...data.toString()].reverse().join(''))));
    const upper = await openClient(`ws://127.0.0.1:${port}/`, 'upper');
    const reverse = await openClient(`ws://127.0.0.1:${port}/`, 'reverse');
    const gotUpper = new Promise<string[]>((resolve) => {
      const seen: string[] = [];
      upper.on('message', (d) => {
        seen.push(d.toString());
        if (seen.length === 2) resolve(seen);
      });
    });
    upper.send('abc');
    const r = nextMessage(reverse);
    reverse.send('abc');
    // The plain echo of the `connection` listener runs too: both arrive.
    expect((await gotUpper).sort()).toEqual(['ABC', 'abc']);
    expect(['cba', 'abc']).toContain((await r).data.toString());
  });

  it('refuses a client without a protocol when protocolRequired is set', async () => {
    const { port } = await startServer({ protocols: ['wamp.2.json'], protocolRequired: true });
    const res = await rawHttp(port, upgradeHead());
    expect(res.status).toBe(400);
  });
});

describe('hooks and policies', () => {
  it('authenticate can refuse with a status, a body and headers', async () => {
    const { port } = await startServer({
      authenticate: (req) => {
        if (req.headers.authorization !== 'Bearer good') throw new HttpError(401, 'bad token', { 'WWW-Authenticate': 'Bearer' });
        return { user: 'alice' };
      },
    });
    const res = await rawHttp(port, upgradeHead({ headers: { Authorization: 'Bearer bad' } }));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.body).toBe('bad token');
  });

  it('authenticate (async) result becomes socket.auth', async () => {
    const { server, port } = await startServer({
      authenticate: async (req) => {
        await new Promise((r) => setTimeout(r, 10));
        return { user: req.headers.cookie?.replace('session=', '') };
      },
    });
    const seen = new Promise<unknown>((resolve) => server.on('connection', (socket) => resolve(socket.auth)));
    await openClient(`ws://127.0.0.1:${port}/`, undefined, { headers: { Cookie: 'session=alice' } });
    expect(await seen).toEqual({ user: 'alice' });
  });

  it('an authenticate hook that crashes gives 500 and an error event, and the server lives on', async () => {
    const { server, port } = await startServer({ authenticate: () => { throw new Error('db down'); } });
    const errored = new Promise<Error>((resolve) => server.on('error', resolve));
    const res = await rawHttp(port, upgradeHead());
    expect(res.status).toBe(500);
    expect((await errored).message).toBe('db down');
  });

  it('enforces the origin allow-list with 403', async () => {
    const { port } = await startServer({ origins: ['https://app.example.com', /^http:\/\/localhost:\d+$/] });
    expect((await rawHttp(port, upgradeHead({ headers: { Origin: 'https://evil.example.com' } }))).status).toBe(403);
    const ok = await RawPeer.connect(port, { headers: { Origin: 'http://localhost:5173' } });
    expect(ok.response.status).toBe(101);
    ok.destroy();
  });

  it('drops a silent client after the heartbeat timeout', async () => {
    const { server, port } = await startServer({ heartbeat: { interval: 100, timeout: 100 } });
    // A raw peer never answers pings.
    const silent = await RawPeer.connect(port);
    const answering = await openClient(`ws://127.0.0.1:${port}/`);
    await silent.socketClosed(3000);
    expect(silent.frames.some((f) => f.opcode === Opcode.Ping)).toBe(true);
    expect(answering.readyState).toBe(WebSocket.OPEN);
    for (let i = 0; i < 50 && server.clients.size !== 1; i++) await new Promise((r) => setTimeout(r, 20));
    expect(server.clients.size).toBe(1);
  });

  it('does not judge a socket it has paused (its pongs cannot be read), and judges it again once resumed', async () => {
    const { server, port } = await startServer({ heartbeat: { interval: 50, timeout: 50 } });
    const connected = new Promise<WebSocket>((resolve) => server.on('connection', resolve));
    const silent = await RawPeer.connect(port); // never answers pings
    const socket = await connected;
    socket.pause();
    await new Promise((r) => setTimeout(r, 400)); // several heartbeat rounds
    expect(socket.readyState).toBe(WebSocket.OPEN);
    socket.resume();
    await silent.socketClosed(3000);
    expect(socket.readyState).not.toBe(WebSocket.OPEN);
  });

  it('closes a slow consumer once maxBufferedAmount is passed', async () => {
    const { server, port } = await startServer({ maxBufferedAmount: 256 * 1024 });
    const connected = new Promise<WebSocket>((resolve) => server.on('connection', resolve));
    const peer = await RawPeer.connect(port);
    peer.socket.pause(); // never read
    const socket = await connected;
    const error = new Promise<Error>((resolve) => socket.on('error', resolve));
    const chunk = Buffer.alloc(64 * 1024);
    for (let i = 0; i < 200 && socket.readyState === WebSocket.OPEN; i++) socket.send(chunk);
    expect(((await error) as Error & { code: string }).code).toBe('WS_ERR_BUFFER_FULL');
    await new Promise<void>((resolve) => (socket.readyState === WebSocket.CLOSED ? resolve() : socket.on('close', () => resolve())));
    peer.destroy();
  });

  it('drops messages instead with the drop policy', async () => {
    const { server, port } = await startServer({ maxBufferedAmount: 128 * 1024, slowConsumer: 'drop' });
    const connected = new Promise<WebSocket>((resolve) => server.on('connection', resolve));
    const peer = await RawPeer.connect(port);
    peer.socket.pause();
    const socket = await connected;
    // Send until the backlog passes the limit. Batches of 64 KiB go to the kernel at once, so how
    // many messages that takes depends on the socket buffers: keep going (up to 32 MiB) until
    // one is dropped. Messages the kernel took wait for the paused peer; their callbacks come later.
    const payload = Buffer.alloc(32 * 1024);
    let dropped: (Error & { code?: string }) | undefined;
    for (let i = 0; i < 1000 && dropped === undefined; i++) {
      socket.send(payload, (err) => {
        if (err) dropped ??= err;
      });
      if (i % 8 === 7) await new Promise((resolve) => setImmediate(resolve));
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(dropped?.code).toBe('WS_ERR_BUFFER_FULL');
    expect(socket.bufferedAmount).toBeGreaterThan(128 * 1024);
    expect(socket.readyState).toBe(WebSocket.OPEN);
    peer.destroy();
  });
});

describe('hosting', () => {
  it('attaches to an existing HTTP server that keeps serving plain requests', async () => {
    const httpServer = http.createServer((_req, res) => res.end('plain http'));
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => httpServer.close(() => resolve())));
    const wss = new WebSocketServer({ server: httpServer, path: '/ws' });
    cleanups.push(() => wss.close());
    wss.on('connection', (s) => s.on('message', (d, b) => s.send(d, { binary: b })));
    const port = (httpServer.address() as AddressInfo).port;
    const body = await new Promise<string>((resolve) => http.get(`http://127.0.0.1:${port}/`, (res) => { let t = ''; res.on('data', (c) => (t += c)); res.on('end', () => resolve(t)); }));
    expect(body).toBe('plain http');
    const client = await openClient(`ws://127.0.0.1:${port}/ws`);
    const reply = nextMessage(client);
    client.send('through a shared server');
    expect((await reply).data.toString()).toBe('through a shared server');
  });

  it('works with noServer and handleUpgrade from a framework-style upgrade handler', async () => {
    const wss = new WebSocketServer({ noServer: true });
    cleanups.push(() => wss.close());
    const httpServer = http.createServer();
    httpServer.on('upgrade', (req, socket, head) => {
      if (req.url !== '/live') {
        socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.send(`hello ${wss.clients.size}`);
      });
    });
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => httpServer.close(() => resolve())));
    const port = (httpServer.address() as AddressInfo).port;
    const client = new WebSocket(`ws://127.0.0.1:${port}/live`);
    cleanups.push(() => client.terminate());
    const first = await nextMessage(client);
    expect(first.data.toString()).toBe('hello 1');
  });

  it('serves wss:// through an https server', async () => {
    const dir = fileURLToPath(new URL('./fixtures/', import.meta.url));
    const cert = readFileSync(`${dir}localhost-cert.pem`);
    const httpsServer = https.createServer({ key: readFileSync(`${dir}localhost-key.pem`), cert });
    await new Promise<void>((resolve) => httpsServer.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => httpsServer.close(() => resolve())));
    const wss = new WebSocketServer({ server: httpsServer });
    cleanups.push(() => wss.close());
    wss.on('connection', (s) => s.on('message', (d, b) => s.send(d, { binary: b })));
    const port = (httpsServer.address() as AddressInfo).port;
    const client = await openClient(`wss://localhost:${port}/`, undefined, { tls: { ca: cert } });
    const reply = nextMessage(client);
    client.send(Buffer.from([1, 2, 3]));
    const got = await reply;
    expect(got.isBinary).toBe(true);
    expect([...got.data]).toEqual([1, 2, 3]);
  });
});

describe('graceful close', () => {
  it('sends 1001 to every client, waits for the closing handshakes and stops listening', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((resolve) => server.on('listening', resolve));
    const port = (server.address() as AddressInfo).port;
    const clients = await Promise.all([1, 2, 3].map(() => openClient(`ws://127.0.0.1:${port}/`)));
    const codes = clients.map((c) => new Promise<number>((resolve) => c.on('close', (code) => resolve(code))));
    expect(server.clients.size).toBe(3);
    await server.close();
    expect(await Promise.all(codes)).toEqual([1001, 1001, 1001]);
    expect(server.clients.size).toBe(0);
    await expect(openClient(`ws://127.0.0.1:${port}/`)).rejects.toThrow();
  });

  it('does not wait forever for a client that never answers the close', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1', closeTimeout: 200 });
    await new Promise<void>((resolve) => server.on('listening', resolve));
    const port = (server.address() as AddressInfo).port;
    const peer = await RawPeer.connect(port);
    peer.socket.pause();
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(3000);
    peer.destroy();
  });
});

describe('closing the TCP connection', () => {
  /** A raw client past the handshake that never sends its FIN, and the server's socket for it. */
  async function halfOpenPeer(): Promise<{ peer: RawPeer; ws: WebSocket; resets: Error[]; serverFin: Promise<void> }> {
    const { server, port } = await startServer({ closeTimeout: 10_000 });
    const accepted = new Promise<WebSocket>((resolve) => server.once('connection', resolve));
    const peer = await RawPeer.connect(port);
    cleanups.push(() => peer.destroy());
    peer.socket.allowHalfOpen = true;
    const resets: Error[] = [];
    peer.socket.on('error', (err) => resets.push(err));
    const serverFin = new Promise<void>((resolve) => peer.socket.once('end', resolve));
    return { peer, ws: await accepted, resets, serverFin };
  }

  const closeOf = (ws: WebSocket): Promise<[number, string]> => new Promise((resolve) => ws.once('close', (code, reason) => resolve([code, reason])));

  it('closes TCP first, as soon as it has answered the client\'s close frame (RFC 6455 §7.1.1)', async () => {
    const { peer, ws, resets, serverFin } = await halfOpenPeer();
    const closed = closeOf(ws);
    const started = Date.now();
    peer.sendFrame(Opcode.Close, Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.from('bye')]));
    expect(await peer.closeFrame()).toEqual({ code: 1000, reason: 'bye' });
    await serverFin;
    // Without waiting for the client's FIN (it never comes) or the 10 s close timer.
    expect(await closed).toEqual([1000, 'bye']);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(resets).toEqual([]);
  });

  it('closes TCP as soon as the client answers a close it started', async () => {
    const { peer, ws, resets, serverFin } = await halfOpenPeer();
    const closed = closeOf(ws);
    const started = Date.now();
    ws.close(4000, 'done');
    expect(await peer.closeFrame()).toEqual({ code: 4000, reason: 'done' });
    peer.sendFrame(Opcode.Close, Buffer.from([0x0f, 0xa0]));
    await serverFin;
    // The close event reports the first close frame received: the client's answer.
    expect(await closed).toEqual([4000, '']);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(resets).toEqual([]);
  });
});

describe('option checks', () => {
  it('rejects bad permessage-deflate options at construction, not at the first handshake', () => {
    expect(() => new WebSocketServer({ noServer: true, perMessageDeflate: { serverMaxWindowBits: 16 } })).toThrow(/serverMaxWindowBits/);
    expect(() => new WebSocketServer({ noServer: true, perMessageDeflate: { level: 12 } })).toThrow(/level/);
    expect(() => new WebSocket('ws://127.0.0.1:1/', [], { perMessageDeflate: { memLevel: 0 } })).toThrow(/memLevel/);
  });

  it('needs exactly one hosting mode', () => {
    expect(() => new WebSocketServer({})).toThrow(/exactly one/);
    expect(() => new WebSocketServer({ port: 0, noServer: true })).toThrow(/exactly one/);
  });
});

describe('port mode: raw TCP and our own HTTP head parser', () => {
  function connect(port: number): Promise<net.Socket> {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {});
    cleanups.push(() => void socket.destroy());
    return new Promise((resolve) => socket.on('connect', () => resolve(socket)));
  }

  /** Everything the server sends until it closes the connection (or `until` holds). */
  function received(socket: net.Socket, until: (bytes: Buffer) => boolean = () => false): Promise<Buffer> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      const done = (): void => resolve(Buffer.concat(chunks));
      socket.on('data', (chunk) => {
        chunks.push(chunk);
        if (until(Buffer.concat(chunks))) done();
      });
      socket.on('close', done);
    });
  }

  const maskedText = (text: string): Buffer => buildFrame(Opcode.Text, Buffer.from(text));
  const serverText = (text: string): Buffer => Buffer.concat([Buffer.from([0x81, Buffer.byteLength(text)]), Buffer.from(text)]);

  it('answers a plain GET with 426, a plain-text body and Connection: close, without a rejected event', async () => {
    const { server, port } = await startServer();
    let rejected = 0;
    server.on('rejected', () => rejected++);
    const res = await rawHttp(port, 'GET /favicon.ico HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n');
    expect(res.status).toBe(426);
    expect(res.headers['connection']).toMatch(/close/i);
    expect(res.headers['upgrade']).toBe('websocket');
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toMatch(/WebSocket endpoint/);
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.body));
    expect(rejected).toBe(0);
  });

  it.each([
    ['a garbage request line', 'HELLO THERE\r\n\r\n', 400],
    ['TLS bytes on a plain port', '\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n', 400],
    ['bare LF line ends', 'GET / HTTP/1.1\nHost: x\nUpgrade: websocket\n\n', 400],
    ['obs-fold', 'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\tfolded\r\n\r\n', 400],
    ['a request without Host', 'GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n', 400],
    ['HTTP/2.0 in the request line', 'GET / HTTP/2.0\r\nHost: x\r\n\r\n', 505],
  ])('answers %s with its status and a rejected event', async (_name, head, status) => {
    const { server, port } = await startServer();
    const rejected = new Promise<[number, string, string | undefined]>((resolve) => server.on('rejected', (s, reason, req) => resolve([s, reason, req.method])));
    const res = await rawHttp(port, head);
    expect(res.status).toBe(status);
    expect(res.body.length).toBeGreaterThan(0);
    const [seenStatus, reason, method] = await rejected;
    expect(seenStatus).toBe(status);
    expect(reason).toBe(res.body);
    expect(method).toBe('');
  });

  it('answers 431 as soon as the head passes maxHeaderSize, before any end of head', async () => {
    const { port } = await startServer();
    const socket = await connect(port);
    const answer = received(socket, (bytes) => bytes.includes('\r\n\r\n'));
    socket.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Filler: ${'a'.repeat(20000)}`);
    const text = (await answer).toString('latin1');
    expect(text.startsWith('HTTP/1.1 431 ')).toBe(true);
  });

  it('drops a slowloris client and reports 408 with a headless request', async () => {
    const { server, port } = await startServer({ handshakeTimeout: 200 });
    const rejected = new Promise<[number, string | undefined]>((resolve) => server.on('rejected', (status, _reason, req) => resolve([status, req.url])));
    const socket = await connect(port);
    socket.write('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: web');
    const started = Date.now();
    await received(socket);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await rejected).toEqual([408, '']);
  });

  it('closes at once a connection that half-closes before its head is complete', async () => {
    const { port } = await startServer();
    const socket = await connect(port);
    socket.end('GET / HTTP/1.1\r\nHost: x\r\n');
    const started = Date.now();
    await received(socket);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('lets go of connections that close during the handshake', async () => {
    const { server, port } = await startServer();
    let rejected = 0;
    server.on('rejected', () => rejected++);
    for (let i = 0; i < 20; i++) {
      const socket = await connect(port);
      if (i % 2 === 0) socket.write('GET / HTTP/1.1\r\n');
      socket.destroy();
    }
    const pending = (server as unknown as { pending: Set<unknown> }).pending;
    for (let i = 0; i < 50 && pending.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(pending.size).toBe(0);
    expect(rejected).toBe(0);
  });

  it('upgrades a request sent one byte at a time', async () => {
    const { port } = await startServer();
    const socket = await connect(port);
    socket.setNoDelay(true);
    const head = Buffer.from(upgradeHead({ path: '/split' }), 'latin1');
    const switched = received(socket, (bytes) => bytes.includes('\r\n\r\n'));
    for (const byte of head) {
      socket.write(Buffer.from([byte]));
      await new Promise((r) => setTimeout(r, 1));
    }
    expect((await switched).toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
    const echo = received(socket, (bytes) => bytes.includes(serverText('split')));
    socket.write(maskedText('split'));
    expect((await echo).includes(serverText('split'))).toBe(true);
  });

  it('delivers frames sent in the same packet as the request head', async () => {
    const { server, port } = await startServer();
    const messages: string[] = [];
    const got = new Promise<void>((resolve) => {
      server.on('connection', (ws) => {
        ws.on('message', (data) => {
          messages.push(data.toString());
          if (messages.length === 2) resolve();
        });
      });
    });
    const socket = await connect(port);
    const echoed = received(socket, (bytes) => bytes.includes(serverText('second')));
    socket.write(Buffer.concat([Buffer.from(upgradeHead(), 'latin1'), maskedText('first'), maskedText('second')]));
    await got;
    expect(messages).toEqual(['first', 'second']);
    const bytes = await echoed;
    expect(bytes.indexOf(serverText('first'))).toBeGreaterThan(bytes.indexOf('\r\n\r\n'));
  });

  it('keeps the frames a client sends while authenticate is still deciding', async () => {
    const { server, port } = await startServer({ authenticate: () => new Promise((r) => setTimeout(() => r('ok'), 150)) });
    const got = new Promise<string>((resolve) => server.on('connection', (ws) => ws.on('message', (data) => resolve(data.toString()))));
    const socket = await connect(port);
    socket.write(upgradeHead(), 'latin1');
    await new Promise((r) => setTimeout(r, 30));
    socket.write(maskedText('early'));
    expect(await got).toBe('early');
  });

  it('passes hooks and events a lightweight request with Node-style fields', async () => {
    let seen: import('../src/index.js').UpgradeRequest | undefined;
    const { server, port } = await startServer({
      authenticate: (req) => {
        seen = req;
        return true;
      },
    });
    const connected = new Promise<unknown>((resolve) => server.on('connection', (_ws, req) => resolve(req)));
    const peer = await RawPeer.connect(port, { path: '/room?x=1', headers: { 'X-Trace': ' abc ', Cookie: 'a=1' } });
    cleanups.push(() => peer.destroy());
    expect(await connected).toBe(seen);
    expect(seen).toMatchObject({ method: 'GET', url: '/room?x=1', httpVersion: '1.1' });
    expect(seen!.headers['x-trace']).toBe('abc');
    expect(seen!.headers.cookie).toBe('a=1');
    expect(seen!.rawHeaders).toContain('X-Trace');
    expect(seen!.socket).toBeInstanceOf(net.Socket);
    expect(seen).not.toBeInstanceOf(http.IncomingMessage);
  });

  it('still serves other clients while refusing bad ones', async () => {
    const { port } = await startServer({ maxHeaderSize: 1024 });
    const bad = Array.from({ length: 10 }, (_, i) => rawHttp(port, i % 2 ? 'x'.repeat(3000) : 'GET / HTTP/1.1\r\n\r\n'));
    const client = await openClient(`ws://127.0.0.1:${port}/`);
    const reply = nextMessage(client);
    client.send('still here');
    expect((await reply).data.toString()).toBe('still here');
    expect((await Promise.all(bad)).map((r) => r.status).sort()).toEqual([400, 400, 400, 400, 400, 431, 431, 431, 431, 431]);
  });
});

describe('pause and resume', () => {
  it('a paused server-side socket stops reading (the peer is held back by TCP) and delivers the rest on resume', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    cleanups.push(() => server.close());
    await new Promise<void>((resolve) => server.on('listening', resolve));
    const got: number[] = [];
    const accepted = new Promise<WebSocket>((resolve) => server.on('connection', (socket) => {
      socket.on('message', (data) => got.push(data.readUInt32BE(0)));
      resolve(socket);
    }));
    const client = await openClient(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`, undefined, { perMessageDeflate: false });
    const socket = await accepted;
    socket.pause();
    expect(socket.isPaused).toBe(true);
    // 16 MiB: far more than the kernel buffers hold, so most of it must wait in the client.
    const chunk = Buffer.alloc(64 * 1024);
    for (let i = 0; i < 256; i++) {
      const m = Buffer.from(chunk);
      m.writeUInt32BE(i, 0);
      client.send(m);
    }
    await new Promise((r) => setTimeout(r, 300));
    const whilePaused = got.length;
    expect(whilePaused).toBeLessThan(256);
    expect(client.bufferedAmount).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(got.length).toBe(whilePaused); // nothing more arrives while paused
    socket.resume();
    expect(socket.isPaused).toBe(false);
    const start = Date.now();
    while (got.length < 256 && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual(Array.from({ length: 256 }, (_, i) => i));
  });
});
