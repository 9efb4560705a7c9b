/**
 * Interop: Chromium's native WebSocket (Debian's chromium, driven headless by
 * playwright-core; never a downloaded browser) <-> our WebSocketServer.
 *
 * A tiny page is served by a node http server on 127.0.0.1; inside it the test
 * opens ws://127.0.0.1:PORT/, sends text and ArrayBuffer messages of several
 * sizes and collects the echoes. Chromium always offers permessage-deflate.
 *
 * Peer detection: /usr/bin/chromium (or $JUNCTION_CHROMIUM) must be executable.
 * Missing -> skipped with a printed reason; under CI=true -> failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { WebSocket, WebSocketServer } from '../src/index.js';
import { asciiText, countingProxy, nextEvent, randomBytesDet, utf8Text } from './support/interop.js';

import { chromiumArgs, chromiumPath, detectChromium, requirePeer } from './support/peers.js';

const peer = detectChromium();
const run = requirePeer('chromium', peer.available, peer.reason);

const PAGE_TIMEOUT = 45_000;

// ---------------------------------------------------------------- messages




type Msg = { name: string; data: string | Buffer };
type WireMsg = { kind: 'text'; text: string } | { kind: 'binary'; b64: string };

const MESSAGES: Msg[] = [
  { name: 'text 0 B', data: '' },
  { name: 'text 125 B', data: asciiText(125) },
  { name: 'text 126 B', data: asciiText(126) },
  { name: 'text 64 KiB compressible', data: asciiText(65536) },
  { name: 'text 1 MiB', data: asciiText(1024 * 1024) },
  { name: 'utf8 multi-byte >=64 KiB', data: utf8Text(65536) },
  { name: 'utf8 short', data: 'ü€🎉' },
  { name: 'binary 0 B', data: Buffer.alloc(0) },
  { name: 'binary 125 B', data: randomBytesDet(125) },
  { name: 'binary 126 B', data: randomBytesDet(126) },
  { name: 'binary 65535 B', data: randomBytesDet(65535) },
  { name: 'binary 64 KiB', data: randomBytesDet(65536) },
  { name: 'binary 64 KiB zeros', data: Buffer.alloc(65536) },
  { name: 'binary 1 MiB', data: randomBytesDet(1024 * 1024) },
];

function toWire(m: Msg): WireMsg {
  return typeof m.data === 'string' ? { kind: 'text', text: m.data } : { kind: 'binary', b64: m.data.toString('base64') };
}

function digest(w: WireMsg) {
  const buf = w.kind === 'text' ? Buffer.from(w.text, 'utf8') : Buffer.from(w.b64, 'base64');
  return { kind: w.kind, length: buf.length, sha: createHash('sha256').update(buf).digest('hex').slice(0, 16) };
}

// ---------------------------------------------------------------- page side

interface PageResult {
  extensions: string;
  protocol: string;
  echoes: WireMsg[];
  close: { code: number; reason: string; wasClean: boolean };
  error?: string;
}

/**
 * Runs inside Chromium. Opens the socket, sends `msgs` (all at once), waits for
 * as many echoes, then closes with `closeWith` (or waits for the server to close).
 */
