// Property: whatever happens to calls (progress, answers, errors, cancels in every mode, timeouts,
// stray answers, callers and callees leaving), each call gets exactly one final message, nothing
// after it, INTERRUPT goes only to callees that announced call_canceling and at most once per
// invocation, and the dealer ends with no pending calls.
import fc from 'fast-check';
import { MessageType, type WampMessage } from '@junction/wamp';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AUTOBAHN_JS_CALLEE, FULL_CALLEE, FakePeer, call, makeDealer, register } from './dealer-support.js';

const { CALL, CANCEL, ERROR, INTERRUPT, INVOCATION, RESULT, YIELD } = MessageType;

type Step =
  | { kind: 'call'; caller: number; timeout: number; progress: boolean }
  | { kind: 'yield'; pick: number; progress: boolean }
  | { kind: 'error'; pick: number }
  | { kind: 'stray'; pick: number }
  | { kind: 'cancel'; caller: number; pick: number; mode: 'skip' | 'kill' | 'killnowait' | undefined }
  | { kind: 'wait'; ms: number }
  | { kind: 'leave'; who: 'caller' | 'callee'; index: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('call' as const), caller: fc.nat(1), timeout: fc.constantFrom(0, 0, 10, 50), progress: fc.boolean() }),
  fc.record({ kind: fc.constant('yield' as const), pick: fc.nat(20), progress: fc.boolean() }),
  fc.record({ kind: fc.constant('error' as const), pick: fc.nat(20) }),
  fc.record({ kind: fc.constant('stray' as const), pick: fc.nat(20) }),
  fc.record({ kind: fc.constant('cancel' as const), caller: fc.nat(1), pick: fc.nat(20), mode: fc.constantFrom('skip' as const, 'kill' as const, 'killnowait' as const, undefined) }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.constantFrom(5, 20, 60) }),
  fc.record({ kind: fc.constant('leave' as const), who: fc.constantFrom('caller' as const, 'callee' as const), index: fc.nat(1) }),
);

/** Invocation IDs a callee was sent, in order. */
function invocationsOf(callee: FakePeer): { id: number; registration: number }[] {
  return callee.sent.filter((m) => m[0] === INVOCATION).map((m) => ({ id: m[1] as number, registration: m[2] as number }));
}

function run(steps: Step[]): void {
  const { dealer } = makeDealer();
  const callees = [new FakePeer(FULL_CALLEE), new FakePeer(AUTOBAHN_JS_CALLEE)];
  const callers = [new FakePeer(), new FakePeer()];
  for (const callee of callees) register(dealer, callee, 'com.example.p', { invoke: 'roundrobin' });
  const requests: number[][] = [[], []];
  const leave = (peer: FakePeer) => {
    if (!peer.open) return;
    peer.open = false;
    dealer.detach(peer);
  };
  for (const s of steps) {
    switch (s.kind) {
      case 'call': {
        const caller = callers[s.caller]!;
        if (!caller.open) break;
        requests[s.caller]!.push(call(dealer, caller, 'com.example.p', { timeout: s.timeout, receive_progress: s.progress }));
        break;
      }
      case 'yield':
      case 'error':
      case 'stray': {
        const callee = callees[s.pick % 2]!;
        const invocations = invocationsOf(callee);
        if (invocations.length === 0 || !callee.open) break;
        const id = invocations[s.pick % invocations.length]!.id;
        if (s.kind === 'yield') dealer.yield(callee, [YIELD, id, s.progress ? { progress: true } : {}, ['r']]);
        else if (s.kind === 'error') dealer.invocationError(callee, [ERROR, INVOCATION, id, {}, 'com.example.failed']);
        else dealer.yield(callees[(s.pick + 1) % 2]!, [YIELD, id, {}, ['forged']]); // from the wrong session
        break;
      }
      case 'cancel': {
        const caller = callers[s.caller]!;
        const mine = requests[s.caller]!;
        if (!caller.open || mine.length === 0) break;
        dealer.cancel(caller, [CANCEL, mine[s.pick % mine.length]!, s.mode === undefined ? {} : { mode: s.mode }]);
        break;
      }
      case 'wait':
        vi.advanceTimersByTime(s.ms);
        break;
      case 'leave':
        leave(s.who === 'caller' ? callers[s.index]! : callees[s.index]!);
        break;
    }
  }
  // Settle: timers run out, then every callee still here answers everything it was sent.
  vi.advanceTimersByTime(1000);
  for (const callee of callees) {
    if (!callee.open) continue;
    for (const { id } of invocationsOf(callee)) dealer.yield(callee, [YIELD, id, {}, ['late']]);
  }
  expect(dealer.pendingCallCount).toBe(0);

  callers.forEach((caller, index) => {
    const finals = new Map<number, number>();
    for (const message of caller.sent) {
      const request = (message[0] === ERROR ? message[2] : message[1]) as number;
      expect(message[0] === RESULT || (message[0] === ERROR && message[1] === CALL)).toBe(true);
      // Nothing after the final message.
      expect(finals.get(request) ?? 0).toBe(0);
      const progress = message[0] === RESULT && (message[2] as Record<string, unknown>).progress === true;
      if (!progress) finals.set(request, 1);
    }
    if (caller.open) {
      for (const request of requests[index]!) expect(finals.get(request), `call ${request} has one final message`).toBe(1);
    }
  });
  callees.forEach((callee, index) => {
    const interrupts = callee.sent.filter((m: WampMessage) => m[0] === INTERRUPT).map((m) => m[1] as number);
    if (index === 1) expect(interrupts).toEqual([]); // did not announce call_canceling
    expect(new Set(interrupts).size).toBe(interrupts.length);
  });
}

describe('Dealer: call lifecycle property', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('every call ends exactly once, whatever happens', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        run(steps);
      }),
      { numRuns: 300 },
    );
  });
});
