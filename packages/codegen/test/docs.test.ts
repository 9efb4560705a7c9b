/**
 * `junction docs`: the AsyncAPI document validates against the official AsyncAPI 3.0.0 JSON
 * Schema (@asyncapi/specs, checked with ajv), the page shows field tables, and serveDocs answers
 * at /docs on the http server the router's WebSocket endpoint shares.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { connect } from '@junction/client';
import { fieldRows, main, permissionsFromRoles, renderDocs, renderHtml, toAsyncApi } from '../src/index.js';
import { api } from './fixtures/api.js';
import { startDocsServer, type DocsServer } from './support/docs-server.js';
import { fixturesDir, workdir } from './support/workdir.js';
import { createApi } from './fixtures/generated/shop-api.js';

const require = createRequire(import.meta.url);
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const description = api.describe();

function asyncApiValidator() {
  const schema = require('@asyncapi/specs/schemas/3.0.0-without-$id.json') as Record<string, unknown>;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(schema);
}

/** Every `$ref` of a JSON document. */
function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, out));
  else if (typeof node === 'object' && node !== null) {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

function resolvePointer(doc: unknown, ref: string): unknown {
  return ref
    .slice(2)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
}

describe('asyncapi.json', () => {
  const validate = asyncApiValidator();

  it('validates against the official AsyncAPI 3.0.0 schema (with and without a server)', () => {
    for (const doc of [toAsyncApi(description), toAsyncApi(description, { url: 'wss://api.example.com:8443/ws', realm: 'realm1' })]) {
      const ok = validate(doc);
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  it('the validation has teeth: a broken document fails', () => {
    const doc = toAsyncApi(description) as { operations: Record<string, Record<string, unknown>> };
    const first = Object.values(doc.operations)[0]!;
    first.action = 'call';
    expect(validate(doc)).toBe(false);
  });

  it('has a channel per procedure and topic, operations with replies, the WebSocket binding and WAMP info', () => {
    const doc = toAsyncApi(description, { url: 'ws://127.0.0.1:8080/ws', realm: 'realm1' }) as Record<string, any>;
    expect(Object.keys(doc.channels)).toHaveLength(Object.keys(description.procedures).length + Object.keys(description.topics).length);
    const get = doc.channels['com.example.shop.users.get'];
    expect(get).toMatchObject({ address: 'com.example.shop.users.get', bindings: { ws: { method: 'GET', bindingVersion: '0.1.0' } } });
    expect(Object.keys(get.messages)).toEqual(['call', 'result', 'error.NotFound']);
    const call = doc.operations['call.com.example.shop.math.sum'];
    expect(call.action).toBe('receive');
    expect(call.reply.messages.map((m: { $ref: string }) => m.$ref)).toEqual([
      '#/channels/com.example.shop.math.sum/messages/result',
      '#/channels/com.example.shop.math.sum/messages/progress',
      '#/channels/com.example.shop.math.sum/messages/error.Busy',
    ]);
    expect(doc.operations['publish.com.example.shop.chat.message']).toMatchObject({ action: 'send', messages: [{ $ref: '#/channels/com.example.shop.chat.message/messages/event' }] });
    expect(doc.servers.router).toMatchObject({ host: '127.0.0.1:8080', pathname: '/ws', protocol: 'ws', 'x-wamp-subprotocols': ['wamp.2.json', 'wamp.2.msgpack', 'wamp.2.cbor'], 'x-wamp-realm': 'realm1' });
    expect(doc.channels['com.example.shop.math.add'].messages.call.examples).toEqual([{ name: 'one_and_two', payload: { a: 1, b: 2 } }]);
  });

  it('every $ref resolves inside the document; recursive schemas point into components', () => {
    const doc = toAsyncApi(description);
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(20);
    for (const ref of all) expect(resolvePointer(doc, ref), ref).toBeDefined();
    const schemas = (doc.components as { schemas: Record<string, any> }).schemas;
    const tree = schemas['com.example.shop.tree.echo.input'];
    expect(tree.properties.tree.$ref).toBe('#/components/schemas/com.example.shop.tree.echo.input.def.__schema0');
    expect(tree.properties.pair).toMatchObject({ items: [{ type: 'string' }, { type: 'number' }] });
    expect(tree.properties.pair.prefixItems).toBeUndefined();
  });
});

describe('index.html', () => {
  it('shows schemas as field tables: nesting, types, required, descriptions, constraints', () => {
    const rows = fieldRows(description.procedures['tree.echo']!.input);
    expect(rows.map((r) => [r.depth, r.name, r.type, r.required])).toEqual([
      [0, 'tree', 'object', true],
      [1, 'label', 'string', true],
      [1, 'children', 'array of object', true],
      [2, 'children[]', 'object', true],
      [0, 'pair', '[string, number]', false],
      [0, 'meta', 'map of string to number', false],
    ]);
    expect(rows[3]!.notes).toEqual(['recursive: same structure as tree above']);
    expect(rows[4]!.notes).toEqual([]); // a tuple's length is in its type
    const user = fieldRows(description.procedures['users.get']!.output!);
    expect(user.find((r) => r.name === 'email')).toMatchObject({ type: 'string (email)', required: true });
    expect(user.find((r) => r.name === 'id')).toMatchObject({ description: 'Opaque user ID' });
    expect(user.find((r) => r.name === 'role')).toMatchObject({ type: '"admin" | "member"', notes: ['default: "member"'] });
    expect(user.find((r) => r.name === 'name')!.notes).toEqual(['min length 1', 'max length 80']);
    expect(fieldRows(description.procedures.ping!.output!)).toEqual([{ depth: 0, name: '(value)', type: '"pong"', required: true, description: undefined, notes: [] }]);
  });

  it('has every procedure, topic and error with examples and permissions; escapes text', () => {
    const evil = { ...description, description: 'Use <script>alert(1)</script> `carefully`' };
    const html = renderHtml(evil, { permissions: { 'users.get': ['call: admin'] } });
    for (const name of [...Object.keys(description.procedures), ...Object.keys(description.topics), ...Object.keys(description.errors)]) {
      expect(html).toContain(`>${name}</a>`);
    }
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; <code>carefully</code>');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('<h4>Permissions</h4><ul class="perms"><li>call: admin</li></ul>');
    expect(html).toContain('<div class="ex-title">one and two</div>');
    expect(html).toContain(`<h4>Call</h4><pre class="call"><code>await api.math.add({&quot;a&quot;:1,&quot;b&quot;:2});\n`);
    expect(html).toContain(`session.call(&#39;com.example.shop.math.add&#39;, [], {&quot;a&quot;:1,&quot;b&quot;:2})`);
    // The description of a named root schema (zod id User) heads its table.
    expect(html).toContain('<h4>Result (args[0])</h4><p class="about">A registered user.</p><table class="fields">');
    expect(html).not.toMatch(/<(link|img)\b|src=|href="http/);
  });

  it('permissionsFromRoles lists the roles allowed per URI', () => {
    const check = { allows: (role: string, uri: string, action: string) => role === 'admin' || (action !== 'publish' && !uri.includes('.users.')) };
    const permissions = permissionsFromRoles(description, check, ['admin', 'guest']);
    expect(permissions['com.example.shop.users.get']).toEqual(['call: admin']);
    expect(permissions['com.example.shop.math.add']).toEqual(['call: admin, guest']);
    expect(permissions['com.example.shop.chat.message']).toEqual(['subscribe: admin, guest', 'publish: admin']);
  });

  it('junction docs --permissions takes the router\'s roles and shows who may do what', async () => {
    const work = workdir();
    try {
      work.write('roles.json', JSON.stringify([
        { name: 'admin', permissions: [{ uri: 'com.example.shop.', match: 'prefix', allow: { call: true, publish: true, subscribe: true } }] },
        { name: 'guest', permissions: [{ uri: 'com.example.shop.math.', match: 'prefix', allow: { call: true } }, { uri: 'com.example.shop.chat.message', allow: { subscribe: true } }] },
      ]));
      const code = await main(['docs', '--contract', path.join(fixturesDir, 'api.ts'), '--out', 'site', '--permissions', 'roles.json'], { out: () => {}, err: () => {}, cwd: work.dir });
      expect(code).toBe(0);
      const html = await readFile(path.join(work.dir, 'site/index.html'), 'utf8');
      const card = (id: string) => html.slice(html.indexOf(`id="${id}"`), html.indexOf('</section>', html.indexOf(`id="${id}"`)));
      expect(card('procedure-com.example.shop.math.add')).toContain('<li>call: admin, guest</li>');
      expect(card('procedure-com.example.shop.users.get')).toContain('<li>call: admin</li>');
      expect(card('topic-com.example.shop.chat.message')).toContain('<li>subscribe: admin, guest</li><li>publish: admin</li>');
      work.write('bad.json', '{ "x": 1 }');
      let err = '';
      expect(await main(['docs', '--contract', path.join(fixturesDir, 'api.ts'), '--out', 'site', '--permissions', 'bad.json'], { out: () => {}, err: (t) => void (err += t), cwd: work.dir })).toBe(1);
      expect(err).toBe('junction docs: --permissions: bad.json must hold a list of roles or an object of string lists (see junction docs --help)\n');
    } finally {
      work.remove();
    }
  });

  it('junction docs writes index.html and asyncapi.json', async () => {
    const work = workdir();
    try {
      let out = '';
      const code = await main(['docs', '--contract', path.join(fixturesDir, 'api.ts'), '--out', 'site', '--server', 'ws://localhost:8080/ws'], {
        out: (t) => void (out += t),
        err: (t) => void (out += t),
        cwd: work.dir,
      });
      expect(out).toBe('wrote site/index.html, site/asyncapi.json (com.example.shop 2.1.0)\n');
      expect(code).toBe(0);
      const files = renderDocs(description, { url: 'ws://localhost:8080/ws' });
      expect(await readFile(path.join(work.dir, 'site/index.html'), 'utf8')).toBe(files['index.html']);
      expect(await readFile(path.join(work.dir, 'site/asyncapi.json'), 'utf8')).toBe(files['asyncapi.json']);
    } finally {
      work.remove();
    }
  });
});

describe('serveDocs next to the router on one http server', () => {
  let site: DocsServer;
  beforeAll(async () => {
    site = await startDocsServer();
  });
  afterAll(async () => {
    await site?.close();
  });

  it('serves the page and asyncapi.json at /docs, redirects /docs, refuses other methods', async () => {
    const bare = await fetch(`${site.origin}/docs`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/docs/');
    const page = await fetch(`${site.origin}/docs/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await page.text()).toContain('>users.get</a>');
    const doc = await fetch(`${site.origin}/docs/asyncapi.json`);
    expect(doc.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(((await doc.json()) as { asyncapi: string }).asyncapi).toBe('3.0.0');
    expect((await fetch(`${site.origin}/docs/nope.txt`)).status).toBe(404);
    expect((await fetch(`${site.origin}/docs/`, { method: 'POST', body: 'x' })).status).toBe(405);
    const other = await fetch(`${site.origin}/elsewhere`);
    expect([other.status, await other.text()]).toEqual([404, 'no such page\n']);
  });

  it('the WebSocket endpoint on the same server still serves WAMP', async () => {
    const client = await connect({ url: site.url, realm: 'realm1', reconnect: false });
    try {
      expect(await createApi(client).math.add({ a: 20, b: 22 })).toBe(42);
    } finally {
      await client.close();
    }
  });
});
