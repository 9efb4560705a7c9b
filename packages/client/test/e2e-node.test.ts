/**
 * End to end in Node: @junction/client (its Node entry, over @junction/websocket) against
 * @junction/router, over real sockets on 127.0.0.1. One router serves the file; the reconnect
 * tests start their own routers, which they kill and replace on the same port.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { once } from 'node:events';
import { Client, ErrorUri, WampError, result, type CallResult, type ClientCloseInfo, type InvocationContext, type ReconnectingInfo } from '@junction/client';
import { Router } from '@junction/router';
import { HttpError } from '@junction/websocket';
import { ClientPool, deferred, quietLog, rejection, startRouter, waitFor, waitSubscribers, within } from './support/e2e-router.js';
import { startWireProxy, type WireProxy } from './support/e2e-wire.js';

const SERIALIZERS = ['json', 'msgpack', 'cbor'] as const;
const CALL = 48;
const PUBLISH = 16;

let router: Router;
let url: string;
let port: number;
const pool = new ClientPool();

beforeAll(async () => {
  ({ router, url, port } = await startRouter());
});

afterAll(async () => {
  await pool.closeAll();
  await router?.close();
});

/** Everything the payload tests send: nested values, unicode, integers up to 2^53, negative ones, binary. */
const PAYLOAD_ARGS = [1, 'two', { three: 3 }, [4, [5]], null, true, 2 ** 53 - 1, -(2 ** 40), 1.5, 'ü€🎉'];
const PAYLOAD_KWARGS = { a: { nested: [1, { b: 'c' }] }, big: 2 ** 53, neg: -7, empty: {}, list: [] };

describe.each(SERIALIZERS)('over wamp.2.%s', (serializer) => {
  let callee: Client;
  let caller: Client;
  const prefix = `e2e.${serializer}`;

  beforeAll(async () => {
    callee = await pool.open(url, serializer);
    caller = await pool.open(url, serializer);
  });

  it('connects with that serializer and gets a WELCOME announcing broker and dealer', () => {
    expect(caller.serializer).toBe(serializer);
    expect(caller.isOpen).toBe(true);
    expect(typeof caller.sessionId).toBe('number');
    expect(caller.sessionId).not.toBe(callee.sessionId);
    expect(caller.welcome).toMatchObject({ authrole: 'anonymous', roles: { broker: { features: expect.any(Object) }, dealer: { features: expect.any(Object) } } });
  });

  it('calls a procedure with args and kwargs and gets both back intact', async () => {
    let seen: { args: unknown[]; kwargs: Record<string, unknown>; procedure: string } | null = null;
    await callee.register(`${prefix}.echo`, (args, kwargs, ctx) => {
      seen = { args, kwargs, procedure: ctx.procedure };
      return result(args, kwargs);
    });
    const r = await caller.call(`${prefix}.echo`, PAYLOAD_ARGS, PAYLOAD_KWARGS);
    expect(seen).toEqual({ args: PAYLOAD_ARGS, kwargs: PAYLOAD_KWARGS, procedure: `${prefix}.echo` });
    expect(r.args).toEqual(PAYLOAD_ARGS);
    expect(r.kwargs).toEqual(PAYLOAD_KWARGS);
    expect(Number.isInteger(r.args[6])).toBe(true);
    expect(r.kwargs.big).toBe(2 ** 53);
  });

  it('carries binary values (Uint8Array) both ways', async () => {
    await callee.register(`${prefix}.bytes`, (args) => {
      const bytes = args[0] as Uint8Array;
      expect(bytes).toBeInstanceOf(Uint8Array);
      return Uint8Array.from(bytes, (b) => b ^ 0xff);
    });
    const sent = Uint8Array.from([0, 1, 2, 253, 254, 255]);
    const r = await caller.call(`${prefix}.bytes`, [sent]);
    expect(r.args[0]).toBeInstanceOf(Uint8Array);
    expect(Array.from(r.args[0] as Uint8Array)).toEqual([255, 254, 253, 2, 1, 0]);
  });

  it('plain return values become [value], undefined no args', async () => {
    await callee.register(`${prefix}.add`, (args) => (args[0] as number) + (args[1] as number));
    await callee.register(`${prefix}.nothing`, () => undefined);
    expect((await caller.call(`${prefix}.add`, [2, 40])).args).toEqual([42]);
    expect(await caller.call(`${prefix}.nothing`)).toMatchObject({ args: [], kwargs: {} });
  });

  it('a WampError thrown by the callee reaches the caller with its URI, args and kwargs', async () => {
    await callee.register(`${prefix}.fail`, async (args) => {
      throw new WampError('com.example.e2e.oops', ['bad input', args[0]], { code: 42, detail: { field: 'x' } });
    });
    const error = await rejection(caller.call(`${prefix}.fail`, [7]));
    expect(error).toBeInstanceOf(WampError);
    expect(error).toMatchObject({ uri: 'com.example.e2e.oops', args: ['bad input', 7], kwargs: { code: 42, detail: { field: 'x' } } });
  });

  it('any other throw becomes wamp.error.runtime_error with the message; unknown procedures no_such_procedure', async () => {
    await callee.register(`${prefix}.crash`, () => {
      throw new TypeError('kaboom');
    });
    expect(await rejection(caller.call(`${prefix}.crash`))).toMatchObject({ uri: 'wamp.error.runtime_error', args: ['kaboom'] });
    const missing = await rejection(caller.call(`${prefix}.missing`));
    expect(missing).toBeInstanceOf(WampError);
    expect(missing.uri).toBe('wamp.error.no_such_procedure');
  });

  it('publishes to a subscriber with args, kwargs and an acknowledgement', async () => {
    const got = deferred<{ args: unknown[]; kwargs: Record<string, unknown>; details: Record<string, unknown>; publication: number }>();
    await callee.subscribe(`${prefix}.topic`, (args, kwargs, details, publication) => got.resolve({ args, kwargs, details, publication }));
    const ack = await caller.publish(`${prefix}.topic`, PAYLOAD_ARGS, PAYLOAD_KWARGS, { acknowledge: true });
    expect(ack).toMatchObject({ publication: expect.any(Number) });
    const event = await within(got.promise, 2000, 'event');
    expect(event.args).toEqual(PAYLOAD_ARGS);
    expect(event.kwargs).toEqual(PAYLOAD_KWARGS);
    expect(event.publication).toBe(ack!.publication);
  });
});

