/**
 * The docs page in a browser: Debian's chromium, driven headless by playwright-core, opens the
 * page served by serveDocs next to the router's WebSocket endpoint and finds a procedure by
 * searching.
 *
 * Peer detection as in the websocket interop suite: /usr/bin/chromium (or $JUNCTION_CHROMIUM) must
 * be executable; missing -> skipped with a printed reason; under CI=true -> failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumArgs, chromiumPath, detectChromium, requirePeer } from '../../websocket/test/support/peers.js';
import { startDocsServer, type DocsServer } from './support/docs-server.js';

const peer = detectChromium();
const run = requirePeer('chromium', peer.available, peer.reason);

/** The names of the index entries the page shows. */
function visibleEntries(page: Page): Promise<string[]> {
  return page.$$eval('#entries li[data-search]', (items) => items.filter((li) => !(li as unknown as { hidden: boolean }).hidden).map((li) => li.textContent ?? ''));
}

describe.skipIf(!run)('docs page in Chromium', () => {
  let site: DocsServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    site = await startDocsServer();
    browser = await chromium.launch({ executablePath: chromiumPath, args: [...chromiumArgs] });
    page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => void (message.type() === 'error' && errors.push(message.text())));
    await page.goto(`${site.origin}/docs`);
    expect(errors).toEqual([]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('lists every procedure, topic and error before searching', async () => {
    expect(await page.title()).toBe('Shop API — API');
    expect(await visibleEntries(page)).toEqual(['math.add', 'math.sum', 'users.get', 'users.list', 'tree.echo', 'ping', 'system.reset', 'chat.message', 'users.created', 'NotFound', 'Busy']);
  });

  it('finds a procedure by name, shows only its card, and Enter jumps to it', async () => {
    await page.fill('#search', 'users.get');
    expect(await visibleEntries(page)).toEqual(['users.get']);
    const headings = await page.$$eval('#entries li.kind, main h2.kind-title', (all) => all.filter((h) => !(h as unknown as { hidden: boolean }).hidden).map((h) => h.textContent));
    expect(headings).toEqual(['Procedures', 'Procedures']);
    const cards = await page.$$eval('section.card', (all) => all.filter((s) => !(s as unknown as { hidden: boolean }).hidden).map((s) => s.id));
    expect(cards).toEqual(['procedure-com.example.shop.users.get']);
    await page.press('#search', 'Enter');
    expect(await page.evaluate(() => (globalThis as unknown as { location: { hash: string } }).location.hash)).toBe('#procedure-com.example.shop.users.get');
    const card = page.locator('#procedure-com\\.example\\.shop\\.users\\.get');
    expect(await card.isVisible()).toBe(true);
    expect(await card.locator('table.fields').first().innerText()).toContain('id');
    expect(await card.innerText()).toContain('NotFound');
  });

  it('matches descriptions and URIs word by word; shows when nothing matches', async () => {
    await page.fill('#search', 'progress sums');
    expect(await visibleEntries(page)).toEqual(['math.sum']);
    await page.fill('#search', 'com.example.shop.chat');
    expect(await visibleEntries(page)).toEqual(['chat.message']);
    await page.fill('#search', 'no-such-thing');
    expect(await visibleEntries(page)).toEqual([]);
    expect(await page.isVisible('#no-match')).toBe(true);
    await page.press('#search', 'Escape');
    expect(await visibleEntries(page)).toHaveLength(11);
    expect(await page.$$eval('#entries li.kind', (all) => all.filter((h) => !(h as unknown as { hidden: boolean }).hidden).length)).toBe(3);
  });
});
