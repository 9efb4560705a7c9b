/**
 * Support of the Chromium end-to-end suite: esbuild bundles (the page harness with the client's
 * browser entry and its MessagePack/CBOR modules; minified builds of the client alone, for their
 * size), and a tiny HTTP server that serves the page and, on the same port, the router's
 * WebSocket endpoint.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import type { Router } from '@junction/router';

const harnessPath = fileURLToPath(new URL('../browser/harness.ts', import.meta.url));

/**
 * Bundles the page harness for browsers (platform `browser`: the `node` export condition is off,
 * so `@junction/client` resolves to dist/index.js; a Node built-in anywhere fails the build).
 */
export async function bundleHarness(): Promise<string> {
  const out = await esbuild.build({
    entryPoints: [harnessPath],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

/** What a minified browser bundle weighs and which files put code in it. */
export interface BundleSize {
  minified: number;
  gzipped: number;
  /** Input files with code in the output (after tree shaking). */
  contributors: string[];
}

/**
 * Bundles `source` (an ES module importing from packages/client/dist) for browsers, minified, and
 * measures it. Platform `browser`: a Node built-in anywhere fails the build.
 */
export async function measureBundle(source: string): Promise<BundleSize> {
  const out = await esbuild.build({
    stdin: { contents: source, resolveDir: fileURLToPath(new URL('../../', import.meta.url)), loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = out.outputFiles[0]!.contents;
  const output = Object.values(out.metafile.outputs)[0]!;
  const contributors = Object.entries(output.inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path]) => path);
  return { minified: code.length, gzipped: gzipSync(code, { level: 9 }).length, contributors };
}

/** Serves `/` (a page loading `/app.js`) and `/app.js`; the router is attached at `/ws`. */
export async function startPageServer(script: string, router: Router): Promise<{ server: http.Server; origin: string; wsUrl: string; close(): Promise<void> }> {
  const page = '<!doctype html><meta charset="utf-8"><title>junction e2e</title><script type="module" src="/app.js"></script><body>e2e</body>';
  const server = http.createServer((req, res) => {
    if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    else if (req.url === '/app.js') res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
    else res.writeHead(404).end();
  });
  router.attach(server, { path: '/ws' });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    origin: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
