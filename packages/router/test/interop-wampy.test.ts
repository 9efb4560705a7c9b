/**
 * Interop: wampy 8 (npm `wampy`, in this Node process with the `ws` package as its WebSocket)
 * against our router, over wamp.2.json and wamp.2.msgpack, as caller, callee, publisher and
 * subscriber: args/kwargs, errors, progressive results, cancel in skip, kill and killnowait,
 * shared and pattern-based registrations, pattern subscriptions, ticket, wampcra (plain and
 * salted) and cryptosign.
 *
 * One router for the file; each serializer gets its own sessions and URIs (`wampy.<serializer>.*`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Wampy } from 'wampy';
import { sign as craSign } from 'wampy/wampcra.js';
import { sign as cryptosignSign } from 'wampy/cryptosign.js';
import {
  CREDENTIALS,
  connectWampy,
  deferred,
  outcome,
  settle,
  startInteropRouter,
  within,
  type InteropRouter,
  type WampyOptions,
} from './support/interop-peers.js';

const RESULT = 50;
const ERROR = 8;
const CALL = 48;

let ir: InteropRouter;
beforeAll(async () => {
  ir = await startInteropRouter();
});
afterAll(async () => {
  await ir?.close();
});

/**
 * wampy's auth plugins as `onChallenge` callbacks (their declared parameter types are narrower
 * than `OnChallengeCallback`'s, so TypeScript refuses them as they are).
 */
type Challenge = NonNullable<WampyOptions['onChallenge']>;
const craChallenge = (secret: string): Challenge => (method, extra) => craSign(secret)(method, extra as any);
const cryptosignChallenge = (seedHex: string): Challenge => (method, extra) => cryptosignSign(seedHex)(method, extra as any);

/** A wampy-style application error (wampy's callee reads error, argsList, argsDict off the throw). */
function wampyError(error: string, argsList: unknown[], argsDict: Record<string, unknown>) {
  return Object.assign(new Error(error), { error, argsList, argsDict });
}

