import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

// The serializers must run in browsers: bundle the package for the browser (no Node built-ins
// available) and round-trip a message with 2^53 IDs and binary in Debian's Chromium.
describe('serializers in Chromium', () => {
  it('bundle without Node built-ins and round-trip in the browser', async () => {
    const bundle = await build({
      entryPoints: [fileURLToPath(new URL('../src/index.ts', import.meta.url))],
      bundle: true, platform: 'browser', format: 'iife', globalName: 'wamp', write: false, logLevel: 'silent',
    });
    const code = bundle.outputFiles[0]!.text;
    expect(code).not.toMatch(/require\("(node:)?(buffer|crypto|fs|net)"\)/);
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      await page.addScriptTag({ content: code });
      const results = await page.evaluate(() => {
        const w = (globalThis as unknown as { wamp: typeof import('../src/index.js') }).wamp;
        const message = [48, 2 ** 53, {}, 'a.b', [new Uint8Array([1, 2, 255]), -(2 ** 53), 2 ** 40, 'é😀', 1.5], { k: { deep: new Uint8Array([7]) } }];
        return w.SERIALIZERS.map((s) => {
          const back = s.decode(s.encode(message)) as [number, number, object, string, unknown[], { k: { deep: Uint8Array } }];
          return {
            name: s.name,
            id: back[1],
            binary: back[4][0] instanceof Uint8Array ? Array.from(back[4][0] as Uint8Array) : 'not binary',
            rest: back[4].slice(1),
            deep: Array.from(back[5].k.deep),
            fromText: s.name === 'json' ? Array.from((s.decode('[1,"\\u0000AQI="]') as [number, Uint8Array])[1]) : null,
          };
        });
      });
      for (const r of results) {
        expect(r.id, r.name).toBe(2 ** 53);
        expect(r.binary, r.name).toEqual([1, 2, 255]);
        expect(r.rest, r.name).toEqual([-(2 ** 53), 2 ** 40, 'é😀', 1.5]);
        expect(r.deep, r.name).toEqual([7]);
      }
      expect(results.find((r) => r.name === 'json')?.fromText).toEqual([1, 2]);
      expect(results.map((r) => r.name)).toEqual(['msgpack', 'cbor', 'json']);
    } finally {
      await browser.close();
    }
  });
});
