// @ts-check
// Serves the chat page and the WAMP router on one port. Run: node examples/chat/server.mjs [port]
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { Router } from '@junction/router';

// The page's script, bundled once at start (client, contract and zod for the browser).
const bundle = await esbuild.build({
  entryPoints: [fileURLToPath(new URL('page.mjs', import.meta.url))], bundle: true, format: 'esm', minify: true, write: false,
});
const files = {
  '/': { type: 'text/html', body: await readFile(new URL('index.html', import.meta.url)) },
  '/page.js': { type: 'text/javascript', body: bundle.outputFiles[0].contents },
};

const server = http.createServer((req, res) => {
  const file = files[/** @type {keyof typeof files} */ (req.url)];
  if (file) res.writeHead(200, { 'content-type': file.type }).end(file.body);
  else res.writeHead(404).end();
});

// Anonymous visitors may only publish and subscribe to the chat's topics.
const router = new Router({
  realms: [{
    name: 'realm1',
    roles: [{ name: 'anonymous', permissions: [{ uri: 'com.example.chat.', match: 'prefix', allow: { publish: true, subscribe: true } }] }],
  }],
});
router.attach(server, { path: '/ws' });
server.listen(Number(process.argv[2] ?? 8080), '127.0.0.1', () => {
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  console.log(`Chat on http://127.0.0.1:${port}/`);
});
process.once('SIGINT', () => router.close().then(() => server.close(() => process.exit(0))));
