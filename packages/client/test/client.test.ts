import { afterEach, describe, expect, it } from 'vitest';
import { MessageType as T, WampError } from '@junction/wamp';
import { connect, type Client, type ClientCloseInfo, type ReconnectingInfo } from '../src/index.js';
import { FakeRouter } from './support/fake-router.js';
import { flush } from './support/fake-transport.js';

const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

async function start(router = new FakeRouter(), options: Partial<Parameters<typeof connect>[0]> = {}) {
  const client = await connect({ realm: 'realm1', transport: router.transport, reconnect: { initialDelay: 1, maxDelay: 5 }, ...options });
  clients.push(client);
  return { client, router };
}

async function until(condition: () => boolean, timeout = 2000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeout) throw new Error('timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, 2));
  }
}

function nextEvent<T>(client: Client, name: 'open' | 'close' | 'reconnecting' | 'error'): Promise<T> {
  return new Promise((resolve) => client.once(name, (value: unknown) => resolve(value as T)));
}

describe('Client', () => {
  it('connect resolves after WELCOME with the session ID', async () => {
    const { client, router } = await start();
    expect(client.sessionId).toBe(100);
    expect(client.isOpen).toBe(true);
    expect(client.welcome).toMatchObject({ authrole: 'anonymous' });
    expect(router.current.sent[0]![0]).toBe(T.HELLO);
  });

  it('connect rejects on ABORT without retrying', async () => {
    const router = new FakeRouter();
    router.onhello = (t) => t.deliver([T.ABORT, { message: 'go away' }, 'wamp.error.no_such_realm']);
    await expect(connect({ realm: 'x', transport: router.transport })).rejects.toMatchObject({ uri: 'wamp.error.no_such_realm' });
    expect(router.connections.length).toBe(1);
  });

  it('the first connection is retried with backoff, and fails when retries run out or reconnect is off', async () => {
    const router = new FakeRouter();
    router.failOpens = 2;
    const { client } = await start(router);
    expect(client.isOpen).toBe(true);

    const failing = new FakeRouter();
    failing.failOpens = 100;
    await expect(connect({ realm: 'x', transport: failing.transport, reconnect: { initialDelay: 1, maxRetries: 2 } })).rejects.toThrow('connection refused');
    expect(failing.failOpens).toBe(97);
    const off = new FakeRouter();
    off.failOpens = 100;
    await expect(connect({ realm: 'x', transport: off.transport, reconnect: false })).rejects.toThrow('connection refused');
    expect(off.failOpens).toBe(99);
  });

  it('on: listeners given to connect hear the first connection’s retries, each with the error of the attempt before', async () => {
    const router = new FakeRouter();
    router.failOpens = 2;
    const infos: ReconnectingInfo[] = [];
    let opened = 0;
    const { client } = await start(router, { on: { reconnecting: (info) => void infos.push(info), open: () => void opened++ } });
    expect(client.isOpen).toBe(true);
    expect(infos.map((i) => i.attempt)).toEqual([1, 2]);
    expect(infos.map((i) => (i.error as Error).message)).toEqual(['connection refused (fake)', 'connection refused (fake)']);
    expect(opened).toBe(1);
  });

  it('connectTimeout bounds the wait for WELCOME', async () => {
    const router = new FakeRouter();
    router.onhello = () => {};
    await expect(connect({ realm: 'x', transport: router.transport, reconnect: false, connectTimeout: 20 })).rejects.toThrow('no session within 20 ms');
    expect(router.current.closed).not.toBeNull();
  });

  it('validates its options', async () => {
    await expect(connect({ realm: '', url: 'ws://x' })).rejects.toThrow('realm');
    await expect(connect({ realm: 'r' })).rejects.toThrow('url');
    await expect(connect({ realm: 'r', url: 'ws://x', serializers: ['xml' as 'json'] })).rejects.toThrow('unknown WAMP serializer');
    await expect(connect({ realm: 'r', url: 'ws://x', reconnect: { factor: 0.5 } })).rejects.toThrow('factor');
    await expect(connect({ realm: 'r', url: 'ws://x', requestTimeout: 0 })).rejects.toThrow('requestTimeout');
  });

  it('requestTimeout bounds subscribe and register when the router does not answer', async () => {
    const router = new FakeRouter();
    router.silent.add('com.hung');
    const { client } = await start(router, { requestTimeout: 30 });
    await expect(client.subscribe('com.hung', () => undefined)).rejects.toMatchObject({ uri: 'wamp.error.timeout' });
    await expect(client.register('com.hung', () => 1)).rejects.toMatchObject({ uri: 'wamp.error.timeout' });
    // The session is fine: other requests are answered.
    await client.subscribe('com.ok', () => undefined);
    expect(client.isOpen).toBe(true);
  });

  it('two local subscribers of a topic share one router subscription; the last unsubscribe ends it', async () => {
    const { client, router } = await start();
    const a: unknown[] = [];
    const b: unknown[] = [];
    const s1 = await client.subscribe('com.t', (args) => void a.push(args[0]));
    const s2 = await client.subscribe('com.t', (args) => void b.push(args[0]));
    const s3 = await client.subscribe('com.t', () => {}, { match: 'prefix' });
    expect(router.current.ofType(T.SUBSCRIBE).length).toBe(2);
    expect(s1.subscriptionId).toBe(s2.subscriptionId);
    expect(s3.subscriptionId).not.toBe(s1.subscriptionId);
    router.current.deliver([T.EVENT, s1.subscriptionId!, 1, {}, ['x']]);
    expect(a).toEqual(['x']);
    expect(b).toEqual(['x']);
    await s1.unsubscribe();
    expect(router.current.ofType(T.UNSUBSCRIBE).length).toBe(0);
    router.current.deliver([T.EVENT, s2.subscriptionId!, 2, {}, ['y']]);
    expect(a).toEqual(['x']);
    expect(b).toEqual(['x', 'y']);
    await s2.unsubscribe();
    await s2.unsubscribe(); // idempotent
    expect(router.current.ofType(T.UNSUBSCRIBE)).toEqual([[T.UNSUBSCRIBE, expect.any(Number), s1.subscriptionId ?? expect.any(Number)]]);
    // Subscribing again makes a new router subscription.
    await client.subscribe('com.t', () => {});
    expect(router.current.ofType(T.SUBSCRIBE).length).toBe(3);
  });

  it('handler errors (sync and async) become error events', async () => {
    const { client, router } = await start();
    const errors: unknown[] = [];
    client.on('error', (e) => errors.push(e));
    const s = await client.subscribe('com.t', () => {
      throw new Error('sync');
    });
    await client.subscribe('com.t', async () => {
      throw new Error('async');
    });
    router.current.deliver([T.EVENT, s.subscriptionId!, 1, {}]);
    await flush();
    expect(errors.map((e) => (e as Error).message).sort()).toEqual(['async', 'sync']);
  });

  it('events() yields events and unsubscribes when the loop ends', async () => {
    const { client, router } = await start();
    const iterator = client.events('com.t', { match: 'wildcard' });
    const first = iterator.next();
    await flush(10);
    const subscribe = router.current.ofType(T.SUBSCRIBE)[0]!;
    expect(subscribe[2]).toEqual({ match: 'wildcard' });
    const id = 100 + 1; // session 100, then the subscription
    router.current.deliver([T.EVENT, id, 1, { topic: 'com.t' }, [1]]);
    router.current.deliver([T.EVENT, id, 2, {}, [2], { k: 1 }]);
    expect((await first).value).toEqual({ args: [1], kwargs: {}, details: { topic: 'com.t' }, publication: 1 });
    const seen: unknown[] = [];
    for await (const event of iterator) {
      seen.push(event.kwargs);
      break;
    }
    expect(seen).toEqual([{ k: 1 }]);
    await flush(10);
    expect(router.current.ofType(T.UNSUBSCRIBE).length).toBe(1);
  });

  it('events() fails with junction.error.queue_overflow for a consumer too far behind', async () => {
    const { client, router } = await start();
    const iterator = client.events('com.t', { maxQueued: 2 });
    const first = iterator.next();
    await flush(10);
    for (let i = 0; i < 5; i++) router.current.deliver([T.EVENT, 101, i + 1, {}, [i]]);
    expect((await first).value!.args).toEqual([0]);
    await expect(iterator.next()).rejects.toMatchObject({ uri: 'junction.error.queue_overflow' });
    expect((await iterator.next()).done).toBe(true);
    await flush(10);
    expect(router.current.ofType(T.UNSUBSCRIBE).length).toBe(1);
  });

  it('callProgress() yields progress results then the final one; leaving early cancels', async () => {
    const { client, router } = await start();
    router.oncall = (t, call) => {
      t.deliver([T.RESULT, call[1], { progress: true }, [1]]);
      t.deliver([T.RESULT, call[1], { progress: true }, [2]]);
      if (call[3] === 'com.finite') t.deliver([T.RESULT, call[1], {}, [3]]);
    };
    const items: unknown[] = [];
    for await (const r of client.callProgress('com.finite')) items.push([r.args[0], r.details.progress === true]);
    expect(items).toEqual([[1, true], [2, true], [3, false]]);
    expect(router.current.ofType(T.CALL)[0]![2]).toEqual({ receive_progress: true });

    for await (const r of client.callProgress('com.endless', [], undefined, { cancelMode: 'kill' })) {
      if (r.args[0] === 2) break;
    }
    expect(router.current.ofType(T.CANCEL)).toEqual([[T.CANCEL, 2, { mode: 'kill' }]]);
  });

  it('callProgress() bounds the results buffered for a slow loop: it fails with queue_overflow and cancels the call', async () => {
    const { client, router } = await start();
    router.oncall = (t, call) => {
      for (let i = 0; i < 10_050; i++) t.deliver([T.RESULT, call[1], { progress: true }, [i]]);
    };
    const iterator = client.callProgress('com.flood');
    const first = iterator.next(); // the loop takes one result, then falls behind
    expect((await first).value!.args).toEqual([0]);
    await flush(10);
    await expect(iterator.next()).rejects.toMatchObject({ uri: 'junction.error.queue_overflow' });
    expect(router.current.ofType(T.CANCEL).length).toBe(1);
  });

  it('callProgress() leaves no listener on a long-lived signal once each call is over', async () => {
    const { getEventListeners } = (await import('node:events')) as unknown as { getEventListeners(target: EventTarget, type: string): unknown[] };
    const { client, router } = await start();
    router.oncall = (t, call) => t.deliver([T.RESULT, call[1], {}, [call[1]]]);
    const app = new AbortController();
    for (let i = 0; i < 10; i++) {
      for await (const _ of client.callProgress('com.p', [], undefined, { signal: app.signal })) {
        // consume
      }
    }
    expect(getEventListeners(app.signal, 'abort').length).toBe(0);
  });

  it('publish: undefined without acknowledge, the publication with it', async () => {
    const { client } = await start();
    await expect(client.publish('com.t', [1])).resolves.toBeUndefined();
    await expect(client.publish('com.t', [1], {}, { acknowledge: true })).resolves.toEqual({ publication: expect.any(Number) });
  });

  it('reconnects after a drop: pending calls reject at once, registrations and subscriptions come back with the same handlers', async () => {
    const { client, router } = await start();
    const calls: unknown[] = [];
    const reg = await client.register('com.add', (args) => (args[0] as number) + (args[1] as number), { invoke: 'roundrobin' });
    const events: unknown[] = [];
    const sub = await client.subscribe('com.t', (args) => void events.push(args[0]));
    await client.subscribe('com.t', (args) => void events.push(`second:${String(args[0])}`));
    const pending = client.call('com.slow');
    pending.catch((e: WampError) => calls.push(e.uri));

    const closed = nextEvent<ClientCloseInfo>(client, 'close');
    const reconnecting = nextEvent<ReconnectingInfo>(client, 'reconnecting');
    const reopened = nextEvent(client, 'open');
    const first = router.current;
    first.drop();
    await expect(pending).rejects.toMatchObject({ uri: 'junction.error.connection_lost' });
    expect(await closed).toEqual({ reason: 'junction.error.connection_lost', message: expect.stringContaining('1006'), willReconnect: true });
    expect(client.sessionId).toBeNull();
    await expect(client.publish('com.t')).rejects.toMatchObject({ uri: 'junction.error.not_connected' });
    await expect(client.call('com.x')).rejects.toMatchObject({ uri: 'junction.error.not_connected' });
    expect(await reconnecting).toMatchObject({ attempt: 1 });
    await reopened;

    const second = router.current;
    expect(second).not.toBe(first);
    expect(client.isOpen).toBe(true);
    expect(second.ofType(T.REGISTER)).toEqual([[T.REGISTER, expect.any(Number), { invoke: 'roundrobin' }, 'com.add']]);
    expect(second.ofType(T.SUBSCRIBE)).toEqual([[T.SUBSCRIBE, expect.any(Number), {}, 'com.t']]);
    expect(reg.registrationId).not.toBeNull();
    second.deliver([T.INVOCATION, 1, reg.registrationId!, {}, [2, 3]]);
    expect(second.last()).toEqual([T.YIELD, 1, {}, [5]]);
    second.deliver([T.EVENT, sub.subscriptionId!, 9, {}, ['again']]);
    expect(events).toEqual(['again', 'second:again']);
  });

  it('backs off between failed reconnect attempts and gives up after maxRetries', async () => {
    const router = new FakeRouter();
    const { client } = await start(router, { reconnect: { initialDelay: 2, factor: 2, maxDelay: 100, jitter: 0, maxRetries: 3 } });
    const delays: number[] = [];
    const infos: ReconnectingInfo[] = [];
    client.on('reconnecting', (info) => delays.push(info.delay) && infos.push(info));
    const errors: unknown[] = [];
    client.on('error', (e) => errors.push(e));
    const closes: ClientCloseInfo[] = [];
    client.on('close', (info) => closes.push(info));
    router.failOpens = 100;
    const gaveUp = new Promise<void>((resolve) => client.on('close', (info) => !info.willReconnect && resolve()));
    router.current.drop();
    await gaveUp;
    expect(delays).toEqual([2, 4, 8]);
    expect(errors.length).toBe(3);
    // The first attempt after the loss has no error of its own (the close event says why); later
    // ones carry the error of the attempt before, the same one the error event reported.
    expect('error' in infos[0]!).toBe(false);
    expect(infos.slice(1).map((i) => i.error)).toEqual(errors.slice(0, 2));
    expect(closes.map((c) => [c.reason, c.willReconnect])).toEqual([
      ['junction.error.connection_lost', true],
      ['junction.error.reconnect_failed', false],
    ]);
    await expect(client.call('x')).rejects.toMatchObject({ uri: 'junction.error.not_connected' });
  });

  it('after a reconnect, a permanent ABORT stops reconnecting; a transient one is retried', async () => {
    const router = new FakeRouter();
    const { client } = await start(router);
    let hellos = 0;
    router.onhello = (t) => {
      hellos++;
      if (hellos === 1) t.deliver([T.ABORT, {}, 'junction.error.limit_exceeded']);
      else t.deliver([T.ABORT, {}, 'wamp.error.authentication_failed']);
    };
    const final = new Promise<ClientCloseInfo>((resolve) => client.on('close', (info) => !info.willReconnect && resolve(info)));
    router.current.drop();
    expect(await final).toMatchObject({ reason: 'wamp.error.authentication_failed', willReconnect: false });
    expect(hellos).toBe(2);
  });

  it('the router GOODBYE (e.g. system shutdown) leads to a reconnect', async () => {
    const { client, router } = await start();
    const reopened = nextEvent(client, 'open');
    router.current.deliver([T.GOODBYE, {}, 'wamp.close.system_shutdown']);
    await reopened;
    expect(router.connections.length).toBe(2);
  });

  it('close() says GOODBYE, emits close without reconnect, and rejects later calls', async () => {
    const { client, router } = await start();
    const closed = nextEvent<ClientCloseInfo>(client, 'close');
    const pending = client.call('com.slow');
    await client.close();
    expect(router.current.ofType(T.GOODBYE)).toEqual([[T.GOODBYE, {}, 'wamp.close.normal']]);
    expect(await closed).toMatchObject({ reason: 'wamp.close.normal', willReconnect: false });
    await expect(pending).rejects.toMatchObject({ uri: 'junction.error.connection_lost' });
    await expect(client.call('x')).rejects.toMatchObject({ uri: 'junction.error.not_connected' });
    await flush(20);
    expect(router.connections.length).toBe(1);
    await client.close(); // idempotent
  });

  it('close() while reconnecting stops the attempts', async () => {
    const router = new FakeRouter();
    const { client } = await start(router, { reconnect: { initialDelay: 50, jitter: 0 } });
    router.failOpens = 100;
    const reconnecting = nextEvent(client, 'reconnecting');
    router.current.drop();
    await reconnecting;
    const closes: ClientCloseInfo[] = [];
    client.on('close', (info) => closes.push(info));
    await client.close();
    await new Promise((r) => setTimeout(r, 80));
    expect(router.failOpens).toBe(100);
    expect(closes).toEqual([{ reason: 'wamp.close.normal', message: expect.any(String), willReconnect: false }]);
  });

  it('close() during a reconnect handshake the router never answers ends that attempt at once', async () => {
    const router = new FakeRouter();
    const { client } = await start(router);
    router.onhello = () => {}; // no WELCOME: the attempt would wait for connectTimeout (10 s)
    const closes: ClientCloseInfo[] = [];
    client.on('close', (info) => closes.push(info));
    router.current.drop();
    await until(() => router.connections.length === 2 && router.current.sent.length > 0);
    const attempt = router.current;
    await client.close();
    await flush(20);
    expect(attempt.closed).not.toBeNull();
    expect(closes.at(-1)).toMatchObject({ willReconnect: false });
    expect(client.isOpen).toBe(false);
  });

  it('close() during the first handshake rejects the pending connect at once', async () => {
    const { Client } = await import('../src/client.js');
    const router = new FakeRouter();
    router.onhello = () => {};
    const client = new Client({ realm: 'realm1', transport: router.transport });
    const started = client.start();
    await until(() => router.connections.length === 1 && router.current.sent.length > 0);
    const outcome = started.then(() => 'connected', (error: unknown) => error);
    await client.close();
    await flush(20);
    expect(router.current.closed).not.toBeNull();
    expect(await Promise.race([outcome, flush(20).then(() => 'still pending')])).toBeInstanceOf(Error);
  });

  it('unregister ends the registration; it is not restored after a reconnect', async () => {
    const { client, router } = await start();
    const reg = await client.register('com.p', () => 1);
    await reg.unregister();
    expect(reg.active).toBe(false);
    expect(router.current.ofType(T.UNREGISTER).length).toBe(1);
    const reopened = nextEvent(client, 'open');
    router.current.drop();
    await reopened;
    expect(router.current.ofType(T.REGISTER).length).toBe(0);
  });

  it('register passes match and invoke; register errors reject', async () => {
    const { client, router } = await start();
    await client.register('com.', () => 1, { match: 'prefix', invoke: 'random' });
    expect(router.current.last()).toEqual([T.REGISTER, expect.any(Number), { match: 'prefix', invoke: 'random' }, 'com.']);
    router.refuse.set('com.taken', 'wamp.error.procedure_already_exists');
    await expect(client.register('com.taken', () => 1)).rejects.toMatchObject({ uri: 'wamp.error.procedure_already_exists' });
    await expect(client.subscribe('com.taken', () => 1)).rejects.toMatchObject({ uri: 'wamp.error.procedure_already_exists' });
    // A failed subscribe leaves nothing behind: the next one sends SUBSCRIBE again.
    router.refuse.clear();
    await client.subscribe('com.taken', () => 1);
    expect(router.current.ofType(T.SUBSCRIBE).length).toBe(2);
  });
});
