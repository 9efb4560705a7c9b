import { ErrorUri, MessageType } from '@junction/wamp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { planCancel } from '../src/dealer/cancel.js';
import { AUTOBAHN_JS_CALLEE, FULL_CALLEE, FakePeer, call, invocation, makeDealer, register } from './dealer-support.js';

const { CALL, CANCEL, ERROR, INTERRUPT, INVOCATION, RESULT, YIELD } = MessageType;

function setup(canCancel: boolean) {
  const fixture = makeDealer();
  const callee = new FakePeer(canCancel ? FULL_CALLEE : AUTOBAHN_JS_CALLEE);
  const caller = new FakePeer();
  register(fixture.dealer, callee, 'com.example.slow');
  const request = call(fixture.dealer, caller, 'com.example.slow', {}, [1]);
  const inv = invocation(callee);
  return { ...fixture, callee, caller, request, inv };
}

describe('Dealer: call canceling', () => {
  it('plans by mode and by callee support', () => {
    expect(planCancel('skip', true)).toEqual({ endNow: true, interrupt: undefined });
    expect(planCancel('kill', true)).toEqual({ endNow: false, interrupt: 'kill' });
    expect(planCancel('killnowait', true)).toEqual({ endNow: true, interrupt: 'killnowait' });
    for (const mode of ['skip', 'kill', 'killnowait'] as const) {
      expect(planCancel(mode, false)).toEqual({ endNow: true, interrupt: undefined });
    }
  });

  describe.each([true, false])('callee announces call_canceling: %s', (canCancel) => {
    it('skip: ERROR canceled at once, no INTERRUPT, the late answer is dropped', () => {
      const { dealer, callee, caller, request, inv } = setup(canCancel);
      dealer.cancel(caller, [CANCEL, request, { mode: 'skip' }]);
      const reply = caller.one();
      expect(reply.slice(0, 5)).toEqual([ERROR, CALL, request, {}, ErrorUri.CANCELED]);
      expect(callee.take()).toEqual([]);
      dealer.yield(callee, [YIELD, inv.id, {}, ['late']]);
      expect(caller.take()).toEqual([]);
      expect(dealer.pendingCallCount).toBe(0);
    });

    it('killnowait: ERROR canceled at once, INTERRUPT only when the callee can cancel, answers dropped', () => {
      const { dealer, callee, caller, request, inv } = setup(canCancel);
      dealer.cancel(caller, [CANCEL, request, { mode: 'killnowait' }]);
      expect(caller.one().slice(0, 5)).toEqual([ERROR, CALL, request, {}, ErrorUri.CANCELED]);
      expect(callee.take()).toEqual(canCancel ? [[INTERRUPT, inv.id, { mode: 'killnowait', reason: ErrorUri.CANCELED }]] : []);
      dealer.invocationError(callee, [ERROR, INVOCATION, inv.id, {}, ErrorUri.CANCELED]);
      expect(caller.take()).toEqual([]);
    });

    it('a CANCEL without mode acts as killnowait', () => {
      const { dealer, callee, caller, request, inv } = setup(canCancel);
      dealer.cancel(caller, [CANCEL, request, {}]);
      expect(caller.one()[4]).toBe(ErrorUri.CANCELED);
      expect(callee.take()).toEqual(canCancel ? [[INTERRUPT, inv.id, { mode: 'killnowait', reason: ErrorUri.CANCELED }]] : []);
    });

    if (canCancel) {
      it('kill: INTERRUPT, then the callee ERROR is the caller one final message', () => {
        const { dealer, callee, caller, request, inv } = setup(true);
        dealer.cancel(caller, [CANCEL, request, { mode: 'kill' }]);
        expect(callee.one()).toEqual([INTERRUPT, inv.id, { mode: 'kill', reason: ErrorUri.CANCELED }]);
        expect(caller.take()).toEqual([]);
        // A second CANCEL changes nothing.
        dealer.cancel(caller, [CANCEL, request, { mode: 'killnowait' }]);
        dealer.cancel(caller, [CANCEL, request, { mode: 'skip' }]);
        expect(caller.take()).toEqual([]);
        expect(callee.take()).toEqual([]);
        dealer.invocationError(callee, [ERROR, INVOCATION, inv.id, {}, ErrorUri.CANCELED, ['stopped']]);
        expect(caller.one()).toEqual([ERROR, CALL, request, {}, ErrorUri.CANCELED, ['stopped']]);
        dealer.yield(callee, [YIELD, inv.id, {}, ['late']]);
        expect(caller.take()).toEqual([]);
      });

      it('kill: a callee that finishes first answers with RESULT', () => {
        const { dealer, callee, caller, request, inv } = setup(true);
        dealer.cancel(caller, [CANCEL, request, { mode: 'kill' }]);
        callee.take();
        dealer.yield(callee, [YIELD, inv.id, {}, ['finished anyway']]);
        expect(caller.one()).toEqual([RESULT, request, {}, ['finished anyway']]);
      });
    } else {
      it('kill: acts as skip (ERROR at once, no INTERRUPT) since the callee cannot be interrupted', () => {
        const { dealer, callee, caller, request, inv } = setup(false);
        dealer.cancel(caller, [CANCEL, request, { mode: 'kill' }]);
        expect(caller.one().slice(0, 5)).toEqual([ERROR, CALL, request, {}, ErrorUri.CANCELED]);
        expect(callee.take()).toEqual([]);
        dealer.yield(callee, [YIELD, inv.id, {}, ['late']]);
        expect(caller.take()).toEqual([]);
      });
    }
  });

  it('ignores a CANCEL for a call that already ended or never existed', () => {
    const { dealer, callee, caller, request, inv } = setup(true);
    dealer.yield(callee, [YIELD, inv.id, {}, ['done']]);
    expect(caller.one()[0]).toBe(RESULT);
    dealer.cancel(caller, [CANCEL, request, { mode: 'killnowait' }]);
    dealer.cancel(caller, [CANCEL, request + 100, { mode: 'skip' }]);
    expect(caller.take()).toEqual([]);
    expect(callee.take()).toEqual([]);
  });

  it('only the caller can cancel its call', () => {
    const { dealer, callee, caller, request } = setup(true);
    const other = new FakePeer();
    dealer.cancel(other, [CANCEL, request, { mode: 'killnowait' }]);
    expect(other.take()).toEqual([]);
    expect(caller.take()).toEqual([]);
    expect(callee.take()).toEqual([]);
    expect(dealer.pendingCallCount).toBe(1);
  });

  it('aborts on an unknown cancel mode', () => {
    const { dealer, caller, request } = setup(true);
    dealer.cancel(caller, [CANCEL, request, { mode: 'nuke' }]);
    expect(caller.aborted?.reason).toBe(ErrorUri.PROTOCOL_VIOLATION);
  });
});

