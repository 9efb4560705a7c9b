/**
 * Runs examples/chat as a user would: the server as a process, the page in two Chromium pages
 * (Debian's chromium driven headless by playwright-core; never a downloaded browser), and checks
 * that a message sent from one page shows up in both.
 *
 * Peer detection as in the websocket interop suite: /usr/bin/chromium (or $JUNCTION_CHROMIUM) must
 * be executable; missing -> skipped with a printed reason; under CI=true -> failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumArgs, chromiumPath, detectChromium, requirePeer } from '../../websocket/test/support/peers.js';
import { exampleDir, startNode, stopAll, type RunningProcess } from './examples-support.js';

const peer = detectChromium();
const run = requirePeer('chromium', peer.available, peer.reason);

describe.skipIf(!run)('examples/chat in Chromium', () => {
  let server: RunningProcess;
  let url: string;
  let browser: Browser;
  const pageErrors: string[] = [];

  async function openPage(): Promise<Page> {
    const context = await browser.newContext(); // its own storage: like a second browser
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('console', (message) => void (message.type() === 'error' && pageErrors.push(message.text())));
    await page.goto(url, { timeout: 15_000 });
    await page.waitForSelector('body[data-state="ready"]', { timeout: 15_000 }).catch((error: unknown) => {
      throw new Error(`the chat page did not start: ${pageErrors.join('; ') || String(error)}`);
    });
    return page;
  }

  async function send(page: Page, name: string, text: string): Promise<void> {
    await page.fill('input >> nth=0', name);
    await page.fill('input >> nth=1', text);
    await page.click('button');
  }

  const messages = (page: Page) => page.locator('ul li').allTextContents();

  beforeAll(async () => {
    server = startNode(`${exampleDir('chat')}server.mjs`, ['0']);
    url = (await server.waitFor(/^Chat on (http:\/\/127\.0\.0\.1:\d+\/)$/m))[1]!;
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: [...chromiumArgs], timeout: 30_000 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (server) {
      server.child.kill('SIGINT');
      const code = await server.exited().finally(stopAll);
      expect(code).toBe(0); // the router and the HTTP server closed cleanly
    }
  });

  it('a message sent from one page shows up in both, as text', async () => {
    const [alice, bob] = [await openPage(), await openPage()];

    await send(alice, 'alice', 'hello from alice');
    await expect.poll(() => messages(bob), { timeout: 10_000 }).toEqual(['alice: hello from alice']);
    await expect.poll(() => messages(alice), { timeout: 10_000 }).toEqual(['alice: hello from alice']);
    expect(await alice.inputValue('input >> nth=1')).toBe(''); // the text field is cleared

    await send(bob, 'bob', '<b>hi</b> alice');
    const expected = ['alice: hello from alice', 'bob: <b>hi</b> alice'];
    await expect.poll(() => messages(alice), { timeout: 10_000 }).toEqual(expected);
    await expect.poll(() => messages(bob), { timeout: 10_000 }).toEqual(expected);
    expect(await alice.locator('ul b').count()).toBe(0); // shown as text, never as HTML

    expect(pageErrors).toEqual([]);
    expect(server.stderr()).toBe('');
  });
});
