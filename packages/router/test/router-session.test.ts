// Bad input ends only the offending session; GOODBYE, ABORT and shutdown; message size limit.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Authenticator } from '../src/index.js';
import { RawPeer, isType, startRouter, until } from './support/raw-peer.js';

type Ctx = Awaited<ReturnType<typeof startRouter>>;

/** A subscriber on com.bystander and a publisher: proves the router still serves other sessions. */
async function bystanders(ctx: Ctx): Promise<() => Promise<void>> {
  const subscriber = await RawPeer.join(ctx.url, 'realm1', 'msgpack');
  const publisher = await RawPeer.join(ctx.url, 'realm1', 'json');
  ctx.peers.push(subscriber, publisher);
  const subscribed = await subscriber.subscribe('com.bystander');
  expect(subscribed[0]).toBe(33);
  let n = 0;
  return async () => {
    n++;
    expect((await publisher.publishAck('com.bystander', [n]))[0]).toBe(17);
    const event = await subscriber.next(isType(36));
    expect(event[4]).toEqual([n]);
    expect((await publisher.call('wamp.session.count'))[3]).toEqual([ctx.router.realm('realm1')!.sessions.size]);
  };
}

async function expectViolation(peer: RawPeer, pattern?: RegExp): Promise<void> {
  const abort = await peer.next(isType(3));
  expect(abort[2]).toBe('wamp.error.protocol_violation');
  const message = (abort[1] as { message?: string }).message ?? '';
  expect(message.length).toBeGreaterThan(0);
  if (pattern) expect(message).toMatch(pattern);
  await peer.closed;
}

