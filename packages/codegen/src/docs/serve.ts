/**
 * `serveDocs(...)`: a Node request handler that serves the docs site at a path (default `/docs`),
 * next to a router's WebSocket endpoint on the same http server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ContractDescription } from '../description.js';
import { renderDocs, type DocsFiles, type DocsOptions } from './render.js';

/** Options of {@link serveDocs}. */
export interface ServeDocsOptions extends DocsOptions {
  /** Where the site lives. Default `/docs` (the page at `/docs/`, the AsyncAPI document at `/docs/asyncapi.json`). */
  path?: string;
}

/**
 * Handles a request when it is for the docs (returns true), else returns false, or calls `next`
 * when given (Express/Connect style).
 */
export type DocsHandler = (request: IncomingMessage, response: ServerResponse, next?: () => void) => boolean;

const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', json: 'application/json; charset=utf-8' };

function isFiles(value: unknown): value is DocsFiles {
  return typeof value === 'object' && value !== null && typeof (value as DocsFiles)['index.html'] === 'string';
}

/**
 * Makes the handler of a docs site: give descriptions (rendered once, now) or files made by
 * `renderDocs`.
 *
 * @example
 * ```ts
 * const docs = serveDocs(api.describe(), { path: '/docs', url: 'ws://localhost:8080/ws', realm: 'realm1' });
 * const server = http.createServer((req, res) => {
 *   if (!docs(req, res)) res.writeHead(404).end();
 * });
 * router.attach(server, { path: '/ws' });
 * server.listen(8080);
 * ```
 */
export function serveDocs(source: ContractDescription | readonly ContractDescription[] | DocsFiles, options: ServeDocsOptions = {}): DocsHandler {
  const files = isFiles(source) ? source : renderDocs(source, options);
  const base = `/${(options.path ?? '/docs').replace(/^\/+|\/+$/g, '')}`;
  const bodies = new Map<string, { type: string; body: Buffer }>();
  for (const [name, text] of Object.entries(files)) {
    bodies.set(name, { type: TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream', body: Buffer.from(text) });
  }
  return (request, response, next) => {
    const pathname = (request.url ?? '/').split('?')[0]!;
    const inside = base === '/' ? pathname.startsWith('/') : pathname === base || pathname.startsWith(`${base}/`);
    if (!inside) {
      next?.();
      return false;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
      return true;
    }
    if (pathname === base && base !== '/') {
      // Relative links (asyncapi.json) need the trailing slash.
      const query = request.url!.slice(pathname.length);
      response.writeHead(301, { Location: `${base}/${query}` }).end();
      return true;
    }
    let name = pathname.slice(base === '/' ? 1 : base.length + 1);
    if (name === '') name = 'index.html';
    const file = bodies.get(name);
    if (file === undefined) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
      return true;
    }
    response.writeHead(200, {
      'Content-Type': file.type,
      'Content-Length': file.body.length,
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'",
    });
    response.end(request.method === 'HEAD' ? undefined : file.body);
    return true;
  };
}
