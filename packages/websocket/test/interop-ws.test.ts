/**
 * Interop with the `ws` package (the de-facto Node implementation):
 *  - our WebSocketServer <-> ws client
 *  - our WebSocket client <-> ws server
 * with and without permessage-deflate. Real sockets on 127.0.0.1, port 0.
 * `ws` is a devDependency, so this suite has no external peer to detect.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import {
  WebSocket as WsClient,
  WebSocketServer as WsServer,
  type ServerOptions as WsServerOptions,
} from 'ws';

import { WebSocket, WebSocketServer } from '../src/index.js';
import { asciiText, countingProxy, nextEvent, randomBytesDet, utf8Text } from './support/interop.js';

const STEP_TIMEOUT = 15_000;
const TEST_TIMEOUT = 60_000;

// ---------------------------------------------------------------- helpers

type Msg = { name: string; data: string | Buffer };




const SIZES = [0, 1, 125, 126, 127, 65535, 65536, 1024 * 1024];

function messageSet(): Msg[] {
  const msgs: Msg[] = [];
  for (const n of SIZES) msgs.push({ name: `text ${n} B`, data: asciiText(n) });
  for (const n of SIZES) msgs.push({ name: `binary ${n} B`, data: randomBytesDet(n) });
  msgs.push({ name: 'binary 64 KiB zeros (compressible)', data: Buffer.alloc(65536) });
  msgs.push({ name: 'utf8 short', data: 'ü€🎉' });
  msgs.push({ name: 'utf8 >=126 B', data: utf8Text(126) });
  msgs.push({ name: 'utf8 >=64 KiB', data: utf8Text(65536) });
  return msgs;
}

const MESSAGES = messageSet();

function sha(b: Buffer | string): string {
  return createHash('sha256').update(b).digest('hex').slice(0, 16);
}

function toBuf(data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data as Buffer[]);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  throw new TypeError(`unexpected message data type ${Object.prototype.toString.call(data)}`);
}

/** A compact, diff-friendly description of a message. */
function describeMsg(data: Buffer | string, isBinary: boolean) {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return { binary: isBinary, length: buf.length, sha: sha(buf) };
}