describe('protocol violations', () => {
  let ctx: Ctx | undefined;
  afterEach(async () => {
    await ctx?.stop();
    ctx = undefined;
  });

  const joinedCases: [string, 'json' | 'msgpack' | 'cbor', (peer: RawPeer) => void, RegExp][] = [
    ['malformed JSON', 'json', (p) => p.sendRaw('[48, 1, {}, "com.x"'), /not valid json/],
    ['a JSON value that is not a list', 'json', (p) => p.sendRaw('{"type": 48}'), /must be a list/],
    ['an empty list', 'json', (p) => p.send([]), /unknown message type/],
    ['an unknown message type', 'json', (p) => p.send([99, 1, {}]), /unknown message type 99/],
    ['a type as a string', 'json', (p) => p.send(['48', 1, {}, 'com.x']), /unknown message type/],
    ['a router-to-client message (EVENT)', 'json', (p) => p.send([36, 1, 2, {}]), /must not send EVENT/],
    ['a router-to-client message (WELCOME)', 'msgpack', (p) => p.send([2, 1, {}]), /must not send WELCOME/],
    ['a request ID that is a string', 'json', (p) => p.send([48, 'one', {}, 'com.x']), /CALL.Request must be an ID/],
    ['a request ID of 0', 'msgpack', (p) => p.send([32, 0, {}, 'com.x']), /SUBSCRIBE.Request must be an ID/],
    ['a request ID above 2^53', 'json', (p) => p.sendRaw('[48, 9007199254740994, {}, "com.x"]'), /CALL.Request must be an ID/],
    ['options that are a list', 'cbor', (p) => p.send([64, 1, [], 'com.x']), /REGISTER.Options must be a dict/],
    ['a URI that is a number', 'json', (p) => p.send([16, 1, {}, 42]), /PUBLISH.Topic must be a URI/],
    ['arguments that are a dict', 'json', (p) => p.send([48, 1, {}, 'com.x', { a: 1 }]), /CALL.Arguments must be a list/],
    ['too few fields', 'json', (p) => p.send([48, 1, {}]), /CALL must have/],
    ['too many fields', 'json', (p) => p.send([34, 1, 2, 3]), /UNSUBSCRIBE must have/],
    ['HELLO after WELCOME', 'json', (p) => p.send([1, 'realm1', {}]), /HELLO received after/],
    ['AUTHENTICATE after WELCOME', 'json', (p) => p.send([5, 'sig', {}]), /AUTHENTICATE received after/],
    ['ERROR for something other than INVOCATION', 'json', (p) => p.send([8, 48, 1, {}, 'com.err']), /only for INVOCATION/],
    ['binary garbage over msgpack', 'msgpack', (p) => p.sendRaw(new Uint8Array([0xc1, 0xc1, 0xff, 0x00])), /not valid msgpack/],
    ['truncated msgpack', 'msgpack', (p) => p.sendRaw(new Uint8Array([0x94, 0x30, 0x01])), /not valid msgpack|must have/],
    ['binary garbage over cbor', 'cbor', (p) => p.sendRaw(new Uint8Array([0xff, 0xff, 0x1c])), /not valid cbor/],
  ];

  for (const [what, serializer, send, pattern] of joinedCases) {
    it(`ABORTs on ${what} and keeps serving the others`, async () => {
      ctx = await startRouter();
      const check = await bystanders(ctx);
      await check();
      const offender = await RawPeer.join(ctx.url, 'realm1', serializer);
      ctx.peers.push(offender);
      const subscribed = await offender.subscribe('com.bystander');
      expect(subscribed[0]).toBe(33);
      send(offender);
      await expectViolation(offender, pattern);
      await until(() => ctx!.router.realm('realm1')!.sessions.size === 2, 2000, 'the offender to leave');
      await check();
    });
  }

  const earlyCases: [string, (peer: RawPeer) => void, RegExp][] = [
    ['CALL before HELLO', (p) => p.send([48, 1, {}, 'com.x']), /CALL received before HELLO/],
    ['GOODBYE before HELLO', (p) => p.send([6, {}, 'wamp.close.normal']), /GOODBYE received before HELLO/],
    ['AUTHENTICATE before HELLO', (p) => p.send([5, 'x', {}]), /AUTHENTICATE received before HELLO/],
    ['HELLO with roles that are not a dict', (p) => p.send([1, 'realm1', { roles: [] }]), /roles must be a dict/],
    ['HELLO without details', (p) => p.send([1, 'realm1']), /HELLO must have/],
  ];
  for (const [what, send, pattern] of earlyCases) {
    it(`ABORTs on ${what}`, async () => {
      ctx = await startRouter();
      const check = await bystanders(ctx);
      const offender = await RawPeer.open(ctx.url);
      ctx.peers.push(offender);
      send(offender);
      await expectViolation(offender, pattern);
      await check();
    });
  }

  describe('during authentication', () => {
    // An authenticator that always challenges and accepts the signature "ok".
    const challenger: Authenticator = {
      method: 'test',
      hello: () => ({ kind: 'challenge', method: 'test', extra: { nonce: 1 }, state: 'st' }),
      authenticate: (_hello, state, signature) =>
        signature === 'slow'
          ? new Promise((resolve) => setTimeout(() => resolve({ kind: 'abort', reason: 'wamp.error.authentication_failed', message: 'slow' }), 100))
          : state === 'st' && signature === 'ok'
          ? { kind: 'welcome', identity: { authid: 'tester', authrole: 'user', authmethod: 'test', authprovider: 'test' } }
          : { kind: 'abort', reason: 'wamp.error.authentication_failed', message: 'bad signature' },
    };
    const cases: [string, (peer: RawPeer) => void, RegExp][] = [
      ['a CALL between CHALLENGE and WELCOME', (p) => p.send([48, 1, {}, 'com.x']), /CALL received before WELCOME/],
      ['a second HELLO', (p) => p.send([1, 'realm1', {}]), /HELLO received twice/],
      ['a second AUTHENTICATE', (p) => {
        p.send([5, 'slow', {}]);
        p.send([5, 'slow', {}]);
      }, /AUTHENTICATE received without a CHALLENGE/],
    ];
    for (const [what, send, pattern] of cases) {
      it(`ABORTs on ${what}`, async () => {
        ctx = await startRouter({ realms: [{ name: 'realm1', authenticators: [challenger] }] });
        const peer = await RawPeer.open(ctx.url);
        ctx.peers.push(peer);
        const challenge = await peer.hello('realm1', { authmethods: ['test'] });
        expect(challenge).toEqual([4, 'test', { nonce: 1 }]);
        send(peer);
        await expectViolation(peer, pattern);
      });
    }

    it('welcomes after a good AUTHENTICATE', async () => {
      ctx = await startRouter({ realms: [{ name: 'realm1', authenticators: [challenger] }] });
      const peer = await RawPeer.open(ctx.url);
      ctx.peers.push(peer);
      await peer.hello('realm1', { authmethods: ['test'] });
      peer.send([5, 'ok', {}]);
      const welcome = await peer.next();
      expect(welcome[0]).toBe(2);
      expect(welcome[2]).toMatchObject({ authid: 'tester', authrole: 'user', authmethod: 'test', authprovider: 'test' });
    });

    it('ABORTs with the authenticator\'s reason after a bad AUTHENTICATE', async () => {
      ctx = await startRouter({ realms: [{ name: 'realm1', authenticators: [challenger] }] });
      const peer = await RawPeer.open(ctx.url);
      ctx.peers.push(peer);
      await peer.hello('realm1', { authmethods: ['test'] });
      peer.send([5, 'wrong', {}]);
      expect(await peer.next()).toEqual([3, { message: 'bad signature' }, 'wamp.error.authentication_failed']);
      await peer.closed;
    });

    it('ABORTs with wamp.error.no_such_role when the identity has a role the realm lacks', async () => {
      ctx = await startRouter({ realms: [{ name: 'realm1', authenticators: [challenger], roles: [{ name: 'admin', permissions: [] }] }] });
      const peer = await RawPeer.open(ctx.url);
      ctx.peers.push(peer);
      await peer.hello('realm1', { authmethods: ['test'] });
      peer.send([5, 'ok', {}]);
      const abort = await peer.next();
      expect(abort[0]).toBe(3);
      expect(abort[2]).toBe('wamp.error.no_such_role');
    });

    it('ABORTs a client that does not answer the CHALLENGE within establishTimeout', async () => {
      ctx = await startRouter({ realms: [{ name: 'realm1', authenticators: [challenger] }], establishTimeout: 100 });
      const peer = await RawPeer.open(ctx.url);
      ctx.peers.push(peer);
      await peer.hello('realm1', { authmethods: ['test'] });
      const abort = await peer.next();
      expect(abort[0]).toBe(3);
      expect(abort[2]).toBe('wamp.error.authentication_failed');
    });
  });

  it('closes with 1009 a message over maxMessageSize, and serves the others', async () => {
    ctx = await startRouter({ realms: [{ name: 'realm1' }], limits: { maxMessageSize: 4096 } });
    const check = await bystanders(ctx);
    const offender = await RawPeer.join(ctx.url);
    ctx.peers.push(offender);
    offender.send([16, 1, {}, 'com.big', ['x'.repeat(10_000)]]);
    expect((await offender.closed).code).toBe(1009);
    await until(() => ctx!.router.realm('realm1')!.sessions.size === 2, 2000, 'the offender to leave');
    await check();
  });

  it("applies a realm's smaller maxMessageSize after WELCOME (1009)", async () => {
    ctx = await startRouter({ realms: [{ name: 'realm1' }, { name: 'small', limits: { maxMessageSize: 2048 } }] });
    const big = await RawPeer.join(ctx.url, 'realm1');
    const small = await RawPeer.join(ctx.url, 'small');
    ctx.peers.push(big, small);
    expect((await big.publishAck('com.x', ['y'.repeat(5000)]))[0]).toBe(17);
    expect((await small.publishAck('com.x', ['y'.repeat(1000)]))[0]).toBe(17);
    small.send([16, 99, { acknowledge: true }, 'com.x', ['y'.repeat(5000)]]);
    expect((await small.closed).code).toBe(1009);
    expect(ctx.router.realm('small')!.sessions.size).toBe(0);
  });
});