describe('Dealer: call timeout', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([true, false])('times out with wamp.error.timeout; INTERRUPT killnowait when the callee can cancel (%s)', (canCancel) => {
    vi.useFakeTimers();
    const { dealer } = makeDealer();
    const callee = new FakePeer(canCancel ? FULL_CALLEE : {});
    const caller = new FakePeer();
    register(dealer, callee, 'com.example.slow');
    const request = call(dealer, caller, 'com.example.slow', { timeout: 500 });
    const inv = invocation(callee);
    expect(inv.details).toEqual({}); // the dealer keeps the timer; the callee is not told
    vi.advanceTimersByTime(499);
    expect(caller.take()).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(caller.one().slice(0, 5)).toEqual([ERROR, CALL, request, {}, ErrorUri.TIMEOUT]);
    expect(callee.take()).toEqual(canCancel ? [[INTERRUPT, inv.id, { mode: 'killnowait', reason: ErrorUri.TIMEOUT }]] : []);
    dealer.yield(callee, [YIELD, inv.id, {}, ['late']]);
    expect(caller.take()).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('clears the timer when the result comes first', () => {
    vi.useFakeTimers();
    const { dealer } = makeDealer();
    const callee = new FakePeer(FULL_CALLEE);
    const caller = new FakePeer();
    register(dealer, callee, 'com.example.slow');
    const request = call(dealer, caller, 'com.example.slow', { timeout: 500 });
    const inv = invocation(callee);
    dealer.yield(callee, [YIELD, inv.id, {}, ['in time']]);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1000);
    expect(caller.take()).toEqual([[RESULT, request, {}, ['in time']]]);
    expect(callee.take()).toEqual([]);
  });

  it('measures the timeout between progressive results', () => {
    vi.useFakeTimers();
    const { dealer } = makeDealer();
    const callee = new FakePeer(FULL_CALLEE);
    const caller = new FakePeer();
    register(dealer, callee, 'com.example.stream');
    const request = call(dealer, caller, 'com.example.stream', { timeout: 500, receive_progress: true });
    const inv = invocation(callee);
    for (let i = 0; i < 3; i++) {
      vi.advanceTimersByTime(400);
      dealer.yield(callee, [YIELD, inv.id, { progress: true }, [i]]);
    }
    expect(caller.take()).toHaveLength(3); // 1200 ms in all, never 500 without a result
    vi.advanceTimersByTime(500);
    expect(caller.one().slice(0, 5)).toEqual([ERROR, CALL, request, {}, ErrorUri.TIMEOUT]);
  });

  it('a timeout of 0 means none', () => {
    vi.useFakeTimers();
    const { dealer } = makeDealer();
    const callee = new FakePeer();
    const caller = new FakePeer();
    register(dealer, callee, 'com.example.slow');
    call(dealer, caller, 'com.example.slow', { timeout: 0 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a kill-mode cancel that the callee never answers still ends at the timeout, without a second INTERRUPT', () => {
    vi.useFakeTimers();
    const { dealer } = makeDealer();
    const callee = new FakePeer(FULL_CALLEE);
    const caller = new FakePeer();
    register(dealer, callee, 'com.example.slow');
    const request = call(dealer, caller, 'com.example.slow', { timeout: 500 });
    const inv = invocation(callee);
    dealer.cancel(caller, [CANCEL, request, { mode: 'kill' }]);
    expect(callee.one()).toEqual([INTERRUPT, inv.id, { mode: 'kill', reason: ErrorUri.CANCELED }]);
    vi.advanceTimersByTime(500);
    expect(caller.one()[4]).toBe(ErrorUri.TIMEOUT);
    expect(callee.take()).toEqual([]);
  });
});

describe('Dealer: a callee that ignores a kill INTERRUPT', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ends the call with wamp.error.canceled after interruptTimeout, and drops the late answer', () => {
    vi.useFakeTimers();
    const { dealer } = makeDealer({ interruptTimeout: 2000 });
    const callee = new FakePeer(FULL_CALLEE);
    const caller = new FakePeer();
    register(dealer, callee, 'com.example.stubborn');
    const request = call(dealer, caller, 'com.example.stubborn', { timeout: 60_000 });
    const inv = invocation(callee);
    dealer.cancel(caller, [CANCEL, request, { mode: 'kill' }]);
    expect(callee.one()).toEqual([INTERRUPT, inv.id, { mode: 'kill', reason: ErrorUri.CANCELED }]);
    vi.advanceTimersByTime(1000);
    dealer.yield(callee, [YIELD, inv.id, { progress: true }, ['still busy']]); // progress does not extend the bound
    vi.advanceTimersByTime(999);
    expect(caller.take()).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(caller.one().slice(0, 5)).toEqual([ERROR, CALL, request, {}, ErrorUri.CANCELED]);
    expect(dealer.pendingCallCount).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    dealer.yield(callee, [YIELD, inv.id, {}, ['too late']]);
    expect(caller.take()).toEqual([]);
  });

  it('still gives the caller the callee answer when it comes within the bound', () => {
    vi.useFakeTimers();
    const { dealer } = makeDealer({ interruptTimeout: 2000 });
    const callee = new FakePeer(FULL_CALLEE);
    const caller = new FakePeer();
    register(dealer, callee, 'com.example.polite');
    const request = call(dealer, caller, 'com.example.polite');
    const inv = invocation(callee);
    dealer.cancel(caller, [CANCEL, request, { mode: 'kill' }]);
    callee.take();
    vi.advanceTimersByTime(500);
    dealer.invocationError(callee, [ERROR, INVOCATION, inv.id, {}, ErrorUri.CANCELED, ['stopped']]);
    expect(caller.one().slice(0, 6)).toEqual([ERROR, CALL, request, {}, ErrorUri.CANCELED, ['stopped']]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