describe('mixed serializers', () => {
  it('the client’s order of preference picks the subprotocol', async () => {
    expect((await pool.open(url, 'json', { serializers: ['cbor', 'json'] })).serializer).toBe('cbor');
    expect((await pool.open(url, 'json', { serializers: ['json', 'msgpack'] })).serializer).toBe('json');
  });

  it('a json caller calls a cbor callee and a msgpack subscriber gets a cbor publisher’s event', async () => {
    const jsonClient = await pool.open(url, 'json');
    const cborClient = await pool.open(url, 'cbor');
    const msgpackClient = await pool.open(url, 'msgpack');
    await cborClient.register('e2e.mixed.echo', (args, kwargs) => result(args, kwargs));
    expect(await jsonClient.call('e2e.mixed.echo', PAYLOAD_ARGS, PAYLOAD_KWARGS)).toMatchObject({ args: PAYLOAD_ARGS, kwargs: PAYLOAD_KWARGS });
    const got = deferred<unknown[]>();
    await msgpackClient.subscribe('e2e.mixed.topic', (args) => got.resolve(args));
    await cborClient.publish('e2e.mixed.topic', PAYLOAD_ARGS, {}, { acknowledge: true });
    expect(await within(got.promise, 2000, 'event')).toEqual(PAYLOAD_ARGS);
  });
});

