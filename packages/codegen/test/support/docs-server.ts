/** A router and the docs on one node:http server (127.0.0.1, port 0): WAMP at /ws, docs at /docs. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router } from '@junction/router';
import { implement } from '@junction/contract';
import { serveDocs } from '../../src/index.js';
import { api } from '../fixtures/api.js';

export interface DocsServer {
  router: Router;
  server: http.Server;
  /** http://127.0.0.1:PORT */
  origin: string;
  /** ws://127.0.0.1:PORT/ws */
  url: string;
  close(): Promise<void>;
}

export async function startDocsServer(): Promise<DocsServer> {
  const router = new Router({ realms: [{ name: 'realm1' }], log: () => {} });
  const docs = serveDocs(api.describe(), { path: '/docs', url: 'ws://127.0.0.1/ws', realm: 'realm1' });
  const server = http.createServer((request, response) => {
    if (!docs(request, response)) response.writeHead(404, { 'Content-Type': 'text/plain' }).end('no such page\n');
  });
  router.attach(server, { path: '/ws' });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await implement(router.realm('realm1')!, api, {
    'math.add': ({ a, b }) => a + b,
    'math.sum': ({ values }) => ({ total: values.reduce((x, y) => x + y, 0), count: values.length }),
    'users.get': ({ id }) => {
      throw api.errors.NotFound.create({ id });
    },
    'users.list': () => [],
    'tree.echo': ({ tree }) => ({ tree, kind: 'leaf', note: null }),
    ping: () => 'pong' as const,
    'system.reset': () => undefined,
  }, { log: () => {} });
  return {
    router,
    server,
    origin: `http://127.0.0.1:${port}`,
    url: `ws://127.0.0.1:${port}/ws`,
    async close() {
      await router.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
