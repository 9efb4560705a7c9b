import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WampError, type Client } from '@junction/client';
import { callWhenRoutable, client, delay, errorOf, eventually, NatsServer, RouterNode } from './support/harness.js';

// Three router processes joined by a real nats-server; clients spread across them.
let nats: NatsServer;
let nodes: RouterNode[] = [];
const clients: Client[] = [];

async function open(node: number): Promise<Client> {
  const c = await client(nodes[node]!.url);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  nats = await NatsServer.start();
  nodes = await Promise.all(['a', 'b', 'c'].map((id) => RouterNode.start(nats.url, id)));
  await eventually(async () => ((await nodes[0]!.status()).nodes.length === 2 ? true : undefined), 5000, 'nodes to see each other');
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await Promise.allSettled(nodes.map((n) => n.stop()));
  await nats?.stop();
});

describe('RPC across nodes', () => {
  it('routes calls, errors and caller identification to a callee on another node', async () => {
    const callee = await open(0);
    await callee.register('test.add', (args, _kwargs, ctx) => {
      if (args[0] === 'boom') throw new WampError('test.error.boom', ['bad'], { why: 'asked' });
      return { args: [(args[0] as number) + (args[1] as number)], kwargs: { caller: ctx.caller ?? null, node: 'a' } } as never;
    });
    const b = await open(1);
    const c = await open(2);
    expect(await callWhenRoutable(b, 'test.add', [1, 2])).toBeDefined();
    const result = await c.call('test.add', [20, 22], {}, { discloseMe: true });
    expect(result.args).toEqual([{ args: [42], kwargs: { caller: c.sessionId, node: 'a' } }]);
    const error = await errorOf(b.call('test.add', ['boom']));
    expect(error.uri).toBe('test.error.boom');
    expect(error.args).toEqual(['bad']);
    expect(error.kwargs).toEqual({ why: 'asked' });
  });

  it('keeps single registrations unique cluster-wide', async () => {
    const a = await open(0);
    await a.register('test.unique', () => 'a');
    const b = await open(1);
    await callWhenRoutable(b, 'test.unique');
    const error = await errorOf(b.register('test.unique', () => 'b'));
    expect(error.uri).toBe('wamp.error.procedure_already_exists');
    // Two nodes racing for a new URI: exactly one wins.
    const c = await open(2);
    const results = await Promise.allSettled([b.register('test.race', () => 'b'), c.register('test.race', () => 'c')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((refused.reason as WampError).uri).toBe('wamp.error.procedure_already_exists');
  });

  it('applies shared registration policies across the cluster', async () => {
    const served: string[] = [];
    const callees = await Promise.all([open(0), open(1), open(2)]);
    for (const [i, c] of callees.entries()) {
      await c.register('test.rr', () => {
        served.push('abc'[i]!);
        return 'abc'[i];
      }, { invoke: 'roundrobin' });
    }
    const caller = await open(0);
    // Wait until this node knows all three callees.
    await eventually(async () => {
      const id = (await caller.call('wamp.registration.lookup', ['test.rr'])).args[0];
      return id !== null && (await caller.call('wamp.registration.count_callees', [id])).args[0] === 3 ? true : undefined;
    }, 5000, 'three callees');
    served.length = 0;
    for (let i = 0; i < 9; i++) await caller.call('test.rr');
    expect(served.filter((s) => s === 'a')).toHaveLength(3);
    expect(served.filter((s) => s === 'b')).toHaveLength(3);
    expect(served.filter((s) => s === 'c')).toHaveLength(3);

    // `first` is the same callee, whichever node the caller is on.
    const firsts = await Promise.all([open(1), open(2), open(0)]);
    for (const [i, c] of firsts.entries()) await c.register('test.first', () => `first-${i}`, { invoke: 'first' });
    const fromC = await open(2);
    const fromA = await open(0);
    await eventually(async () => {
      const id = (await fromC.call('wamp.registration.lookup', ['test.first'])).args[0];
      const idA = (await fromA.call('wamp.registration.lookup', ['test.first'])).args[0];
      const n = id === null ? 0 : (await fromC.call('wamp.registration.count_callees', [id])).args[0];
      const nA = idA === null ? 0 : (await fromA.call('wamp.registration.count_callees', [idA])).args[0];
      return n === 3 && nA === 3 ? true : undefined;
    }, 5000, 'three first callees');
    expect((await fromC.call('test.first')).args).toEqual(['first-0']);
    expect((await fromA.call('test.first')).args).toEqual(['first-0']);

    const other = await open(1);
    const error = await errorOf(other.register('test.rr', () => 'x', { invoke: 'random' }));
    expect(error.uri).toBe('wamp.error.procedure_exists_with_different_invocation_policy');
  });

  it('streams progressive results, cancels and times out across nodes', async () => {
    const callee = await open(2);
    let interrupted = 0;
    await callee.register('test.stream', async (args, _kwargs, ctx) => {
      const n = args[0] as number;
      for (let i = 0; i < n; i++) ctx.progress([i]);
      return n;
    });
    await callee.register('test.hang', (_args, _kwargs, ctx) => new Promise((_resolve, reject) => {
      ctx.signal.addEventListener('abort', () => {
        interrupted++;
        reject(ctx.signal.reason);
      });
    }));
    const caller = await open(0);
    await callWhenRoutable(caller, 'test.stream', [0]);
    const progress: unknown[] = [];
    const result = await caller.call('test.stream', [5], {}, { onProgress: (r) => progress.push(r.args[0]) });
    expect(progress).toEqual([0, 1, 2, 3, 4]);
    expect(result.args).toEqual([5]);

    await callWhenRoutable(caller, 'test.stream', [0]);
    const controller = new AbortController();
    const pending = caller.call('test.hang', [], {}, { signal: controller.signal, cancelMode: 'kill' });
    await delay(100);
    controller.abort();
    expect((await errorOf(pending)).uri).toBe('wamp.error.canceled');
    await eventually(() => (interrupted === 1 ? true : undefined), 3000, 'the callee to be interrupted');

    // The dealer's timeout (no client-side timer: the option goes straight to the router).
    const started = Date.now();
    const timedOut = await errorOf(caller.call('test.hang', [], {}, { options: { timeout: 300 } }));
    expect(timedOut.uri).toBe('wamp.error.timeout');
    expect(Date.now() - started).toBeLessThan(2000);
    await eventually(() => (interrupted === 2 ? true : undefined), 3000, 'the timed-out callee to be interrupted');
  });
});

describe('payloads larger than NATS carries', () => {
  it('fail with junction.error.limit_exceeded instead of hanging', async () => {
    const big = 'x'.repeat(1_200_000); // nats-server's default max_payload is 1 MiB
    const callee = await open(0);
    await callee.register('test.big', (args) => (args[0] === 'small' ? big : (args[0] as string).length));
    const caller = await open(1);
    await callWhenRoutable(caller, 'test.big', [0]);
    expect((await errorOf(caller.call('test.big', [big]))).uri).toBe('junction.error.limit_exceeded');
    expect((await errorOf(caller.call('test.big', ['small']))).uri).toBe('junction.error.limit_exceeded');
    expect((await caller.call('test.big', ['ok'])).args).toEqual([2]);
  });
});

describe('progressive call invocations across nodes', () => {
  it('streams the caller\'s chunks to a callee on another node', async () => {
    const callee = await open(1);
    await callee.register('test.sum', async (args, _kwargs, ctx) => {
      let total = (args[0] as number) ?? 0;
      for await (const chunk of ctx.inputs ?? []) total += (chunk.args[0] as number) ?? 0;
      return total;
    });
    const caller = await open(2);
    await callWhenRoutable(caller, 'test.sum', [0]);
    const call = caller.progressiveCall('test.sum', [1]);
    call.send([2]);
    call.send([3]);
    expect((await call.end([4])).args).toEqual([10]);
  });
});

describe('pub/sub across nodes', () => {
  it('delivers every event once per subscription, in order, on every node', async () => {
    const subscribers = await Promise.all([open(0), open(1), open(2)]);
    const received: unknown[][] = [[], [], [], []];
    await subscribers[0]!.subscribe('test.order', (args) => void received[0]!.push(args[0]));
    await subscribers[1]!.subscribe('test.order', (args) => void received[1]!.push(args[0]));
    await subscribers[2]!.subscribe('test.', (args) => void received[2]!.push(args[0]), { match: 'prefix' });
    await subscribers[2]!.subscribe('.order', (args) => void received[3]!.push(args[0]), { match: 'wildcard' });
    const publisher = await open(1);
    // Subscriptions are local to each node; events go to every node: nothing to wait for but the wire.
    const count = 200;
    for (let i = 0; i < count; i++) void publisher.publish('test.order', [i]);
    await publisher.publish('test.order', ['end'], {}, { acknowledge: true });
    const expected = [...Array.from({ length: count }, (_, i) => i), 'end'];
    for (let s = 0; s < 4; s++) {
      await eventually(() => (received[s]!.length >= expected.length ? true : undefined), 5000, `subscriber ${s}`);
    }
    await delay(100); // nothing more may come
    for (let s = 0; s < 4; s++) expect(received[s]).toEqual(expected);
  });

  it('applies exclude_me, eligible/exclude lists, authid and authrole filters on every node', async () => {
    const publisher = await open(0);
    const subs = await Promise.all([open(1), open(2), open(2)]);
    const got = new Map<number, unknown[]>();
    for (const c of [publisher, ...subs]) {
      got.set(c.sessionId!, []);
      await c.subscribe('test.filter', (args) => void got.get(c.sessionId!)!.push(args[0]));
    }
    const ids = subs.map((c) => c.sessionId!);
    const authids = await Promise.all(subs.map(async (c) => (await publisher.call('wamp.session.get', [c.sessionId])).args[0] as { authid: string }));
    await publisher.publish('test.filter', ['all'], {}, { acknowledge: true });
    await publisher.publish('test.filter', ['me-too'], {}, { acknowledge: true, excludeMe: false });
    await publisher.publish('test.filter', ['eligible'], {}, { acknowledge: true, eligible: [ids[0]!, ids[2]!] });
    await publisher.publish('test.filter', ['exclude'], {}, { acknowledge: true, exclude: [ids[2]!] });
    await publisher.publish('test.filter', ['authid'], {}, { acknowledge: true, eligibleAuthid: [authids[1]!.authid] });
    await publisher.publish('test.filter', ['no-anonymous'], {}, { acknowledge: true, excludeAuthrole: ['anonymous'] });
    const ack = await publisher.publish('test.filter', ['last'], {}, { acknowledge: true, excludeMe: false });
    expect(typeof ack?.publication).toBe('number');
    await eventually(() => (ids.every((id) => got.get(id)!.includes('last')) && got.get(publisher.sessionId!)!.includes('last') ? true : undefined), 5000, 'last event');
    expect(got.get(publisher.sessionId!)).toEqual(['me-too', 'last']);
    expect(got.get(ids[0]!)).toEqual(['all', 'me-too', 'eligible', 'exclude', 'last']);
    expect(got.get(ids[1]!)).toEqual(['all', 'me-too', 'exclude', 'authid', 'last']);
    expect(got.get(ids[2]!)).toEqual(['all', 'me-too', 'eligible', 'last']);
  });

  it('gives retained events to later subscribers on other nodes', async () => {
    const publisher = await open(0);
    await publisher.publish('test.retained', ['kept'], { v: 1 }, { acknowledge: true, retain: true });
    const late = await open(2);
    const got: unknown[] = [];
    await eventually(async () => {
      const sub = await late.subscribe('test.retained', (args, _kwargs, details) => void got.push([args[0], details.retained]), { getRetained: true });
      await delay(50);
      if (got.length > 0) return true;
      await sub.unsubscribe();
      return undefined;
    }, 3000, 'the retained event');
    expect(got[0]).toEqual(['kept', true]);
  });
});

describe('meta API across nodes', () => {
  it('answers session, registration and subscription meta for the whole cluster', async () => {
    const a = await open(0);
    const b = await open(1);
    const c = await open(2);
    const joined: unknown[] = [];
    await a.subscribe('wamp.session.on_join', (args) => void joined.push((args[0] as { session: number }).session));
    const late = await open(2);
    await eventually(() => (joined.includes(late.sessionId) ? true : undefined), 3000, 'on_join from another node');

    const list = (await a.call('wamp.session.list')).args[0] as number[];
    for (const s of [a, b, c, late]) expect(list).toContain(s.sessionId);
    expect((await a.call('wamp.session.count')).args[0]).toBe(list.length);
    const details = (await a.call('wamp.session.get', [c.sessionId])).args[0] as { session: number };
    expect(details.session).toBe(c.sessionId);
    expect((await errorOf(a.call('wamp.session.get', [12345]))).uri).toBe('wamp.error.no_such_session');

    await b.subscribe('test.meta.topic', () => {});
    await c.subscribe('test.meta.topic', () => {});
    const subId = (await a.call('wamp.subscription.lookup', ['test.meta.topic'])).args[0] as number;
    expect(typeof subId).toBe('number');
    expect((await a.call('wamp.subscription.count_subscribers', [subId])).args[0]).toBe(2);
    expect(((await a.call('wamp.subscription.list_subscribers', [subId])).args[0] as number[]).sort()).toEqual([b.sessionId, c.sessionId].sort());
    expect(((await a.call('wamp.subscription.list')).args[0] as { exact: number[] }).exact).toContain(subId);

    await c.register('test.meta.proc', () => null);
    await callWhenRoutable(a, 'test.meta.proc');
    const regId = (await a.call('wamp.registration.lookup', ['test.meta.proc'])).args[0];
    expect((await a.call('wamp.registration.list_callees', [regId])).args[0]).toEqual([c.sessionId]);

    // kill a session on another node
    const closed = new Promise((resolve) => late.once('close', resolve));
    await a.call('wamp.session.kill', [late.sessionId]);
    await closed;
    await eventually(async () => (((await a.call('wamp.session.list')).args[0] as number[]).includes(late.sessionId!) ? undefined : true), 3000, 'the killed session to leave');

    const status = (await b.call('junction.cluster.status')).args[0] as { state: string; nodes: string[] };
    expect(status.state).toBe('connected');
    expect(status.nodes.sort()).toEqual(['a', 'c']);
  });
});

describe('leaving the cluster', () => {
  it('a node that closes takes its registrations along at once', async () => {
    const leaving = await RouterNode.start(nats.url, 'd');
    try {
      const callee = await client(leaving.url);
      clients.push(callee);
      await callee.register('test.leaving', () => 'd');
      const caller = await open(0);
      await callWhenRoutable(caller, 'test.leaving');
      const stopped = Date.now();
      await leaving.stop();
      await eventually(async () => {
        try {
          await caller.call('test.leaving');
          return undefined;
        } catch (error) {
          return error instanceof WampError && error.uri === 'wamp.error.no_such_procedure' ? true : undefined;
        }
      }, 3000, 'test.leaving to go');
      // Well before the 800 ms node timeout: the node said goodbye.
      expect(Date.now() - stopped).toBeLessThan(700);
    } finally {
      await leaving.kill();
    }
  });
});
