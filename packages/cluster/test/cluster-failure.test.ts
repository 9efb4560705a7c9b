import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@junction/client';
import { NatsServer, RouterNode, callWhenRoutable, client, delay, errorOf, eventually } from './support/harness.js';

// Failures: a node killed with SIGKILL mid-traffic, then NATS itself killed and restarted.
const NODE_TIMEOUT = 800;
let nats: NatsServer;
let nodes: RouterNode[] = [];
const clients: Client[] = [];

async function track(c: Promise<Client>): Promise<Client> {
  const opened = await c;
  clients.push(opened);
  return opened;
}

/** Routable through a node failure: a dying callee's errors mean "not yet" too. */
function routable(c: Client, uri: string): Promise<unknown[]> {
  return callWhenRoutable(c, uri, [], { callTimeout: 2000, timeout: 8000, retryOn: ['wamp.error.no_such_procedure', 'junction.error.callee_unavailable', 'wamp.error.timeout'] });
}

beforeAll(async () => {
  nats = await NatsServer.start();
  nodes = await Promise.all(['a', 'b', 'c'].map((id) => RouterNode.start(nats.url, id, { heartbeatInterval: 200, nodeTimeout: NODE_TIMEOUT })));
  await eventually(async () => ((await nodes[0]!.status()).nodes.length === 2 ? true : undefined), 5000, 'nodes to see each other');
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await Promise.allSettled(nodes.map((n) => n.stop()));
  await nats?.stop();
});

