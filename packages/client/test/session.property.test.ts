/** Property tests of the session state machine (fast-check). */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MessageType as T } from '@junction/wamp';
import { Session } from '../src/index.js';
import { FakeTransport, flush, welcome } from './support/fake-transport.js';

const anyValue = fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.boolean(), fc.dictionary(fc.string(), fc.integer()), fc.array(fc.integer()));
const id = fc.integer({ min: 0, max: 6 });
/** Router messages: well-formed ones about request/registration/subscription IDs 0-6, malformed ones, junk. */
const routerMessage = fc.oneof(
  fc.tuple(fc.constant(T.RESULT), id, fc.oneof(fc.constant({}), fc.constant({ progress: true })), fc.array(anyValue)),
  fc.tuple(fc.constant(T.ERROR), fc.constantFrom(T.CALL, T.REGISTER, T.SUBSCRIBE, T.PUBLISH, 99), id, fc.constant({}), fc.constant('com.err')),
  fc.tuple(fc.constant(T.EVENT), id, fc.integer({ min: 1, max: 9 }), fc.constant({}), fc.array(anyValue)),
  fc.tuple(fc.constant(T.INVOCATION), id, id, fc.oneof(fc.constant({}), fc.constant({ progress: true }), fc.constant({ receive_progress: true })), fc.array(anyValue)),
  fc.tuple(fc.constant(T.INTERRUPT), id, fc.record({ mode: fc.constantFrom('kill', 'killnowait', 'skip') })),
  fc.tuple(fc.constantFrom(T.REGISTERED, T.SUBSCRIBED, T.PUBLISHED), id, fc.integer({ min: 1, max: 6 })),
  fc.tuple(fc.constantFrom(T.UNREGISTERED, T.UNSUBSCRIBED), id),
  fc.tuple(fc.constant(T.GOODBYE), fc.constant({}), fc.constant('wamp.close.system_shutdown')),
  fc.tuple(fc.constant(T.WELCOME), fc.integer({ min: 1, max: 5 }), fc.constant({})),
  fc.array(anyValue, { maxLength: 7 }),
  anyValue,
);

describe('session properties', () => {
  it('never throws on any sequence of router messages; a violation always ends in ABORT and a closed session', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(routerMessage, { maxLength: 25 }), async (messages) => {
        const transport = new FakeTransport();
        const session = new Session(transport, { realm: 'r' });
        transport.deliver(welcome());
        const calls = [session.call('a'), session.call('b', [], undefined, { signal: AbortSignal.abort() })];
        void session.register({ procedure: 'p', handler: async (_a, _k, ctx) => ctx.progress([1]) }).catch(() => {});
        void session.subscribe('t', { dispatch: () => {} }).catch(() => {});
        for (const call of calls) call.catch(() => {});
        for (const message of messages) {
          expect(() => transport.deliver(message)).not.toThrow();
          await flush(2);
        }
        const aborts = transport.ofType(T.ABORT);
        if (aborts.length > 0) {
          expect(aborts.length).toBe(1);
          expect(session.state).toBe('closed');
        }
        if (session.state === 'closed') expect(transport.closed).not.toBeNull();
        // Whatever happened, dropping the link settles everything.
        transport.drop();
        await Promise.allSettled(calls);
        expect(session.pendingCalls).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('a call promise settles exactly once whatever races: results, errors, aborts, timeouts, drops', async () => {
    const step = fc.constantFrom('result', 'progress', 'error', 'abort', 'drop', 'tick');
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 8 }), fc.constantFrom('skip', 'kill', 'killnowait'), async (steps, mode) => {
        const transport = new FakeTransport();
        const session = new Session(transport, { realm: 'r' });
        transport.deliver(welcome());
        const controller = new AbortController();
        let settlements = 0;
        let progress = 0;
        const call = session.call('p', [], undefined, { signal: controller.signal, cancelMode: mode, timeout: 1, onProgress: () => progress++ });
        call.then(() => settlements++, () => settlements++);
        for (const s of steps) {
          if (s === 'result') transport.deliver([T.RESULT, 1, {}]);
          else if (s === 'progress') transport.deliver([T.RESULT, 1, { progress: true }]);
          else if (s === 'error') transport.deliver([T.ERROR, T.CALL, 1, {}, 'com.err']);
          else if (s === 'abort') controller.abort();
          else if (s === 'drop') transport.drop();
          else await new Promise((r) => setTimeout(r, 2));
          await flush(2);
        }
        transport.drop();
        await Promise.allSettled([call]);
        await flush(2);
        expect(settlements).toBe(1);
        expect(transport.ofType(T.CANCEL).length).toBeLessThanOrEqual(1);
        expect(session.pendingCalls).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});