describe.each(['json', 'msgpack'] as const)('wampy over wamp.2.%s', (serializer) => {
  let callee: Wampy;
  let callee2: Wampy;
  let caller: Wampy;
  /** Every message the caller received. */
  const callerInbound: unknown[][] = [];
  const uri = (name: string) => `wampy.${serializer}.${name}`;
  /**
   * wampy's MsgpackSerializer is msgpackr's default unpack: 64-bit integers (anything past 2^32,
   * such as session IDs) decode as bigint. Over JSON they are numbers.
   */
  const wide = (n: number): number | bigint => (serializer === 'msgpack' ? BigInt(n) : n);

  beforeAll(async () => {
    [callee, callee2, caller] = await Promise.all([
      connectWampy(ir.url, serializer),
      connectWampy(ir.url, serializer),
      connectWampy(ir.url, serializer, {}, callerInbound),
    ]);
    await callee.register(uri('add'), ({ argsList }) => ({ argsList: [(argsList![0] as number) + (argsList![1] as number)] }));
  });
  afterAll(async () => {
    await Promise.all([callee, callee2, caller].map((w) => w?.disconnect()));
  });

  /** Final messages (RESULT without progress, or ERROR for CALL) the caller got for `requestId`. */
  const finalsFor = (requestId: number) =>
    callerInbound.filter(
      (m) => (m[0] === RESULT && m[1] === requestId && !(m[2] as any)?.progress) || (m[0] === ERROR && m[1] === CALL && m[2] === requestId),
    );

  it('joins with the requested subprotocol; session IDs past 2^32 are bigint with wampy over msgpack', () => {
    expect(typeof caller.getSessionId()).toBe(serializer === 'msgpack' ? 'bigint' : 'number');
    const welcome = callerInbound.find((m) => m[0] === 2)!;
    expect(welcome).toBeDefined();
    expect(welcome[1]).toBe(caller.getSessionId());
    expect((welcome[2] as any).authmethod).toBe('anonymous');
  });

  it('calls with args and kwargs both ways; integers up to 2^53 stay exact; caller disclosed on request', async () => {
    let seenDetails: Record<string, unknown> = {};
    await callee.register(uri('echo'), ({ argsList, argsDict, details }) => {
      seenDetails = details;
      return { argsList: argsList ?? [], argsDict: argsDict ?? {} };
    });
    const argsList = [1, 'two', { three: 3 }, [4, [5]], null, false, 2.5];
    const argsDict = { big: 2 ** 53, neg: -(2 ** 53), text: 'héllo 🎉' };
    const res = await caller.call(uri('echo'), { argsList, argsDict }, { disclose_me: true });
    expect(res.argsList).toEqual(argsList);
    expect(res.argsDict).toEqual({ ...argsDict, big: wide(2 ** 53), neg: wide(-(2 ** 53)) });
    expect(seenDetails.caller).toBe(caller.getSessionId());

    expect((await caller.call(uri('add'), [40, 2])).argsList).toEqual([42]);
    await caller.call(uri('echo'), [0]);
    expect(seenDetails.caller).toBeUndefined();
  });

  it('errors carry args and kwargs; unknown procedures get wamp.error.no_such_procedure', async () => {
    await callee.register(uri('fail'), ({ argsList }) => {
      throw wampyError('com.example.error.invalid', ['bad', ...(argsList ?? [])], { code: 42 });
    });
    const failed = await outcome(caller.call(uri('fail'), ['x']));
    expect(failed.ok).toBe(false);
    if (failed.ok) return;
    expect(failed.error.name).toBe('CallError');
    expect(failed.error.errorUri).toBe('com.example.error.invalid');
    expect(failed.error.argsList).toEqual(['bad', 'x']);
    expect(failed.error.argsDict).toEqual({ code: 42 });

    const missing = await outcome(caller.call(uri('nobody.home')));
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.error.errorUri).toBe('wamp.error.no_such_procedure');
  });

  it('progressive call results: a wampy caller gets each progress, then the final result, from a wampy callee', async () => {
    let receiveProgress: unknown;
    await callee.register(uri('countdown'), async ({ argsList, details, result_handler }) => {
      receiveProgress = details.receive_progress;
      for (let i = argsList![0] as number; i > 0; i--) result_handler({ argsList: [i], argsDict: { left: i }, options: { progress: true } });
      return { argsList: ['liftoff'] };
    });
    const progress: unknown[] = [];
    const res = await caller.call(uri('countdown'), [3], { progress_callback: (p) => void progress.push([p.argsList, p.argsDict]) });
    // wampy's callee does not announce progressive_call_results, so the router does not tell it the
    // caller wants progress; progressive YIELDs it sends anyway reach a caller that asked for them.
    expect(receiveProgress).toBeUndefined();
    expect(progress).toEqual([
      [[3], { left: 3 }],
      [[2], { left: 2 }],
      [[1], { left: 1 }],
    ]);
    expect(res.argsList).toEqual(['liftoff']);
  });

  it.each(['skip', 'kill', 'killnowait'] as const)('cancel in %s mode: one wamp.error.canceled, the late YIELD dropped, both sessions keep working', async (mode) => {
    const invoked = deferred();
    const release = deferred();
    await callee.register(uri(`slow.${mode}`), async () => {
      invoked.resolve();
      await release.promise;
      return { argsList: ['too late'] };
    });
    const call = caller.call(uri(`slow.${mode}`), [1]);
    const requestId = caller.getOpStatus().reqId;
    const result = outcome(call);
    await within(invoked.promise, 5000, 'the invocation');
    expect(caller.cancel(requestId, { mode })).toBe(true);
    const r = await within(result, 5000, 'the canceled call to settle');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.errorUri).toBe('wamp.error.canceled');

    // wampy's callee announces no call_canceling: it must get no INTERRUPT (wampy would fail the
    // session on it). Its late YIELD must not reach the caller as a second final message.
    release.resolve();
    await settle(100);
    expect(finalsFor(requestId)).toHaveLength(1);
    expect(callee.getSessionId()).not.toBeNull();
    expect((await caller.call(uri('add'), [1, 2])).argsList).toEqual([3]);
  });

  it('call timeout: the router ends the call with wamp.error.timeout; the callee answers late and nothing more arrives', async () => {
    const release = deferred();
    await callee.register(uri('sleepy'), async () => {
      await release.promise;
      return { argsList: ['too late'] };
    });
    const call = outcome(caller.call(uri('sleepy'), [], { timeout: 100 }));
    const requestId = caller.getOpStatus().reqId;
    const r = await within(call, 5000, 'the timed-out call');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.errorUri).toBe('wamp.error.timeout');
    release.resolve();
    await settle(100);
    expect(finalsFor(requestId)).toHaveLength(1);
  });

  it('shared registrations: roundrobin alternates, first and last stick; policies must agree', async () => {
    for (const invoke of ['roundrobin', 'first', 'last'] as const) {
      await callee.register(uri(`shared.${invoke}`), () => ({ argsList: ['A'] }), { invoke });
      await callee2.register(uri(`shared.${invoke}`), () => ({ argsList: ['B'] }), { invoke });
    }
    const seq = async (invoke: string) => {
      let out = '';
      for (let i = 0; i < 4; i++) out += (await caller.call(uri(`shared.${invoke}`))).argsList![0];
      return out;
    };
    expect(['ABAB', 'BABA']).toContain(await seq('roundrobin'));
    expect(await seq('first')).toBe('AAAA');
    expect(await seq('last')).toBe('BBBB');

    const conflict = await outcome(caller.register(uri('shared.first'), () => ({}), { invoke: 'last' }));
    expect(conflict.ok).toBe(false);
    if (!conflict.ok) expect(conflict.error.errorUri).toBe('wamp.error.procedure_exists_with_different_invocation_policy');
    const taken = await outcome(callee.register(uri('shared.single'), () => ({})).then(() => caller.register(uri('shared.single'), () => ({}))));
    expect(taken.ok).toBe(false);
    if (!taken.ok) expect(taken.error.errorUri).toBe('wamp.error.procedure_already_exists');
  });

  it('pattern-based registrations: prefix and wildcard; details.procedure names the called URI', async () => {
    await callee.register(uri('api'), ({ details }) => ({ argsList: [`prefix:${details.procedure}`] }), { match: 'prefix' });
    await callee2.register(uri('svc..get'), ({ details }) => ({ argsList: [`wildcard:${details.procedure}`] }), { match: 'wildcard' });
    expect((await caller.call(uri('api.users.list'))).argsList).toEqual([`prefix:${uri('api.users.list')}`]);
    expect((await caller.call(uri('svc.users.get'))).argsList).toEqual([`wildcard:${uri('svc.users.get')}`]);
  });

  it('publishes and subscribes: exact, prefix and wildcard subscriptions; exclusion and disclosure', async () => {
    const publisher = caller;
    const subscriber = callee2;
    const got: unknown[][] = [];
    const all = deferred();
    const on = (sub: string) => (e: { details: any; argsList?: unknown[]; argsDict?: unknown }) => {
      got.push([sub, e.details.topic ?? uri('news'), e.argsList ?? [], e.argsDict ?? {}, e.details.publisher]);
      if (got.length === 4) all.resolve();
    };
    await subscriber.subscribe(uri('news'), on('exact'));
    await subscriber.subscribe(uri('pfx'), on('prefix'), { match: 'prefix' });
    await subscriber.subscribe(uri('w..alert'), on('wildcard'), { match: 'wildcard' });
    // wampy 8.0.2 drops `exclude_me: false` from PUBLISH options (it only sends truthy flags), so a
    // wampy publisher never receives its own events; the router's default exclusion applies.
    let selfEvents = 0;
    await publisher.subscribe(uri('news'), () => void selfEvents++);

    const pub = await publisher.publish(uri('news'), { argsList: [1], argsDict: { a: 1 } }, { disclose_me: true });
    expect(['number', 'bigint']).toContain(typeof pub.publicationId);
    await publisher.publish(uri('pfx.sports.football'), ['goal']);
    await publisher.publish(uri('w.eu.alert'), ['storm']);
    await publisher.publish(uri('w.eu.other'), ['nope']);
    await publisher.publish(uri('pf'), ['nope']);
    await publisher.publish(uri('news'), [2], { exclude_me: false });
    await within(all.promise, 5000, 'four events');
    await settle(50);
    expect(got).toEqual([
      ['exact', uri('news'), [1], { a: 1 }, publisher.getSessionId()], // a bigint over msgpack, see wide()
      ['prefix', uri('pfx.sports.football'), ['goal'], {}, undefined],
      ['wildcard', uri('w.eu.alert'), ['storm'], {}, undefined],
      ['exact', uri('news'), [2], {}, undefined],
    ]);
    expect(selfEvents).toBe(0);
  });

  describe('authentication', () => {
    const join = (options: Partial<WampyOptions>) => connectWampy(ir.url, serializer, options);
    const welcomeOf = async (options: Partial<WampyOptions>) => {
      const inbound: unknown[][] = [];
      const w = await connectWampy(ir.url, serializer, options, inbound);
      const details = inbound.find((m) => m[0] === 2)![2] as Record<string, unknown>;
      return { w, details };
    };

    it('ticket', async () => {
      const { w, details } = await welcomeOf({
        authid: CREDENTIALS.ticket.authid,
        authmethods: ['ticket'],
        onChallenge: (method) => (method === 'ticket' ? CREDENTIALS.ticket.ticket : 'unexpected'),
      });
      expect(details).toMatchObject({ authid: 'joe', authrole: 'user', authmethod: 'ticket' });
      expect((await w.call(uri('add'), [1, 1])).argsList).toEqual([2]);
      await w.disconnect();

      const bad = await outcome(join({ authid: 'joe', authmethods: ['ticket'], onChallenge: () => 'wrong' }));
      expect(bad.ok).toBe(false);
      if (!bad.ok) expect(bad.error.errorUri).toBe('wamp.error.authentication_failed');
    });

    it('wampcra without salt and with salt (wampy/wampcra derives the PBKDF2 key)', async () => {
      const plain = await welcomeOf({ authid: CREDENTIALS.wampcra.authid, authmethods: ['wampcra'], onChallenge: craChallenge(CREDENTIALS.wampcra.secret) });
      expect(plain.details).toMatchObject({ authid: 'peter', authrole: 'user', authmethod: 'wampcra' });
      await plain.w.disconnect();

      const s = CREDENTIALS.wampcraSalted;
      let extra: Record<string, unknown> = {};
      const sign = craChallenge(s.password);
      const salted = await welcomeOf({
        authid: s.authid,
        authmethods: ['wampcra'],
        onChallenge: (method, e) => {
          extra = e;
          return sign(method, e);
        },
      });
      expect(extra).toMatchObject({ salt: s.salt, iterations: s.iterations, keylen: s.keylen });
      expect(salted.details).toMatchObject({ authid: s.authid, authmethod: 'wampcra' });
      await salted.w.disconnect();

      const bad = await outcome(join({ authid: s.authid, authmethods: ['wampcra'], onChallenge: craChallenge('wrong') }));
      expect(bad.ok).toBe(false);
      if (!bad.ok) expect(bad.error.errorUri).toBe('wamp.error.authentication_failed');
    });

    it('cryptosign', async () => {
      const { w, details } = await welcomeOf({
        authid: CREDENTIALS.cryptosign.authid,
        authmethods: ['cryptosign'],
        authextra: { pubkey: CREDENTIALS.cryptosign.publicKeyHex },
        onChallenge: cryptosignChallenge(CREDENTIALS.cryptosign.seedHex),
      });
      expect(details).toMatchObject({ authid: 'alice', authrole: 'user', authmethod: 'cryptosign' });
      expect((await w.call(uri('add'), [2, 2])).argsList).toEqual([4]);
      await w.disconnect();

      // The right public key with a signature from another key is refused.
      const bad = await outcome(
        join({
          authid: CREDENTIALS.cryptosign.authid,
          authmethods: ['cryptosign'],
          authextra: { pubkey: CREDENTIALS.cryptosign.publicKeyHex },
          onChallenge: cryptosignChallenge('11'.repeat(32)),
        }),
      );
      expect(bad.ok).toBe(false);
      if (!bad.ok) expect(bad.error.errorUri).toBe('wamp.error.authentication_failed');
    });
  });
});

