// A RESULT or INVOCATION that the peer's serializer cannot carry still ends its call with an
// ERROR, instead of leaving the caller to wait for its timeout.
import { afterEach, describe, expect, it } from 'vitest';
import { RawPeer, isType, startRouter } from './support/raw-peer.js';

type Ctx = Awaited<ReturnType<typeof startRouter>>;

function cyclic(): Record<string, unknown> {
  const value: Record<string, unknown> = { name: 'loop' };
  value.self = value;
  return value;
}

describe('messages a serializer cannot carry', () => {
  let ctx: Ctx | undefined;
  afterEach(async () => {
    await ctx?.stop();
    ctx = undefined;
  });

  it('answers a remote caller with ERROR when the embedded callee returns an unencodable result', async () => {
    ctx = await startRouter();
    const realm = ctx.router.realm('realm1')!;
    const backend = await realm.session();
    await backend.register('com.backend.cyclic', () => cyclic());
    await backend.register('com.backend.fine', () => 'ok');
    const remote = await RawPeer.join(ctx.url, 'realm1', 'json');
    ctx.peers.push(remote);
    const failed = await remote.call('com.backend.cyclic', []);
    expect(failed[0]).toBe(8);
    expect(failed[4]).toBe('wamp.error.invalid_argument');
    expect(String((failed[5] as unknown[])[0])).toMatch(/could not be encoded as json/);
    // The session goes on.
    expect((await remote.call('com.backend.fine', []))[3]).toEqual(['ok']);
  });

  it('a WELCOME that cannot be encoded (authextra from an authenticator) aborts the session; it never half-joins', async () => {
    ctx = await startRouter({
      realms: [{
        name: 'realm1',
        authenticators: [{
          method: 'anonymous',
          hello: () => ({ kind: 'welcome', identity: { authid: 'x', authrole: 'anonymous', authmethod: 'anonymous', authprovider: 'test', authextra: { loop: cyclic() } } }),
          authenticate: () => ({ kind: 'abort', reason: 'wamp.error.authentication_failed', message: 'no challenge was sent' }),
        }],
      }],
    });
    const realm = ctx.router.realm('realm1')!;
    const peer = await RawPeer.open(ctx.url, 'json');
    ctx.peers.push(peer);
    peer.send([1, 'realm1', { roles: { subscriber: {} } }]);
    // A client that assumes it joined and subscribes must not leave a subscription behind.
    peer.send([32, 1, {}, 'com.example.topic']);
    const reply = await peer.next((m) => m[0] === 2 || m[0] === 3);
    expect(reply[0]).toBe(3);
    expect(reply[2]).toBe('wamp.error.authentication_failed');
    await peer.closed;
    expect(realm.sessions.size).toBe(0);
    expect(realm.broker.subscriptions.size).toBe(0);
  });

  it('fails an embedded call whose arguments the remote callee cannot receive', async () => {
    ctx = await startRouter();
    const realm = ctx.router.realm('realm1')!;
    const remote = await RawPeer.join(ctx.url, 'realm1', 'msgpack');
    ctx.peers.push(remote);
    expect((await remote.register('com.remote.echo'))[0]).toBe(65);
    const local = await realm.session();
    await expect(local.call('com.remote.echo', [cyclic()])).rejects.toMatchObject({ uri: 'wamp.error.invalid_argument' });
    // A call it can carry still reaches the callee.
    const pending = local.call('com.remote.echo', ['fine']);
    const invocation = await remote.next(isType(68));
    expect(invocation[4]).toEqual(['fine']);
    remote.send([70, invocation[1], {}, ['back']]);
    expect((await pending).args).toEqual(['back']);
  });
});