async function pageExchange(arg: {
  url: string;
  protocols: string[];
  msgs: WireMsg[];
  closeWith: [number, string] | null;
  sendAfterOpen?: string;
  timeoutMs: number;
}): Promise<PageResult> {
  const b64ToBytes = (b64: string) => {
    const s = atob(b64);
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  };
  const bytesToB64 = (u: Uint8Array) => {
    let s = '';
    for (let i = 0; i < u.length; i += 0x8000) s += String.fromCharCode(...u.subarray(i, i + 0x8000));
    return btoa(s);
  };
  return await new Promise<PageResult>((resolve) => {
    const result: PageResult = {
      extensions: '',
      protocol: '',
      echoes: [],
      close: { code: -1, reason: '', wasClean: false },
    };
    const timer = setTimeout(() => {
      result.error = `page timeout: ${result.echoes.length}/${arg.msgs.length} echoes`;
      resolve(result);
    }, arg.timeoutMs);
    // The browser's own WebSocket (the bare name would be rewritten to our import by the test transform).
    const BrowserWebSocket = (globalThis as any).WebSocket as typeof globalThis.WebSocket;
    const ws = new BrowserWebSocket(arg.url, arg.protocols);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      result.extensions = ws.extensions;
      result.protocol = ws.protocol;
      for (const m of arg.msgs) {
        if (m.kind === 'text') ws.send(m.text);
        else {
          const bytes = b64ToBytes(m.b64);
          ws.send(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
        }
      }
      if (arg.sendAfterOpen !== undefined) ws.send(arg.sendAfterOpen);
      if (arg.msgs.length === 0 && arg.closeWith) ws.close(...arg.closeWith);
    };
    ws.onmessage = (ev: MessageEvent) => {
      result.echoes.push(
        typeof ev.data === 'string'
          ? { kind: 'text', text: ev.data }
          : { kind: 'binary', b64: bytesToB64(new Uint8Array(ev.data as ArrayBuffer)) },
      );
      if (result.echoes.length === arg.msgs.length && arg.closeWith) ws.close(...arg.closeWith);
    };
    ws.onerror = () => {
      result.error = (result.error ? result.error + '; ' : '') + 'error event';
    };
    ws.onclose = (ev: { code: number; reason: string; wasClean: boolean }) => {
      clearTimeout(timer);
      result.close = { code: ev.code, reason: ev.reason, wasClean: ev.wasClean };
      resolve(result);
    };
  });
}

// ---------------------------------------------------------------- node side


interface ServerRecord {
  protocol: string;
  extensions: string;
  received: Array<{ kind: 'text' | 'binary'; length: number; sha: string }>;
  close?: { code: number; reason: string };
}

async function startServer(opts: Record<string, unknown>) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', maxPayload: 16 * 1024 * 1024, ...opts } as any);
  const records: ServerRecord[] = [];
  wss.on('error', () => {});
  wss.on('connection', (socket: WebSocket) => {
    const rec: ServerRecord = { protocol: socket.protocol, extensions: String(socket.extensions), received: [] };
    records.push(rec);
    socket.on('error', () => {});
    socket.on('close', (code: number, reason: unknown) => (rec.close = { code, reason: String(reason) }));
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      rec.received.push({
        kind: isBinary ? 'binary' : 'text',
        length: data.length,
        sha: createHash('sha256').update(data).digest('hex').slice(0, 16),
      });
      if (!isBinary && data.toString() === 'please close') {
        socket.close(4003, 'bye chromium');
        return;
      }
      socket.send(data, { binary: isBinary });
    });
  });
  await nextEvent(wss as any, 'listening');
  const port = (wss.address() as AddressInfo).port;
  return { wss, port, records };
}