describe('RPC', () => {
  let callee: Client;
  let caller: Client;

  beforeAll(async () => {
    callee = await pool.open(url, 'msgpack');
    caller = await pool.open(url, 'cbor');
  });

  it('discloseMe tells the callee who calls', async () => {
    const seen: Array<number | undefined> = [];
    await callee.register('e2e.rpc.who', (_a, _k, ctx) => {
      seen.push(ctx.caller);
      return ctx.callerAuthrole ?? null;
    });
    expect((await caller.call('e2e.rpc.who', [], {}, { discloseMe: true })).args).toEqual(['anonymous']);
    await caller.call('e2e.rpc.who');
    expect(seen).toEqual([caller.sessionId, undefined]);
  });

  it('progressive results arrive through onProgress, then the final result', async () => {
    await callee.register('e2e.rpc.countdown', async (args, _k, ctx) => {
      const n = args[0] as number;
      expect(ctx.receiveProgress).toBe(true);
      for (let i = n; i > 0; i--) ctx.progress([i], { left: i });
      return result(['liftoff'], { total: n });
    });
    const progress: CallResult[] = [];
    const final = await caller.call('e2e.rpc.countdown', [3], {}, { onProgress: (r) => progress.push(r) });
    expect(progress.map((p) => [p.args, p.kwargs, p.details.progress])).toEqual([
      [[3], { left: 3 }, true],
      [[2], { left: 2 }, true],
      [[1], { left: 1 }, true],
    ]);
    expect(final.args).toEqual(['liftoff']);
    expect(final.kwargs).toEqual({ total: 3 });
    expect(final.details.progress).not.toBe(true);
  });

  it('a callee does not send progress to a caller that did not ask for it', async () => {
    let sent: boolean | null = null;
    await callee.register('e2e.rpc.maybe-progress', (_a, _k, ctx) => {
      sent = ctx.progress([1]);
      return 'final';
    });
    expect((await caller.call('e2e.rpc.maybe-progress')).args).toEqual(['final']);
    expect(sent).toBe(false);
  });

  it('progressive results as an async iterator: every progress item, then the final result last', async () => {
    const items: CallResult[] = [];
    for await (const r of caller.callProgress('e2e.rpc.countdown', [4])) items.push(r);
    expect(items.map((r) => r.args[0])).toEqual([4, 3, 2, 1, 'liftoff']);
    expect(items.slice(0, 4).every((r) => r.details.progress === true)).toBe(true);
    expect(items[4]!.details.progress).not.toBe(true);
  });

  it('leaving the async iterator early cancels the call: the callee sees its signal abort', async () => {
    const aborted = deferred<unknown>();
    await callee.register('e2e.rpc.endless', async (_a, _k, ctx) => {
      let i = 0;
      while (!ctx.signal.aborted) {
        ctx.progress([i++]);
        await new Promise((r) => setTimeout(r, 5));
      }
      aborted.resolve(ctx.signal.reason);
    });
    const items: unknown[] = [];
    for await (const r of caller.callProgress('e2e.rpc.endless', [], {}, { cancelMode: 'kill' })) {
      items.push(r.args[0]);
      if (items.length === 2) break;
    }
    expect(items).toEqual([0, 1]);
    const reason = await within(aborted.promise, 2000, 'callee interrupt');
    expect(reason).toBeInstanceOf(WampError);
    expect((reason as WampError).uri).toBe('wamp.error.canceled');
  });

  it('a callProgress error surfaces from the loop as the callee’s WampError', async () => {
    await callee.register('e2e.rpc.progress-then-fail', (_a, _k, ctx) => {
      ctx.progress(['one']);
      throw new WampError('com.example.e2e.stream_broken', ['after one'], { at: 1 });
    });
    const items: unknown[] = [];
    const error = await rejection(
      (async () => {
        for await (const r of caller.callProgress('e2e.rpc.progress-then-fail')) items.push(r.args[0]);
      })(),
    );
    expect(items).toEqual(['one']);
    expect(error).toMatchObject({ uri: 'com.example.e2e.stream_broken', args: ['after one'], kwargs: { at: 1 } });
  });

  describe('cancel via AbortSignal', () => {
    /** A callee procedure that hangs until released; reports each invocation and its interrupt. */
    async function hangingProcedure(uri: string) {
      const invocations: Array<{ ctx: InvocationContext; release: (value: unknown) => void; interrupted: Promise<unknown> }> = [];
      const started = { next: deferred<void>() };
      await callee.register(uri, (args, _k, ctx) => {
        const release = deferred<unknown>();
        const interrupted = new Promise<unknown>((resolve) => ctx.signal.addEventListener('abort', () => resolve(ctx.signal.reason), { once: true }));
        invocations.push({ ctx, release: release.resolve, interrupted });
        started.next.resolve();
        return release.promise.then(() => args[0]);
      });
      return {
        invocations,
        /** Resolves when the next invocation starts. */
        nextStart() {
          started.next = deferred<void>();
          return started.next.promise;
        },
      };
    }

    for (const mode of ['kill', 'killnowait'] as const) {
      it(`mode ${mode}: the call rejects at once with wamp.error.canceled and the callee's signal aborts`, async () => {
        const proc = await hangingProcedure(`e2e.rpc.cancel.${mode}`);
        const controller = new AbortController();
        const started = proc.nextStart();
        const call = rejection(caller.call(`e2e.rpc.cancel.${mode}`, ['x'], {}, { signal: controller.signal, cancelMode: mode }));
        await within(started, 2000, 'invocation');
        controller.abort();
        const error = await within(call, 1000, 'cancelled call');
        expect(error).toBeInstanceOf(WampError);
        expect(error.uri).toBe('wamp.error.canceled');
        const reason = await within(proc.invocations[0]!.interrupted, 2000, 'INTERRUPT at the callee');
        expect((reason as WampError).uri).toBe('wamp.error.canceled');
        // Both sessions still work: the dealer sent exactly one final message, the client absorbed it.
        proc.invocations[0]!.release(undefined);
        const again = proc.nextStart();
        const second = caller.call(`e2e.rpc.cancel.${mode}`, ['second']);
        await within(again, 2000, 'second invocation');
        proc.invocations[1]!.release(undefined);
        expect((await second).args).toEqual(['second']);
      });
    }

    it('mode skip: the call rejects at once, the callee is not interrupted and its late result is dropped', async () => {
      const proc = await hangingProcedure('e2e.rpc.cancel.skip');
      const controller = new AbortController();
      const started = proc.nextStart();
      const call = rejection(caller.call('e2e.rpc.cancel.skip', ['first'], {}, { signal: controller.signal, cancelMode: 'skip' }));
      await within(started, 2000, 'invocation');
      controller.abort();
      expect((await within(call, 1000, 'cancelled call')).uri).toBe('wamp.error.canceled');
      // A second invocation travels the same connection after any INTERRUPT the dealer would have sent.
      const again = proc.nextStart();
      const second = caller.call('e2e.rpc.cancel.skip', ['second']);
      await within(again, 2000, 'second invocation');
      expect(proc.invocations[0]!.ctx.signal.aborted).toBe(false);
      proc.invocations[0]!.release(undefined); // the late YIELD of the skipped call
      proc.invocations[1]!.release(undefined);
      expect((await second).args).toEqual(['second']);
    });

    it('an already aborted signal rejects without calling', async () => {
      let invocations = 0;
      await callee.register('e2e.rpc.cancel.never', () => void invocations++);
      const error = await rejection(caller.call('e2e.rpc.cancel.never', [], {}, { signal: AbortSignal.abort() }));
      expect(error.uri).toBe('wamp.error.canceled');
      await caller.call('e2e.rpc.cancel.never'); // a CALL sent by the first one would have arrived before this one
      expect(invocations).toBe(1);
    });
  });

  it('call timeout: rejects with wamp.error.timeout and the callee is interrupted', async () => {
    const interrupted = deferred<unknown>();
    await callee.register('e2e.rpc.slow', (_a, _k, ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', () => {
      interrupted.resolve(ctx.signal.reason);
      resolve('too late');
    })));
    const error = await within(rejection(caller.call('e2e.rpc.slow', [], {}, { timeout: 100 })), 2000, 'timed out call');
    expect(error).toBeInstanceOf(WampError);
    expect(error.uri).toBe('wamp.error.timeout');
    const reason = await within(interrupted.promise, 2000, 'interrupt');
    expect(reason).toBeInstanceOf(WampError);
    expect((reason as WampError).uri).toMatch(/^wamp\.error\.(canceled|timeout)$/);
  });

  it('the dealer enforces the timeout option alone (a caller that waits longer locally)', async () => {
    const interrupted = deferred<void>();
    await callee.register('e2e.rpc.slow2', (_a, _k, ctx) => new Promise(() => ctx.signal.addEventListener('abort', () => interrupted.resolve())));
    // timeout sent only as a WAMP option: the local timer does not run, the dealer's does.
    const error = await within(rejection(caller.call('e2e.rpc.slow2', [], {}, { options: { timeout: 100 } })), 3000, 'dealer timeout');
    expect(error.uri).toBe('wamp.error.timeout');
    await within(interrupted.promise, 2000, 'interrupt');
  });

  it('shared registrations: roundrobin alternates between two clients; single refuses a second callee', async () => {
    const a = await pool.open(url, 'json');
    const b = await pool.open(url, 'msgpack');
    await a.register('e2e.rpc.rr', () => 'a', { invoke: 'roundrobin' });
    await b.register('e2e.rpc.rr', () => 'b', { invoke: 'roundrobin' });
    const answers: unknown[] = [];
    for (let i = 0; i < 6; i++) answers.push((await caller.call('e2e.rpc.rr')).args[0]);
    expect(answers.filter((x) => x === 'a')).toHaveLength(3);
    expect(answers.filter((x) => x === 'b')).toHaveLength(3);
    for (let i = 1; i < answers.length; i++) expect(answers[i]).not.toBe(answers[i - 1]);
    // a mismatching policy and a second `single` callee are refused
    expect((await rejection(callee.register('e2e.rpc.rr', () => 'c'))).uri).toBe('wamp.error.procedure_exists_with_different_invocation_policy');
    await a.register('e2e.rpc.single', () => 'a');
    expect((await rejection(b.register('e2e.rpc.single', () => 'b'))).uri).toBe('wamp.error.procedure_already_exists');
  });

  it('prefix and wildcard registrations see the called procedure', async () => {
    await callee.register('e2e.rpc.pfx', (_a, _k, ctx) => `prefix:${ctx.procedure}`, { match: 'prefix' });
    await callee.register('e2e.rpc..wild', (_a, _k, ctx) => `wildcard:${ctx.procedure}`, { match: 'wildcard' });
    expect((await caller.call('e2e.rpc.pfx.deep.er')).args).toEqual(['prefix:e2e.rpc.pfx.deep.er']);
    expect((await caller.call('e2e.rpc.any.wild')).args).toEqual(['wildcard:e2e.rpc.any.wild']);
  });

  it('unregister: the procedure is gone for callers', async () => {
    const reg = await callee.register('e2e.rpc.temp', () => 1);
    expect((await caller.call('e2e.rpc.temp')).args).toEqual([1]);
    await reg.unregister();
    expect(reg.active).toBe(false);
    expect((await rejection(caller.call('e2e.rpc.temp'))).uri).toBe('wamp.error.no_such_procedure');
  });

  it('when the callee leaves, its pending calls fail at once', async () => {
    const leaving = await pool.open(url, 'json');
    const started = deferred<void>();
    await leaving.register('e2e.rpc.leaving', () => {
      started.resolve();
      return new Promise(() => {});
    });
    const call = rejection(caller.call('e2e.rpc.leaving'));
    await within(started.promise, 2000, 'invocation');
    await leaving.close();
    const error = await within(call, 2000, 'call to a departed callee');
    expect(error).toBeInstanceOf(WampError);
    expect(error.uri).toBe(ErrorUri.CALLEE_UNAVAILABLE);
  });

  it('when the caller leaves, the running invocation is interrupted', async () => {
    const leaving = await pool.open(url, 'cbor');
    const started = deferred<void>();
    const aborted = deferred<unknown>();
    await callee.register('e2e.rpc.orphan', (_a, _k, ctx) => {
      started.resolve();
      return new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve(aborted.resolve(ctx.signal.reason))));
    });
    const call = rejection(leaving.call('e2e.rpc.orphan'));
    await within(started.promise, 2000, 'invocation');
    await leaving.close();
    expect((await call).uri).toBe('junction.error.connection_lost');
    expect(await within(aborted.promise, 2000, 'interrupt after the caller left')).toBeInstanceOf(WampError);
  });
});

