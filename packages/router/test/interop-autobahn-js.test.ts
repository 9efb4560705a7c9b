/**
 * Interop: Autobahn|JS 22.11.1 (npm `autobahn`, in this Node process over its own `ws` 7) against
 * our router, over wamp.2.json and wamp.2.msgpack, as caller, callee, publisher and subscriber:
 * args/kwargs, errors, progressive results, cancel (`kill` mode; the quirk of the other modes), shared and
 * pattern-based registrations, pattern subscriptions, ticket, wampcra and cryptosign.
 *
 * One router for the file; each serializer gets its own sessions and URIs (`ab.<serializer>.*`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AutobahnJoinError,
  CREDENTIALS,
  autobahn,
  autobahnCryptosignKey,
  connectAutobahn,
  deferred,
  outcome,
  settle,
  startInteropRouter,
  within,
  type AutobahnPeer,
  type InteropRouter,
} from './support/interop-peers.js';

let ir: InteropRouter;
beforeAll(async () => {
  ir = await startInteropRouter();
});
afterAll(async () => {
  await ir?.close();
});

describe.each(['json', 'msgpack'] as const)('Autobahn|JS over wamp.2.%s', (serializer) => {
  let callee: AutobahnPeer;
  let callee2: AutobahnPeer;
  let caller: AutobahnPeer;
  const uri = (name: string) => `ab.${serializer}.${name}`;

  beforeAll(async () => {
    [callee, callee2, caller] = await Promise.all([1, 2, 3].map(() => connectAutobahn(ir.url, { serializer })));
  });
  afterAll(async () => {
    await Promise.all([callee, callee2, caller].map((p) => p?.close()));
  });

  it('joins with the requested subprotocol; WELCOME announces broker and dealer features', () => {
    expect(caller.connection.transport.info.protocol).toBe(`wamp.2.${serializer}`);
    expect(typeof caller.session.id).toBe('number');
    expect(caller.details.authmethod).toBe('anonymous');
    expect(caller.details.authrole).toBe('anonymous');
    expect(caller.details.roles.broker.features).toBeTypeOf('object');
    expect(caller.details.roles.dealer.features).toMatchObject({ progressive_call_results: true, call_canceling: true });
  });

  it('calls with args and kwargs both ways; integers up to 2^53 stay exact; caller disclosed on request', async () => {
    let seenCaller: unknown;
    await callee.session.register(uri('echo'), (args: unknown[], kwargs: Record<string, unknown>, details: any) => {
      seenCaller = details.caller;
      return new autobahn.Result(args, kwargs);
    });
    await callee.session.register(uri('add'), (args: number[]) => args[0]! + args[1]!);

    const args = [1, 'two', { three: 3 }, [4, [5]], null, true, 1.5];
    const kwargs = { big: 2 ** 53, neg: -(2 ** 53), nested: { list: [1, 2], text: 'héllo 🎉' } };
    const res = await caller.session.call(uri('echo'), args, kwargs, { disclose_me: true });
    expect(res).toBeInstanceOf(autobahn.Result);
    expect(res.args).toEqual(args);
    expect(res.kwargs).toEqual(kwargs);
    expect(Number.isSafeInteger(res.kwargs.big - 1)).toBe(true);
    expect(seenCaller).toBe(caller.session.id);

    // A single positional result comes back as a plain value; without disclose_me no caller id.
    expect(await caller.session.call(uri('add'), [2, 3])).toBe(5);
    await caller.session.call(uri('echo'), [0]);
    expect(seenCaller).toBeUndefined();
  });

  it('errors carry args and kwargs; unknown procedures get wamp.error.no_such_procedure', async () => {
    await callee.session.register(uri('fail'), (args: unknown[]) => {
      throw new autobahn.Error('com.example.error.invalid', ['bad', ...args], { code: 42, why: 'because' });
    });
    const failed = await outcome(caller.session.call(uri('fail'), ['x']));
    expect(failed.ok).toBe(false);
    if (failed.ok) return;
    expect(failed.error).toBeInstanceOf(autobahn.Error);
    expect(failed.error.error).toBe('com.example.error.invalid');
    expect(failed.error.args).toEqual(['bad', 'x']);
    expect(failed.error.kwargs).toEqual({ code: 42, why: 'because' });

    const missing = await outcome(caller.session.call(uri('nobody.home')));
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.error.error).toBe('wamp.error.no_such_procedure');
  });

  it('progressive call results reach the caller in order, then the final result', async () => {
    let sawProgressFn = false;
    await callee.session.register(uri('countdown'), (args: number[], _kwargs: unknown, details: any) => {
      sawProgressFn = typeof details.progress === 'function';
      for (let i = args[0]!; i > 0; i--) details.progress?.([i], { left: i });
      return 'liftoff';
    });
    const progress: unknown[] = [];
    const final = await caller.session
      .call(uri('countdown'), [3], {}, { receive_progress: true })
      .then((v: unknown) => v, undefined, (p: unknown) => progress.push(p));
    expect(sawProgressFn).toBe(true); // the router forwarded receive_progress to the callee
    expect(final).toBe('liftoff');
    expect(progress.map((p: any) => [p.args, p.kwargs])).toEqual([
      [[3], { left: 3 }],
      [[2], { left: 2 }],
      [[1], { left: 1 }],
    ]);
  });

  it('cancel in kill mode rejects the call with wamp.error.canceled; the late YIELD is dropped', async () => {
    const invoked = deferred();
    const release = deferred<string>();
    await callee.session.register(uri('slow'), () => {
      invoked.resolve();
      return release.promise;
    });
    const call = caller.session.call(uri('slow'), [1]);
    const result = outcome(call);
    await within(invoked.promise, 5000, 'the invocation');
    call.cancel({ mode: 'kill' });
    const r = await within(result, 5000, 'the canceled call to settle');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.error).toBe('wamp.error.canceled');

    // The callee (no call_canceling announced: no INTERRUPT) answers late; the router must drop it
    // (a RESULT for a finished request would make Autobahn|JS fail the session).
    release.resolve('too late');
    await settle(100);
    expect(caller.connection.isOpen).toBe(true);
    expect(callee.connection.isOpen).toBe(true);
    expect(await caller.session.call(uri('add'), [20, 22])).toBe(42);
  });

  it.each(['skip', 'killnowait', 'no mode'] as const)(
    'cancel with %s: the router answers with ERROR as the spec says, which Autobahn|JS treats as a protocol violation (client quirk)',
    async (mode) => {
      // Autobahn|JS rejects any non-kill cancel locally and forgets the request, then fails its own
      // transport on the router's ERROR for that request ("CALL-ERROR received for non-pending
      // request ID"). Use kill mode with Autobahn|JS. This test pins both halves of that behaviour.
      const victim = await connectAutobahn(ir.url, { serializer });
      const invoked = deferred();
      await callee.session.register(uri(`slow.quirk.${mode.replace(' ', '_')}`), () => {
        invoked.resolve();
        return new Promise(() => {});
      });
      const call = victim.session.call(uri(`slow.quirk.${mode.replace(' ', '_')}`));
      const result = outcome(call);
      await within(invoked.promise, 5000, 'the invocation');
      call.cancel(mode === 'no mode' ? undefined : { mode });
      const r = await result;
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.error).toBe('Cancelled'); // Autobahn's local rejection (an autobahn.Error)
      const closed = await within(victim.closed, 5000, 'Autobahn|JS to drop the connection after the ERROR');
      expect(closed.reason).toBe('lost');
      expect(callee.connection.isOpen).toBe(true);
    },
  );

  it('shared registrations: roundrobin alternates, first and last stick; policies must agree', async () => {
    const name = (peer: AutobahnPeer) => (peer === callee ? 'A' : 'B');
    for (const invoke of ['roundrobin', 'first', 'last'] as const) {
      for (const peer of [callee, callee2]) {
        await peer.session.register(uri(`shared.${invoke}`), () => name(peer), { invoke });
      }
    }
    const seq = async (invoke: string) => {
      const out: string[] = [];
      for (let i = 0; i < 4; i++) out.push(await caller.session.call(uri(`shared.${invoke}`)));
      return out.join('');
    };
    expect(['ABAB', 'BABA']).toContain(await seq('roundrobin'));
    expect(await seq('first')).toBe('AAAA');
    expect(await seq('last')).toBe('BBBB');

    const conflict = await outcome(callee2.session.register(uri('shared.first'), () => 'x', { invoke: 'last' }));
    expect(conflict.ok).toBe(false);
    if (!conflict.ok) expect(conflict.error.error).toBe('wamp.error.procedure_already_exists');
    const taken = await outcome(callee2.session.register(uri('echo'), () => 'x'));
    expect(taken.ok).toBe(false);
    if (!taken.ok) expect(taken.error.error).toBe('wamp.error.procedure_already_exists');
  });

  it('pattern-based registrations: prefix and wildcard, exact wins, details.procedure names the called URI', async () => {
    await callee.session.register(uri('api'), (_a: unknown, _k: unknown, d: any) => `prefix:${d.procedure}`, { match: 'prefix' });
    await callee.session.register(uri('svc..get'), (_a: unknown, _k: unknown, d: any) => `wildcard:${d.procedure}`, { match: 'wildcard' });
    await callee2.session.register(uri('api.exact'), () => 'exact');
    expect(await caller.session.call(uri('api.users.list'))).toBe(`prefix:${uri('api.users.list')}`);
    expect(await caller.session.call(uri('svc.users.get'))).toBe(`wildcard:${uri('svc.users.get')}`);
    expect(await caller.session.call(uri('api.exact'))).toBe('exact');
    const miss = await outcome(caller.session.call(uri('svc.users.put')));
    expect(miss.ok).toBe(false);
  });

  it('publishes and subscribes: exact, prefix and wildcard subscriptions; exclusion and disclosure', async () => {
    const subscriber = callee2;
    const got: Array<{ sub: string; args: unknown[]; kwargs: unknown; topic: string; publisher: unknown }> = [];
    const all = deferred();
    const expected = 5;
    const handler = (sub: string) => (args: unknown[], kwargs: unknown, details: any) => {
      got.push({ sub, args, kwargs, topic: details.topic ?? uri('news'), publisher: details.publisher });
      if (got.length === expected) all.resolve();
    };
    await subscriber.session.subscribe(uri('news'), handler('exact'));
    await subscriber.session.subscribe(uri('pfx'), handler('prefix'), { match: 'prefix' });
    await subscriber.session.subscribe(uri('w..alert'), handler('wildcard'), { match: 'wildcard' });
    // The publisher is subscribed too, but exclude_me defaults to true.
    let selfEvents = 0;
    await caller.session.subscribe(uri('news'), () => selfEvents++);

    const pub = await caller.session.publish(uri('news'), [1], { a: 1 }, { acknowledge: true, disclose_me: true });
    expect(typeof pub.id).toBe('number');
    await caller.session.publish(uri('pfx.sports.football'), ['goal'], {}, { acknowledge: true });
    await caller.session.publish(uri('w.eu.alert'), ['storm'], {}, { acknowledge: true });
    await caller.session.publish(uri('w.eu.other'), ['nope'], {}, { acknowledge: true });
    await caller.session.publish(uri('pf'), ['nope'], {}, { acknowledge: true });
    await caller.session.publish(uri('pfx-low'), ['string prefix'], {}, { acknowledge: true }); // the spec's prefix match is a plain string prefix
    await caller.session.publish(uri('news'), [2], {}, { acknowledge: true, exclude_me: false });
    await within(all.promise, 5000, 'five events');
    await settle(50);

    const sorted = got.map((e) => [e.sub, e.topic, e.args, e.kwargs]);
    expect(sorted).toEqual([
      ['exact', uri('news'), [1], { a: 1 }],
      ['prefix', uri('pfx.sports.football'), ['goal'], {}],
      ['wildcard', uri('w.eu.alert'), ['storm'], {}],
      ['prefix', uri('pfx-low'), ['string prefix'], {}],
      ['exact', uri('news'), [2], {}],
    ]);
    expect(got[0]!.publisher).toBe(caller.session.id);
    expect(got[1]!.publisher).toBeUndefined();
    expect(selfEvents).toBe(1); // only the exclude_me: false publication
  });

  it('event retention (retain / get_retained) and subscriber black- and whitelisting (exclude, eligible)', async () => {
    await caller.session.publish(uri('retained'), ['kept'], { n: 1 }, { acknowledge: true, retain: true });
    const retained = deferred<unknown[]>();
    await callee.session.subscribe(uri('retained'), (args: unknown[], kwargs: unknown, details: any) => retained.resolve([args, kwargs, details.retained]), {
      get_retained: true,
    });
    expect(await within(retained.promise, 5000, 'the retained event')).toEqual([['kept'], { n: 1 }, true]);

    const seen: string[] = [];
    const four = deferred();
    const note = (who: string) => (args: string[]) => {
      if (seen.push(`${who}:${args[0]}`) === 4) four.resolve();
    };
    await callee.session.subscribe(uri('listed'), note('A'));
    await callee2.session.subscribe(uri('listed'), note('B'));
    await caller.session.publish(uri('listed'), ['only-B'], {}, { acknowledge: true, eligible: [callee2.session.id] });
    await caller.session.publish(uri('listed'), ['not-B'], {}, { acknowledge: true, exclude: [callee2.session.id] });
    await caller.session.publish(uri('listed'), ['all'], {}, { acknowledge: true });
    await within(four.promise, 5000, 'four events');
    await settle(50);
    expect(seen.sort()).toEqual(['A:all', 'A:not-B', 'B:all', 'B:only-B']);
  });

  describe('authentication', () => {
    const join = (options: Omit<Parameters<typeof connectAutobahn>[1], 'serializer'>) => connectAutobahn(ir.url, { serializer, ...options });

    it('ticket', async () => {
      const challenges: string[] = [];
      const peer = await join({
        authmethods: ['ticket'],
        authid: CREDENTIALS.ticket.authid,
        onchallenge: (_s, method) => {
          challenges.push(method);
          return CREDENTIALS.ticket.ticket;
        },
      });
      expect(challenges).toEqual(['ticket']);
      expect(peer.details).toMatchObject({ authid: 'joe', authrole: 'user', authmethod: 'ticket' });
      expect(await peer.session.call(uri('add'), [1, 1])).toBe(2);
      await peer.close();

      const bad = await outcome(join({ authmethods: ['ticket'], authid: 'joe', onchallenge: () => 'wrong' }));
      expect(bad.ok).toBe(false);
      if (!bad.ok) {
        expect(bad.error).toBeInstanceOf(AutobahnJoinError);
        expect(bad.error.details.reason).toBe('wamp.error.authentication_failed');
      }
    });

    it('wampcra without salt', async () => {
      let extra: Record<string, any> = {};
      const peer = await join({
        authmethods: ['wampcra'],
        authid: CREDENTIALS.wampcra.authid,
        onchallenge: (_s, method, e) => {
          extra = e;
          expect(method).toBe('wampcra');
          return autobahn.auth_cra.sign(CREDENTIALS.wampcra.secret, e.challenge);
        },
      });
      expect(extra.salt).toBeUndefined();
      expect(JSON.parse(extra.challenge)).toMatchObject({ authid: 'peter', authmethod: 'wampcra', session: peer.session.id });
      expect(peer.details).toMatchObject({ authid: 'peter', authrole: 'user', authmethod: 'wampcra' });
      await peer.close();

      const bad = await outcome(join({ authmethods: ['wampcra'], authid: 'peter', onchallenge: (_s, _m, e) => autobahn.auth_cra.sign('wrong', e.challenge) }));
      expect(bad.ok).toBe(false);
      if (!bad.ok) expect(bad.error.details.reason).toBe('wamp.error.authentication_failed');
    });

    it('wampcra with salt (PBKDF2 key derived by Autobahn|JS)', async () => {
      const s = CREDENTIALS.wampcraSalted;
      let extra: Record<string, any> = {};
      const peer = await join({
        authmethods: ['wampcra'],
        authid: s.authid,
        onchallenge: (_s, _m, e) => {
          extra = e;
          const key = autobahn.auth_cra.derive_key(s.password, e.salt, e.iterations, e.keylen);
          return autobahn.auth_cra.sign(key, e.challenge);
        },
      });
      expect(extra).toMatchObject({ salt: s.salt, iterations: s.iterations, keylen: s.keylen });
      expect(peer.details).toMatchObject({ authid: s.authid, authrole: 'user', authmethod: 'wampcra' });
      await peer.close();

      const bad = await outcome(
        join({
          authmethods: ['wampcra'],
          authid: s.authid,
          onchallenge: (_s, _m, e) => autobahn.auth_cra.sign(autobahn.auth_cra.derive_key('wrong', e.salt, e.iterations, e.keylen), e.challenge),
        }),
      );
      expect(bad.ok).toBe(false);
      if (!bad.ok) expect(bad.error.details.reason).toBe('wamp.error.authentication_failed');
    });

    it('cryptosign (signature + challenge, as Autobahn|JS sends it)', async () => {
      const key = autobahnCryptosignKey();
      const peer = await join({
        authmethods: ['cryptosign'],
        authid: CREDENTIALS.cryptosign.authid,
        authextra: { pubkey: autobahn.auth_cryptosign.public_key(key) },
        onchallenge: (_s, method, e) => {
          expect(method).toBe('cryptosign');
          return autobahn.auth_cryptosign.sign_challenge(key, e);
        },
      });
      expect(peer.details).toMatchObject({ authid: 'alice', authrole: 'user', authmethod: 'cryptosign' });
      expect(await peer.session.call(uri('add'), [2, 2])).toBe(4);
      await peer.close();

      // A key the router does not know is refused.
      const stranger = autobahn.nacl.sign.keyPair();
      const bad = await outcome(
        join({
          authmethods: ['cryptosign'],
          authid: CREDENTIALS.cryptosign.authid,
          authextra: { pubkey: autobahn.auth_cryptosign.public_key(stranger) },
          onchallenge: (_s, _m, e) => autobahn.auth_cryptosign.sign_challenge(stranger, e),
        }),
      );
      expect(bad.ok).toBe(false);
      if (!bad.ok) expect(['wamp.error.no_such_principal', 'wamp.error.authentication_failed']).toContain(bad.error.details.reason);
    });
  });
});

describe('Autobahn|JS with its default serializers', () => {
  it('offers "wamp.2.json,wamp.2.msgpack" in one header (no space); the router picks one of them', async () => {
    const peer = await connectAutobahn(ir.url, { serializer: 'default' });
    try {
      expect(['wamp.2.json', 'wamp.2.msgpack']).toContain(peer.connection.transport.info.protocol);
      expect(typeof peer.session.id).toBe('number');
    } finally {
      await peer.close();
    }
  });
});

describe('Autobahn|JS over wamp.2.cbor (smoke)', () => {
  it('routes a call and an event; integers of magnitude 2^53 come back as BigInt (npm cbor decoding)', async () => {
    const [callee, caller] = await Promise.all([connectAutobahn(ir.url, { serializer: 'cbor' }), connectAutobahn(ir.url, { serializer: 'cbor' })]);
    try {
      expect(caller.connection.transport.info.protocol).toBe('wamp.2.cbor');
      await callee.session.register('ab.cbor.echo', (args: unknown[], kwargs: object) => new autobahn.Result(args, kwargs));
      const res = await caller.session.call('ab.cbor.echo', [1, 'two', 2 ** 32 + 1], { big: 2 ** 53, safe: 2 ** 53 - 1 });
      expect(res.args).toEqual([1, 'two', 2 ** 32 + 1]);
      expect(res.kwargs).toEqual({ big: 2n ** 53n, safe: 2 ** 53 - 1 });

      const got = deferred<unknown[]>();
      await callee.session.subscribe('ab.cbor.topic', (args: unknown[], kwargs: unknown) => got.resolve([args, kwargs]));
      await caller.session.publish('ab.cbor.topic', ['x'], { y: 1 }, { acknowledge: true });
      expect(await within(got.promise, 5000, 'the event')).toEqual([['x'], { y: 1 }]);
    } finally {
      await Promise.all([callee.close(), caller.close()]);
    }
  });
});