describe('requests that refer to nothing', () => {
  let ctx: Ctx | undefined;
  afterEach(async () => {
    await ctx?.stop();
    ctx = undefined;
  });

  it('get the right error, or are ignored when the spec has no reply, and the session goes on', async () => {
    ctx = await startRouter();
    const peer = await RawPeer.join(ctx.url, 'realm1', 'msgpack');
    ctx.peers.push(peer);
    expect((await peer.call('com.unknown.procedure'))[4]).toBe('wamp.error.no_such_procedure');
    peer.send([34, 7, 123456]);
    expect((await peer.next((m) => m[0] === 8 && m[2] === 7)).slice(0, 5)).toEqual([8, 34, 7, {}, 'wamp.error.no_such_subscription']);
    peer.send([66, 8, 654321]);
    expect((await peer.next((m) => m[0] === 8 && m[2] === 8)).slice(0, 5)).toEqual([8, 66, 8, {}, 'wamp.error.no_such_registration']);
    // No reply exists for these: a YIELD or ERROR for an unknown invocation, a CANCEL of an unknown call.
    peer.send([70, 999, {}, ['stray']]);
    peer.send([8, 68, 998, {}, 'com.error']);
    peer.send([49, 997, {}]);
    // Request IDs out of order or reused: the router answers each by its own ID (it does not require sequence).
    peer.send([48, 50, {}, 'wamp.session.count']);
    peer.send([48, 3, {}, 'wamp.session.count']);
    peer.send([48, 3, {}, 'wamp.session.count']);
    expect(await peer.next((m) => m[0] === 50 && m[1] === 50)).toEqual([50, 50, {}, [1]]);
    expect(await peer.next((m) => m[0] === 50 && m[1] === 3)).toEqual([50, 3, {}, [1]]);
    expect(await peer.next((m) => m[0] === 50 && m[1] === 3)).toEqual([50, 3, {}, [1]]);
    expect(peer.pending).toEqual([]);
    expect((await peer.subscribe('com.bad uri'))[4]).toBe('wamp.error.invalid_uri');
  });
});