describe('pub/sub', () => {
  let pub: Client;
  let sub: Client;
  let other: Client;

  beforeAll(async () => {
    pub = await pool.open(url, 'json');
    sub = await pool.open(url, 'msgpack');
    other = await pool.open(url, 'cbor');
  });

  /** Collects events of `topic` at `client` until the publisher's sentinel (`args[0] === 'end'`) arrives. */
  async function collector(client: Client, topic: string, options: Parameters<Client['subscribe']>[2] = {}) {
    const events: Array<{ args: unknown[]; kwargs: Record<string, unknown>; details: Record<string, unknown> }> = [];
    let end = deferred<void>();
    const subscription = await client.subscribe(
      topic,
      (args, kwargs, details) => {
        if (args[0] === 'end') end.resolve();
        else events.push({ args, kwargs, details });
      },
      options,
    );
    return {
      events,
      subscription,
      /** Publishes the sentinel (to everyone) and waits for it: every earlier event has arrived by then. */
      async settle(publisher: Client, sentinelTopic = topic) {
        end = deferred<void>();
        await publisher.publish(sentinelTopic, ['end'], {}, { acknowledge: true, excludeMe: false });
        await within(end.promise, 2000, `sentinel on ${sentinelTopic}`);
      },
    };
  }

  it('exact, prefix and wildcard subscriptions; pattern events name their topic', async () => {
    const exact = await collector(sub, 'e2e.ps.match.a.x');
    const prefix = await collector(sub, 'e2e.ps.match', { match: 'prefix' });
    const wildcard = await collector(other, 'e2e.ps.match..x', { match: 'wildcard' });
    await pub.publish('e2e.ps.match.a.x', [1]);
    await pub.publish('e2e.ps.match.b.y', [2]);
    await pub.publish('e2e.ps.match.c.x', [3]);
    await pub.publish('e2e.ps.other', [4]);
    await exact.settle(pub, 'e2e.ps.match.a.x');
    await prefix.settle(pub, 'e2e.ps.match.end');
    await wildcard.settle(pub, 'e2e.ps.match.end.x');
    expect(exact.events.map((e) => e.args[0])).toEqual([1]);
    expect(prefix.events.map((e) => [e.args[0], e.details.topic])).toEqual([
      [1, 'e2e.ps.match.a.x'],
      [2, 'e2e.ps.match.b.y'],
      [3, 'e2e.ps.match.c.x'],
    ]);
    expect(wildcard.events.map((e) => [e.args[0], e.details.topic])).toEqual([
      [1, 'e2e.ps.match.a.x'],
      [3, 'e2e.ps.match.c.x'],
    ]);
  });

  it('exclude_me: a publisher does not get its own event unless excludeMe is false', async () => {
    const own = await collector(pub, 'e2e.ps.self');
    await pub.publish('e2e.ps.self', ['default']);
    await pub.publish('e2e.ps.self', ['included'], {}, { excludeMe: false });
    await own.settle(pub);
    expect(own.events.map((e) => e.args[0])).toEqual(['included']);
  });

  it('eligible and exclude by session ID, authrole and authid', async () => {
    const atSub = await collector(sub, 'e2e.ps.list');
    const atOther = await collector(other, 'e2e.ps.list');
    await pub.publish('e2e.ps.list', ['only-sub'], {}, { eligible: [sub.sessionId!] });
    await pub.publish('e2e.ps.list', ['not-sub'], {}, { exclude: [sub.sessionId!] });
    await pub.publish('e2e.ps.list', ['nobody'], {}, { eligible: [sub.sessionId!], exclude: [sub.sessionId!] });
    await pub.publish('e2e.ps.list', ['no-anonymous'], {}, { excludeAuthrole: ['anonymous'] });
    await pub.publish('e2e.ps.list', ['anonymous'], {}, { eligibleAuthrole: ['anonymous'] });
    const subAuthid = sub.welcome!.authid!;
    expect(subAuthid).not.toBe(other.welcome!.authid);
    await pub.publish('e2e.ps.list', ['authid-sub'], {}, { eligibleAuthid: [subAuthid] });
    await pub.publish('e2e.ps.list', ['authid-not-sub'], {}, { excludeAuthid: [subAuthid] });
    await atSub.settle(pub);
    await atOther.settle(pub);
    expect(atSub.events.map((e) => e.args[0])).toEqual(['only-sub', 'anonymous', 'authid-sub']);
    expect(atOther.events.map((e) => e.args[0])).toEqual(['not-sub', 'anonymous', 'authid-not-sub']);
  });

  it('discloseMe gives subscribers the publisher’s session ID', async () => {
    const got = await collector(sub, 'e2e.ps.disclose');
    await pub.publish('e2e.ps.disclose', ['hidden']);
    await pub.publish('e2e.ps.disclose', ['shown'], {}, { discloseMe: true });
    await got.settle(pub);
    expect(got.events.map((e) => [e.args[0], e.details.publisher])).toEqual([
      ['hidden', undefined],
      ['shown', pub.sessionId],
    ]);
  });

  it('acknowledge resolves to the publication ID; without it publish resolves to undefined; bad URIs are refused', async () => {
    const ack = await pub.publish('e2e.ps.ack', [1], {}, { acknowledge: true });
    expect(Number.isInteger(ack!.publication)).toBe(true);
    expect(await pub.publish('e2e.ps.ack', [1])).toBeUndefined();
    const error = await rejection(pub.publish('e2e..ps bad', [1], {}, { acknowledge: true }));
    expect(error).toBeInstanceOf(WampError);
    expect(error.uri).toBe('wamp.error.invalid_uri');
  });

  it('retain + getRetained: a late subscriber gets the last retained event', async () => {
    await pub.publish('e2e.ps.retained', ['old'], {}, { retain: true, acknowledge: true });
    await pub.publish('e2e.ps.retained', ['latest'], { v: 2 }, { retain: true, acknowledge: true });
    await pub.publish('e2e.ps.retained', ['not retained'], {}, { acknowledge: true });
    const got = deferred<{ args: unknown[]; kwargs: Record<string, unknown>; details: Record<string, unknown> }>();
    await other.subscribe('e2e.ps.retained', (args, kwargs, details) => got.resolve({ args, kwargs, details }), { getRetained: true });
    const event = await within(got.promise, 2000, 'retained event');
    expect(event.args).toEqual(['latest']);
    expect(event.kwargs).toEqual({ v: 2 });
    expect(event.details.retained).toBe(true);
  });

  it('events() async iterator: yields events in order, and breaking out unsubscribes', async () => {
    const iterator = sub.events('e2e.ps.iter');
    const first = iterator.next(); // subscribes
    await waitSubscribers(pub, 'e2e.ps.iter', 1);
    for (let i = 0; i < 5; i++) await pub.publish('e2e.ps.iter', [i], { i });
    const seen: unknown[] = [(await within(first, 2000, 'first event')).value!.args[0]];
    for await (const event of { [Symbol.asyncIterator]: () => iterator }) {
      seen.push(event.args[0]);
      expect(event.kwargs).toEqual({ i: event.args[0] });
      if (seen.length === 5) break;
    }
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    await waitSubscribers(pub, 'e2e.ps.iter', 0);
  });

  it('two local handlers of one topic share one router subscription; unsubscribing one keeps the other', async () => {
    const a: unknown[] = [];
    const b: unknown[] = [];
    const sa = await other.subscribe('e2e.ps.shared', (args) => void a.push(args[0]));
    const sb = await other.subscribe('e2e.ps.shared', (args) => void b.push(args[0]));
    expect(sa.subscriptionId).toBe(sb.subscriptionId);
    await waitSubscribers(pub, 'e2e.ps.shared', 1);
    await pub.publish('e2e.ps.shared', [1], {}, { acknowledge: true });
    await waitFor(() => a.length === 1 && b.length === 1, 2000, 'both handlers');
    await sa.unsubscribe();
    await pub.publish('e2e.ps.shared', [2], {}, { acknowledge: true });
    await waitFor(() => b.length === 2, 2000, 'second handler');
    expect(a).toEqual([1]);
    await sb.unsubscribe();
    await waitSubscribers(pub, 'e2e.ps.shared', 0);
  });
});

