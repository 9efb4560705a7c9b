/**
 * Generated stubs against a live router (127.0.0.1, port 0): the fixture contract implemented with
 * @junction/contract's implement(), called and subscribed through modules written by
 * generateClient (imported as the files they are), next to bind() clients of the same contract.
 * Also `junction generate --url` (reflection), `--check`, and serveReflection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Router } from '@junction/router';
import { connect, type Client } from '@junction/client';
import { bind, defineContract, implement, procedure, REFLECTION_PREFIX as CONTRACT_REFLECTION_PREFIX, type Handlers } from '@junction/contract';
import { z } from 'zod';
import { fetchDescriptions, generateClient, main, REFLECTION_PREFIX, serveReflection, type CommandIo } from '../src/index.js';
import { api } from './fixtures/api.js';
import { fixturesDir, workdir } from './support/workdir.js';

type Generated = typeof import('./fixtures/generated/shop-api.js');
/** A module generated with --validate: the same API, plus the `validate` option. */
type Validating = Omit<Generated, 'createApi'> & {
  createApi(client: Client, options?: Parameters<Generated['createApi']>[1] & { validate?: boolean }): ReturnType<Generated['createApi']>;
};

const work = workdir();
let router: Router;
let url: string;
const clients: Client[] = [];
let stubs: Generated;
let validating: Validating;
let calls = 0;
const cancelled: AbortSignal[] = [];

const users = new Map([['u1', { id: 'u1', name: 'Ann', email: 'ann@example.com', role: 'admin' as const }]]);

const handlers: Handlers<typeof api> = {
  'math.add': ({ a, b }) => {
    calls++;
    return a + b;
  },
  'math.sum': async ({ values }, ctx) => {
    if (values.length > 50) throw api.errors.Busy.create({});
    let total = 0;
    for (const [i, value] of values.entries()) {
      await new Promise((resolve) => setTimeout(resolve, values.length > 10 ? 20 : 1));
      if (ctx.signal.aborted) {
        cancelled.push(ctx.signal);
        return { total, count: i };
      }
      total += value;
      ctx.progress({ done: i + 1, partial: total });
    }
    return { total, count: values.length };
  },
  'users.get': ({ id }) => {
    const user = users.get(id);
    if (user === undefined) throw api.errors.NotFound.create({ id }, `no user ${id}`);
    return user;
  },
  'users.list': ({ role }) => [...users.values()].filter((u) => role === undefined || u.role === role),
  'tree.echo': ({ tree }) => ({ tree, kind: tree.children.length === 0 ? 'leaf' : 'branch', note: null }),
  ping: () => 'pong' as const,
  'system.reset': () => undefined,
};

async function client(serializer: 'json' | 'msgpack' | 'cbor' = 'json'): Promise<Client> {
  const c = await connect({ url, realm: 'realm1', reconnect: false, serializers: [serializer] });
  clients.push(c);
  return c;
}