describe('ending sessions', () => {
  let ctx: Ctx | undefined;
  afterEach(async () => {
    await ctx?.stop();
    ctx = undefined;
  });

  it('answers GOODBYE with wamp.close.goodbye_and_out, closes, and publishes on_leave', async () => {
    ctx = await startRouter();
    const watcher = await RawPeer.join(ctx.url);
    const leaving = await RawPeer.join(ctx.url, 'realm1', 'cbor');
    ctx.peers.push(watcher, leaving);
    expect((await watcher.subscribe('wamp.session.on_leave'))[0]).toBe(33);
    leaving.send([6, { message: 'bye' }, 'wamp.close.normal']);
    const goodbye = await leaving.next();
    expect(goodbye).toEqual([6, {}, 'wamp.close.goodbye_and_out']);
    expect((await leaving.closed).code).toBe(1000);
    const event = await watcher.next(isType(36));
    expect(event[4]).toEqual([leaving.sessionId, expect.any(String), 'anonymous']);
    expect(ctx.router.realm('realm1')!.sessions.has(leaving.sessionId)).toBe(false);
  });

  it('a client ABORT or a dropped connection removes the session and its registrations', async () => {
    ctx = await startRouter();
    const caller = await RawPeer.join(ctx.url);
    const callee = await RawPeer.join(ctx.url);
    const callee2 = await RawPeer.join(ctx.url);
    ctx.peers.push(caller, callee, callee2);
    expect((await callee.register('com.a'))[0]).toBe(65);
    expect((await callee2.register('com.b'))[0]).toBe(65);
    callee.send([3, { message: 'leaving' }, 'wamp.close.normal']);
    await callee.closed;
    callee2.terminate();
    await until(() => ctx!.router.realm('realm1')!.sessions.size === 1, 2000, 'both callees to leave');
    expect((await caller.call('com.a'))[4]).toBe('wamp.error.no_such_procedure');
    expect((await caller.call('com.b'))[4]).toBe('wamp.error.no_such_procedure');
  });

  it('router.close() says GOODBYE wamp.close.system_shutdown to every session and stops listening', async () => {
    ctx = await startRouter({ realms: [{ name: 'realm1' }], goodbyeTimeout: 200 });
    const a = await RawPeer.join(ctx.url, 'realm1', 'json');
    const b = await RawPeer.join(ctx.url, 'realm1', 'msgpack');
    const pending = await RawPeer.open(ctx.url);
    ctx.peers.push(a, b, pending);
    const closing = ctx.router.close();
    const goodbye = await a.next();
    expect(goodbye[0]).toBe(6);
    expect(goodbye[2]).toBe('wamp.close.system_shutdown');
    a.send([6, {}, 'wamp.close.goodbye_and_out']);
    expect((await b.next())[2]).toBe('wamp.close.system_shutdown');
    // b never answers: the router closes it after goodbyeTimeout.
    await closing;
    expect((await a.closed).code).toBe(1000);
    await b.closed;
    await pending.closed;
    const late = new WebSocket(ctx.url, ['wamp.2.json']);
    const failed = await new Promise<boolean>((resolve) => {
      late.on('error', () => resolve(true));
      late.on('open', () => resolve(false));
    });
    expect(failed).toBe(true);
  });
});
