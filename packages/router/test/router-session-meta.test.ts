// The session meta API over real sockets: on_join / on_leave, count, list, get, kill*.
import { afterEach, describe, expect, it } from 'vitest';
import { HttpError } from '@junction/websocket';
import { RawPeer, isType, startRouter } from './support/raw-peer.js';

type Ctx = Awaited<ReturnType<typeof startRouter>>;

describe('session meta API', () => {
  let ctx: Ctx | undefined;
  afterEach(async () => {
    await ctx?.stop();
    ctx = undefined;
  });

  /** A router whose upgrade hook gives each connection the identity in its `x-who` header ("authid/authrole"). */
  async function withIdentities(): Promise<Ctx> {
    return startRouter({
      realms: [{ name: 'realm1' }],
      authenticateUpgrade: (request) => {
        const who = request.headers['x-who'];
        if (who === undefined) return null;
        if (typeof who !== 'string') throw new HttpError(400);
        const [authid, authrole] = who.split('/');
        return { authid: authid!, authrole: authrole! };
      },
    });
  }

  async function joinAs(url: string, who: string): Promise<RawPeer> {
    const peer = await RawPeer.open(url, 'json', { headers: { 'x-who': who } });
    const welcome = await peer.hello('realm1');
    expect(welcome[0]).toBe(2);
    return peer;
  }

  it('publishes on_join with the session details and on_leave with id, authid, authrole', async () => {
    ctx = await startRouter();
    const watcher = await RawPeer.join(ctx.url);
    ctx.peers.push(watcher);
    await watcher.subscribe('wamp.session.on_join');
    await watcher.subscribe('wamp.session.on_leave');
    const joiner = await RawPeer.join(ctx.url, 'realm1', 'msgpack');
    ctx.peers.push(joiner);
    const joined = await watcher.next(isType(36));
    expect(joined[4]).toEqual([
      expect.objectContaining({ session: joiner.sessionId, authrole: 'anonymous', authmethod: 'anonymous', authprovider: 'static', authid: expect.any(String), transport: expect.objectContaining({ type: 'websocket', protocol: 'wamp.2.msgpack' }) }),
    ]);
    joiner.terminate();
    const left = await watcher.next(isType(36));
    expect(left[4]).toEqual([joiner.sessionId, (joined[4] as [{ authid: string }])[0].authid, 'anonymous']);
  });

  it('count, list and get, with authrole filters and no_such_session', async () => {
    ctx = await withIdentities();
    const admin = await joinAs(ctx.url, 'root/admin');
    const u1 = await joinAs(ctx.url, 'u1/user');
    const u2 = await joinAs(ctx.url, 'u2/user');
    ctx.peers.push(admin, u1, u2);
    expect((await admin.call('wamp.session.count'))[3]).toEqual([3]);
    expect((await admin.call('wamp.session.count', [['user']]))[3]).toEqual([2]);
    expect((await admin.call('wamp.session.count', [['nobody']]))[3]).toEqual([0]);
    const list = (await admin.call('wamp.session.list'))[3] as [number[]];
    expect([...list[0]].sort()).toEqual([admin.sessionId, u1.sessionId, u2.sessionId].sort());
    expect((await admin.call('wamp.session.list', [['admin']]))[3]).toEqual([[admin.sessionId]]);
    const got = await admin.call('wamp.session.get', [u1.sessionId]);
    expect(got[3]).toEqual([expect.objectContaining({ session: u1.sessionId, authid: 'u1', authrole: 'user', authmethod: 'cookie', authprovider: 'http' })]);
    const missing = await admin.call('wamp.session.get', [123]);
    expect(missing[0]).toBe(8);
    expect(missing[4]).toBe('wamp.error.no_such_session');
    const bad = await admin.call('wamp.session.get', ['x']);
    expect(bad[4]).toBe('wamp.error.invalid_argument');
    const badFilter = await admin.call('wamp.session.count', ['user']);
    expect(badFilter[4]).toBe('wamp.error.invalid_argument');
  });

  it('kill sends GOODBYE with the reason and message; not the caller itself', async () => {
    ctx = await startRouter({ realms: [{ name: 'realm1' }], goodbyeTimeout: 200 });
    const admin = await RawPeer.join(ctx.url);
    const victim = await RawPeer.join(ctx.url);
    ctx.peers.push(admin, victim);
    const self = await admin.call('wamp.session.kill', [admin.sessionId]);
    expect(self[4]).toBe('wamp.error.no_such_session');
    const badReason = await admin.call('wamp.session.kill', [victim.sessionId], { reason: 'not a uri' });
    expect(badReason[4]).toBe('wamp.error.invalid_uri');
    const done = await admin.call('wamp.session.kill', [victim.sessionId], { reason: 'com.example.kicked', message: 'go away' });
    expect(done[0]).toBe(50);
    expect(await victim.next()).toEqual([6, { message: 'go away' }, 'com.example.kicked']);
    victim.send([6, {}, 'wamp.close.goodbye_and_out']);
    expect((await victim.closed).code).toBe(1000);
    expect((await admin.call('wamp.session.count'))[3]).toEqual([1]);
  });

  it('kill defaults to wamp.close.normal; a client that never answers GOODBYE is closed after goodbyeTimeout', async () => {
    ctx = await startRouter({ realms: [{ name: 'realm1' }], goodbyeTimeout: 100 });
    const admin = await RawPeer.join(ctx.url);
    const victim = await RawPeer.join(ctx.url);
    ctx.peers.push(admin, victim);
    await admin.call('wamp.session.kill', [victim.sessionId]);
    expect(await victim.next()).toEqual([6, {}, 'wamp.close.normal']);
    await victim.closed;
  });

  it('kill_by_authid, kill_by_authrole and kill_all spare the caller and return the count', async () => {
    ctx = await withIdentities();
    const admin = await joinAs(ctx.url, 'root/user');
    const a1 = await joinAs(ctx.url, 'alice/user');
    const a2 = await joinAs(ctx.url, 'alice/user');
    const b = await joinAs(ctx.url, 'bob/guest');
    const c = await joinAs(ctx.url, 'carol/user');
    const d = await joinAs(ctx.url, 'root/user');
    ctx.peers.push(admin, a1, a2, b, c, d);
    expect((await admin.call('wamp.session.kill_by_authid', ['alice'], { message: 'bye alice' }))[3]).toEqual([2]);
    expect((await a1.next())[2]).toBe('wamp.close.normal');
    expect(await a2.next()).toEqual([6, { message: 'bye alice' }, 'wamp.close.normal']);
    expect((await admin.call('wamp.session.kill_by_authrole', ['guest']))[3]).toEqual([1]);
    expect((await b.next())[0]).toBe(6);
    // Same authid as the caller: the other session goes, the caller stays.
    expect((await admin.call('wamp.session.kill_by_authid', ['root']))[3]).toEqual([1]);
    expect((await d.next())[0]).toBe(6);
    expect((await admin.call('wamp.session.kill_all'))[3]).toEqual([1]);
    expect((await c.next())[0]).toBe(6);
    expect((await admin.call('wamp.session.count'))[3]).toEqual([1]);
    expect((await admin.call('wamp.session.kill_by_authid', [42]))[4]).toBe('wamp.error.invalid_argument');
  });
});