/** Runs the CLI in-process; collects what it prints. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CommandIo = { out: (t) => void (out += t), err: (t) => void (err += t), cwd: work.dir };
  const code = await main(argv, io);
  return { code, out, err };
}

beforeAll(async () => {
  router = new Router({ realms: [{ name: 'realm1' }], log: () => {} });
  ({ url } = await router.listen({ port: 0, host: '127.0.0.1' }));
  await implement(router.realm('realm1')!, api, handlers, { log: () => {} });
  // The committed module (kept current by the --check test below) and a fresh validating one.
  stubs = await import('./fixtures/generated/shop-api.js');
  validating = (await import(work.write('stubs-validate.ts', generateClient(api.describe(), { validate: true })))) as Validating;
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await router?.close();
  work.remove();
});

describe('generated stubs against a live router', () => {
  it('calls with the input as kwargs and gets args[0] back, on every serializer', async () => {
    for (const serializer of ['json', 'msgpack', 'cbor'] as const) {
      const remote = stubs.createApi(await client(serializer));
      expect(await remote.math.add({ a: 1, b: 2 })).toBe(3);
      // An optional field set to undefined is left out (not null), so the default applies.
      expect(await remote.math.add({ a: 5, b: undefined })).toBe(5);
      expect(await remote.ping()).toBe('pong');
      expect(await remote.users.list({ role: 'admin' })).toEqual([users.get('u1')]);
      expect(await remote.system.reset()).toBeUndefined();
      const tree = { label: 'a', children: [{ label: 'b', children: [] }] };
      expect(await remote.tree.echo({ tree })).toEqual({ tree, kind: 'branch', note: null });
    }
  });

  it('streams progressive results and resolves the final one', async () => {
    const remote = stubs.createApi(await client('msgpack'));
    const call = remote.math.sum.stream({ values: [1, 2, 3] });
    const seen: unknown[] = [];
    for await (const p of call) seen.push(p);
    expect(seen).toEqual([
      { done: 1, partial: 1 },
      { done: 2, partial: 3 },
      { done: 3, partial: 6 },
    ]);
    expect(await call.result).toEqual({ total: 6, count: 3 });
    const progress: unknown[] = [];
    expect(await remote.math.sum({ values: [4, 5] }, { onProgress: (p) => progress.push(p) })).toEqual({ total: 9, count: 2 });
    expect(progress).toEqual([
      { done: 1, partial: 4 },
      { done: 2, partial: 9 },
    ]);
  });

  it('leaving a stream early cancels the call at the callee', async () => {
    const remote = stubs.createApi(await client());
    const before = cancelled.length;
    const call = remote.math.sum.stream({ values: Array.from({ length: 40 }, (_, i) => i) });
    for await (const p of call) {
      expect(p).toEqual({ done: 1, partial: 0 });
      break;
    }
    await expect(call.result).rejects.toMatchObject({ uri: 'wamp.error.canceled' });
    await expect.poll(() => cancelled.length, { timeout: 5000 }).toBe(before + 1);
  });

  it('rejects with CallError: declared errors typed by name, details in kwargs', async () => {
    const remote = stubs.createApi(await client('cbor'));
    const error = await remote.users.get({ id: 'nobody' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(stubs.CallError);
    const callError = error as InstanceType<typeof stubs.CallError>;
    expect(callError.is(stubs.errors.NotFound)).toBe(true);
    expect(callError.declared).toBe('NotFound');
    expect(callError.uri).toBe('com.example.shop.error.not_found');
    expect(callError.kwargs).toEqual({ id: 'nobody' });
    expect(callError.args).toEqual(['no user nobody']);
    const busy = await remote.math.sum({ values: Array.from({ length: 60 }, () => 1) }).catch((e: unknown) => e);
    expect(busy).toMatchObject({ declared: 'Busy', uri: 'com.example.shop.error.busy' });
    expect(await remote.users.get.safe({ id: 'u1' })).toEqual({ ok: true, value: users.get('u1') });
    const failed = await remote.users.get.safe({ id: 'x' });
    expect(failed.ok).toBe(false);
    expect(!failed.ok && failed.error.is(stubs.errors.NotFound)).toBe(true);
  });

  it('the server refuses invalid input with wamp.error.invalid_argument and issues by path', async () => {
    const remote = stubs.createApi(await client());
    const error = await remote.math.add({ a: 'one' as unknown as number }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(stubs.CallError);
    expect(error).toMatchObject({ uri: 'wamp.error.invalid_argument', declared: undefined });
    expect((error as { kwargs: { issues: { path: unknown[] }[] } }).kwargs.issues.map((i) => i.path)).toEqual([['a']]);
  });

  it('with --validate, invalid input is refused before sending, in the same shape', async () => {
    const remote = validating.createApi(await client());
    const before = calls;
    const error = await remote.math.add({ a: 'one' as unknown as number }).catch((e: unknown) => e);
    expect(error).toMatchObject({ uri: 'wamp.error.invalid_argument' });
    expect((error as { kwargs: { issues: { path: unknown[] }[] } }).kwargs.issues.map((i) => i.path)).toEqual([['a']]);
    expect(calls).toBe(before);
    expect(await remote.math.add({ a: 2 })).toBe(2);
    expect(calls).toBe(before + 1);
    await expect(remote.chat.message.publish({ from: 'x', text: 'y'.repeat(501) })).rejects.toMatchObject({ uri: 'wamp.error.invalid_argument' });
    // Switched off per createApi: the server answers instead.
    const lax = validating.createApi(clients[clients.length - 1]!, { validate: false });
    await expect(lax.math.add({ a: 'one' as unknown as number })).rejects.toMatchObject({ uri: 'wamp.error.invalid_argument' });
    expect(calls).toBe(before + 1);
  });

  it('topics: generated publish and subscribe interoperate with bind() of the contract', async () => {
    const generatedSide = stubs.createApi(await client('msgpack'));
    const bound = bind(await client('json'), api);
    const viaStub: unknown[] = [];
    const viaBind: unknown[] = [];
    const got = (list: unknown[], n: number) => expect.poll(() => list.length, { timeout: 5000 }).toBe(n);
    const sub = await generatedSide.chat.message.subscribe((payload, info) => {
      expect(typeof info.publication).toBe('number');
      viaStub.push(payload);
    });
    await bound.chat.message.subscribe((payload) => void viaBind.push(payload));
    await bound.chat.message.publish({ from: 'bind', text: 'hello' }, { acknowledge: true });
    await got(viaStub, 1);
    await generatedSide.chat.message.publish({ from: 'stub', text: 'hi' }, { acknowledge: true, excludeMe: false });
    await got(viaStub, 2);
    await got(viaBind, 1); // the bind() publisher excluded itself (the broker's default)
    expect(viaStub).toEqual([
      { from: 'bind', text: 'hello' },
      { from: 'stub', text: 'hi' },
    ]);
    expect(viaBind).toEqual([{ from: 'stub', text: 'hi' }]);
    await sub.unsubscribe();
  });

  it('topics: for await over a topic yields typed payloads; leaving the loop unsubscribes', async () => {
    const listener = stubs.createApi(await client('cbor'));
    const publisher = bind(await client(), api);
    const user = { id: 'u9', name: 'Zoe', email: 'zoe@example.com', role: 'member' as const };
    const received = (async () => {
      for await (const created of listener.users.created) return created;
      return undefined;
    })();
    // The subscription starts with the first next(): publish until it arrives.
    let result: unknown;
    void received.then((r) => (result = r));
    for (let i = 0; i < 100 && result === undefined; i++) {
      await publisher.users.created.publish(user, { acknowledge: true });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await received).toEqual(user);
  });
});

describe('junction generate against a live router', () => {
  it('--url writes the same stubs as --contract (reflection procedure of implement())', async () => {
    expect(REFLECTION_PREFIX).toBe(CONTRACT_REFLECTION_PREFIX);
    const fromUrl = await cli('generate', '--url', url, '--realm', 'realm1', '--out', 'from-url.ts');
    expect(fromUrl).toMatchObject({ code: 0, err: '' });
    expect(await readFile(path.join(work.dir, 'from-url.ts'), 'utf8')).toBe(generateClient(api.describe()));
    const byPrefix = await cli('generate', '--url', url, '--prefix', 'com.example.shop', '--out', 'by-prefix.ts', '--validate');
    expect(byPrefix.code).toBe(0);
    expect(await readFile(path.join(work.dir, 'by-prefix.ts'), 'utf8')).toBe(generateClient(api.describe(), { validate: true }));
    const missing = await cli('generate', '--url', url, '--prefix', 'com.example.none', '--out', 'none.ts');
    expect(missing.code).toBe(1);
    expect(missing.err).toBe(`junction generate: realm realm1 at ${url} does not describe a contract com.example.none (no junction.contract.describe.com.example.none)\n`);
  });

  it('docs --url writes the site of the realm\'s contracts, with the router as AsyncAPI server', async () => {
    const r = await cli('docs', '--url', url, '--out', 'site');
    expect(r).toMatchObject({ code: 0, err: '' });
    const html = await readFile(path.join(work.dir, 'site/index.html'), 'utf8');
    expect(html).toContain('id="procedure-com.example.shop.users.get"');
    expect(html).toContain(`Router <code>${url}</code>, realm <code>realm1</code>`);
    const doc = JSON.parse(await readFile(path.join(work.dir, 'site/asyncapi.json'), 'utf8')) as { servers: { router: { host: string; pathname: string } } };
    expect(doc.servers.router).toMatchObject({ host: new URL(url).host, pathname: '/ws' });
  });

  it('serveReflection describes contracts implemented without reflection; several need --prefix', async () => {
    const other = defineContract({ prefix: 'com.example.other', version: '0.1.0', procedures: { hello: procedure({ output: z.string() }) } });
    const impl = await implement(router.realm('realm1')!, other, { hello: () => 'hi' }, { reflection: false });
    const service = await serveReflection(router.realm('realm1')!, other);
    try {
      const all = await fetchDescriptions({ url, realm: 'realm1' });
      expect(all.map((d) => d.prefix)).toEqual(['com.example.other', 'com.example.shop']);
      expect(all[0]).toEqual(other.describe());
      const several = await cli('generate', '--url', url, '--out', 'x.ts');
      expect(several).toMatchObject({ code: 1 });
      expect(several.err).toContain('several contracts (com.example.other, com.example.shop): choose one with --prefix');
    } finally {
      await service.close();
      await impl.close();
    }
  });

  it('the committed stubs of the fixture are current (junction generate --check, as in CI)', async () => {
    let err = '';
    const code = await main(['generate', '--contract', 'test/fixtures/api.ts', '--out', 'test/fixtures/generated/shop-api.ts', '--check'], {
      out: () => {},
      err: (t) => void (err += t),
      cwd: path.dirname(path.dirname(fixturesDir)),
    });
    expect(err).toBe('');
    expect(code).toBe(0);
  });

  it('--check exits 0 when current, 1 with a clear message when stale or missing', async () => {
    const contract = path.relative(work.dir, path.join(fixturesDir, 'api.ts'));
    expect((await cli('generate', '--contract', contract, '--out', 'gen/api.ts')).code).toBe(0);
    const current = await cli('generate', '--contract', contract, '--out', 'gen/api.ts', '--check');
    expect(current).toEqual({ code: 0, out: 'gen/api.ts is up to date\n', err: '' });
    const file = path.join(work.dir, 'gen/api.ts');
    await writeFile(file, (await readFile(file, 'utf8')).replace('Adds two numbers.', 'Adds numbers.'));
    const stale = await cli('generate', '--contract', contract, '--out', 'gen/api.ts', '--check');
    expect(stale).toEqual({ code: 1, out: '', err: 'junction generate --check: gen/api.ts is stale; run junction generate without --check to update it\n' });
    // --validate makes another module: the plain one is stale for it.
    expect((await cli('generate', '--contract', contract, '--out', 'gen/api.ts')).code).toBe(0);
    expect((await cli('generate', '--contract', contract, '--out', 'gen/api.ts', '--check', '--validate')).code).toBe(1);
    const missing = await cli('generate', '--contract', contract, '--out', 'gen/none.ts', '--check');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('gen/none.ts is missing');
  });
});