describe('embedded sessions (realm.session())', () => {
  it('an embedded session calls a remote procedure and serves one to a remote caller; events flow both ways', async () => {
    const realm = router.realm('realm1')!;
    const embedded = pool.track(await realm.session({ authid: 'backend', authrole: 'trusted' }));
    const remote = await pool.open(url, 'cbor');
    expect(embedded.isOpen).toBe(true);
    expect(embedded.welcome).toMatchObject({ authid: 'backend', authrole: 'trusted' });

    await embedded.register('e2e.embedded.whoami', (args, kwargs, ctx) => result([ctx.caller ?? null, ...args], kwargs), { options: {} });
    const r = await remote.call('e2e.embedded.whoami', [1, 2], { k: 'v' }, { discloseMe: true });
    expect(r.args).toEqual([remote.sessionId, 1, 2]);
    expect(r.kwargs).toEqual({ k: 'v' });

    await remote.register('e2e.embedded.remote-add', (args) => (args[0] as number) + (args[1] as number));
    expect((await embedded.call('e2e.embedded.remote-add', [20, 22])).args).toEqual([42]);
    await remote.register('e2e.embedded.remote-fail', () => {
      throw new WampError('com.example.e2e.remote_failed', ['no'], { why: 'test' });
    });
    expect(await rejection(embedded.call('e2e.embedded.remote-fail'))).toMatchObject({ uri: 'com.example.e2e.remote_failed', args: ['no'], kwargs: { why: 'test' } });

    const atRemote = deferred<unknown[]>();
    await remote.subscribe('e2e.embedded.to-remote', (args) => atRemote.resolve(args));
    await embedded.publish('e2e.embedded.to-remote', [{ from: 'embedded' }], {}, { acknowledge: true });
    expect(await within(atRemote.promise, 2000, 'event at remote')).toEqual([{ from: 'embedded' }]);

    const atEmbedded = deferred<{ args: unknown[]; details: Record<string, unknown> }>();
    await embedded.subscribe('e2e.embedded.to-embedded', (args, _k, details) => atEmbedded.resolve({ args, details }));
    await remote.publish('e2e.embedded.to-embedded', [Uint8Array.from([1, 2, 3])], {}, { acknowledge: true, discloseMe: true });
    const event = await within(atEmbedded.promise, 2000, 'event at embedded');
    expect(Array.from(event.args[0] as Uint8Array)).toEqual([1, 2, 3]);
    expect(event.details.publisher).toBe(remote.sessionId);
  });
});

