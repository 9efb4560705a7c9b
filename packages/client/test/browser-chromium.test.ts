/**
 * The browser build in Chromium (Debian's chromium, driven headless by playwright-core): the
 * browser entry is bundled with esbuild for `platform: 'browser'` (which fails on any Node
 * built-in), served to a page, and talks to the test-only WAMP responder over Chromium's native
 * WebSocket with each serializer. Missing chromium: skipped with a printed reason locally, a
 * failure under CI=true.
 */
import { accessSync, constants } from 'node:fs';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startResponder, type Responder } from './support/responder.js';

const chromiumPath = process.env.JUNCTION_CHROMIUM ?? '/usr/bin/chromium';
const available = (() => {
  try {
    accessSync(chromiumPath, constants.X_OK);
    return true;
  } catch {
    return false;
  }
})();
if (!available) {
  const message = `[peers] chromium unavailable at ${chromiumPath}`;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(`${message} (CI: a failure, not a skip)`);
  console.warn(`${message} -- skipping the Chromium client tests`);
}

describe.skipIf(!available)('browser entry in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let server: http.Server;
  let responder: Responder;

  beforeAll(async () => {
    const bundle = await build({
      // The browser entry loads JSON only; MessagePack and CBOR come with their own modules.
      stdin: {
        contents: "import './msgpack.ts'; import './cbor.ts'; export * from './index.ts';",
        resolveDir: fileURLToPath(new URL('../src/', import.meta.url)),
        loader: 'ts',
      },
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'junction',
      write: false,
      logLevel: 'silent',
    });
    const code = bundle.outputFiles[0]!.text;
    server = http.createServer((req, res) => {
      if (req.url === '/client.js') {
        res.writeHead(200, { 'content-type': 'text/javascript', connection: 'close' });
        res.end(code);
      } else {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', connection: 'close' });
        res.end('<!doctype html><meta charset="utf-8"><title>junction client</title><body>client</body>');
      }
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    responder = await startResponder();
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'], timeout: 60_000 });
    page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { timeout: 30_000 });
    await page.addScriptTag({ url: '/client.js' });
  }, 90_000);

  afterAll(async () => {
    await Promise.race([browser?.close(), new Promise((r) => setTimeout(r, 10_000))]);
    await responder?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }, 30_000);

  it.each(['json', 'msgpack', 'cbor'])('calls, registers, subscribes and publishes over %s', async (name) => {
    const outcome = await page.evaluate(
      async ({ url, name }) => {
        const { connect, WampError } = (globalThis as any).junction;
        const a = await connect({ url, realm: 'realm1', serializers: [name], reconnect: false });
        const b = await connect({ url, realm: 'realm1', serializers: [name], reconnect: false });
        const sum = (await a.call('com.add', [2, 40])).args[0];
        const echoed = await a.call('com.echo', [new Uint8Array([1, 2, 255]), 2 ** 53 - 1], { k: 'v' });
        await b.register(`com.browser.${name}`, (args: number[], kwargs: Record<string, number>) => args[0] * kwargs.by);
        const product = (await a.call(`com.browser.${name}`, [6], { by: 7 })).args[0];
        let failure = '';
        try {
          await a.call('com.fail');
        } catch (error: any) {
          failure = error instanceof WampError ? `${error.uri}:${String(error.kwargs.code)}` : 'not a WampError';
        }
        const event = new Promise((resolve) => void b.subscribe(`com.browser.news.${name}`, (args: unknown[]) => resolve(args[0])));
        await new Promise((r) => setTimeout(r, 20));
        await a.publish(`com.browser.news.${name}`, ['hello'], undefined, { acknowledge: true });
        const news = await event;
        const serializers = [a.serializer, b.serializer];
        await a.close();
        await b.close();
        return { sum, bytes: Array.from(echoed.args[0] as Uint8Array), big: echoed.args[1], kwargs: echoed.kwargs, product, failure, news, serializers };
      },
      { url: responder.url, name },
    );
    expect(outcome).toEqual({
      sum: 42,
      bytes: [1, 2, 255],
      big: 2 ** 53 - 1,
      kwargs: { k: 'v' },
      product: 42,
      failure: 'com.example.failed:42',
      news: 'hello',
      serializers: [name, name],
    });
  }, 60_000);
});
