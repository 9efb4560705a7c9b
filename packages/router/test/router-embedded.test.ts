// Embedded sessions: realm.session() gives a @junction/client Client over an in-process link,
// working with remote sessions over real sockets.
import { afterEach, describe, expect, it } from 'vitest';
import { WampError } from '@junction/wamp';
import { RawPeer, isType, startRouter } from './support/raw-peer.js';

type Ctx = Awaited<ReturnType<typeof startRouter>>;

describe('embedded sessions (realm.session)', () => {
  let ctx: Ctx | undefined;
  afterEach(async () => {
    await ctx?.stop();
    ctx = undefined;
  });

  it('joins as the given identity, not serialized, and is trusted (no authorization)', async () => {
    ctx = await startRouter({ realms: [{ name: 'realm1', roles: [{ name: 'anonymous', permissions: [{ uri: 'com.backend.', match: 'prefix', allow: { call: true, subscribe: true } }] }] }] });
    const realm = ctx.router.realm('realm1')!;
    const backend = await realm.session({ authid: 'backend', authrole: 'service' });
    expect(backend.sessionId).toBeGreaterThan(0);
    const joined = realm.sessions.get(backend.sessionId!)!;
    expect(joined).toMatchObject({ authid: 'backend', authrole: 'service', authmethod: 'trusted', serializer: 'local' });
    // Role "service" is not configured, yet the embedded session may register and publish.
    await backend.register('com.backend.add', (args) => (args[0] as number) + (args[1] as number));
    const remote = await RawPeer.join(ctx.url, 'realm1', 'msgpack');
    ctx.peers.push(remote);
    expect((await remote.subscribe('com.backend.news'))[0]).toBe(33);
    const result = await remote.call('com.backend.add', [2, 3]);
    expect(result[0]).toBe(50);
    expect(result[3]).toEqual([5]);
    const sent = { deep: { list: [1, 2, 3] } };
    await backend.publish('com.backend.news', [sent], {}, { acknowledge: true });
    const event = await remote.next(isType(36));
    expect(event[4]).toEqual([sent]);
    await backend.close();
    expect(realm.sessions.has(joined.id)).toBe(false);
  });

  it('calls remote procedures and receives remote events, with errors carried through', async () => {
    ctx = await startRouter();
    const realm = ctx.router.realm('realm1')!;
    const remote = await RawPeer.join(ctx.url, 'realm1', 'json');
    ctx.peers.push(remote);
    expect((await remote.register('com.remote.echo'))[0]).toBe(65);
    const local = await realm.session();
    const events: unknown[] = [];
    await local.subscribe('com.remote.topic', (args) => events.push(args[0]));
    const pending = local.call('com.remote.echo', ['hi'], { k: 1 });
    const invocation = await remote.next(isType(68));
    expect(invocation[4]).toEqual(['hi']);
    expect(invocation[5]).toEqual({ k: 1 });
    remote.send([70, invocation[1], {}, ['back'], { k: 2 }]);
    expect(await pending).toMatchObject({ args: ['back'], kwargs: { k: 2 } });
    const failing = local.call('com.remote.echo', []);
    const second = await remote.next(isType(68));
    remote.send([8, 68, second[1], {}, 'com.remote.failed', ['nope']]);
    await expect(failing).rejects.toMatchObject({ uri: 'com.remote.failed', args: ['nope'] });
    await expect(local.call('com.nothing')).rejects.toBeInstanceOf(WampError);
    expect((await remote.publishAck('com.remote.topic', ['e1']))[0]).toBe(17);
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual(['e1']);
    await local.close();
  });

  it('two embedded sessions talk to each other; router.close() ends them', async () => {
    ctx = await startRouter();
    const realm = ctx.router.realm('realm1')!;
    const a = await realm.session({ authid: 'a' });
    const b = await realm.session({ authid: 'b' });
    await a.register('com.local.who', (_args, _kwargs, context) => context.callerAuthid ?? 'hidden', {});
    const r = await b.call('com.local.who', [], {}, { discloseMe: true });
    expect(r.args).toEqual(['b']);
    // No serialization on the in-process path: the subscriber gets the publisher's very object.
    const payload = { big: new Array(1000).fill(7) };
    let deliver!: (value: unknown) => void;
    const received = new Promise((resolve) => (deliver = resolve));
    await b.subscribe('com.local.obj', (args) => deliver(args[0]));
    await a.publish('com.local.obj', [payload], {}, { acknowledge: true });
    expect(await received).toBe(payload);
    const closed = new Promise((resolve) => a.on('close', resolve));
    await ctx.router.close();
    expect(await closed).toMatchObject({ reason: 'wamp.close.system_shutdown' });
    expect(realm.sessions.size).toBe(0);
  });
});
