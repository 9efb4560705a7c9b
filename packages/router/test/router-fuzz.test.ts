// Property test: whatever a session sends (random values, near-valid WAMP messages in any order),
// the router neither throws nor logs an internal error, and another session keeps being served.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { MessageTransport, WampMessage } from '@junction/wamp';
import { Router, createLocalLink } from '../src/index.js';

const CODES = [1, 2, 3, 4, 5, 6, 8, 16, 17, 32, 33, 34, 35, 36, 48, 49, 50, 64, 65, 66, 67, 68, 69, 70, 99];
const URIS = ['com.a', 'com.b', 'com.', 'com..x', 'wamp.session.count', 'wamp.session.kill', 'wamp.session.get', 'wamp.registration.list', 'bad uri', '', 'realm1'];

const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.integer({ min: -2, max: 5 }),
    fc.constantFrom(0, 1, 2 ** 53, 2 ** 53 + 2, -1, 1.5, NaN),
    fc.constantFrom(...URIS),
    fc.string({ maxLength: 5 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('acknowledge', 'exclude_me', 'match', 'invoke', 'receive_progress', 'progress', 'timeout', 'mode', 'eligible', 'exclude', 'disclose_me', 'get_retained', 'retain', 'x'), tie('v'), { maxKeys: 3 }),
  ),
})).v;

/** A message: a known type code followed by plausible fields, or anything at all. */
const message: fc.Arbitrary<unknown> = fc.oneof(
  fc.tuple(fc.constantFrom(...CODES), fc.integer({ min: 1, max: 4 }), fc.dictionary(fc.constantFrom('acknowledge', 'match', 'invoke', 'receive_progress', 'progress', 'mode', 'exclude_me'), value, { maxKeys: 2 }), fc.constantFrom(...URIS), fc.array(value, { maxLength: 2 })),
  fc.tuple(fc.constantFrom(...CODES), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
  fc.tuple(fc.constantFrom(8, 70, 49), fc.constantFrom(48, 68, 1, 2), fc.integer({ min: 1, max: 4 }), fc.object(), fc.constantFrom(...URIS)),
  fc.array(value, { maxLength: 6 }),
  value,
);

function collect(transport: MessageTransport): unknown[][] {
  const got: unknown[][] = [];
  transport.onmessage = (m) => got.push(m as unknown[]);
  return got;
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('router fuzz', () => {
  it('random input from one session never breaks the router or another session', async () => {
    const errors: unknown[] = [];
    const router = new Router({
      realms: [{ name: 'realm1' }],
      log: (level, msg, detail) => {
        if (level === 'error') errors.push([msg, detail]);
      },
      goodbyeTimeout: 50,
    });
    const bystander = createLocalLink();
    router.accept(bystander.router);
    const seen = collect(bystander.client);
    bystander.client.send([1, 'realm1', { roles: { caller: {}, callee: {}, subscriber: {} } }] as WampMessage);
    bystander.client.send([64, 1, {}, 'com.b'] as WampMessage);
    await tick();
    expect(seen.map((m) => m[0])).toEqual([2, 65]);
    let request = 100;

    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(message, { minLength: 1, maxLength: 12 }), async (hello, messages) => {
        const link = createLocalLink();
        router.accept(link.router);
        collect(link.client);
        if (hello) link.client.send([1, 'realm1', { roles: { caller: {}, callee: {}, publisher: {}, subscriber: {} } }] as WampMessage);
        for (const m of messages) link.client.send(m as WampMessage);
        await tick();
        link.client.close();
        // Invocations of com.b from the fuzzed session reach the bystander: answer them.
        for (const m of seen.splice(0)) if (m[0] === 68) bystander.client.send([70, m[1], {}, []] as WampMessage);
        const id = ++request;
        bystander.client.send([48, id, {}, 'wamp.session.count'] as WampMessage);
        await tick();
        const reply = seen.find((m) => m[1] === id);
        expect(reply?.[0]).toBe(50);
        expect(errors).toEqual([]);
      }),
      { numRuns: 300 },
    );
    await router.close();
  });
});
