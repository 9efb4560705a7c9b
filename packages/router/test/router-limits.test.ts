// Per-session message rate and slow consumers over real sockets; the token bucket on a fake clock.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { TransportCloseInfo } from '@junction/wamp';
import { createLocalLink } from '../src/index.js';
import { TokenBucket } from '../src/rate-limit.js';
import { RawPeer, isType, startRouter, until } from './support/raw-peer.js';

type Ctx = Awaited<ReturnType<typeof startRouter>>;

describe('TokenBucket', () => {
  it('allows a burst of one second, refills with time, and bounds the debt', () => {
    let now = 0;
    const bucket = new TokenBucket(10, () => now);
    for (let i = 0; i < 10; i++) expect(bucket.take()).toBeGreaterThanOrEqual(0);
    expect(bucket.take()).toBeLessThan(0);
    now += 1000; // refills 10, from -1
    expect(bucket.take()).toBe(8);
    for (let i = 0; i < 30; i++) bucket.take();
    expect(bucket.take()).toBe(-10); // never deeper than one second's worth
    now += 2000;
    expect(bucket.take()).toBe(9);
  });
});

describe('message rate limit', () => {
  let ctx: Ctx | undefined;
  afterEach(async () => {
    await ctx?.stop();
    ctx = undefined;
  });

  it('throttles a session past its rate: every request is answered in order, none refused, and only as fast as the rate', async () => {
    ctx = await startRouter({ realms: [{ name: 'realm1', limits: { maxMessagesPerSecond: 20 } }] });
    const bystander = await RawPeer.join(ctx.url);
    const flooder = await RawPeer.join(ctx.url);
    ctx.peers.push(bystander, flooder);
    const started = Date.now();
    // 60 requests at once: 20 fit the burst, the other 40 wait for the bucket (2 s at 20/s).
    for (let i = 1; i <= 60; i++) flooder.send([48, i, {}, 'wamp.session.count']);
    // The bystander is not slowed down by the flooder.
    const t0 = Date.now();
    expect((await bystander.call('wamp.session.count'))[0]).toBe(50);
    expect(Date.now() - t0).toBeLessThan(1000); // the flooder's backlog takes 2 s
    const answers = [];
    for (let i = 1; i <= 60; i++) answers.push(await flooder.next((m) => m[0] === 50 || m[0] === 8));
    expect(answers.map((m) => m[0])).toEqual(Array(60).fill(50));
    expect(answers.map((m) => m[1])).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1800);
    expect(ctx.router.realm('realm1')!.sessions.has(flooder.sessionId)).toBe(true);
  });

  it('a GOODBYE sent behind throttled requests waits its turn: every request is answered first', async () => {
    ctx = await startRouter({ realms: [{ name: 'realm1', limits: { maxMessagesPerSecond: 20 } }] });
    const peer = await RawPeer.join(ctx.url);
    ctx.peers.push(peer);
    for (let i = 1; i <= 30; i++) peer.send([48, i, {}, 'wamp.session.count']);
    peer.send([6, {}, 'wamp.close.normal']);
    const seen: number[] = [];
    for (;;) {
      const m = await peer.next();
      if (m[0] === 6) break;
      expect(m[0]).toBe(50);
      seen.push(m[1] as number);
    }
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    await peer.closed;
  });

  it('a throttled session still answers calls routed to it at once (YIELD does not wait behind its own requests)', async () => {
    ctx = await startRouter({ realms: [{ name: 'realm1', limits: { maxMessagesPerSecond: 20 } }] });
    const busy = await RawPeer.join(ctx.url);
    const caller = await RawPeer.join(ctx.url);
    ctx.peers.push(busy, caller);
    expect((await busy.register('com.busy.echo'))[0]).toBe(65);
    for (let i = 100; i < 160; i++) busy.send([48, i, {}, 'wamp.session.count']); // ~2 s of throttling
    caller.send([48, 1, {}, 'com.busy.echo', ['ping']]);
    const invocation = await busy.next(isType(68));
    const t0 = Date.now();
    busy.send([70, invocation[1], {}, ['pong']]);
    expect(await caller.next(isType(50))).toEqual([50, 1, {}, ['pong']]);
    expect(Date.now() - t0).toBeLessThan(1000); // its own requests wait about 2 s
  });

  it('over a WebSocket a flood is held back by TCP (the router stops reading): the session is slowed, not aborted', async () => {
    ctx = await startRouter({ realms: [{ name: 'realm1', limits: { maxMessagesPerSecond: 20 } }] });
    const flooder = await RawPeer.join(ctx.url);
    const observer = await RawPeer.join(ctx.url);
    ctx.peers.push(flooder, observer);
    for (let i = 1; i <= 20_000; i++) flooder.send([32, i, {}, `com.flood.${i}`]);
    await new Promise((r) => setTimeout(r, 1000));
    expect(ctx.router.realm('realm1')!.sessions.has(flooder.sessionId)).toBe(true);
    // About 20 per second were admitted; the rest wait in the peer's and the kernel's buffers.
    const list = await observer.call('wamp.subscription.list');
    expect(list[0]).toBe(50);
    const exact = (list[3] as [{ exact: number[] }])[0].exact;
    expect(exact.length).toBeGreaterThanOrEqual(20);
    expect(exact.length).toBeLessThan(100);
  });

  it('a throttled session that is killed closes at once: the router reads again for the closing handshake', async () => {
    ctx = await startRouter({ realms: [{ name: 'realm1', limits: { maxMessagesPerSecond: 20 } }] });
    const flooder = await RawPeer.join(ctx.url);
    const admin = await RawPeer.join(ctx.url);
    ctx.peers.push(flooder, admin);
    for (let i = 1; i <= 5_000; i++) flooder.send([32, i, {}, `com.flood.${i}`]);
    await new Promise((r) => setTimeout(r, 300)); // paused by now
    const t0 = Date.now();
    expect((await admin.call('wamp.session.kill', [flooder.sessionId]))[0]).toBe(50);
    await flooder.closed;
    // Without reading again, the close would wait for the 5 s close timeout.
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('does not limit embedded sessions (the router itself): 5x the rate at once, all answered without waiting', async () => {
    ctx = await startRouter({ realms: [{ name: 'realm1', limits: { maxMessagesPerSecond: 20 } }] });
    const embedded = await ctx.router.realm('realm1')!.session();
    try {
      const t0 = Date.now();
      const results = await Promise.all(Array.from({ length: 100 }, () => embedded.call('wamp.session.count')));
      expect(results).toHaveLength(100);
      expect(Date.now() - t0).toBeLessThan(1000); // throttled, 80 of them would take 4 s
    } finally {
      await embedded.close();
    }
  });

  it('aborts a session whose throttled backlog passes its cap when its transport cannot pause (an in-process link)', async () => {
    ctx = await startRouter({ realms: [{ name: 'realm1', limits: { maxMessagesPerSecond: 20 } }] });
    const link = createLocalLink();
    ctx.router.accept(link.router);
    const inbox: unknown[][] = [];
    link.client.onmessage = (m) => inbox.push(m as unknown[]);
    const closed = new Promise<TransportCloseInfo>((resolve) => (link.client.onclose = resolve));
    link.client.send([1, 'realm1', { roles: { subscriber: {} } }]);
    await until(() => inbox.length > 0);
    expect(inbox[0]![0]).toBe(2);
    // Nothing holds this peer back: past the cap (16,384 at this rate) the session is aborted.
    for (let i = 1; i <= 20_000; i++) link.client.send([32, i, {}, `com.flood.${i}`]);
    await closed;
    const abort = inbox.find((m) => m[0] === 3);
    expect(abort?.[2]).toBe('junction.error.limit_exceeded');
  });

  it('counts requests only: a callee answering more calls than its own rate is never throttled', async () => {
    ctx = await startRouter({ realms: [{ name: 'realm1', limits: { maxMessagesPerSecond: 20 } }] });
    const callee = await RawPeer.join(ctx.url);
    const callers = [await RawPeer.join(ctx.url), await RawPeer.join(ctx.url), await RawPeer.join(ctx.url)];
    ctx.peers.push(callee, ...callers);
    expect((await callee.register('com.echo'))[0]).toBe(65);
    // 3 callers x 15 calls: each within its own rate; the callee sends 45 YIELDs in well under a second.
    for (const caller of callers) for (let i = 1; i <= 15; i++) caller.send([48, i, {}, 'com.echo', [i]]);
    for (let n = 0; n < 45; n++) {
      const invocation = await callee.next(isType(68));
      callee.send([70, invocation[1], {}, invocation[4]]);
    }
    for (const caller of callers) {
      for (let i = 1; i <= 15; i++) expect(await caller.next((m) => m[1] === i || m[2] === i)).toEqual([50, i, {}, [i]]);
    }
    expect(ctx.router.realm('realm1')!.sessions.has(callee.sessionId)).toBe(true);
  });

  it('lets a burst through at once again after a quiet moment', async () => {
    ctx = await startRouter({ realms: [{ name: 'realm1', limits: { maxMessagesPerSecond: 20 } }] });
    const peer = await RawPeer.join(ctx.url);
    ctx.peers.push(peer);
    for (let i = 1; i <= 22; i++) peer.send([48, i, {}, 'wamp.session.count']);
    for (let i = 1; i <= 22; i++) await peer.next((m) => m[0] === 50 && m[1] === i);
    await new Promise((r) => setTimeout(r, 1100));
    const t0 = Date.now();
    for (let i = 23; i <= 42; i++) peer.send([48, i, {}, 'wamp.session.count']);
    for (let i = 23; i <= 42; i++) await peer.next((m) => m[0] === 50 && m[1] === i);
    expect(Date.now() - t0).toBeLessThan(900); // throttled, these 20 would take a second
  });
});

describe('slow consumers', () => {
  let ctx: Ctx | undefined;
  afterEach(async () => {
    await ctx?.stop();
    ctx = undefined;
  });

  it('drops a subscriber that stops reading once its backlog passes maxBufferedAmount; the router keeps serving', async () => {
    const limit = 256 * 1024;
    ctx = await startRouter({ realms: [{ name: 'realm1' }], limits: { maxBufferedAmount: limit } });
    const sleeper = await RawPeer.join(ctx.url, 'realm1', 'msgpack');
    const reader = await RawPeer.join(ctx.url, 'realm1', 'msgpack');
    const publisher = await RawPeer.join(ctx.url, 'realm1', 'msgpack');
    ctx.peers.push(sleeper, reader, publisher);
    expect((await sleeper.subscribe('com.flood'))[0]).toBe(33);
    expect((await reader.subscribe('com.flood'))[0]).toBe(33);
    const realm = ctx.router.realm('realm1')!;
    const sleeperSession = realm.sessions.get(sleeper.sessionId)!;
    // The sleeper's TCP socket stops reading: the kernel buffers fill, then the router's backlog.
    (sleeper.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    // Fresh random bytes each time: permessage-deflate cannot shrink them.
    const size = 16 * 1024;
    let published = 0;
    let maxBacklog = 0;
    const transport = (sleeperSession as unknown as { transport: { bufferedAmount: number } }).transport;
    while (realm.sessions.has(sleeper.sessionId) && published < 4000) {
      expect((await publisher.publishAck('com.flood', [new Uint8Array(randomBytes(size))]))[0]).toBe(17);
      published++;
      maxBacklog = Math.max(maxBacklog, transport.bufferedAmount);
      await reader.next(isType(36));
    }
    expect(realm.sessions.has(sleeper.sessionId)).toBe(false);
    expect(sleeperSession.closed).toBe(true);
    // The router held at most one message beyond the limit for it (published bytes went far beyond).
    expect(maxBacklog).toBeLessThanOrEqual(limit + size + 1024);
    expect(published * size).toBeGreaterThan(4 * limit);
    // Everyone else is served.
    expect((await publisher.publishAck('com.flood', ['after']))[0]).toBe(17);
    expect((await reader.next(isType(36)))[4]).toEqual(['after']);
  });
});
