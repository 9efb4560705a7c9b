/**
 * End to end in Chromium: the client's browser build (dist/index.js, bundled by esbuild with the
 * page harness in test/browser) runs in Debian's chromium, driven headless by playwright-core, and
 * talks to our router over the browser's native WebSocket, next to Node clients on the same router.
 * The page and the router share one node:http server on 127.0.0.1.
 *
 * Also records the size of the browser build (minified + gzipped; the JSON-only entry, and with
 * MessagePack and CBOR) and fails past a ceiling, so that a change dragging Node code or a
 * serializer library into it shows.
 *
 * Peer detection as in the websocket interop suite: /usr/bin/chromium (or $JUNCTION_CHROMIUM) must
 * be executable; missing -> skipped with a printed reason; under CI=true -> failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Router } from '@junction/router';
import { WampError, result, type Client, type InvocationContext } from '@junction/client';
import { chromiumArgs, chromiumPath, detectChromium, requirePeer } from '../../websocket/test/support/peers.js';
import { bundleHarness, measureBundle, startPageServer, type BundleSize } from './support/e2e-browser.js';
import { ClientPool, deferred, quietLog, waitSubscribers, within } from './support/e2e-router.js';

const peer = detectChromium();
const run = requirePeer('chromium', peer.available, peer.reason);

/**
 * Ceilings of the browser build, minified + gzipped: the entry alone (JSON only; ~17 KB) and with
 * MessagePack and CBOR (~40 KB, most of it msgpackr and cbor-x). Generous, to catch Node code or a
 * serializer library dragged in, not to count bytes.
 */
const CORE_CEILING = 30 * 1024;
const FULL_CEILING = 60 * 1024;

describe('browser build size', () => {
  const mentions = (size: BundleSize, part: string) => size.contributors.filter((p) => p.includes(part));

  it('the browser entry (JSON only) bundles without Node code, msgpackr or cbor-x, under its ceiling', async () => {
    const core = await measureBundle("export * from './dist/index.js';");
    console.log(`[e2e-chromium] @junction/client browser entry (dist/index.js, esbuild --minify): ${core.minified} B minified, ${core.gzipped} B gzipped (ceiling ${CORE_CEILING} B)`);
    expect(mentions(core, 'packages/websocket/')).toEqual([]);
    expect(mentions(core, 'dist/node.js')).toEqual([]);
    expect(mentions(core, 'node_modules/msgpackr/')).toEqual([]);
    expect(mentions(core, 'node_modules/cbor-x/')).toEqual([]);
    expect(core.gzipped).toBeLessThan(CORE_CEILING);
  });

  it('with @junction/client/msgpack and /cbor it stays under the ceiling', async () => {
    const full = await measureBundle("export * from './dist/index.js'; export * from './dist/msgpack.js'; export * from './dist/cbor.js';");
    console.log(`[e2e-chromium] @junction/client browser entry + msgpack + cbor (esbuild --minify): ${full.minified} B minified, ${full.gzipped} B gzipped (ceiling ${FULL_CEILING} B)`);
    expect(mentions(full, 'packages/websocket/')).toEqual([]);
    expect(mentions(full, 'node_modules/msgpackr/').length).toBeGreaterThan(0);
    expect(mentions(full, 'node_modules/cbor-x/').length).toBeGreaterThan(0);
    expect(full.gzipped).toBeLessThan(FULL_CEILING);
  });
});

const SERIALIZERS = ['json', 'msgpack', 'cbor'] as const;