function expected(msgs: Msg[]) {
  return msgs.map((m) => ({ name: m.name, ...describeMsg(m.data, typeof m.data !== 'string') }));
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, rej) => {
        t = setTimeout(() => rej(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(t);
  }
}

type Received = { data: Buffer; isBinary: boolean };
interface Emitterish {
  on(event: string, fn: (...args: any[]) => void): unknown;
  off?(event: string, fn: (...args: any[]) => void): unknown;
  removeListener?(event: string, fn: (...args: any[]) => void): unknown;
}

/** Collects 'message' events from either implementation; take(n) waits for n more. */
function collector(sock: Emitterish) {
  const got: Received[] = [];
  const waiters: Array<() => void> = [];
  let failure: Error | undefined;
  sock.on('message', (data: unknown, isBinary: boolean) => {
    got.push({ data: toBuf(data), isBinary });
    waiters.splice(0).forEach((w) => w());
  });
  const fail = (e: Error) => {
    failure = e;
    waiters.splice(0).forEach((w) => w());
  };
  sock.on('error', (e: Error) => fail(e));
  sock.on('close', (code: number, reason: unknown) =>
    fail(new Error(`socket closed (${code} ${String(reason)}) while waiting for messages`)),
  );
  let taken = 0;
  return {
    got,
    async take(n: number, ms = STEP_TIMEOUT): Promise<Received[]> {
      const want = taken + n;
      await withTimeout(
        new Promise<void>((resolve, reject) => {
          const check = () => {
            if (got.length >= want) return resolve();
            if (failure) return reject(failure);
            waiters.push(check);
          };
          check();
        }),
        ms,
        `${n} message(s) (have ${got.length - taken})`,
      );
      const out = got.slice(taken, want);
      taken = want;
      return out;
    },
  };
}

/**
 * The next 'close' event as { code, reason }. Our API passes the reason as a string;
 * `ws` passes a Buffer. With `ours`, a non-string reason is reported as a mismatch.
 */
function closeEvent(sock: Emitterish, ours = false, ms = STEP_TIMEOUT): Promise<{ code: number; reason: string }> {
  return withTimeout(
    new Promise((resolve) =>
      sock.on('close', (code: number, reason: unknown) =>
        resolve({
          code,
          reason: ours && typeof reason !== 'string' ? `<not a string: ${typeof reason}> ${String(reason)}` : String(reason),
        }),
      ),
    ),
    ms,
    'close event',
  );
}

function openEvent(sock: Emitterish, ms = STEP_TIMEOUT): Promise<void> {
  return withTimeout(
    new Promise<void>((resolve, reject) => {
      sock.on('open', () => resolve());
      sock.on('error', (e: Error) => reject(e));
      sock.on('close', (code: number) => reject(new Error(`closed (${code}) before open`)));
    }),
    ms,
    'open event',
  );
}


/** Send all messages, then check every echo arrives in order and byte-identical. */
async function echoAll(
  sender: { send(data: any, opts?: any): unknown },
  col: ReturnType<typeof collector>,
  msgs: Msg[],
) {
  for (const m of msgs) sender.send(m.data);
  const echoes = await col.take(msgs.length, 30_000);
  expect(echoes.map((e, i) => ({ name: msgs[i]!.name, ...describeMsg(e.data, e.isBinary) }))).toEqual(
    expected(msgs),
  );
  // Text echoes must round-trip as identical strings (multi-byte UTF-8 included).
  echoes.forEach((e, i) => {
    const m = msgs[i]!;
    if (typeof m.data === 'string') expect(e.data.toString('utf8') === m.data, m.name).toBe(true);
  });
}

// Tracks everything a test opens, so afterEach can tear it down even on failure.
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) {
    try {
      await withTimeout(Promise.resolve(c()), 5_000, 'cleanup');
    } catch {
      /* best effort */
    }
  }
});

function trackWsClient(ws: WsClient) {
  cleanups.push(() => ws.terminate());
  return ws;
}

function trackOurClient(ws: WebSocket) {
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === 3) return resolve();
        ws.on('close', () => resolve());
        ws.on('error', () => {});
        try {
          ws.close();
        } catch {
          resolve();
        }
      }),
  );
  return ws;
}

// ---------------------------------------------- our server <-> ws client

interface OurEchoServer {
  wss: WebSocketServer;
  port: number;
  url: string;
  connections: Array<{ socket: WebSocket; protocol: string; extensions: string }>;
  nextConnection(): Promise<{ socket: WebSocket; protocol: string; extensions: string }>;
}

async function startOurEchoServer(opts: Record<string, unknown>): Promise<OurEchoServer> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', maxPayload: 16 * 1024 * 1024, ...opts } as any);
  const connections: OurEchoServer['connections'] = [];
  const waiters: Array<(c: OurEchoServer['connections'][number]) => void> = [];
  wss.on('error', () => {});
  wss.on('connection', (socket: WebSocket) => {
    const c = { socket, protocol: socket.protocol, extensions: String(socket.extensions) };
    connections.push(c);
    socket.on('error', () => {});
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      socket.send(data, { binary: isBinary });
    });
    waiters.shift()?.(c);
  });
  await withTimeout(nextEvent(wss as any, 'listening'), STEP_TIMEOUT, 'our server listening');
  const port = (wss.address() as AddressInfo).port;
  return {
    wss,
    port,
    url: `ws://127.0.0.1:${port}/`,
    connections,
    nextConnection: () =>
      withTimeout(new Promise((r) => waiters.push(r)), STEP_TIMEOUT, 'server connection event'),
  };
}

const SERVER_DEFLATE_CONFIGS: Array<{ label: string; perMessageDeflate: unknown; enabled: boolean }> = [
  { label: 'disabled', perMessageDeflate: false, enabled: false },
  { label: 'enabled (true)', perMessageDeflate: true, enabled: true },
  { label: 'enabled ({ level: 1, threshold: 0 })', perMessageDeflate: { level: 1, threshold: 0 }, enabled: true },
];