describe('batching', () => {
  let proxy: WireProxy;

  beforeAll(async () => {
    proxy = await startWireProxy(port);
  });

  afterAll(async () => {
    await proxy?.close();
  });

  it('calls issued in one tick leave in one socket write; awaited calls each in their own', async () => {
    const callee = await pool.open(url, 'msgpack');
    await callee.register('e2e.batch.echo', (args) => args[0]);
    const caller = await pool.open(`ws://127.0.0.1:${proxy.port}/ws`, 'json');
    const connection = (await proxy.stats()).at(-1)!;
    expect(connection).toBeDefined();

    // Control: awaited calls go out one write each (the proxy does see separate writes).
    const before = (await proxy.stats()).at(-1)!.chunks.length;
    for (let i = 0; i < 5; i++) await caller.call('e2e.batch.echo', [i]);
    const sequential = (await proxy.stats()).at(-1)!.chunks.slice(before);
    const sequentialCalls = sequential.filter((c) => c.frames.includes(CALL));
    expect(sequentialCalls.map((c) => c.frames)).toEqual([[CALL], [CALL], [CALL], [CALL], [CALL]]);

    // 20 calls and 5 publications in one tick: one chunk carrying all 25 frames. (Past 32 frames
    // @junction/websocket writes what it has and goes on, by design: see FLUSH_AT there.)
    const mark = (await proxy.stats()).at(-1)!.chunks.length;
    const calls = Array.from({ length: 20 }, (_, i) => caller.call('e2e.batch.echo', [i]));
    const publications = Array.from({ length: 5 }, (_, i) => caller.publish('e2e.batch.topic', [i]));
    const results = await Promise.all(calls);
    await Promise.all(publications);
    expect(results.map((r) => r.args[0])).toEqual(Array.from({ length: 20 }, (_, i) => i));
    await caller.call('e2e.batch.echo', ['after']); // the proxy has forwarded everything before this
    const batch = (await proxy.stats()).at(-1)!.chunks.slice(mark).filter((c) => c.frames.length > 0);
    expect(batch.map((c) => c.frames)).toEqual([[...Array<number>(20).fill(CALL), ...Array<number>(5).fill(PUBLISH)], [CALL]]);
  });
});