describe('wampy over wamp.2.cbor (smoke)', () => {
  it('routes a call and an event; integers up to 2^53 stay numbers (cbor-x with int64AsNumber)', async () => {
    const [callee, caller] = await Promise.all([connectWampy(ir.url, 'cbor'), connectWampy(ir.url, 'cbor')]);
    try {
      expect(typeof caller.getSessionId()).toBe('number');
      await callee.register('wampy.cbor.echo', ({ argsList, argsDict }) => ({ argsList: argsList ?? [], argsDict: argsDict ?? {} }));
      const res = await caller.call('wampy.cbor.echo', { argsList: [1, 'two'], argsDict: { big: 2 ** 53, neg: -(2 ** 53) } });
      expect(res.argsList).toEqual([1, 'two']);
      expect(res.argsDict).toEqual({ big: 2 ** 53, neg: -(2 ** 53) });

      const got = deferred<unknown[]>();
      await callee.subscribe('wampy.cbor.topic', (e) => got.resolve([e.argsList, e.argsDict]));
      await caller.publish('wampy.cbor.topic', { argsList: ['x'], argsDict: { y: 1 } });
      expect(await within(got.promise, 5000, 'the event')).toEqual([['x'], { y: 1 }]);
    } finally {
      await Promise.all([callee.disconnect(), caller.disconnect()]);
    }
  });
});