async function waitFor(pred: () => boolean, ms: number, what: string) {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!run)('Chromium native WebSocket <-> our WebSocketServer', () => {
  let browser: Browser;
  let page: Page;
  let pageServer: http.Server;

  beforeAll(async () => {
    pageServer = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', connection: 'close' });
      res.end('<!doctype html><meta charset="utf-8"><title>junction interop</title><body>interop</body>');
    });
    pageServer.listen(0, '127.0.0.1');
    await once(pageServer, 'listening');
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [...chromiumArgs],
      timeout: 60_000,
    });
    console.info(`[peers] chromium ${browser.version()} at ${chromiumPath}`);
    page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`, { timeout: 30_000 });
  }, 90_000);

  afterAll(async () => {
    await Promise.race([browser?.close(), new Promise((r) => setTimeout(r, 10_000))]);
    pageServer?.closeAllConnections?.();
    await new Promise<void>((r) => (pageServer ? pageServer.close(() => r()) : r()));
  }, 30_000);

  for (const deflate of [true, false]) {
    describe(`server perMessageDeflate ${deflate}`, () => {
      let srv: Awaited<ReturnType<typeof startServer>>;
      beforeAll(async () => {
        srv = await startServer({ perMessageDeflate: deflate, protocols: ['b', 'a'] });
      });
      afterAll(async () => {
        await srv?.wss.close();
      });

      it(
        `echoes text and ArrayBuffer messages (0 B .. 1 MiB); permessage-deflate ${deflate ? '' : 'not '}negotiated`,
        async () => {
          const before = srv.records.length;
          const wire = MESSAGES.map(toWire);
          const r = await page.evaluate(pageExchange, {
            url: `ws://127.0.0.1:${srv.port}/`,
            protocols: [],
            msgs: wire,
            closeWith: [1000, 'chromium done'] as [number, string],
            timeoutMs: PAGE_TIMEOUT,
          });
          expect(r.error).toBeUndefined();
          if (deflate) expect(r.extensions).toContain('permessage-deflate');
          else expect(r.extensions).toBe('');
          expect(r.protocol).toBe('');
          const names = MESSAGES.map((m) => m.name);
          expect(r.echoes.map((e, i) => ({ name: names[i], ...digest(e) }))).toEqual(
            wire.map((w, i) => ({ name: names[i], ...digest(w) })),
          );
          const rec = srv.records[before]!;
          expect(rec.extensions.includes('permessage-deflate')).toBe(deflate);
          expect(rec.received).toEqual(wire.map(digest));
          // The page sees our reply: the code is echoed (RFC 6455 §5.5.1); echoing the reason is optional.
          expect(r.close).toEqual({ code: 1000, reason: expect.toBeOneOf(['', 'chromium done']), wasClean: true });
          await waitFor(() => rec.close !== undefined, 10_000, 'server close event');
          expect(rec.close).toEqual({ code: 1000, reason: 'chromium done' });
        },
        PAGE_TIMEOUT + 15_000,
      );

      it(
        `64 KiB compressible text is ${deflate ? '' : 'not '}compressed on the wire (both directions)`,
        async () => {
          const proxy = await countingProxy(srv.port);
          try {
            const text = asciiText(65536);
            const r = await page.evaluate(pageExchange, {
              url: `ws://127.0.0.1:${proxy.port}/`,
              protocols: [],
              msgs: [{ kind: 'text', text } as WireMsg],
              closeWith: [1000, ''] as [number, string],
              timeoutMs: PAGE_TIMEOUT,
            });
            expect(r.error).toBeUndefined();
            expect(r.echoes.length).toBe(1);
            expect((r.echoes[0] as { text: string }).text === text).toBe(true);
            // Totals include the HTTP handshake (< 2 KiB each way) and close frames.
            if (deflate) {
              expect(proxy.counts.up, 'browser->server bytes').toBeLessThan(8192);
              expect(proxy.counts.down, 'server->browser bytes').toBeLessThan(8192);
            } else {
              expect(proxy.counts.up).toBeGreaterThan(65536);
              expect(proxy.counts.down).toBeGreaterThan(65536);
            }
          } finally {
            await proxy.close();
          }
        },
        PAGE_TIMEOUT + 15_000,
      );

      it(
        "subprotocols: Chromium offers [a, b], server prefers 'b'; server-initiated close 4003 seen in page",
        async () => {
          const before = srv.records.length;
          const r = await page.evaluate(pageExchange, {
            url: `ws://127.0.0.1:${srv.port}/`,
            protocols: ['a', 'b'],
            msgs: [],
            closeWith: null,
            sendAfterOpen: 'please close',
            timeoutMs: PAGE_TIMEOUT,
          });
          expect(r.error).toBeUndefined();
          expect(r.protocol).toBe('b');
          expect(srv.records[before]!.protocol).toBe('b');
          expect(r.close).toEqual({ code: 4003, reason: 'bye chromium', wasClean: true });
          const rec = srv.records[before]!;
          await waitFor(() => rec.close !== undefined, 10_000, 'server close event');
          expect(rec.close?.code).toBe(4003);
        },
        PAGE_TIMEOUT + 15_000,
      );
    });
  }
});
