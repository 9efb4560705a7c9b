import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Client } from '@junction/client';
import { Router } from '@junction/router';
import { attachCluster, type Cluster } from '../src/index.js';
import { callWhenRoutable, errorOf, eventually, NatsServer } from './support/harness.js';

// Routers in this process joined by a real nats-server: realms created at run time span the
// cluster, and `router.close()` alone takes a node out of it.
let nats: NatsServer;
const routers: Router[] = [];
const clients: Client[] = [];
let prefixes = 0;

interface Node {
  router: Router;
  cluster: Cluster;
  url: string;
}

/** A router with `autoCreateRealms` in the cluster `prefix`, listening on a free port. */
async function startNode(prefix: string, nodeId: string, realms?: string[]): Promise<Node> {
  const router = new Router({ autoCreateRealms: true, log: () => {} });
  routers.push(router);
  const cluster = attachCluster(router, {
    nats: { servers: nats.url },
    nodeId,
    prefix,
    heartbeatInterval: 200,
    nodeTimeout: 800,
    metaTimeout: 20_000, // a node that does not answer would stall the meta calls below
    log: () => {},
    ...(realms !== undefined ? { realms } : {}),
  });
  const { url } = await router.listen({ port: 0 });
  await cluster.ready;
  return { router, cluster, url };
}

/** Two nodes of a fresh cluster that see each other. */
async function startPair(): Promise<[Node, Node]> {
  const prefix = `realms${++prefixes}`;
  const pair = await Promise.all([startNode(prefix, 'a'), startNode(prefix, 'b')]);
  await eventually(() => (pair.every((n) => n.cluster.status().nodes.length === 1) ? true : undefined), 5000, 'the nodes to see each other');
  return pair;
}

async function open(urls: string | string[], realm: string, reconnect = false): Promise<Client> {
  const c = await connect({
    urls: Array.isArray(urls) ? urls : [urls],
    realm,
    reconnect: reconnect ? { initialDelay: 20, maxDelay: 100, factor: 1.5, jitter: 0.2, maxRetries: Infinity } : false,
  });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  nats = await NatsServer.start();
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await Promise.allSettled(routers.map((r) => r.close()));
  await nats?.stop();
});

describe('realms created at run time', () => {
  it('clusters a realm created on first HELLO on each node: events and calls cross nodes', async () => {
    const [a, b] = await startPair();
    expect(a.router.realms()).toEqual([]);
    const callee = await open(a.url, 'dyn.realm');
    expect(a.router.realm('dyn.realm')).toBeDefined();
    expect(a.cluster.realms()).toEqual(['dyn.realm']);
    await callee.register('dyn.add', (args) => (args[0] as number) + (args[1] as number));
    const caller = await open(b.url, 'dyn.realm');
    expect(b.cluster.realms()).toEqual(['dyn.realm']);
    // The callee was in the directory before the realm existed on node b.
    expect(await callWhenRoutable(caller, 'dyn.add', [40, 2])).toEqual([42]);

    // Events both ways.
    const onB: unknown[] = [];
    const onA: unknown[] = [];
    await caller.subscribe('dyn.topic', (args) => void onB.push(args[0]));
    await callee.subscribe('dyn.topic', (args) => void onA.push(args[0]));
    await callee.publish('dyn.topic', ['from a'], {}, { acknowledge: true, excludeMe: false });
    await caller.publish('dyn.topic', ['from b'], {}, { acknowledge: true, excludeMe: false });
    await eventually(() => (onA.length === 2 && onB.length === 2 ? true : undefined), 5000, 'events on both nodes');
    // Two publishers on different nodes: no order between them across nodes (docs/scaling.md).
    expect(onA.sort()).toEqual(['from a', 'from b']);
    expect(onB.sort()).toEqual(['from a', 'from b']);

    // The session meta API answers for both nodes of the realm.
    expect((await caller.call('wamp.session.count')).args).toEqual([2]);

    // A single registration stays unique across nodes in the new realm.
    expect((await errorOf(caller.register('dyn.add', () => 0))).uri).toBe('wamp.error.procedure_already_exists');

    // A realm that exists on one node only: the other node answers its meta requests at once
    // with "not here" (no wait for metaTimeout), and the merge leaves that answer out.
    const lonely = await open(a.url, 'dyn.lonely');
    await lonely.register('dyn.lonely.proc', () => 'a');
    await lonely.subscribe('dyn.lonely.topic', () => {});
    expect(a.cluster.realms()).toEqual(['dyn.realm', 'dyn.lonely']);
    expect(b.router.realm('dyn.lonely')).toBeUndefined();
    const stalled = new Promise<'stalled'>((resolve) => setTimeout(() => resolve('stalled'), 10_000).unref());
    const count = lonely.call('wamp.session.count').then((r) => r.args);
    expect(await Promise.race([count, stalled])).toEqual([1]);
    const subscriptions = lonely.call('wamp.subscription.list').then((r) => (r.args[0] as { exact: unknown[] }).exact.length);
    expect(await Promise.race([subscriptions, stalled])).toBe(1);
    const missing = errorOf(lonely.call('wamp.session.get', [123]));
    expect(await Promise.race([missing.then((e) => e.uri), stalled])).toBe('wamp.error.no_such_session');
  });

  it('clusters realms added with router.addRealm, and only the listed ones given `realms`', async () => {
    const prefix = `realms${++prefixes}`;
    const [a, b] = await Promise.all([startNode(prefix, 'a', ['kept', 'later']), startNode(prefix, 'b', ['kept', 'later'])]);
    await eventually(() => (a.cluster.status().nodes.length === 1 && b.cluster.status().nodes.length === 1 ? true : undefined), 5000, 'the nodes to see each other');
    for (const node of [a, b]) {
      node.router.addRealm({ name: 'later' });
      node.router.addRealm({ name: 'other' });
    }
    expect(a.cluster.realms()).toEqual(['later']);
    const callee = await open(a.url, 'later');
    await callee.register('later.proc', () => 'a');
    const caller = await open(b.url, 'later');
    expect(await callWhenRoutable(caller, 'later.proc')).toEqual(['a']);

    // `other` is not in the filter: each node keeps it to itself.
    const otherCallee = await open(a.url, 'other');
    await otherCallee.register('other.proc', () => 'a');
    const otherCaller = await open(b.url, 'other');
    await otherCaller.register('other.proc', () => 'b'); // no claim across nodes
    expect((await otherCaller.call('other.proc')).args).toEqual(['b']);
    expect((await otherCallee.call('other.proc')).args).toEqual(['a']);
    // `kept` is created on first HELLO, and clustered then.
    await open(b.url, 'kept');
    expect(b.cluster.realms()).toEqual(['later', 'kept']);
  });
});