describe.skipIf(!run)('our client in Chromium <-> our router <-> our client in Node', () => {
  let router: Router;
  let site: Awaited<ReturnType<typeof startPageServer>>;
  let browser: Browser;
  let page: Page;
  let node: Client;
  const pool = new ClientPool();
  const interrupts: unknown[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const script = await bundleHarness();
    router = new Router({ realms: [{ name: 'realm1' }], log: quietLog });
    site = await startPageServer(script, router);
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: [...chromiumArgs], timeout: 30_000 });
    page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    await page.goto(`${site.origin}/`, { timeout: 15_000 });
    await page.waitForFunction(() => (globalThis as any).e2eReady === true, undefined, { timeout: 10_000 }).catch((error: unknown) => {
      throw new Error(`the page harness did not load: ${pageErrors.join('; ') || String(error)}`);
    });

    node = await pool.open(site.wsUrl, 'cbor');
    await node.register('e2e.br.node.echo', (args, kwargs, ctx) => result([...args, ctx.caller ?? null], kwargs));
    await node.register('e2e.br.node.fail', (args) => {
      throw new WampError('com.example.e2e.browser_error', ['from node', ...args], { code: 7, nested: { ok: false } });
    });
    await node.register('e2e.br.node.countdown', (args, _k, ctx: InvocationContext) => {
      for (let i = args[0] as number; i > 0; i--) ctx.progress([i], { left: i });
      return result(['done']);
    });
    await node.register('e2e.br.node.hang', (_a, _k, ctx: InvocationContext) => {
      ctx.progress(['started']);
      return new Promise((resolve) =>
        ctx.signal.addEventListener('abort', () => {
          interrupts.push(ctx.signal.reason);
          resolve('late');
        }),
      );
    });
  }, 60_000);

  afterAll(async () => {
    if (page !== undefined) await page.evaluate(() => Promise.all(Object.values((globalThis as any).e2e.clients).map((c: any) => c.close()))).catch(() => {});
    await Promise.race([browser?.close(), new Promise((r) => setTimeout(r, 10_000))]);
    await pool.closeAll();
    await router?.close();
    await site?.close();
  }, 30_000);

  describe.each(SERIALIZERS)('wamp.2.%s', (serializer) => {
    it('connects from the page with the native WebSocket', async () => {
      const info = await page.evaluate(
        async ({ url, serializer }) => {
          const J = (globalThis as any).junction;
          const client = await J.connect({ url, realm: 'realm1', serializers: [serializer], reconnect: false });
          (globalThis as any).e2e.clients[serializer] = client;
          return { serializer: client.serializer, sessionId: client.sessionId, authrole: client.welcome.authrole, hasBroker: client.welcome.roles.broker !== undefined, ws: typeof (globalThis as any).WebSocket };
        },
        { url: site.wsUrl, serializer },
      );
      expect(info).toMatchObject({ serializer, authrole: 'anonymous', hasBroker: true, ws: 'function' });
      expect(typeof info.sessionId).toBe('number');
    });

    it('calls a procedure registered by a Node client, with args, kwargs and bytes', async () => {
      const r = await page.evaluate(async (serializer) => {
        const client = (globalThis as any).e2e.clients[serializer];
        const res = await client.call('e2e.br.node.echo', [1, 'zwei', { drei: [3] }, new Uint8Array([9, 8, 7]), 2 ** 53 - 1], { k: 'v', n: null }, { discloseMe: true });
        const bytes = res.args[3];
        return { args: res.args.slice(0, 3), bytes: bytes instanceof Uint8Array ? Array.from(bytes) : String(bytes), big: res.args[4], caller: res.args[5], kwargs: res.kwargs, me: client.sessionId };
      }, serializer);
      expect(r.args).toEqual([1, 'zwei', { drei: [3] }]);
      expect(r.bytes).toEqual([9, 8, 7]);
      expect(r.big).toBe(2 ** 53 - 1);
      expect(r.caller).toBe(r.me);
      expect(r.kwargs).toEqual({ k: 'v', n: null });
    });

    it('registers a procedure that a Node client calls; its WampError reaches Node', async () => {
      await page.evaluate(async (serializer) => {
        const J = (globalThis as any).junction;
        const client = (globalThis as any).e2e.clients[serializer];
        await client.register(`e2e.br.page.${serializer}.mul`, (args: number[], kwargs: any) => J.result([args[0]! * args[1]!], { by: kwargs.by ?? 'page' }));
        await client.register(`e2e.br.page.${serializer}.fail`, (args: unknown[]) => {
          throw new J.WampError('com.example.e2e.page_error', ['from page', ...args], { where: 'chromium' });
        });
      }, serializer);
      const r = await node.call(`e2e.br.page.${serializer}.mul`, [6, 7], { by: 'node' });
      expect(r.args).toEqual([42]);
      expect(r.kwargs).toEqual({ by: 'node' });
      const error = await node.call(`e2e.br.page.${serializer}.fail`, [1]).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(WampError);
      expect(error).toMatchObject({ uri: 'com.example.e2e.page_error', args: ['from page', 1], kwargs: { where: 'chromium' } });
    });

    it('gets a Node callee’s error as a WampError with URI, args and kwargs', async () => {
      const e = await page.evaluate(async (serializer) => {
        const J = (globalThis as any).junction;
        const client = (globalThis as any).e2e.clients[serializer];
        try {
          await client.call('e2e.br.node.fail', ['x']);
          return null;
        } catch (error: any) {
          return { isWampError: error instanceof J.WampError, uri: error.uri, args: error.args, kwargs: error.kwargs };
        }
      }, serializer);
      expect(e).toEqual({ isWampError: true, uri: 'com.example.e2e.browser_error', args: ['from node', 'x'], kwargs: { code: 7, nested: { ok: false } } });
    });

    it('subscribes to events published from Node, and publishes to a Node subscriber', async () => {
      const topic = `e2e.br.${serializer}.news`;
      await page.evaluate(
        async ({ serializer, topic }) => {
          const E = (globalThis as any).e2e;
          E.seen[topic] = [];
          await E.clients[serializer].subscribe(topic, (args: unknown[], kwargs: unknown, details: any) => E.seen[topic].push({ args, kwargs, publisher: details.publisher }));
        },
        { serializer, topic },
      );
      await waitSubscribers(node, topic, 1);
      await node.publish(topic, ['one'], { n: 1 }, { acknowledge: true, discloseMe: true });
      await node.publish(topic, ['two'], { n: 2 }, { acknowledge: true });
      await page.waitForFunction((topic) => (globalThis as any).e2e.seen[topic].length >= 2, topic, { timeout: 5000 });
      const seen = await page.evaluate((topic) => (globalThis as any).e2e.seen[topic], topic);
      expect(seen).toEqual([
        { args: ['one'], kwargs: { n: 1 }, publisher: node.sessionId },
        { args: ['two'], kwargs: { n: 2 } },
      ]);

      const got = deferred<{ args: unknown[]; kwargs: Record<string, unknown> }>();
      await node.subscribe(`e2e.br.${serializer}.from-page`, (args, kwargs) => got.resolve({ args, kwargs }));
      const ack = await page.evaluate(
        (serializer) => (globalThis as any).e2e.clients[serializer].publish(`e2e.br.${serializer}.from-page`, ['hello', new Uint8Array([1, 2])], { from: 'page' }, { acknowledge: true }),
        serializer,
      );
      expect(typeof ack.publication).toBe('number');
      const event = await within(got.promise, 3000, 'event from the page');
      expect(event.args[0]).toBe('hello');
      expect(Array.from(event.args[1] as Uint8Array)).toEqual([1, 2]);
      expect(event.kwargs).toEqual({ from: 'page' });
    });

    it('receives progressive results (onProgress and the async iterator)', async () => {
      const r = await page.evaluate(async (serializer) => {
        const client = (globalThis as any).e2e.clients[serializer];
        const progress: unknown[] = [];
        const final = await client.call('e2e.br.node.countdown', [3], {}, { onProgress: (p: any) => progress.push([p.args[0], p.kwargs.left, p.details.progress]) });
        const iterated: unknown[] = [];
        for await (const item of client.callProgress('e2e.br.node.countdown', [2])) iterated.push(item.args[0]);
        return { progress, final: final.args, iterated };
      }, serializer);
      expect(r.progress).toEqual([
        [3, 3, true],
        [2, 2, true],
        [1, 1, true],
      ]);
      expect(r.final).toEqual(['done']);
      expect(r.iterated).toEqual([2, 1, 'done']);
    });

    it('cancels a call with an AbortController: rejects at once, the Node callee is interrupted', async () => {
      const before = interrupts.length;
      const r = await page.evaluate(async (serializer) => {
        const J = (globalThis as any).junction;
        const client = (globalThis as any).e2e.clients[serializer];
        const controller = new AbortController();
        try {
          // The callee's first progress result proves the invocation is running; abort then.
          await client.call('e2e.br.node.hang', [], {}, { signal: controller.signal, cancelMode: 'kill', onProgress: () => controller.abort() });
          return { outcome: 'resolved' };
        } catch (error: any) {
          const next = await client.call('e2e.br.node.echo', ['still fine']);
          return { outcome: 'rejected', isWampError: error instanceof J.WampError, uri: error.uri, next: next.args[0] };
        }
      }, serializer);
      expect(r).toEqual({ outcome: 'rejected', isWampError: true, uri: 'wamp.error.canceled', next: 'still fine' });
      await within(
        (async () => {
          while (interrupts.length === before) await new Promise((resolve) => setTimeout(resolve, 5));
        })(),
        3000,
        'INTERRUPT at the Node callee',
      );
      expect((interrupts.at(-1) as WampError).uri).toBe('wamp.error.canceled');
    });
  });

  it('the page saw no uncaught errors (no unhandled rejections from the client)', async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pageErrors).toEqual([]);
  });
});
