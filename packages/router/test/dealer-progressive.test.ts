import { ErrorUri, MessageType } from '@junction/wamp';
import { describe, expect, it } from 'vitest';
import { AUTOBAHN_JS_CALLEE, FULL_CALLEE, FakePeer, call, invocation, makeDealer, register } from './dealer-support.js';

const { CALL, CANCEL, ERROR, INTERRUPT, INVOCATION, RESULT, YIELD } = MessageType;

describe('Dealer: progressive call results', () => {
  it.each([
    ['our client (progressive results + canceling)', FULL_CALLEE, true],
    ['Autobahn|JS (progressive results, no canceling)', AUTOBAHN_JS_CALLEE, true],
    ['a callee without progressive results', { call_canceling: true }, false],
  ])('forwards receive_progress to %s: %s', (_name, features, forwarded) => {
    const { dealer } = makeDealer();
    const callee = new FakePeer(features);
    const caller = new FakePeer();
    register(dealer, callee, 'com.example.stream');
    call(dealer, caller, 'com.example.stream', { receive_progress: true });
    expect(invocation(callee).details).toEqual(forwarded ? { receive_progress: true } : {});
  });

  it('sends progressive YIELDs as RESULT with progress, then the final RESULT', () => {
    const { dealer } = makeDealer();
    const callee = new FakePeer(FULL_CALLEE);
    const caller = new FakePeer();
    register(dealer, callee, 'com.example.stream');
    const request = call(dealer, caller, 'com.example.stream', { receive_progress: true });
    const inv = invocation(callee);
    dealer.yield(callee, [YIELD, inv.id, { progress: true }, ['Y2010', 120]]);
    dealer.yield(callee, [YIELD, inv.id, { progress: true }, [], { foo: 10 }]);
    dealer.yield(callee, [YIELD, inv.id, { progress: true }]);
    expect(dealer.pendingCallCount).toBe(1);
    dealer.yield(callee, [YIELD, inv.id, {}, ['Total', 490]]);
    expect(caller.take()).toEqual([
      [RESULT, request, { progress: true }, ['Y2010', 120]],
      [RESULT, request, { progress: true }, [], { foo: 10 }],
      [RESULT, request, { progress: true }],
      [RESULT, request, {}, ['Total', 490]],
    ]);
    expect(dealer.pendingCallCount).toBe(0);
  });

  it('does not pass progressive YIELDs to a caller that did not ask for them (it would take one for the result)', () => {
    const { dealer } = makeDealer();
    const callee = new FakePeer(FULL_CALLEE);
    const caller = new FakePeer();
    register(dealer, callee, 'com.example.stream');
    const request = call(dealer, caller, 'com.example.stream');
    const inv = invocation(callee);
    dealer.yield(callee, [YIELD, inv.id, { progress: true }, ['partial']]);
    expect(caller.take()).toEqual([]);
    dealer.yield(callee, [YIELD, inv.id, {}, ['final']]);
    expect(caller.take()).toEqual([[RESULT, request, {}, ['final']]]);
  });

  it('ends a progressive call with a callee ERROR after partial results', () => {
    const { dealer } = makeDealer();
    const callee = new FakePeer(FULL_CALLEE);
    const caller = new FakePeer();
    register(dealer, callee, 'com.example.stream');
    const request = call(dealer, caller, 'com.example.stream', { receive_progress: true });
    const inv = invocation(callee);
    dealer.yield(callee, [YIELD, inv.id, { progress: true }, [1]]);
    dealer.invocationError(callee, [ERROR, INVOCATION, inv.id, {}, 'com.myapp.invalid_revenue_year', [1830]]);
    expect(caller.take()).toEqual([
      [RESULT, request, { progress: true }, [1]],
      [ERROR, CALL, request, {}, 'com.myapp.invalid_revenue_year', [1830]],
    ]);
  });
});