describe('reconnect', () => {
  /** An HTTP server (whose sockets we can destroy) with a router attached at /ws. */
  async function attachedRouter(atPort: number) {
    const server = http.createServer((_req, res) => res.writeHead(404).end());
    const sockets = new Set<Socket>();
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    const r = new Router({ realms: [{ name: 'realm1' }], log: quietLog });
    r.attach(server, { path: '/ws' });
    server.listen(atPort, '127.0.0.1');
    await once(server, 'listening');
    return {
      router: r,
      port: (server.address() as AddressInfo).port,
      /** Destroys every TCP connection (no WebSocket close, no GOODBYE), then stops router and server. */
      async crash() {
        for (const s of sockets) s.destroy();
        await r.close();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
      async close() {
        await r.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  }

  function record(client: Client) {
    const log = { open: 0, close: [] as ClientCloseInfo[], reconnecting: [] as ReconnectingInfo[], errors: [] as unknown[] };
    client.on('open', () => void log.open++);
    client.on('close', (info) => void log.close.push(info));
    client.on('reconnecting', (info) => void log.reconnecting.push(info));
    client.on('error', (error) => void log.errors.push(error));
    return log;
  }

  const RECONNECT = { initialDelay: 20, maxDelay: 200, factor: 2, jitter: 0.5 };

  it('after a crash and a new router on the same port: reconnects with backoff, restores registrations and subscriptions; pending calls reject at once', async () => {
    const first = await attachedRouter(0);
    const rurl = `ws://127.0.0.1:${first.port}/ws`;
    const callee = await pool.open(rurl, 'msgpack', { reconnect: RECONNECT });
    const caller = await pool.open(rurl, 'json', { reconnect: RECONNECT });
    const calleeLog = record(callee);
    const callerLog = record(caller);

    const echo = (args: unknown[]) => args[0];
    await callee.register('e2e.rc.echo', echo);
    let hangStarted = deferred<void>();
    let hangAborted = deferred<void>();
    await callee.register('e2e.rc.hang', (_a, _k, ctx) => {
      hangStarted.resolve();
      const aborted = hangAborted;
      ctx.signal.addEventListener('abort', () => aborted.resolve());
      return new Promise(() => {});
    });
    const events: unknown[] = [];
    await callee.subscribe('e2e.rc.topic', (args) => void events.push(args[0]));
    await callee.subscribe('e2e.rc.pfx', (args, _k, details) => void events.push(`${details.topic}:${args[0]}`), { match: 'prefix' });
    const oldCalleeSession = callee.sessionId;

    const pending = rejection(caller.call('e2e.rc.hang'));
    await within(hangStarted.promise, 2000, 'invocation');
    await first.crash();

    const error = await within(pending, 1000, 'the call pending at the drop');
    expect(error).toBeInstanceOf(WampError);
    expect(error.uri).toBe('junction.error.connection_lost');
    await within(hangAborted.promise, 1000, 'the running handler’s signal');
    await waitFor(() => calleeLog.close.length === 1 && callerLog.close.length === 1, 2000, 'close events');
    expect(calleeLog.close[0]).toMatchObject({ reason: 'junction.error.connection_lost', willReconnect: true });
    expect(caller.isOpen).toBe(false);
    expect((await rejection(caller.call('e2e.rc.echo', [1]))).uri).toBe('junction.error.not_connected');
    expect((await rejection(caller.publish('e2e.rc.topic', [1]))).uri).toBe('junction.error.not_connected');

    // Let a few attempts fail against the closed port, then bring up a new router there.
    await waitFor(() => calleeLog.reconnecting.length >= 3, 3000, 'three reconnect attempts');
    const second = await attachedRouter(first.port);
    try {
      await waitFor(() => calleeLog.open === 1 && callerLog.open === 1, 5000, 'reopened sessions');
      const attempts = calleeLog.reconnecting.map((r) => r.attempt);
      expect(attempts).toEqual(attempts.map((_, i) => i + 1));
      // Exponential backoff with jitter: initialDelay * factor^(attempt-1), capped, minus up to half of it.
      for (const r of calleeLog.reconnecting) {
        const base = Math.min(RECONNECT.maxDelay, RECONNECT.initialDelay * RECONNECT.factor ** (r.attempt - 1));
        expect(r.delay).toBeGreaterThanOrEqual(Math.floor(base * (1 - RECONNECT.jitter)));
        expect(r.delay).toBeLessThanOrEqual(base);
      }
      // Every attempt that failed against the closed port was reported as an `error` event.
      expect(calleeLog.errors.length).toBeGreaterThanOrEqual(calleeLog.reconnecting.length - 1);
      const attemptsBeforeReopen = calleeLog.reconnecting.length;
      expect(callee.sessionId).not.toBe(oldCalleeSession);

      // The new router never saw a REGISTER or SUBSCRIBE from the user: the client restored them.
      expect((await caller.call('e2e.rc.echo', ['again'])).args).toEqual(['again']);
      await waitSubscribers(caller, 'e2e.rc.topic', 1);
      await caller.publish('e2e.rc.topic', ['after'], {}, { acknowledge: true });
      await caller.publish('e2e.rc.pfx.deep', ['p'], {}, { acknowledge: true });
      await waitFor(() => events.length === 2, 2000, 'events after reconnect');
      expect(events).toEqual(['after', 'e2e.rc.pfx.deep:p']);

      // Graceful shutdown this time: GOODBYE wamp.close.system_shutdown, then a router listening on its own port.
      hangStarted = deferred<void>();
      hangAborted = deferred<void>();
      const pendingAtShutdown = rejection(caller.call('e2e.rc.hang'));
      await within(hangStarted.promise, 2000, 'invocation on the second router');
      await second.close();
      // The dealer may tell the caller that the callee left before the GOODBYE reaches it: either way, at once.
      const shutdownError = await within(pendingAtShutdown, 1000, 'the call pending at the shutdown');
      expect([ErrorUri.CALLEE_UNAVAILABLE, 'junction.error.connection_lost']).toContain(shutdownError.uri);
      await within(hangAborted.promise, 1000, 'the running handler’s signal at the shutdown');
      await waitFor(() => calleeLog.close.length === 2, 2000, 'second close');
      expect(calleeLog.close[1]).toMatchObject({ reason: 'wamp.close.system_shutdown', willReconnect: true });
      // The backoff was reset by the successful reconnect: attempts count from 1 again.
      await waitFor(() => calleeLog.reconnecting.length > attemptsBeforeReopen, 2000, 'reconnecting after the shutdown');
      expect(calleeLog.reconnecting[attemptsBeforeReopen]).toMatchObject({ attempt: 1 });
      expect(calleeLog.reconnecting[attemptsBeforeReopen]!.delay).toBeLessThanOrEqual(RECONNECT.initialDelay);
      const third = await startRouter({}, first.port);
      try {
        await waitFor(() => calleeLog.open === 2 && callerLog.open === 2, 5000, 'sessions on the third router');
        expect((await caller.call('e2e.rc.echo', ['third'])).args).toEqual(['third']);
        await caller.close();
        await callee.close();
        expect(callerLog.close.at(-1)).toMatchObject({ reason: 'wamp.close.normal', willReconnect: false });
      } finally {
        await third.router.close();
      }
    } finally {
      await second.close().catch(() => {});
    }
  });

  it('close() while reconnecting stops the attempts', async () => {
    const r = await attachedRouter(0);
    const client = await pool.open(`ws://127.0.0.1:${r.port}/ws`, 'cbor', { reconnect: RECONNECT });
    const log = record(client);
    await r.crash();
    await waitFor(() => log.reconnecting.length >= 1, 2000, 'reconnecting');
    await client.close();
    const count = log.reconnecting.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(log.reconnecting.length).toBe(count);
    expect(log.close.at(-1)).toMatchObject({ willReconnect: false });
    expect(client.isOpen).toBe(false);
  });

  it('reconnect: false -> a drop closes the client for good', async () => {
    const r = await attachedRouter(0);
    const client = await pool.open(`ws://127.0.0.1:${r.port}/ws`, 'json');
    const log = record(client);
    await r.crash();
    await waitFor(() => log.close.length === 1, 2000, 'close');
    expect(log.close[0]).toMatchObject({ willReconnect: false });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(log.reconnecting).toEqual([]);
  });
});

describe('refused handshakes', () => {
  /** A router whose upgrade check wants `Authorization: Bearer <gate.token>`, refusing with `gate.status` otherwise. */
  async function gatedRouter() {
    const gate = { token: 'good', status: 401, attempts: 0 };
    const server = http.createServer((_req, res) => res.writeHead(404).end());
    const sockets = new Set<Socket>();
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    const r = new Router({
      realms: [{ name: 'realm1' }],
      log: quietLog,
      authenticateUpgrade: (request) => {
        gate.attempts++;
        if (request.headers.authorization === `Bearer ${gate.token}`) return null;
        throw new HttpError(gate.status, gate.status === 401 ? 'bad token' : 'try later');
      },
    });
    r.attach(server, { path: '/ws' });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return {
      gate,
      url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`,
      /** Drops every connection without a closing handshake. */
      drop: () => {
        for (const s of sockets) s.destroy();
      },
      async close() {
        await r.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  }

  const RECONNECT = { initialDelay: 20, maxDelay: 100, factor: 2, jitter: 0 };
  const bearer = (token: string) => ({ webSocketOptions: { headers: { Authorization: `Bearer ${token}` } } });

  it('a 401 fails connect() at once with junction.error.connection_refused, its status and body, although reconnecting is on', async () => {
    const r = await gatedRouter();
    try {
      const started = Date.now();
      const error = await rejection(pool.open(r.url, 'json', { reconnect: RECONNECT, ...bearer('wrong') }));
      expect(error).toBeInstanceOf(WampError);
      expect((error as WampError).uri).toBe('junction.error.connection_refused');
      expect((error as WampError).kwargs).toEqual({ status: 401, body: 'bad token' });
      expect((error as WampError).message).toMatch(/401 Unauthorized: bad token/);
      expect(r.gate.attempts).toBe(1);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await r.close();
    }
  });

  it('a 503 is retried like any failed connection', async () => {
    const r = await gatedRouter();
    r.gate.status = 503;
    try {
      const error = await rejection(pool.open(r.url, 'json', { reconnect: { ...RECONNECT, maxRetries: 2 }, ...bearer('wrong') }));
      expect((error as { code?: string }).code).toBe('WS_ERR_HANDSHAKE');
      expect((error as Error).message).toBe('Unexpected server response: 503 Service Unavailable: try later');
      expect(r.gate.attempts).toBe(3);
    } finally {
      await r.close();
    }
  });

  it('a 403 while reconnecting stops the reconnects, with connection_refused as the close reason', async () => {
    const r = await gatedRouter();
    try {
      const client = await pool.open(r.url, 'json', { reconnect: RECONNECT, ...bearer('good') });
      const closes: ClientCloseInfo[] = [];
      client.on('close', (info) => void closes.push(info));
      r.gate.token = 'rotated';
      r.gate.status = 403;
      r.drop();
      await waitFor(() => closes.some((c) => !c.willReconnect), 3000, 'the final close');
      const attempts = r.gate.attempts;
      expect(closes.at(-1)).toMatchObject({ reason: 'junction.error.connection_refused', willReconnect: false });
      expect(closes.at(-1)!.message).toMatch(/403 Forbidden: try later/);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(r.gate.attempts).toBe(attempts); // no attempt after it
      expect(attempts).toBe(2); // the first connection and one refused reconnect
    } finally {
      await r.close();
    }
  });
});