describe('our WebSocketServer <-> ws client', () => {
  for (const cfg of SERVER_DEFLATE_CONFIGS) {
    describe(`server perMessageDeflate ${cfg.label}`, () => {
      let srv: OurEchoServer;
      beforeAll(async () => {
        srv = await startOurEchoServer({ perMessageDeflate: cfg.perMessageDeflate });
      });
      afterAll(async () => {
        await withTimeout(srv.wss.close(), STEP_TIMEOUT, 'our server close');
      });

      it(`ws client offering deflate: extension ${cfg.enabled ? 'negotiated' : 'not negotiated'}`, async () => {
        const conn = srv.nextConnection();
        const ws = trackWsClient(new WsClient(srv.url, { perMessageDeflate: true }));
        await openEvent(ws);
        const { extensions } = await conn;
        if (cfg.enabled) {
          expect(ws.extensions).toContain('permessage-deflate');
          expect(extensions).toContain('permessage-deflate');
        } else {
          expect(ws.extensions).not.toContain('permessage-deflate');
          expect(extensions).not.toContain('permessage-deflate');
        }
      });

      it('ws client not offering deflate: extension not negotiated, echo works', async () => {
        const conn = srv.nextConnection();
        const ws = trackWsClient(new WsClient(srv.url, { perMessageDeflate: false }));
        const col = collector(ws);
        await openEvent(ws);
        expect(ws.extensions).toBe('');
        expect((await conn).extensions).not.toContain('permessage-deflate');
        await echoAll(ws, col, MESSAGES.filter((m) => m.data.length <= 65536));
      });

      it(
        'echoes text and binary (0 B .. 1 MiB, multi-byte UTF-8) in order and intact',
        async () => {
          const ws = trackWsClient(new WsClient(srv.url, { perMessageDeflate: { threshold: 0 } }));
          const col = collector(ws);
          await openEvent(ws);
          await echoAll(ws, col, MESSAGES);
          // and again on the same connection (context takeover state carried across messages)
          await echoAll(ws, col, MESSAGES.filter((m) => m.data.length <= 65536));
        },
        TEST_TIMEOUT,
      );

      it(
        'ws client offering deflate with parameters (no context takeover, max window bits 10): echo works',
        async () => {
          const conn = srv.nextConnection();
          const ws = trackWsClient(
            new WsClient(srv.url, {
              perMessageDeflate: {
                threshold: 0,
                clientNoContextTakeover: true,
                serverNoContextTakeover: true,
                clientMaxWindowBits: 10,
                serverMaxWindowBits: 10,
              },
            }),
          );
          const col = collector(ws);
          await openEvent(ws);
          expect(ws.extensions.includes('permessage-deflate')).toBe(cfg.enabled);
          expect((await conn).extensions.includes('permessage-deflate')).toBe(cfg.enabled);
          await echoAll(ws, col, MESSAGES);
        },
        TEST_TIMEOUT,
      );

      it('reassembles fragmented text and binary messages from the ws client', async () => {
        const ws = trackWsClient(new WsClient(srv.url, { perMessageDeflate: { threshold: 0 } }));
        const col = collector(ws);
        await openEvent(ws);
        const text = utf8Text(3000);
        const buf = Buffer.from(text, 'utf8');
        // Split inside multi-byte sequences on purpose: each fragment alone is not valid UTF-8.
        const cuts = [0, 1001, 2002, buf.length];
        for (let i = 0; i < 3; i++) ws.send(buf.subarray(cuts[i], cuts[i + 1]), { binary: false, fin: i === 2 });
        const bin = randomBytesDet(200_000, 99);
        ws.send(bin.subarray(0, 70_000), { binary: true, fin: false });
        ws.send(bin.subarray(70_000, 70_000), { binary: true, fin: false });
        ws.send(bin.subarray(70_000), { binary: true, fin: true });
        const [t, b] = await col.take(2);
        expect(t!.isBinary).toBe(false);
        expect(t!.data.toString('utf8') === text).toBe(true);
        expect(describeMsg(b!.data, b!.isBinary)).toEqual(describeMsg(bin, true));
      });

      it(`64 KiB compressible text is ${cfg.enabled ? '' : 'not '}compressed on the wire`, async () => {
        const proxy = await countingProxy(srv.port);
        cleanups.push(() => proxy.close());
        const ws = trackWsClient(
          new WsClient(`ws://127.0.0.1:${proxy.port}/`, { perMessageDeflate: { threshold: 0 } }),
        );
        const col = collector(ws);
        await openEvent(ws);
        const up0 = proxy.counts.up;
        const down0 = proxy.counts.down;
        const text = asciiText(65536);
        ws.send(text);
        const [echo] = await col.take(1);
        expect(echo!.data.toString('utf8') === text).toBe(true);
        const up = proxy.counts.up - up0;
        const down = proxy.counts.down - down0;
        if (cfg.enabled) {
          expect(up, 'client->server bytes').toBeLessThan(8192);
          expect(down, 'server->client bytes').toBeLessThan(8192);
        } else {
          expect(up).toBeGreaterThan(65536);
          expect(down).toBeGreaterThan(65536);
        }
      });
    });
  }

  describe('subprotocols (server protocols: [b, a])', () => {
    let srv: OurEchoServer;
    beforeAll(async () => {
      srv = await startOurEchoServer({ perMessageDeflate: false, protocols: ['b', 'a'] });
    });
    afterAll(async () => {
      await withTimeout(srv.wss.close(), STEP_TIMEOUT, 'our server close');
    });

    for (const [offer, want] of [
      [['a', 'b'], 'b'],
      [['b', 'a'], 'b'],
      [['a'], 'a'],
      [['x', 'a'], 'a'],
      [[], ''],
    ] as const) {
      it(`client offers [${offer.join(', ')}] -> '${want}'`, async () => {
        const conn = srv.nextConnection();
        const ws = trackWsClient(new WsClient(srv.url, [...offer]));
        await openEvent(ws);
        expect(ws.protocol).toBe(want);
        expect((await conn).protocol).toBe(want);
      });
    }
  });

  describe('control frames and closing', () => {
    let srv: OurEchoServer;
    beforeAll(async () => {
      srv = await startOurEchoServer({ perMessageDeflate: true });
    });
    afterAll(async () => {
      await withTimeout(srv.wss.close(), STEP_TIMEOUT, 'our server close');
    });

    it('answers a ws client ping with a pong carrying the same payload', async () => {
      const ws = trackWsClient(new WsClient(srv.url));
      await openEvent(ws);
      const pong = withTimeout(nextEvent(ws, 'pong'), STEP_TIMEOUT, 'pong');
      ws.ping(Buffer.from('ping-payload'));
      const [data] = await pong;
      expect(toBuf(data).toString()).toBe('ping-payload');
    });

    it('server ping reaches the ws client, and its pong reaches the server', async () => {
      const conn = srv.nextConnection();
      const ws = trackWsClient(new WsClient(srv.url));
      await openEvent(ws);
      const { socket } = await conn;
      const gotPing = withTimeout(nextEvent(ws, 'ping'), STEP_TIMEOUT, 'ping at ws client');
      const gotPong = withTimeout(nextEvent(socket as any, 'pong'), STEP_TIMEOUT, 'pong at our server');
      socket.ping(Buffer.from('from-server'));
      expect(toBuf((await gotPing)[0]).toString()).toBe('from-server');
      expect(toBuf((await gotPong)[0]).toString()).toBe('from-server');
    });

    it('client-initiated close: code and reason seen on both ends', async () => {
      const conn = srv.nextConnection();
      const ws = trackWsClient(new WsClient(srv.url));
      await openEvent(ws);
      const { socket } = await conn;
      const serverSaw = closeEvent(socket, true);
      const clientSaw = closeEvent(ws);
      ws.close(4000, 'bye from ws — ünïcödé');
      expect(await serverSaw).toEqual({ code: 4000, reason: 'bye from ws — ünïcödé' });
      // The initiator sees the reply: the code is echoed (RFC 6455 §5.5.1); echoing the reason is optional.
      expect(await clientSaw).toEqual({ code: 4000, reason: expect.toBeOneOf(['', 'bye from ws — ünïcödé']) });
    });

    it('server-initiated close: code and reason seen on both ends', async () => {
      const conn = srv.nextConnection();
      const ws = trackWsClient(new WsClient(srv.url));
      await openEvent(ws);
      const { socket } = await conn;
      const serverSaw = closeEvent(socket, true);
      const clientSaw = closeEvent(ws);
      socket.close(4001, 'bye from junction');
      expect(await clientSaw).toEqual({ code: 4001, reason: 'bye from junction' });
      expect(await serverSaw).toEqual({ code: 4001, reason: expect.toBeOneOf(['', 'bye from junction']) });
    });
  });

  for (const deflate of [false, true]) {
    it(`maxPayload: an oversize ws client message gets close 1009 (deflate ${deflate})`, async () => {
      const srv = await startOurEchoServer({ perMessageDeflate: deflate, maxPayload: 64 * 1024 });
      cleanups.push(() => srv.wss.close());
      const conn = srv.nextConnection();
      const ws = trackWsClient(new WsClient(srv.url, { perMessageDeflate: deflate ? { threshold: 0 } : false }));
      const col = collector(ws);
      await openEvent(ws);
      const { socket } = await conn;
      ws.send(asciiText(64 * 1024)); // exactly the limit: accepted
      expect((await col.take(1))[0]!.data.length).toBe(64 * 1024);
      const clientSaw = closeEvent(ws);
      const serverSaw = closeEvent(socket, true);
      // One byte over; with deflate it is ~1 KiB on the wire and inflates past the limit.
      ws.send(Buffer.alloc(64 * 1024 + 1));
      expect((await clientSaw).code).toBe(1009);
      expect((await serverSaw).code).toBe(1009);
    });
  }

  it('wss.close() closes connected ws clients with 1001', async () => {
    const srv = await startOurEchoServer({ perMessageDeflate: false });
    const ws = trackWsClient(new WsClient(srv.url));
    await openEvent(ws);
    const clientSaw = closeEvent(ws);
    await withTimeout(srv.wss.close(), STEP_TIMEOUT, 'our server close');
    expect((await clientSaw).code).toBe(1001);
  });
});