describe('Dealer: progressive call invocations', () => {
  it('sends every chunk to the same callee under the same invocation ID, with frozen options', () => {
    const { dealer } = makeDealer();
    const callees = [new FakePeer(FULL_CALLEE), new FakePeer(FULL_CALLEE)];
    const caller = new FakePeer({}, 'uploader', 'writer');
    for (const callee of callees) register(dealer, callee, 'com.example.upload', { invoke: 'roundrobin' });
    const request = call(dealer, caller, 'com.example.upload', { progress: true, disclose_me: true, receive_progress: true }, ['chunk1']);
    const first = invocation(callees[0]!);
    const who = { caller: caller.id, caller_authid: 'uploader', caller_authrole: 'writer' };
    expect(first.details).toEqual({ ...who, receive_progress: true, progress: true });
    expect(first.args).toEqual(['chunk1']);
    // Later chunks repeat no options; round-robin does not move them to the other callee.
    call(dealer, caller, 'com.example.upload', { progress: true }, ['chunk2'], undefined, request);
    call(dealer, caller, 'com.example.upload', {}, ['chunk3'], { last: true }, request);
    expect(callees[0]!.take()).toEqual([
      [INVOCATION, first.id, first.registration, { ...who, receive_progress: true, progress: true }, ['chunk2']],
      [INVOCATION, first.id, first.registration, { ...who, receive_progress: true }, ['chunk3'], { last: true }],
    ]);
    expect(callees[1]!.take()).toEqual([]);
    dealer.yield(callees[0]!, [YIELD, first.id, { progress: true }, ['got 2']]);
    dealer.yield(callees[0]!, [YIELD, first.id, {}, ['got 3']]);
    expect(caller.take()).toEqual([
      [RESULT, request, { progress: true }, ['got 2']],
      [RESULT, request, {}, ['got 3']],
    ]);
    // A new call goes to the next callee.
    call(dealer, caller, 'com.example.upload', {}, ['other']);
    expect(invocation(callees[1]!).args).toEqual(['other']);
  });

  it('drops chunks that arrive after the call ended (spec: continuations on completed calls)', () => {
    const { dealer } = makeDealer();
    const callee = new FakePeer(FULL_CALLEE);
    const caller = new FakePeer();
    register(dealer, callee, 'com.example.upload');
    const request = call(dealer, caller, 'com.example.upload', { progress: true }, [1]);
    const inv = invocation(callee);
    dealer.invocationError(callee, [ERROR, INVOCATION, inv.id, {}, 'com.example.too_big']);
    expect(caller.one()[4]).toBe('com.example.too_big');
    call(dealer, caller, 'com.example.upload', { progress: true }, [2], undefined, request);
    call(dealer, caller, 'com.example.upload', {}, [3], undefined, request);
    expect(callee.take()).toEqual([]);
    expect(caller.take()).toEqual([]);
    expect(dealer.pendingCallCount).toBe(0);
    expect(caller.aborted).toBeUndefined();
  });

  it('answers wamp.error.feature_not_supported when the callee cannot take progressive invocations, and drops the later chunks', () => {
    const { dealer } = makeDealer();
    const callee = new FakePeer({ progressive_call_invocations: true }); // no call_canceling: not enough (spec)
    const caller = new FakePeer();
    register(dealer, callee, 'com.example.upload');
    const request = call(dealer, caller, 'com.example.upload', { progress: true }, [1]);
    expect(caller.one().slice(0, 5)).toEqual([ERROR, CALL, request, {}, 'wamp.error.feature_not_supported']);
    call(dealer, caller, 'com.example.upload', { progress: true }, [2], undefined, request);
    call(dealer, caller, 'com.example.upload', {}, [3], undefined, request);
    expect(caller.take()).toEqual([]);
    expect(callee.take()).toEqual([]);
  });

  it('drops the later chunks of a progressive call to an unknown procedure too', () => {
    const { dealer } = makeDealer();
    const caller = new FakePeer();
    const request = call(dealer, caller, 'com.example.nobody', { progress: true }, [1]);
    expect(caller.one()[4]).toBe(ErrorUri.NO_SUCH_PROCEDURE);
    call(dealer, caller, 'com.example.nobody', {}, [2], undefined, request);
    expect(caller.take()).toEqual([]);
  });

  it('a canceled progressive call takes no more chunks; the caller leaving interrupts the callee', () => {
    const { dealer } = makeDealer();
    const callee = new FakePeer(FULL_CALLEE);
    const caller = new FakePeer();
    register(dealer, callee, 'com.example.upload');
    const request = call(dealer, caller, 'com.example.upload', { progress: true }, [1]);
    const inv = invocation(callee);
    dealer.cancel(caller, [CANCEL, request, { mode: 'kill' }]);
    expect(callee.one()).toEqual([INTERRUPT, inv.id, { mode: 'kill', reason: ErrorUri.CANCELED }]);
    call(dealer, caller, 'com.example.upload', { progress: true }, [2], undefined, request);
    expect(callee.take()).toEqual([]);

    const second = call(dealer, caller, 'com.example.upload', { progress: true }, [1]);
    const inv2 = invocation(callee);
    expect(inv2.id).not.toBe(inv.id);
    caller.open = false;
    dealer.detach(caller);
    expect(callee.take()).toEqual([
      [INTERRUPT, inv2.id, { mode: 'killnowait', reason: ErrorUri.CANCELED }],
    ]);
    expect(second).toBeGreaterThan(request);
  });
});