describe('cluster failures', () => {
  it('a node killed mid-traffic: pending calls fail promptly, its registrations go, its clients move', async () => {
    const [a, b, c] = nodes as [RouterNode, RouterNode, RouterNode];
    const onC = await track(client(c.url));
    await onC.register('fail.slow', () => new Promise(() => {}));
    await onC.register('fail.only', () => 'c');
    const movingCallee = await track(client([c.url, b.url], true));
    await movingCallee.register('fail.moving', () => 'moved');
    const movingEvents: number[] = [];
    const movingSubscriber = await track(client([c.url, a.url], true));
    await movingSubscriber.subscribe('fail.events', (args) => void movingEvents.push(args[0] as number));
    const stayEvents: number[] = [];
    const stay = await track(client(b.url));
    await stay.subscribe('fail.events', (args) => void stayEvents.push(args[0] as number));

    const caller = await track(client(a.url));
    await routable(caller, 'fail.only');
    await routable(caller, 'fail.moving');

    // A callee on A serving a caller on C: when C dies, the callee is interrupted.
    let interruptedAt = 0;
    const calleeOnA = await track(client(a.url));
    await calleeOnA.register('fail.interruptible', (_args, _kwargs, ctx) => new Promise((_resolve, reject) => {
      ctx.signal.addEventListener('abort', () => {
        interruptedAt = Date.now();
        reject(ctx.signal.reason);
      });
    }));
    await routable(onC, 'fail.only'); // C's own procedure: C is serving
    await eventually(async () => {
      const id = (await onC.call('wamp.registration.lookup', ['fail.interruptible'])).args[0];
      return id === null ? undefined : true;
    }, 5000, 'fail.interruptible to reach C');
    void onC.call('fail.interruptible').catch(() => {});

    // Traffic: a publisher on A, a call pending on C's callee.
    const publisher = await track(client(a.url));
    let seq = 0;
    let publishing = true;
    const traffic = (async () => {
      while (publishing) {
        await publisher.publish('fail.events', [seq++]).catch(() => (publishing = false));
        await delay(5);
      }
    })();
    const pending = errorOf(caller.call('fail.slow'));
    await delay(200);
    const killedAt = Date.now();
    await c.kill();

    const failed = await pending;
    expect(failed.uri).toBe('junction.error.callee_unavailable');
    expect(Date.now() - killedAt).toBeLessThan(NODE_TIMEOUT + 1000);
    await eventually(() => (interruptedAt > 0 ? true : undefined), 3000, 'the callee of the dead caller to be interrupted');
    expect(interruptedAt - killedAt).toBeLessThan(NODE_TIMEOUT + 1000);

    // The dead node's registrations disappear.
    await eventually(async () => {
      const error = await errorOf(caller.call('fail.only'));
      return error.uri === 'wamp.error.no_such_procedure' ? true : undefined;
    }, 5000, 'fail.only to disappear');

    // Its clients reconnect elsewhere and re-register / re-subscribe by themselves.
    expect(await routable(caller, 'fail.moving')).toEqual(['moved']);
    const before = movingEvents.length;
    await eventually(() => (movingEvents.length > before + 5 ? true : undefined), 8000, 'events after the move');

    publishing = false;
    await traffic;
    await publisher.publish('fail.events', [seq++], {}, { acknowledge: true });
    await eventually(() => (stayEvents.length === seq ? true : undefined), 5000, 'every event on B');
    // B's subscriber saw every event once, in order, through the failure.
    expect(stayEvents).toEqual(Array.from({ length: seq }, (_, i) => i));
    // The moved subscriber saw no duplicates and kept the order.
    for (let i = 1; i < movingEvents.length; i++) expect(movingEvents[i]!).toBeGreaterThan(movingEvents[i - 1]!);

    const list = (await caller.call('wamp.session.list')).args[0] as number[];
    expect(list).not.toContain(onC.sessionId ?? -1);
    expect((await a.status()).nodes).toEqual(['b']);
  });

  it('NATS restarted mid-traffic: nodes keep serving local sessions, report degraded, then rejoin', async () => {
    const [a, b] = nodes as [RouterNode, RouterNode];
    const localCallee = await track(client(a.url));
    await localCallee.register('nats.local', () => 'local');
    const remoteCallee = await track(client(b.url));
    await remoteCallee.register('nats.remote', () => 'remote');
    const caller = await track(client(a.url));
    await routable(caller, 'nats.remote');
    const localEvents: unknown[] = [];
    const remoteEvents: unknown[] = [];
    await caller.subscribe('nats.events', (args) => void localEvents.push(args[0]));
    await remoteCallee.subscribe('nats.events', (args) => void remoteEvents.push(args[0]));

    await nats.kill();
    await eventually(async () => ((await a.status()).state === 'degraded' ? true : undefined), 5000, 'A to report degraded');
    // Local sessions are served: calls and events on the same node.
    expect((await caller.call('nats.local')).args).toEqual(['local']);
    await localCallee.publish('nats.events', ['during'], {}, { acknowledge: true });
    await eventually(() => (localEvents.includes('during') ? true : undefined), 2000, 'a local event during the outage');
    // A call to the other node fails (no hang) once B is considered gone.
    await delay(NODE_TIMEOUT + 300);
    const unreachable = await errorOf(caller.call('nats.remote', [], {}, { timeout: 3000 }));
    expect(['wamp.error.no_such_procedure', 'junction.error.callee_unavailable']).toContain(unreachable.uri);

    await nats.run();
    await eventually(async () => {
      const status = await a.status();
      return status.state === 'connected' && status.nodes.includes('b') ? true : undefined;
    }, 10_000, 'A to rejoin');
    expect(await routable(caller, 'nats.remote')).toEqual(['remote']);
    await eventually(async () => {
      await localCallee.publish('nats.events', ['after'], {}, { acknowledge: true });
      return remoteEvents.includes('after') ? true : undefined;
    }, 5000, 'events across nodes again');
    expect(remoteEvents).not.toContain('during');
  });

  it('a node started while NATS is down serves its sessions, then joins when NATS appears', async () => {
    const later = await NatsServer.reserve();
    const early = await RouterNode.start(later.url, 'early', { heartbeatInterval: 200, nodeTimeout: NODE_TIMEOUT, noWait: true });
    try {
      expect((await early.status()).state).toBe('connecting');
      const callee = await track(client(early.url));
      await callee.register('late.proc', () => 'early');
      const local = await track(client(early.url));
      expect((await local.call('late.proc')).args).toEqual(['early']);

      await later.run();
      const joined = await RouterNode.start(later.url, 'joined', { heartbeatInterval: 200, nodeTimeout: NODE_TIMEOUT });
      try {
        await eventually(async () => ((await early.status()).state === 'connected' ? true : undefined), 10_000, 'early to connect');
        const caller = await track(client(joined.url));
        // The registration made before NATS was reachable is written to the directory on connect.
        expect(await routable(caller, 'late.proc')).toEqual(['early']);
      } finally {
        await joined.stop();
      }
    } finally {
      await early.stop();
      await later.stop();
    }
  });
});