// ---------------------------------------------- our client <-> ws server

interface WsEchoServer {
  wss: WsServer;
  url: string;
  port: number;
  nextConnection(): Promise<import('ws').WebSocket>;
}

async function startWsEchoServer(opts: WsServerOptions): Promise<WsEchoServer> {
  const wss = new WsServer({ port: 0, host: '127.0.0.1', maxPayload: 16 * 1024 * 1024, ...opts });
  const waiters: Array<(s: import('ws').WebSocket) => void> = [];
  wss.on('connection', (socket) => {
    socket.on('error', () => {});
    socket.on('message', (data, isBinary) => socket.send(data as Buffer, { binary: isBinary }));
    waiters.shift()?.(socket);
  });
  await withTimeout(once(wss, 'listening'), STEP_TIMEOUT, 'ws server listening');
  const port = (wss.address() as AddressInfo).port;
  return {
    wss,
    port,
    url: `ws://127.0.0.1:${port}/`,
    nextConnection: () => withTimeout(new Promise((r) => waiters.push(r)), STEP_TIMEOUT, 'ws server connection'),
  };
}

async function stopWsServer(wss: WsServer) {
  for (const c of wss.clients) c.terminate();
  await withTimeout(new Promise<void>((r) => wss.close(() => r())), STEP_TIMEOUT, 'ws server close');
}

