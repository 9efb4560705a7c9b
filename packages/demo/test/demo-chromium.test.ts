/**
 * The demo in Chromium (Debian's chromium driven headless by playwright-core; never a downloaded
 * browser): two pages on one demo server chat with each other, get validation errors next to the
 * right field, run a job to the end and cancel another, watch the metrics charts move, and open
 * the API docs. Screenshots go to test-artifacts/screenshots/ (git-ignored).
 *
 * Peer detection as in the websocket interop suite: /usr/bin/chromium (or $JUNCTION_CHROMIUM) must
 * be executable; missing -> skipped with a printed reason; under CI=true -> failure.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { chromiumArgs, chromiumPath, detectChromium, requirePeer } from '../../websocket/test/support/peers.js';
import { startDemo, type Demo } from '../src/demo.js';

const peer = detectChromium();
const run = requirePeer('chromium', peer.available, peer.reason);

const screenshots = fileURLToPath(new URL('../../../test-artifacts/screenshots/', import.meta.url));
const quietLog = (level: string, message: string, detail?: unknown): void => {
  if (level === 'error') console.warn(`[router ${level}] ${message}`, detail ?? '');
};

describe.skipIf(!run)('the demo page in Chromium', () => {
  let demo: Demo;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pages: Page[] = [];
  const pageErrors: string[] = [];

  async function openPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('console', (message) => {
      // cbor-x probes `new Function('')` when it loads; the page's CSP refuses, it falls back.
      if (message.type() === 'error' && !/unsafe-eval|'script-src' was not explicitly set/.test(message.text())) pageErrors.push(message.text());
    });
    await page.goto(demo.url, { timeout: 15_000 });
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 }).catch((error: unknown) => {
      throw new Error(`the demo page did not start: ${pageErrors.join('; ') || String(error)}`);
    });
    return page;
  }

  const errorFor = (page: Page, form: string, field: string) => page.locator(`#${form} [data-error-for="${field}"]`);

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    demo = await startDemo({ port: 0, log: quietLog });
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: [...chromiumArgs], timeout: 30_000 });
    pages.push(await openPage(), await openPage());
  }, 60_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await demo?.close();
  });

  it('connects both pages to the router', async () => {
    for (const page of pages) {
      await expect.poll(() => page.locator('#status').getAttribute('data-state')).toBe('open');
      expect(await page.locator('#contract-info').textContent()).toBe('demo 1.0.0');
    }
    expect(pageErrors).toEqual([]);
  });

  it('chat: a message sent from one page appears in the other, as text (HTML escaped)', async () => {
    const [alice, bob] = pages as [Page, Page];
    await alice.fill('#chat-name', 'alice');
    await bob.fill('#chat-name', 'bob');
    const text = `<b>hello</b> & <img src=x onerror="alert(1)"> ${Date.now()}`;
    await alice.fill('#chat-text', text);
    await alice.click('#chat-form button');
    const received = bob.locator('#chat-log li', { hasText: text });
    await received.waitFor({ timeout: 10_000 });
    expect(await received.locator('.who').textContent()).toBe('alice');
    expect(await received.locator('.text').textContent()).toBe(text);
    expect(await bob.locator('#chat-log b, #chat-log img').count()).toBe(0);
    await expect.poll(() => alice.locator('#chat-log li.mine', { hasText: text }).count()).toBe(1);
    expect(await alice.inputValue('#chat-text')).toBe('');

    await bob.fill('#chat-text', 'hi alice, bob here');
    await bob.press('#chat-text', 'Enter');
    await alice.locator('#chat-log li', { hasText: 'hi alice, bob here' }).waitFor({ timeout: 10_000 });
  });

  it('chat: an empty message is refused by the server, shown under the message field', async () => {
    const page = pages[0]!;
    await page.fill('#chat-text', '   ');
    await page.click('#chat-form button');
    await expect.poll(() => errorFor(page, 'chat-form', 'text').textContent()).toBe('Say something');
    expect(await errorFor(page, 'chat-form', 'name').textContent()).toBe('');
    expect(await page.getAttribute('#chat-text', 'aria-invalid')).toBe('true');
  });

  it('calculator: validation errors appear next to the right field, and clear on success', async () => {
    const page = pages[0]!;
    const compute = async (a: string, op: string, b: string, decimals: string): Promise<void> => {
      await page.fill('#calc-a', a);
      await page.selectOption('#calc-op', op);
      await page.fill('#calc-b', b);
      await page.fill('#calc-decimals', decimals);
      await page.click('#calc-form button[type="submit"]');
    };

    await compute('22', 'divide', '0', '4');
    await expect.poll(() => errorFor(page, 'calc-form', 'b').textContent()).toBe('Cannot divide by zero');
    expect(await errorFor(page, 'calc-form', 'a').textContent()).toBe('');
    expect(await page.getAttribute('#calc-b', 'aria-invalid')).toBe('true');
    await page.screenshot({ path: `${screenshots}demo-validation.png` });

    await compute('abc', 'add', '1', '11');
    await expect.poll(() => errorFor(page, 'calc-form', 'a').textContent()).toBe('Enter a number');
    expect(await errorFor(page, 'calc-form', 'decimals').textContent()).toBe('At most 10');
    expect(await errorFor(page, 'calc-form', 'b').textContent()).toBe('');

    await compute('1e12', 'power', '64', '2');
    await expect.poll(() => errorFor(page, 'calc-form', '').textContent()).toMatch(/too large/);

    await compute('22', 'divide', '7', '4');
    await expect.poll(() => page.locator('#calc-result').textContent()).toBe('22 ÷ 7 = 3.1429');
    for (const field of ['a', 'b', 'decimals', '']) expect(await errorFor(page, 'calc-form', field).textContent()).toBe('');
  });

  it('job: the progress bar follows the progressive results to the end', async () => {
    const page = pages[1]!;
    await page.fill('#jobs-steps', '12');
    await page.fill('#jobs-step-ms', '40');
    await page.click('#jobs-run');
    await expect.poll(() => page.locator('#jobs-status').textContent(), { timeout: 10_000 }).toMatch(/^Done: 12 steps in/);
    expect(await page.getAttribute('#jobs-progress', 'aria-valuenow')).toBe('100');
    expect(await page.getAttribute('#jobs-progress', 'data-state')).toBe('done');
    expect(await page.isDisabled('#jobs-cancel')).toBe(true);
  });

  it('job: Cancel stops a running job, in the page and in the server handler', async () => {
    const page = pages[1]!;
    const server = page.locator('#jobs-server');
    const canceledBefore = Number((await server.getAttribute('data-canceled')) ?? 0);
    await page.fill('#jobs-steps', '200');
    await page.fill('#jobs-step-ms', '50');
    await page.click('#jobs-run');
    await expect.poll(async () => Number(await page.getAttribute('#jobs-progress', 'aria-valuenow')), { timeout: 10_000 }).toBeGreaterThanOrEqual(5);
    await expect.poll(() => server.textContent()).toMatch(/1 running/);
    await page.screenshot({ path: `${screenshots}demo-job-running.png` });
    await page.click('#jobs-cancel');
    await expect.poll(() => page.locator('#jobs-status').textContent()).toMatch(/^Canceled at step \d+/);
    expect(await page.getAttribute('#jobs-progress', 'data-state')).toBe('canceled');
    const shown = Number(await page.getAttribute('#jobs-progress', 'aria-valuenow'));
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(100);
    // The server's handler saw its signal abort: the metrics count it as canceled, none running.
    await expect.poll(async () => Number(await server.getAttribute('data-canceled')), { timeout: 5_000 }).toBe(canceledBefore + 1);
    await expect.poll(() => server.textContent()).toMatch(/0 running/);
  });

  it('metrics: the charts update about 10 times a second with changing values', async () => {
    const page = pages[0]!;
    const read = () =>
      page.evaluate(() => ({
        updates: Number(document.getElementById('metrics')!.dataset.updates ?? 0),
        values: [...document.querySelectorAll('.chart-value')].map((e) => e.textContent ?? ''),
      }));
    const first = await read();
    await page.waitForTimeout(1500);
    const second = await read();
    expect(second.updates - first.updates).toBeGreaterThanOrEqual(5); // ~15 expected; lenient on a busy machine
    expect(second.values).toHaveLength(4);
    expect(second.values[0]).toBe('2'); // the two pages' WebSocket connections
    expect(Number.parseFloat(second.values[1]!)).toBeGreaterThan(0); // at least the ticks themselves
    // The canvases hold a drawing (not blank) that moves with time.
    const snapshot = () => page.evaluate(() => [...document.querySelectorAll<HTMLCanvasElement>('#charts canvas')].map((c) => c.toDataURL()));
    const blank = await page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('#charts canvas')!;
      const empty = document.createElement('canvas');
      empty.width = c.width;
      empty.height = c.height;
      return empty.toDataURL();
    });
    const before = await snapshot();
    await page.waitForTimeout(500);
    const after = await snapshot();
    expect(before[0]).not.toBe(blank);
    expect(after.some((url, i) => url !== before[i])).toBe(true);
    await page.screenshot({ path: `${screenshots}demo-page.png`, fullPage: true });
    await pages[1]!.screenshot({ path: `${screenshots}demo-page-second-tab.png`, fullPage: true });
  });

  it('docs: the link opens the API docs of the demo contract, served by the demo', async () => {
    const page = pages[0]!;
    const [docs] = await Promise.all([page.context().waitForEvent('page'), page.click('#docs-link')]);
    await docs.waitForLoadState('load');
    expect(new URL(docs.url()).pathname).toBe('/docs/');
    expect(await docs.title()).toMatch(/Junction demo/);
    const body = (await docs.textContent('body')) ?? '';
    for (const uri of ['demo.chat.send', 'demo.calc.compute', 'demo.jobs.run', 'demo.metrics.tick']) expect(body).toContain(uri);
    expect(body).toContain('demo.error.overflow');
    await docs.screenshot({ path: `${screenshots}demo-docs.png` });
    await docs.close();
    expect(pageErrors).toEqual([]);
  });
});
