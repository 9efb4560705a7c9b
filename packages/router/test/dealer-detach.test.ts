import { ErrorUri, MessageType } from '@junction/wamp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AUTOBAHN_JS_CALLEE, FULL_CALLEE, FakePeer, call, invocation, makeDealer, register } from './dealer-support.js';

const { CALL, ERROR, INTERRUPT, INVOCATION, RESULT, YIELD } = MessageType;

function leave(dealer: { detach(peer: FakePeer): void }, peer: FakePeer): void {
  peer.open = false;
  dealer.detach(peer);
}

describe('Dealer: a callee leaves', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fails its pending calls at once with junction.error.callee_unavailable and a clear text', () => {
    vi.useFakeTimers();
    const { dealer } = makeDealer();
    const callee = new FakePeer(FULL_CALLEE);
    const other = new FakePeer();
    const a = new FakePeer();
    const b = new FakePeer();
    register(dealer, callee, 'com.example.slow');
    register(dealer, other, 'com.example.fast');
    const ra = call(dealer, a, 'com.example.slow', { timeout: 1000 });
    const rb = call(dealer, b, 'com.example.slow', { receive_progress: true });
    const rc = call(dealer, b, 'com.example.fast');
    const [, second] = callee.take() as [number, number][];
    dealer.yield(callee, [YIELD, second![1], { progress: true }, ['partial']]);
    expect(b.one()).toEqual([RESULT, rb, { progress: true }, ['partial']]);
    leave(dealer, callee);
    const failA = a.one();
    expect(failA.slice(0, 5)).toEqual([ERROR, CALL, ra, {}, ErrorUri.CALLEE_UNAVAILABLE]);
    expect((failA as unknown[])[5]).toEqual(['the callee of com.example.slow left before answering']);
    expect(b.one().slice(0, 5)).toEqual([ERROR, CALL, rb, {}, ErrorUri.CALLEE_UNAVAILABLE]);
    expect(vi.getTimerCount()).toBe(0); // the timeout of the failed call is gone
    // The other callee's call is untouched.
    const inv = invocation(other);
    dealer.yield(other, [YIELD, inv.id, {}, ['ok']]);
    expect(b.one()).toEqual([RESULT, rc, {}, ['ok']]);
    expect(dealer.pendingCallCount).toBe(0);
  });

  it('fails exactly the invocations still unanswered, whichever were answered before (first, middle, last)', () => {
    const { dealer } = makeDealer();
    const callee = new FakePeer(FULL_CALLEE);
    const caller = new FakePeer();
    register(dealer, callee, 'com.example.p');
    const requests = Array.from({ length: 6 }, () => call(dealer, caller, 'com.example.p'));
    const invocations = callee.take() as [number, number][];
    // Answer the oldest, one in the middle and the newest; answer one twice (ignored).
    for (const index of [0, 3, 5, 3]) dealer.yield(callee, [YIELD, invocations[index]![1], {}, [index]]);
    expect(caller.take().map((m) => m[1])).toEqual([requests[0], requests[3], requests[5]]);
    leave(dealer, callee);
    const failed = caller.take();
    expect(failed.every((m) => m[0] === ERROR && m[4] === ErrorUri.CALLEE_UNAVAILABLE)).toBe(true);
    expect(failed.map((m) => m[2]).sort()).toEqual([requests[1], requests[2], requests[4]].sort());
    expect(dealer.pendingCallCount).toBe(0);
  });

  it('removes its registrations (with meta events) so later calls find no procedure', () => {
    const { dealer, events } = makeDealer();
    const callee = new FakePeer();
    const stays = new FakePeer();
    const caller = new FakePeer();
    const solo = register(dealer, callee, 'com.example.solo');
    const sharedId = register(dealer, callee, 'com.example.shared', { invoke: 'roundrobin' });
    register(dealer, stays, 'com.example.shared', { invoke: 'roundrobin' });
    events.length = 0;
    leave(dealer, callee);
    expect(events).toEqual(
      expect.arrayContaining([
        { topic: 'wamp.registration.on_unregister', args: [callee.id, solo] },
        { topic: 'wamp.registration.on_delete', args: [callee.id, solo] },
        { topic: 'wamp.registration.on_unregister', args: [callee.id, sharedId] },
      ]),
    );
    expect(events).toHaveLength(3); // the shared registration lives on with its other callee
    const request = call(dealer, caller, 'com.example.solo');
    expect(caller.one().slice(0, 5)).toEqual([ERROR, CALL, request, {}, ErrorUri.NO_SUCH_PROCEDURE]);
    call(dealer, caller, 'com.example.shared');
    expect(invocation(stays).registration).toBe(sharedId);
    expect(dealer.registrationCount).toBe(1);
  });

  it('a session calling itself: leaving ends the call without messages to itself', () => {
    const { dealer } = makeDealer();
    const both = new FakePeer(FULL_CALLEE);
    register(dealer, both, 'com.example.self');
    call(dealer, both, 'com.example.self');
    invocation(both);
    leave(dealer, both);
    expect(both.take()).toEqual([]);
    expect(dealer.pendingCallCount).toBe(0);
  });
});

describe('Dealer: a caller leaves', () => {
  it('drops its calls; INTERRUPT killnowait only to callees that can cancel; late answers are ignored', () => {
    const { dealer } = makeDealer();
    const canceling = new FakePeer(FULL_CALLEE);
    const plain = new FakePeer(AUTOBAHN_JS_CALLEE);
    const caller = new FakePeer();
    const bystander = new FakePeer();
    register(dealer, canceling, 'com.example.a');
    register(dealer, plain, 'com.example.b');
    call(dealer, caller, 'com.example.a');
    call(dealer, caller, 'com.example.b');
    const rBystander = call(dealer, bystander, 'com.example.a');
    const [invA, invBystander] = canceling.take() as [number, number][];
    const invB = invocation(plain);
    leave(dealer, caller);
    expect(canceling.one()).toEqual([INTERRUPT, invA![1], { mode: 'killnowait', reason: ErrorUri.CANCELED }]);
    expect(plain.take()).toEqual([]);
    dealer.yield(plain, [YIELD, invB.id, {}, ['late']]);
    dealer.invocationError(canceling, [ERROR, INVOCATION, invA![1], {}, ErrorUri.CANCELED]);
    expect(caller.take()).toEqual([]);
    expect(dealer.pendingCallCount).toBe(1);
    dealer.yield(canceling, [YIELD, invBystander![1], {}, ['fine']]);
    expect(bystander.one()).toEqual([RESULT, rBystander, {}, ['fine']]);
  });

  it('does not interrupt twice a call already being killed', () => {
    const { dealer } = makeDealer();
    const callee = new FakePeer(FULL_CALLEE);
    const caller = new FakePeer();
    register(dealer, callee, 'com.example.a');
    const request = call(dealer, caller, 'com.example.a');
    invocation(callee);
    dealer.cancel(caller, [MessageType.CANCEL, request, { mode: 'kill' }]);
    expect(callee.one()[0]).toBe(INTERRUPT);
    leave(dealer, caller);
    expect(callee.take()).toEqual([]);
  });

  it('ignores messages from a session after it left', () => {
    const { dealer } = makeDealer();
    const peer = new FakePeer();
    leave(dealer, peer);
    dealer.register(peer, [MessageType.REGISTER, 1, {}, 'com.example.late']);
    expect(peer.take()).toEqual([]);
    expect(dealer.registrationCount).toBe(0);
  });
});
