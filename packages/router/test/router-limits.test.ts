// Per-session message rate and slow consumers over real sockets; the token bucket on a fake clock.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
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

  it('refuses requests past the rate with junction.error.limit_exceeded, then drops a session that keeps going', async () => {
    ctx = await startRouter({ realms: [{ name: 'realm1', limits: { maxMessagesPerSecond: 20 } }] });
    const bystander = await RawPeer.join(ctx.url);
    const flooder = await RawPeer.join(ctx.url);
    ctx.peers.push(bystander, flooder);
    for (let i = 1; i <= 25; i++) flooder.send([48, i, {}, 'wamp.session.count']);
    const replies = [];
    for (let i = 1; i <= 25; i++) replies.push(await flooder.next((m) => (m[0] === 50 || m[0] === 8) && (m[0] === 50 ? m[1] : m[2]) === i));
    const results = replies.filter((m) => m[0] === 50).length;
    const refused = replies.filter((m) => m[0] === 8);
    expect(results).toBeGreaterThanOrEqual(20);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused[0]![4]).toBe('junction.error.limit_exceeded');
    // Keep flooding: a debt of a second's worth ends the session.
    for (let i = 26; i <= 80; i++) flooder.send([48, i, {}, 'wamp.session.count']);
    const abort = await flooder.next(isType(3));
    expect(abort[2]).toBe('junction.error.limit_exceeded');
    await flooder.closed;
    expect((await bystander.call('wamp.session.count'))[3]).toEqual([1]);
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

  it('lets a burst through again after a quiet moment', async () => {
    ctx = await startRouter({ realms: [{ name: 'realm1', limits: { maxMessagesPerSecond: 20 } }] });
    const peer = await RawPeer.join(ctx.url);
    ctx.peers.push(peer);
    for (let i = 1; i <= 22; i++) peer.send([48, i, {}, 'wamp.session.count']);
    await peer.next((m) => m[0] === 8 && m[4] === 'junction.error.limit_exceeded');
    await new Promise((r) => setTimeout(r, 1100));
    const ok = await peer.call('wamp.session.count');
    expect(ok[0]).toBe(50);
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
