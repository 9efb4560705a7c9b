/**
 * Contracts end to end: a real router on 127.0.0.1 (port 0), the contract implemented by an
 * embedded session (and, in one test, by a client over a socket), called through bound clients
 * over WebSocket connections.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Router } from '@junction/router';
import { connect, WampError, type Client } from '@junction/client';
import { bind, CallError, ContractErrorUri, defineContract, error, implement, issuesOf, procedure, reflectionUri, type Handlers, type Implementation } from '../src/index.js';
import { api as contract } from './support/api.js';

const logged: { level: string; message: string; detail: unknown }[] = [];
const log = (level: string, message: string, detail?: unknown): void => void logged.push({ level, message, detail });

let router: Router;
let url: string;
let implementation: Implementation;
let remote: Client;
const clients: Client[] = [];
const sumCancelled: AbortSignal[] = [];
const waitAborted: { resolve: (reason: unknown) => void }[] = [];

const users = new Map([['u1', { id: 'u1', name: 'Ann', email: 'ann@example.com' }]]);

const handlers: Handlers<typeof contract> = {
  'math.add': ({ a, b }) => a + b,
  'math.sum': async ({ values }, ctx) => {
    if (values.length > 50) throw contract.errors.Busy.create({});
    let total = 0;
    for (const [i, value] of values.entries()) {
      await new Promise((resolve) => setImmediate(resolve));
      if (ctx.signal.aborted) {
        sumCancelled.push(ctx.signal);
        return { total, count: i };
      }
      total += value;
      ctx.progress({ done: i + 1, partial: total });
    }
    return { total, count: values.length };
  },
  'users.get': ({ id }) => {
    if (id === 'admin') throw contract.errors.Forbidden.create({ reason: 'admins are private' });
    const user = users.get(id);
    if (user === undefined) throw contract.errors.NotFound.create({ id }, `no user ${id}`);
    return user;
  },
  'users.create': (input) => ({ ...input, id: `u${users.size + 1}` }),
  ping: () => 'pong' as const,
  // Undisclosed fields are undefined: they must arrive absent (not null) whatever the serializer.
  'system.whoami': (_input, ctx) => ({ caller: ctx.caller, authid: ctx.callerAuthid, authrole: ctx.callerAuthrole }),
  // A bug on purpose: the contract says number.
  'system.broken': () => 'not a number' as unknown as number,
  'system.crash': () => {
    throw new Error('database password is hunter2');
  },
  'system.wait': ({ ms }, ctx) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(true), ms);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        waitAborted.shift()?.resolve(ctx.signal.reason);
      });
    }),
};

async function client(): Promise<Client> {
  const c = await connect({ url, realm: 'realm1', reconnect: false });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  router = new Router({ realms: [{ name: 'realm1' }] });
  ({ url } = await router.listen({ port: 0, host: '127.0.0.1' }));
  implementation = await implement(router.realm('realm1')!, contract, handlers, { log, identity: { authid: 'api-service' } });
  remote = await client();
});

afterEach(() => {
  logged.length = 0;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await implementation.close();
  await router.close();
});

describe('calls', () => {
  it('calls typed procedures over a socket, with defaults applied by the server', async () => {
    const api = bind(remote, contract);
    expect(await api.math.add({ a: 1, b: 2 })).toBe(3);
    expect(await api.math.add({ a: 5 })).toBe(5);
    expect(await api.ping()).toBe('pong');
    expect(await api.users.get({ id: 'u1' })).toEqual({ id: 'u1', name: 'Ann', email: 'ann@example.com' });
    expect(await api.users.create({ name: 'Bob', email: 'bob@example.com' })).toEqual({ id: 'u2', name: 'Bob', email: 'bob@example.com' });
  });

  it('rejects invalid input with wamp.error.invalid_argument and the issues by field', async () => {
    const api = bind(remote, contract);
    const error = await api.users.create({ name: '', email: 'nope' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallError);
    expect((error as CallError).uri).toBe('wamp.error.invalid_argument');
    const issues = issuesOf(error);
    expect(issues.map((i) => i.path)).toEqual([['name'], ['email']]);
    expect(issues.map((i) => i.code)).toEqual(['too_small', 'invalid_format']);
    expect(issues[0]!.message).toMatch(/>=1 characters/);
    expect((error as CallError).args[0]).toMatch(/^invalid input for com\.example\.api\.users\.create: name: /);
    // Wrong types get through the TypeScript types only with a cast: the server still checks.
    const typeError = await api.math.add({ a: 'one' as unknown as number }).catch((e: unknown) => e);
    expect(issuesOf(typeError)).toEqual([{ path: ['a'], code: 'invalid_type', message: 'Invalid input: expected number, received string' }]);
    expect(logged).toEqual([]); // the caller's mistake, not the server's
    // A non-object input (JavaScript, casts) never leaves the client: kwargs must be a dict.
    await expect(api.math.add(7 as never)).rejects.toMatchObject({ uri: 'wamp.error.invalid_argument', kwargs: { issues: [{ path: [], code: 'invalid_type' }] } });
  });

  it('answers an invalid result with a generic runtime error and logs it', async () => {
    const api = bind(remote, contract);
    const error = (await api.system.broken().catch((e: unknown) => e)) as CallError;
    expect(error.uri).toBe('wamp.error.runtime_error');
    expect(error.args).toEqual(['internal error']);
    expect(error.kwargs).toEqual({});
    expect(logged).toHaveLength(1);
    expect(logged[0]!.message).toMatch(/com\.example\.api\.system\.broken returned an invalid result: Invalid input: expected number/);
  });

  it('hides unexpected handler errors from the caller and logs them', async () => {
    const api = bind(remote, contract);
    const error = (await api.system.crash().catch((e: unknown) => e)) as CallError;
    expect(error.uri).toBe('wamp.error.runtime_error');
    expect(error.args).toEqual(['internal error']);
    expect(JSON.stringify([error.args, error.kwargs, error.message])).not.toContain('hunter2');
    expect(logged).toHaveLength(1);
    expect((logged[0]!.detail as Error).message).toBe('database password is hunter2');
  });

  it('delivers declared errors typed: is(), match(), safe() and the definition guard', async () => {
    const api = bind(remote, contract);
    const missing = await api.users.get.safe({ id: 'u9' });
    expect(missing.ok).toBe(false);
    if (missing.ok) return;
    expect(missing.error.uri).toBe('com.example.api.error.not_found');
    expect(missing.error.declared).toBe('NotFound');
    expect(missing.error.args).toEqual(['no user u9']);
    expect(missing.error.is(contract.errors.NotFound) && missing.error.kwargs.id).toBe('u9');
    expect(missing.error.is(contract.errors.Forbidden)).toBe(false);
    const forbidden = await api.users.get({ id: 'admin' }).catch((e: unknown) => e);
    expect(contract.errors.Forbidden.is(forbidden)).toBe(true);
    const text = (forbidden as CallError<typeof contract.errors.NotFound | typeof contract.errors.Forbidden>).match({
      NotFound: (e) => `missing ${e.kwargs.id}`,
      Forbidden: (e) => `forbidden: ${e.kwargs.reason}`,
      otherwise: (e) => e.uri,
    });
    expect(text).toBe('forbidden: admins are private');
    expect(await api.users.get.safe({ id: 'u1' })).toEqual({ ok: true, value: users.get('u1') });
    expect(logged).toEqual([]);
  });

  it('gives the handler the disclosed caller; undefined fields arrive absent on every serializer', async () => {
    const api = bind(remote, contract, { validate: true });
    expect(remote.serializer).toBe('msgpack');
    const who = await api.system.whoami(undefined, { discloseMe: true });
    expect(who).toEqual({ caller: remote.sessionId, authid: remote.welcome?.authid, authrole: 'anonymous' });
    expect(await api.system.whoami()).toEqual({});
  });

  it('cancels through an AbortSignal and aborts the handler', async () => {
    const api = bind(remote, contract);
    const controller = new AbortController();
    const aborted = new Promise((resolve) => waitAborted.push({ resolve }));
    const call = api.system.wait({ ms: 60_000 }, { signal: controller.signal });
    setImmediate(() => controller.abort());
    await expect(call).rejects.toMatchObject({ uri: 'wamp.error.canceled' });
    expect(await aborted).toBeInstanceOf(WampError);
  });
});

describe('progressive procedures', () => {
  it('stream() yields typed progress in order, then the final result', async () => {
    const api = bind(remote, contract);
    const call = api.math.sum.stream({ values: [1, 2, 3] });
    const seen: unknown[] = [];
    for await (const p of call) seen.push(p);
    expect(seen).toEqual([
      { done: 1, partial: 1 },
      { done: 2, partial: 3 },
      { done: 3, partial: 6 },
    ]);
    expect(await call.result).toEqual({ total: 6, count: 3 });
  });

  it('onProgress receives progress; a plain await only the result', async () => {
    const api = bind(remote, contract);
    const seen: number[] = [];
    expect(await api.math.sum({ values: [5, 5] }, { onProgress: (p) => seen.push(p.partial) })).toEqual({ total: 10, count: 2 });
    expect(seen).toEqual([5, 10]);
    expect(await api.math.sum({ values: [1] })).toEqual({ total: 1, count: 1 });
  });

  it('leaving the loop early cancels the call', async () => {
    const api = bind(remote, contract);
    const call = api.math.sum.stream({ values: Array.from({ length: 40 }, () => 1) });
    for await (const p of call) {
      expect(p.done).toBe(1);
      break;
    }
    await expect(call.result).rejects.toMatchObject({ uri: 'wamp.error.canceled' });
    await expect.poll(() => sumCancelled.length).toBeGreaterThan(0);
  });

  it('a declared error rejects the iteration and the result, typed', async () => {
    const api = bind(remote, contract);
    const call = api.math.sum.stream({ values: Array.from({ length: 51 }, () => 1) });
    const error = await (async () => {
      for await (const _ of call) throw new Error('no progress expected');
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallError);
    expect((error as CallError<typeof contract.errors.Busy>).is(contract.errors.Busy)).toBe(true);
    await expect(call.result).rejects.toBe(error);
  });
});

describe('topics', () => {
  it('publishes validated payloads and delivers them typed (events() and for await)', async () => {
    const server = bind(implementation.session, contract);
    const api = bind(remote, contract);
    const events = api.chat.message.events();
    await events.ready;
    await server.chat.message.publish({ from: 'ann', text: 'hello' }, { acknowledge: true });
    expect((await events.next()).value).toEqual({ from: 'ann', text: 'hello' });
    await events.return();

    const received: unknown[] = [];
    const loop = (async () => {
      for await (const message of api.chat.message) {
        received.push(message);
        if (received.length === 2) break;
      }
    })();
    // The loop subscribes on its own schedule: publish until it has seen two messages.
    for (let i = 0; received.length < 2 && i < 1000; i++) {
      await server.chat.message.publish({ from: 'bob', text: `n${i}` }, { acknowledge: true });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await loop;
    expect(received).toHaveLength(2);
    expect(received[0]).toMatchObject({ from: 'bob' });
  });

  it('refuses to publish an invalid payload, with the issues', async () => {
    const api = bind(remote, contract);
    const error = await api.chat.message.publish({ from: 'ann', text: 'x'.repeat(501) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WampError);
    expect((error as WampError).uri).toBe('wamp.error.invalid_argument');
    expect(issuesOf(error)).toMatchObject([{ path: ['text'], code: 'too_big' }]);
  });

  it('subscribe() passes the payload and the event info (publisher when disclosed)', async () => {
    const api = bind(remote, contract);
    const publisher = bind(await client(), contract);
    const got = new Promise<[unknown, number | undefined]>((resolve) => {
      void api.users.created.subscribe((user, info) => resolve([user, info.publisher])).then(() =>
        publisher.users.created.publish({ id: 'u7', name: 'Eve', email: 'eve@example.com' }, { discloseMe: true }),
      );
    });
    expect(await got).toEqual([{ id: 'u7', name: 'Eve', email: 'eve@example.com' }, clients.at(-1)!.sessionId]);
  });
});

describe('client-side validation', () => {
  it('checks the input before sending it', async () => {
    const lonely = defineContract({
      prefix: 'com.example.unserved',
      version: '1',
      procedures: { echo: procedure({ input: z.object({ text: z.string() }), output: z.string() }) },
    });
    const checked = bind(remote, lonely, { validate: true });
    const unchecked = bind(remote, lonely);
    const bad = { text: 42 as unknown as string };
    // Nobody implements it: only a call that reached the router gets no_such_procedure.
    await expect(unchecked.echo(bad)).rejects.toMatchObject({ uri: 'wamp.error.no_such_procedure' });
    const error = await checked.echo(bad).catch((e: unknown) => e);
    expect((error as CallError).uri).toBe('wamp.error.invalid_argument');
    expect(issuesOf(error)).toMatchObject([{ path: ['text'], code: 'invalid_type' }]);
  });

  it('skips invalid events and reports them as client errors', async () => {
    const listener = await client();
    const errors: unknown[] = [];
    listener.on('error', (e) => errors.push(e));
    const api = bind(listener, contract, { validate: true });
    const events = api.chat.message.events();
    await events.ready;
    // A peer without the contract publishes garbage, then a valid message.
    await remote.publish(contract.topics['chat.message'].uri, [{ from: 1 }], undefined, { acknowledge: true });
    await remote.publish(contract.topics['chat.message'].uri, [{ from: 'ann', text: 'ok' }], undefined, { acknowledge: true });
    expect((await events.next()).value).toEqual({ from: 'ann', text: 'ok' });
    await events.return();
    expect(errors).toHaveLength(1);
    expect(issuesOf(errors[0]).map((i) => i.path)).toEqual([['from'], ['text']]);
  });

  it('checks results when asked to', async () => {
    const lying = defineContract({
      prefix: 'com.example.lying',
      version: '1',
      validateOutput: false,
      procedures: { answer: procedure({ output: z.number() }) },
    });
    const served = await implement(implementation.session, lying, { answer: () => 'forty-two' as unknown as number });
    try {
      // validateOutput: false lets the bad result through the server...
      expect(await bind(remote, lying).answer()).toBe('forty-two');
      // ...and a validating client catches it.
      await expect(bind(remote, lying, { validate: { results: true } }).answer()).rejects.toMatchObject({ uri: ContractErrorUri.INVALID_RESULT });
    } finally {
      await served.close();
    }
  });
});

describe('server-side bugs', () => {
  const buggy = defineContract({
    prefix: 'com.example.buggy',
    version: '1',
    errors: { Quota: error({ details: z.object({ limit: z.number() }) }) },
    procedures: {
      progress: procedure({ output: z.null(), progress: z.object({ pct: z.number().max(100) }) }),
      quota: procedure({ output: z.null(), errors: ['Quota'] }),
    },
  });

  it('an invalid progressive result or declared error details are logged, the caller gets runtime_error', async () => {
    const served = await implement(implementation.session, buggy, {
      progress: (_input, ctx) => {
        ctx.progress({ pct: 50 });
        ctx.progress({ pct: 150 });
        return null;
      },
      quota: () => {
        throw buggy.errors.Quota.create({ limit: 'ten' as unknown as number });
      },
    }, { log });
    try {
      const api = bind(remote, buggy);
      const seen: unknown[] = [];
      await expect(api.progress(undefined, { onProgress: (p) => seen.push(p) })).rejects.toMatchObject({ uri: 'wamp.error.runtime_error', args: ['internal error'] });
      expect(seen).toEqual([{ pct: 50 }]);
      await expect(api.quota()).rejects.toMatchObject({ uri: 'wamp.error.runtime_error', args: ['internal error'] });
      expect(logged.map((l) => (l.detail as Error).message)).toEqual([
        expect.stringMatching(/^invalid progress for com\.example\.buggy\.progress: pct: Too big/),
        expect.stringMatching(/^error Quota: invalid details: limit: /),
      ]);
    } finally {
      await served.close();
    }
  });

  it('callDefaults apply to every call, each call can override them', async () => {
    const api = bind(remote, contract, { callDefaults: { timeout: 30 } });
    await expect(api.system.wait({ ms: 60_000 })).rejects.toMatchObject({ uri: 'wamp.error.timeout' });
    expect(await api.system.wait({ ms: 1 }, { timeout: 5000 })).toBe(true);
  });
});

describe('implement', () => {
  it('serves from a client over a socket too; close() unregisters', async () => {
    const scaled = defineContract({ prefix: 'com.example.remote', version: '1', procedures: { 'text.upper': procedure({ input: z.object({ s: z.string() }), output: z.string() }) } });
    const callee = await client();
    const served = await implement(callee, scaled, { 'text.upper': ({ s }) => s.toUpperCase() });
    expect(served.session).toBe(callee);
    expect(served.registrations.map((r) => r.procedure)).toEqual(['com.example.remote.text.upper', 'junction.contract.describe.com.example.remote']);
    const embedded = bind(implementation.session, scaled);
    expect(await embedded.text.upper({ s: 'abc' })).toBe('ABC');
    await served.close();
    expect(callee.isOpen).toBe(true); // not ours to close
    await expect(embedded.text.upper({ s: 'abc' })).rejects.toMatchObject({ uri: 'wamp.error.no_such_procedure' });
  });

  it('opens an embedded session with the given identity on a realm target', () => {
    expect(implementation.session.welcome).toMatchObject({ authid: 'api-service', authrole: 'trusted' });
  });

  it('serves the description through the reflection procedure', async () => {
    const { args } = await remote.call(reflectionUri(contract.prefix));
    expect(args[0]).toEqual(JSON.parse(JSON.stringify(contract.describe())));
    expect(implementation.registrations.map((r) => r.procedure).at(-1)).toBe('junction.contract.describe.com.example.api');
    // Discovery without the source: the registration meta API lists the reflection procedures.
    const list = (await remote.call('wamp.registration.list')).args[0] as { exact: number[] };
    const uris = await Promise.all(list.exact.map(async (id) => ((await remote.call('wamp.registration.get', [id])).args[0] as { uri: string }).uri));
    expect(uris.filter((uri) => uri.startsWith('junction.contract.describe.'))).toContain('junction.contract.describe.com.example.api');
  });

  it('accepts callers that send the input as one positional object, refuses positional values', async () => {
    const uri = contract.procedures['math.add'].uri;
    expect((await remote.call(uri, [], { a: 2, b: 3 })).args).toEqual([5]);
    expect((await remote.call(uri, [{ a: 2, b: 4 }])).args).toEqual([6]);
    await expect(remote.call(uri, [2, 3])).rejects.toMatchObject({ uri: 'wamp.error.invalid_argument' });
  });

  it('fails as a whole when a procedure is taken, leaving nothing registered', async () => {
    const other = await client();
    await expect(implement(other, contract, handlers)).rejects.toMatchObject({ uri: 'wamp.error.procedure_already_exists' });
    // The first implementation still serves, and the failed one left no stray registration.
    expect(await bind(remote, contract).math.add({ a: 1, b: 1 })).toBe(2);
    const twin = defineContract({ prefix: 'com.example.twin', version: '1', procedures: { a: procedure({ output: z.null() }), b: procedure({ output: z.null() }) } });
    await other.register('com.example.twin.b', () => null);
    await expect(implement(other, twin, { a: () => null, b: () => null })).rejects.toMatchObject({ uri: 'wamp.error.procedure_already_exists' });
    const retry = await implement(await client(), defineContract({ prefix: 'com.example.twin', version: '1', procedures: { a: procedure({ output: z.null() }) } }), { a: () => null });
    await retry.close();
  });

  it('refuses missing and extra handlers at run time too (for JavaScript callers)', async () => {
    const { ping: _ping, ...missing } = handlers;
    await expect(implement(remote, contract, missing as never)).rejects.toThrow(/no handler for "ping"/);
    await expect(implement(remote, contract, { ...handlers, extra: () => 1 } as never)).rejects.toThrow(/"extra" is not a procedure/);
  });
});
