/**
 * The demo server: one node:http server on one port serving the page (/), the API docs of the
 * demo contract (/docs) and the router's WebSocket endpoint (/ws), with the contract implemented
 * in-process and server metrics published 10 times a second.
 * @packageDocumentation
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router, type RoleConfig, type RouterLog } from '@junction/router';
import { WebSocketServer } from '@junction/websocket';
import { serveDocs, type DocsHandler } from '@junction/codegen';
import { api } from './contract.js';
import { MetricsSampler, TrafficCounter } from './metrics.js';
import { buildPage, type PageAssets } from './page.js';
import { startService, type Service } from './service.js';

/** The WAMP subprotocols the router serves. */
const WAMP_PROTOCOLS = ['wamp.2.json', 'wamp.2.msgpack', 'wamp.2.cbor'];

/** The realm the page joins. */
export const DEMO_REALM = 'realm1';

/** Options of {@link startDemo}. */
export interface DemoOptions {
  /** TCP port; 0 picks a free one. Default 8080. */
  port?: number;
  /** Listen address. Default 127.0.0.1. */
  host?: string;
  /** The router's log (default: warnings and errors on the console). */
  log?: RouterLog;
}

/** A running demo. */
export interface Demo {
  /** The page's URL, `http://host:port/`. */
  readonly url: string;
  /** The WAMP endpoint, `ws://host:port/ws`. */
  readonly wsUrl: string;
  readonly port: number;
  readonly router: Router;
  /** The bundled page (sizes of the script). */
  readonly page: PageAssets;
  /** Stops everything: metrics, service, router, sockets, HTTP server. Idempotent. */
  close(): Promise<void>;
}

/**
 * Browsers are anonymous: they may call the demo's procedures (and the contract's reflection
 * procedure) and subscribe to its topics, but not publish or register, so nobody can post a chat
 * message that skipped validation. The service runs on an embedded session, which is trusted.
 */
const ROLES: RoleConfig[] = [
  {
    name: 'anonymous',
    permissions: [
      { uri: `${api.prefix}.`, match: 'prefix', allow: { call: true, subscribe: true } },
      { uri: `junction.contract.describe.${api.prefix}`, allow: { call: true } },
    ],
  },
];

/**
 * A strict Content-Security-Policy: only our own script, no inline code, no eval. (cbor-x, bundled
 * with the client, probes `new Function('')` once when it loads and falls back to plain code when
 * the policy refuses; the browser logs that refusal in the console.)
 */
const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

/** Starts the demo and resolves once it listens. */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const host = options.host ?? '127.0.0.1';
  const pageBuilt = buildPage();
  pageBuilt.catch(() => {}); // awaited below; this only keeps an early failure from counting as unhandled
  const router = new Router({ realms: [{ name: DEMO_REALM, roles: ROLES }], ...(options.log !== undefined ? { log: options.log } : {}) });
  const realm = router.realm(DEMO_REALM)!;

  let docs: DocsHandler | null = null;
  let page: PageAssets | null = null;
  const server = http.createServer((request, response) => {
    if (docs?.(request, response)) return;
    const pathname = (request.url ?? '/').split('?', 1)[0]!;
    const asset = page?.files.get(pathname);
    if (asset === undefined || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(asset === undefined ? 404 : 405, { 'Content-Type': 'text/plain; charset=utf-8' }).end(asset === undefined ? 'not found\n' : 'method not allowed\n');
      return;
    }
    response.writeHead(200, { 'Content-Type': asset.type, 'Content-Length': asset.body.length, ...SECURITY_HEADERS });
    response.end(request.method === 'HEAD' ? undefined : asset.body);
  });

  // Our own WebSocket server on the HTTP server (rather than router.attach(server)), so that the
  // metrics can count its connections and messages; the router mounts its subprotocols on it.
  const sockets = new WebSocketServer({
    server,
    path: '/ws',
    protocolRequired: true,
    // The client's order of preference wins, as on the router's own servers (the page asks for JSON).
    handleProtocols: (offered) => offered.find((protocol) => WAMP_PROTOCOLS.includes(protocol)) ?? false,
    maxPayload: 1024 * 1024,
    heartbeat: { interval: 30_000, timeout: 10_000 },
  });
  const traffic = new TrafficCounter(sockets);
  router.attach(sockets);

  let sampler: MetricsSampler | null = null;
  let service: Service | null = null;
  try {
    service = await startService(realm, { metricsHistory: () => sampler?.history ?? [] });
    page = await pageBuilt;
    server.listen(options.port ?? 8080, host);
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
  } catch (error) {
    await service?.close().catch(() => {});
    await router.close();
    await sockets.close();
    throw error;
  }
  const running = service;
  const metrics = new MetricsSampler(traffic, running.jobs, (sample) => {
    running.remote.metrics.tick.publish(sample).catch(() => {}); // only fails while shutting down
  });
  sampler = metrics;
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const wsUrl = `ws://${urlHost}:${port}/ws`;
  docs = serveDocs(api.describe(), { path: '/docs', url: wsUrl, realm: DEMO_REALM });
  metrics.start();

  let closing: Promise<void> | null = null;
  return {
    url: `http://${urlHost}:${port}/`,
    wsUrl,
    port,
    router,
    page,
    close() {
      closing ??= (async () => {
        metrics.stop();
        await running.close().catch(() => {});
        await router.close();
        await sockets.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closing;
    },
  };
}