describe('closing', () => {
  it('router.close() leaves the cluster first: the node drops out at once and its clients re-register elsewhere', async () => {
    const [a, b] = await startPair();
    const downOnB: string[] = [];
    b.cluster.on('node-down', (node) => void downOnB.push(node));
    // A callee on node a that moves to node b when a goes.
    const mover = await open([a.url, b.url], 'close.realm', true);
    await mover.register('close.single', () => 'moved');
    const caller = await open(b.url, 'close.realm');
    expect(await callWhenRoutable(caller, 'close.single')).toEqual(['moved']);
    const reopened = new Promise<void>((resolve) => mover.once('open', () => resolve()));
    let routerClosed = false;
    a.router.on('close', () => void (routerClosed = true));

    const started = Date.now();
    await a.router.close();
    expect(a.cluster.state).toBe('closed');
    expect(routerClosed).toBe(true);
    // The leaving node said so: node b dropped it without waiting for nodeTimeout's verdict.
    await eventually(() => (downOnB.includes('a') ? true : undefined), 2000, 'node b to drop node a');
    expect(b.cluster.status().nodes).toEqual([]);
    // The claim was released: the single registration is accepted on node b at once.
    await reopened;
    expect(mover.sessionId).not.toBeNull();
    expect((await caller.call('close.single')).args).toEqual(['moved']);
    expect(Date.now() - started).toBeLessThan(a.cluster.options.nodeTimeout + 3000);

    // cluster.close() after router.close(): the same finished leave, as often as asked.
    const again = a.cluster.close();
    expect(a.cluster.close()).toBe(again);
    await again;
    expect(a.cluster.state).toBe('closed');
  });

  it('cluster.close() alone leaves the cluster; the router keeps serving, then closes by itself', async () => {
    const [a, b] = await startPair();
    const local = await open(a.url, 'solo.realm');
    await local.register('solo.proc', () => 'a');
    const remote = await open(b.url, 'solo.realm');
    expect(await callWhenRoutable(remote, 'solo.proc')).toEqual(['a']);

    const leaving = a.cluster.close();
    expect(a.cluster.close()).toBe(leaving); // idempotent while in progress too
    await leaving;
    expect(a.cluster.state).toBe('closed');
    // Node b forgets node a's callee; node a serves its own session standalone.
    await eventually(async () => ((await errorOf(remote.call('solo.proc'))).uri === 'wamp.error.no_such_procedure' ? true : undefined), 3000, 'the callee to vanish on b');
    expect((await local.call('solo.proc')).args).toEqual(['a']);
    // A realm made after leaving is not clustered.
    a.router.addRealm({ name: 'after.leave' });
    expect(a.cluster.realms()).toEqual(['solo.realm']);
    // The close hook was removed: router.close() finishes without the cluster.
    await a.router.close();
    await eventually(() => (local.isOpen ? undefined : true), 2000, 'the local session to end');
  });
});