const WS_SERVER_CONFIGS: Array<{ label: string; perMessageDeflate: WsServerOptions['perMessageDeflate']; enabled: boolean }> =
  [
    { label: 'disabled', perMessageDeflate: false, enabled: false },
    { label: 'enabled (threshold 0)', perMessageDeflate: { threshold: 0 }, enabled: true },
    {
      label: 'enabled (no context takeover both ways, server_max_window_bits=10)',
      perMessageDeflate: {
        threshold: 0,
        serverNoContextTakeover: true,
        clientNoContextTakeover: true,
        serverMaxWindowBits: 10,
      },
      enabled: true,
    },
    {
      label: 'enabled (client_max_window_bits=9 if offered, level 9, memLevel 9)',
      perMessageDeflate: { threshold: 0, clientMaxWindowBits: 9, zlibDeflateOptions: { level: 9, memLevel: 9 } },
      enabled: true,
    },
  ];

describe('our WebSocket client <-> ws server', () => {
  for (const cfg of WS_SERVER_CONFIGS) {
    describe(`ws server perMessageDeflate ${cfg.label}`, () => {
      let srv: WsEchoServer;
      beforeAll(async () => {
        srv = await startWsEchoServer({ perMessageDeflate: cfg.perMessageDeflate });
      });
      afterAll(async () => {
        await stopWsServer(srv.wss);
      });

      it(
        `our client offering deflate: ${cfg.enabled ? 'negotiated' : 'not negotiated'}; echoes all messages intact`,
        async () => {
          const conn = srv.nextConnection();
          const ws = trackOurClient(new WebSocket(srv.url, [], { perMessageDeflate: true } as any));
          const col = collector(ws as any);
          await openEvent(ws as any);
          const peer = await conn;
          if (cfg.enabled) {
            expect(String(ws.extensions)).toContain('permessage-deflate');
            expect(peer.extensions).toContain('permessage-deflate');
          } else {
            expect(String(ws.extensions)).not.toContain('permessage-deflate');
            expect(peer.extensions).toBe('');
          }
          await echoAll(ws as any, col, MESSAGES);
          await echoAll(ws as any, col, MESSAGES.filter((m) => m.data.length <= 65536));
        },
        TEST_TIMEOUT,
      );

      it('our client not offering deflate: not negotiated; echo works', async () => {
        const conn = srv.nextConnection();
        const ws = trackOurClient(new WebSocket(srv.url, [], { perMessageDeflate: false } as any));
        const col = collector(ws as any);
        await openEvent(ws as any);
        expect(String(ws.extensions)).not.toContain('permessage-deflate');
        expect((await conn).extensions).toBe('');
        await echoAll(ws as any, col, MESSAGES.filter((m) => m.data.length <= 65536));
      });

      it('sends ArrayBuffer and typed-array views as binary', async () => {
        const ws = trackOurClient(new WebSocket(srv.url, [], { perMessageDeflate: cfg.enabled } as any));
        const col = collector(ws as any);
        await openEvent(ws as any);
        const src = randomBytesDet(300, 7);
        const ab = new ArrayBuffer(src.length);
        new Uint8Array(ab).set(src);
        ws.send(ab);
        ws.send(new Uint8Array(ab, 10, 100));
        ws.send(new DataView(ab, 20, 50));
        const [a, b, c] = await col.take(3);
        expect(describeMsg(a!.data, a!.isBinary)).toEqual(describeMsg(src, true));
        expect(describeMsg(b!.data, b!.isBinary)).toEqual(describeMsg(src.subarray(10, 110), true));
        expect(describeMsg(c!.data, c!.isBinary)).toEqual(describeMsg(src.subarray(20, 70), true));
      });
    });
  }

  describe('control frames, subprotocols, closing', () => {
    let srv: WsEchoServer;
    beforeAll(async () => {
      srv = await startWsEchoServer({
        perMessageDeflate: { threshold: 0 },
        handleProtocols: (offered) => (offered.has('b') ? 'b' : offered.has('a') ? 'a' : false),
      });
    });
    afterAll(async () => {
      await stopWsServer(srv.wss);
    });

    it("subprotocol: our client offers [a, b], ws server prefers 'b'", async () => {
      const conn = srv.nextConnection();
      const ws = trackOurClient(new WebSocket(srv.url, ['a', 'b'], { perMessageDeflate: true } as any));
      await openEvent(ws as any);
      expect(ws.protocol).toBe('b');
      expect((await conn).protocol).toBe('b');
    });

    it('maxPayload on our client: an oversize (deflated) ws server message gets close 1009', async () => {
      const conn = srv.nextConnection();
      const ws = trackOurClient(
        new WebSocket(srv.url, [], { perMessageDeflate: true, maxPayload: 64 * 1024 } as any),
      );
      const col = collector(ws as any);
      await openEvent(ws as any);
      const peer = await conn;
      peer.send(Buffer.alloc(64 * 1024)); // exactly the limit: accepted
      expect((await col.take(1))[0]!.data.length).toBe(64 * 1024);
      const serverSaw = closeEvent(peer);
      const clientSaw = closeEvent(ws as any, true);
      peer.send(Buffer.alloc(1024 * 1024)); // 1 MiB of zeros: ~1 KiB compressed
      expect((await serverSaw).code).toBe(1009);
      expect((await clientSaw).code).toBe(1009);
    });

    it('our ping is answered by a ws pong with the same payload', async () => {
      const ws = trackOurClient(new WebSocket(srv.url, [], { perMessageDeflate: true } as any));
      await openEvent(ws as any);
      const pong = withTimeout(nextEvent(ws as any, 'pong'), STEP_TIMEOUT, 'pong at our client');
      ws.ping(Buffer.from('junction-ping'));
      expect(toBuf((await pong)[0]).toString()).toBe('junction-ping');
    });

    it('ws server ping is answered by our client (pong with same payload)', async () => {
      const conn = srv.nextConnection();
      const ws = trackOurClient(new WebSocket(srv.url, [], { perMessageDeflate: true } as any));
      await openEvent(ws as any);
      const peer = await conn;
      const gotPing = withTimeout(nextEvent(ws as any, 'ping'), STEP_TIMEOUT, 'ping at our client');
      const gotPong = withTimeout(nextEvent(peer, 'pong'), STEP_TIMEOUT, 'pong at ws server');
      peer.ping(Buffer.from('ws-ping'));
      expect(toBuf((await gotPing)[0]).toString()).toBe('ws-ping');
      expect(toBuf((await gotPong)[0]).toString()).toBe('ws-ping');
    });

    it('client-initiated close: code and reason seen on both ends', async () => {
      const conn = srv.nextConnection();
      const ws = trackOurClient(new WebSocket(srv.url, [], { perMessageDeflate: true } as any));
      await openEvent(ws as any);
      const peer = await conn;
      const serverSaw = closeEvent(peer);
      const clientSaw = closeEvent(ws as any, true);
      ws.close(4000, 'bye from junction — ünïcödé');
      expect(await serverSaw).toEqual({ code: 4000, reason: 'bye from junction — ünïcödé' });
      // The initiator sees the reply: the code is echoed (RFC 6455 §5.5.1); echoing the reason is optional.
      expect(await clientSaw).toEqual({ code: 4000, reason: expect.toBeOneOf(['', 'bye from junction — ünïcödé']) });
      expect(ws.readyState).toBe(3);
    });

    it('server-initiated close: code and reason seen on both ends', async () => {
      const conn = srv.nextConnection();
      const ws = trackOurClient(new WebSocket(srv.url, [], { perMessageDeflate: true } as any));
      await openEvent(ws as any);
      const peer = await conn;
      const serverSaw = closeEvent(peer);
      const clientSaw = closeEvent(ws as any, true);
      peer.close(4001, 'bye from ws');
      expect(await clientSaw).toEqual({ code: 4001, reason: 'bye from ws' });
      expect(await serverSaw).toEqual({ code: 4001, reason: expect.toBeOneOf(['', 'bye from ws']) });
      expect(ws.readyState).toBe(3);
    });
  });
});
