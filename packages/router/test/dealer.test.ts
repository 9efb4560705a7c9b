import { ErrorUri, MessageType, WampError, isWampId } from '@junction/wamp';
import { describe, expect, it } from 'vitest';
import { FULL_CALLEE, FakePeer, call, invocation, makeDealer, register, rid } from './dealer-support.js';

const { CALL, ERROR, INVOCATION, REGISTER, REGISTERED, RESULT, UNREGISTER, UNREGISTERED, YIELD } = MessageType;

describe('Dealer: register and unregister', () => {
  it('answers REGISTERED with a random registration ID', () => {
    const { dealer } = makeDealer();
    const a = new FakePeer();
    const b = new FakePeer();
    const idA = register(dealer, a, 'com.example.a');
    const idB = register(dealer, b, 'com.example.b');
    expect(isWampId(idA)).toBe(true);
    expect(isWampId(idB)).toBe(true);
    expect(idA).not.toBe(idB);
    // Random, not sequential from 1.
    expect(idA > 1000 || idB > 1000).toBe(true);
  });

  it.each([
    ['com..bad', {}, ErrorUri.INVALID_URI],
    ['com.bad uri', {}, ErrorUri.INVALID_URI],
    ['com.#bad', { match: 'prefix' }, ErrorUri.INVALID_URI],
    ['wamp.registration.list', {}, ErrorUri.INVALID_URI],
    ['wamp', { match: 'prefix' }, ErrorUri.INVALID_URI],
    ['wamp..list', { match: 'wildcard' }, ErrorUri.INVALID_URI],
    ['com.example', { match: 'fuzzy' }, ErrorUri.INVALID_ARGUMENT],
    ['com.example', { invoke: 'everyone' }, ErrorUri.INVALID_ARGUMENT],
  ])('refuses %s %j with %s', (uri, options, error) => {
    const { dealer } = makeDealer();
    const peer = new FakePeer();
    const request = rid();
    dealer.register(peer, [REGISTER, request, options, uri]);
    const reply = peer.one();
    expect(reply.slice(0, 5)).toEqual([ERROR, REGISTER, request, {}, error]);
    expect(typeof (reply as unknown[])[5] === 'object' && typeof ((reply as unknown[])[5] as unknown[])[0]).toBe('string');
    expect(dealer.registrationCount).toBe(0);
  });

  it('accepts prefix and wildcard patterns with empty components', () => {
    const { dealer } = makeDealer();
    const peer = new FakePeer();
    register(dealer, peer, 'com.example.', { match: 'prefix' });
    register(dealer, peer, 'com..get', { match: 'wildcard' });
    expect(dealer.registrationCount).toBe(2);
  });

  it('refuses a second registration of a single registration', () => {
    const { dealer } = makeDealer();
    const a = new FakePeer();
    const b = new FakePeer();
    register(dealer, a, 'com.example.proc');
    const request = rid();
    dealer.register(b, [REGISTER, request, {}, 'com.example.proc']);
    expect(b.one().slice(0, 5)).toEqual([ERROR, REGISTER, request, {}, ErrorUri.PROCEDURE_ALREADY_EXISTS]);
    // Also when the second one asks for a shared policy.
    dealer.register(b, [REGISTER, request + 1, { invoke: 'roundrobin' }, 'com.example.proc']);
    expect(b.one()[4]).toBe(ErrorUri.PROCEDURE_ALREADY_EXISTS);
    // The same session twice in a shared registration.
    register(dealer, a, 'com.example.shared', { invoke: 'roundrobin' });
    dealer.register(a, [REGISTER, request + 2, { invoke: 'roundrobin' }, 'com.example.shared']);
    expect(a.one()[4]).toBe(ErrorUri.PROCEDURE_ALREADY_EXISTS);
  });

  it('refuses joining a shared registration with another invocation policy', () => {
    const { dealer } = makeDealer();
    const a = new FakePeer();
    const b = new FakePeer();
    const id = register(dealer, a, 'com.example.proc', { invoke: 'roundrobin' });
    const request = rid();
    dealer.register(b, [REGISTER, request, { invoke: 'random' }, 'com.example.proc']);
    expect(b.one().slice(0, 5)).toEqual([ERROR, REGISTER, request, {}, ErrorUri.PROCEDURE_EXISTS_WITH_DIFFERENT_INVOCATION_POLICY]);
    dealer.register(b, [REGISTER, request + 1, {}, 'com.example.proc']);
    expect(b.one()[4]).toBe(ErrorUri.PROCEDURE_EXISTS_WITH_DIFFERENT_INVOCATION_POLICY);
    // Same policy: joins, with the same registration ID.
    expect(register(dealer, b, 'com.example.proc', { invoke: 'roundrobin' })).toBe(id);
  });

  it('keeps exact, prefix and wildcard registrations of the same URI apart', () => {
    const { dealer } = makeDealer();
    const a = new FakePeer();
    const ids = new Set([
      register(dealer, a, 'com.example', {}),
      register(dealer, a, 'com.example', { match: 'prefix' }),
      register(dealer, a, 'com.example', { match: 'wildcard' }),
    ]);
    expect(ids.size).toBe(3);
  });

  it('limits registrations per session', () => {
    const { dealer } = makeDealer({ maxRegistrationsPerSession: 2 });
    const a = new FakePeer();
    const b = new FakePeer();
    register(dealer, a, 'com.example.one');
    const two = register(dealer, a, 'com.example.two');
    const request = rid();
    dealer.register(a, [REGISTER, request, {}, 'com.example.three']);
    expect(a.one().slice(0, 5)).toEqual([ERROR, REGISTER, request, {}, ErrorUri.LIMIT_EXCEEDED]);
    register(dealer, b, 'com.example.three'); // other sessions are not affected
    dealer.unregister(a, [UNREGISTER, rid(), two]);
    a.take();
    register(dealer, a, 'com.example.four');
  });

  it('unregisters, and refuses unknown or foreign registrations', () => {
    const { dealer } = makeDealer();
    const a = new FakePeer();
    const b = new FakePeer();
    const id = register(dealer, a, 'com.example.proc');
    let request = rid();
    dealer.unregister(b, [UNREGISTER, request, id]);
    expect(b.one().slice(0, 5)).toEqual([ERROR, UNREGISTER, request, {}, ErrorUri.NO_SUCH_REGISTRATION]);
    request = rid();
    dealer.unregister(a, [UNREGISTER, request, 12345]);
    expect(a.one().slice(0, 5)).toEqual([ERROR, UNREGISTER, request, {}, ErrorUri.NO_SUCH_REGISTRATION]);
    request = rid();
    dealer.unregister(a, [UNREGISTER, request, id]);
    expect(a.one()).toEqual([UNREGISTERED, request]);
    expect(dealer.registrationCount).toBe(0);
    const callRequest = call(dealer, b, 'com.example.proc');
    expect(b.one().slice(0, 5)).toEqual([ERROR, CALL, callRequest, {}, ErrorUri.NO_SUCH_PROCEDURE]);
    // Registering again works after the unregistration.
    register(dealer, b, 'com.example.proc');
  });
});

describe('Dealer: call, yield, error', () => {
  it('routes CALL -> INVOCATION -> YIELD -> RESULT with args and kwargs untouched', () => {
    const { dealer } = makeDealer();
    const callee = new FakePeer();
    const caller = new FakePeer();
    const registration = register(dealer, callee, 'com.example.add');
    const request = call(dealer, caller, 'com.example.add', {}, [2, 3], { round: true });
    const inv = invocation(callee);
    expect(inv.registration).toBe(registration);
    expect(inv.details).toEqual({});
    expect(inv.args).toEqual([2, 3]);
    expect(inv.kwargs).toEqual({ round: true });
    expect(dealer.pendingCallCount).toBe(1);
    dealer.yield(callee, [YIELD, inv.id, {}, [5], { exact: true }]);
    expect(caller.one()).toEqual([RESULT, request, {}, [5], { exact: true }]);
    expect(dealer.pendingCallCount).toBe(0);
  });

  it('keeps the message shapes short: no payload, args only, kwargs only', () => {
    const { dealer } = makeDealer();
    const callee = new FakePeer();
    const caller = new FakePeer();
    register(dealer, callee, 'com.example.p');
    call(dealer, caller, 'com.example.p');
    let inv = invocation(callee);
    expect(inv.args).toBeUndefined();
    dealer.yield(callee, [YIELD, inv.id, {}]);
    expect(caller.one()).toHaveLength(3);
    call(dealer, caller, 'com.example.p', {}, undefined, { k: 1 });
    inv = invocation(callee);
    expect(inv.args).toEqual([]);
    expect(inv.kwargs).toEqual({ k: 1 });
    dealer.yield(callee, [YIELD, inv.id, {}, [], { r: 1 }]);
    expect(caller.one().slice(3)).toEqual([[], { r: 1 }]);
  });

  it('gives each pending call its own invocation ID', () => {
    const { dealer } = makeDealer();
    const callee = new FakePeer();
    const caller = new FakePeer();
    register(dealer, callee, 'com.example.p');
    const r1 = call(dealer, caller, 'com.example.p', {}, [1]);
    const r2 = call(dealer, caller, 'com.example.p', {}, [2]);
    const [i1, i2] = callee.take() as [number, number][];
    expect(i1![1]).not.toBe(i2![1]);
    // Answers out of order reach the right calls.
    dealer.yield(callee, [YIELD, i2![1], {}, ['two']]);
    dealer.yield(callee, [YIELD, i1![1], {}, ['one']]);
    expect(caller.take()).toEqual([
      [RESULT, r2, {}, ['two']],
      [RESULT, r1, {}, ['one']],
    ]);
  });

  it('forwards a callee ERROR with the same URI, args and kwargs', () => {
    const { dealer } = makeDealer();
    const callee = new FakePeer();
    const caller = new FakePeer();
    register(dealer, callee, 'com.example.p');
    const request = call(dealer, caller, 'com.example.p');
    const inv = invocation(callee);
    dealer.invocationError(callee, [ERROR, INVOCATION, inv.id, { ignored: 1 }, 'com.example.error.nope', ['no'], { code: 7 }]);
    expect(caller.one()).toEqual([ERROR, CALL, request, {}, 'com.example.error.nope', ['no'], { code: 7 }]);
    expect(dealer.pendingCallCount).toBe(0);
  });

  it('ignores YIELD and ERROR for unknown invocations and from sessions that are not the callee', () => {
    const { dealer } = makeDealer();
    const callee = new FakePeer();
    const caller = new FakePeer();
    const intruder = new FakePeer();
    register(dealer, callee, 'com.example.p');
    const request = call(dealer, caller, 'com.example.p');
    const inv = invocation(callee);
    dealer.yield(callee, [YIELD, inv.id + 1000, {}, ['stray']]);
    dealer.yield(intruder, [YIELD, inv.id, {}, ['forged']]);
    dealer.invocationError(intruder, [ERROR, INVOCATION, inv.id, {}, 'com.example.forged']);
    expect(caller.take()).toEqual([]);
    expect(dealer.pendingCallCount).toBe(1);
    dealer.yield(callee, [YIELD, inv.id, {}, ['real']]);
    expect(caller.one()).toEqual([RESULT, request, {}, ['real']]);
    // A second YIELD for the answered invocation is ignored.
    dealer.yield(callee, [YIELD, inv.id, {}, ['again']]);
    dealer.invocationError(callee, [ERROR, INVOCATION, inv.id, {}, 'com.example.late']);
    expect(caller.take()).toEqual([]);
  });

  it('answers no_such_procedure and invalid_uri', () => {
    const { dealer } = makeDealer();
    const caller = new FakePeer();
    let request = call(dealer, caller, 'com.example.nobody');
    const reply = caller.one();
    expect(reply.slice(0, 5)).toEqual([ERROR, CALL, request, {}, ErrorUri.NO_SUCH_PROCEDURE]);
    expect((reply as unknown[])[5]).toEqual([expect.stringContaining('com.example.nobody')]);
    request = call(dealer, caller, 'com..bad');
    expect(caller.one().slice(0, 5)).toEqual([ERROR, CALL, request, {}, ErrorUri.INVALID_URI]);
    // A prefix registration does not make an invalid URI callable.
    const callee = new FakePeer();
    register(dealer, callee, 'com.example', { match: 'prefix' });
    request = call(dealer, caller, 'com.example bad');
    expect(caller.one()[4]).toBe(ErrorUri.INVALID_URI);
    expect(callee.take()).toEqual([]);
    // Nor does it receive calls to the router's own namespace.
    register(dealer, callee, 'w', { match: 'prefix' });
    call(dealer, caller, 'wamp.nothing.here');
    expect(caller.one()[4]).toBe(ErrorUri.NO_SUCH_PROCEDURE);
    expect(callee.take()).toEqual([]);
  });

  it('routes pattern calls by exact > longest prefix > most specific wildcard, with details.procedure', () => {
    const { dealer } = makeDealer();
    const exact = new FakePeer();
    const short = new FakePeer();
    const long = new FakePeer();
    const wildA = new FakePeer();
    const wildB = new FakePeer();
    const caller = new FakePeer();
    register(dealer, exact, 'a1.b2.c3.d4.e55');
    register(dealer, short, 'a1.b2.c3', { match: 'prefix' });
    register(dealer, long, 'a1.b2.c3.d4', { match: 'prefix' });
    const regA = register(dealer, wildA, 'a1.b2..d4.e5', { match: 'wildcard' });
    register(dealer, wildB, 'a1.b2.c33..e5', { match: 'wildcard' });

    call(dealer, caller, 'a1.b2.c3.d4.e55');
    expect(invocation(exact).details).toEqual({});
    call(dealer, caller, 'a1.b2.c3.d98.e74');
    expect(invocation(short).details).toEqual({ procedure: 'a1.b2.c3.d98.e74' });
    call(dealer, caller, 'a1.b2.c3.d4.e325');
    expect(invocation(long).details).toEqual({ procedure: 'a1.b2.c3.d4.e325' });
    call(dealer, caller, 'a1.b2.c55.d4.e5');
    const inv = invocation(wildA);
    expect(inv.details).toEqual({ procedure: 'a1.b2.c55.d4.e5' });
    expect(inv.registration).toBe(regA);
    // Prefixes match as strings (spec: "com.myapp.myobject1" matches "com.myapp.myobject1-sub"),
    // so the spec example's 'a1.b2.c33.d4.e5' goes to prefix 'a1.b2.c3', not to a wildcard.
    call(dealer, caller, 'a1.b2.c33.d4.e5');
    expect(invocation(short).details).toEqual({ procedure: 'a1.b2.c33.d4.e5' });
    call(dealer, caller, 'a1.b2.x34.d4.e5');
    expect(invocation(wildA).details).toEqual({ procedure: 'a1.b2.x34.d4.e5' });
    const request = call(dealer, caller, 'a2.b2.c2.d2.e2');
    expect(caller.one().slice(0, 5)).toEqual([ERROR, CALL, request, {}, ErrorUri.NO_SUCH_PROCEDURE]);
    expect(wildB.take()).toEqual([]);
  });

  it('picks the wildcard with the longer literal portions first (spec examples)', () => {
    const { dealer } = makeDealer();
    const [w4, w5, w6, w7] = [new FakePeer(), new FakePeer(), new FakePeer(), new FakePeer()];
    const caller = new FakePeer();
    register(dealer, w4, 'a1.b2..d4.e5', { match: 'wildcard' });
    register(dealer, w5, 'a1.b2.c33..e5', { match: 'wildcard' });
    register(dealer, w6, 'a1.b2..d4.e5..g7', { match: 'wildcard' });
    register(dealer, w7, 'a1.b2..d4..f6.g7', { match: 'wildcard' });
    call(dealer, caller, 'a1.b2.c33.d4.e5');
    invocation(w5);
    call(dealer, caller, 'a1.b2.c55.d4.e5');
    invocation(w4);
    call(dealer, caller, 'a1.b2.c88.d4.e5.f6.g7');
    invocation(w6);
    expect([w4, w5, w7].map((peer) => peer.take())).toEqual([[], [], []]);
  });

  it('limits pending calls per session and frees the slot when a call ends', () => {
    const { dealer } = makeDealer({ maxPendingCallsPerSession: 2 });
    const callee = new FakePeer();
    const caller = new FakePeer();
    const other = new FakePeer();
    register(dealer, callee, 'com.example.p');
    call(dealer, caller, 'com.example.p');
    call(dealer, caller, 'com.example.p');
    const refused = call(dealer, caller, 'com.example.p');
    expect(caller.one().slice(0, 5)).toEqual([ERROR, CALL, refused, {}, ErrorUri.LIMIT_EXCEEDED]);
    call(dealer, other, 'com.example.p'); // another session's budget is its own
    const [first] = callee.take() as [number, number][];
    expect(callee.sent).toEqual([]);
    dealer.yield(callee, [YIELD, first![1], {}]);
    caller.take();
    call(dealer, caller, 'com.example.p');
    expect(caller.take()).toEqual([]);
    expect(invocation(callee).id).toBeGreaterThan(0);
  });

  it('discloses the caller on disclose_me or disclose_caller only', () => {
    const { dealer } = makeDealer();
    const callee = new FakePeer();
    const disclosing = new FakePeer();
    const caller = new FakePeer({}, 'alice', 'admin');
    register(dealer, callee, 'com.example.p');
    register(dealer, disclosing, 'com.example.q', { disclose_caller: true });
    call(dealer, caller, 'com.example.p');
    expect(invocation(callee).details).toEqual({});
    call(dealer, caller, 'com.example.p', { disclose_me: true });
    expect(invocation(callee).details).toEqual({ caller: caller.id, caller_authid: 'alice', caller_authrole: 'admin' });
    call(dealer, caller, 'com.example.q');
    expect(invocation(disclosing).details).toEqual({ caller: caller.id, caller_authid: 'alice', caller_authrole: 'admin' });
  });

  it('refuses a bad timeout option', () => {
    const { dealer } = makeDealer();
    const callee = new FakePeer();
    const caller = new FakePeer();
    register(dealer, callee, 'com.example.p');
    for (const timeout of [-1, 1.5, 'soon']) {
      const request = call(dealer, caller, 'com.example.p', { timeout });
      expect(caller.one().slice(0, 5)).toEqual([ERROR, CALL, request, {}, ErrorUri.INVALID_ARGUMENT]);
    }
    expect(callee.take()).toEqual([]);
  });

  it('aborts a caller that reuses the request ID of a pending ordinary call', () => {
    const { dealer } = makeDealer();
    const callee = new FakePeer(FULL_CALLEE);
    const caller = new FakePeer();
    register(dealer, callee, 'com.example.p');
    const request = call(dealer, caller, 'com.example.p');
    invocation(callee);
    call(dealer, caller, 'com.example.p', {}, undefined, undefined, request);
    expect(caller.aborted?.reason).toBe(ErrorUri.PROTOCOL_VIOLATION);
    expect(callee.take()).toEqual([]);
  });
});

describe('Dealer: router-provided procedures', () => {
  it('answers from a synchronous procedure without reaching any callee', () => {
    const { dealer } = makeDealer();
    const caller = new FakePeer();
    dealer.registerInternal('wamp.test.echo', (peer, args, kwargs) => ({ args: [peer.id, ...args], kwargs }));
    const request = call(dealer, caller, 'wamp.test.echo', {}, [1], { k: 2 });
    expect(caller.one()).toEqual([RESULT, request, {}, [caller.id, 1], { k: 2 }]);
    expect(dealer.pendingCallCount).toBe(0);
  });

  it('answers from an asynchronous procedure, and with its WampError', async () => {
    const { dealer } = makeDealer();
    const caller = new FakePeer();
    dealer.registerInternal('wamp.test.later', async () => ({ args: ['done'] }));
    dealer.registerInternal('wamp.test.refuse', async () => {
      throw new WampError('wamp.error.invalid_argument', ['bad'], { field: 'x' });
    });
    dealer.registerInternal('wamp.test.refuse_now', () => {
      throw new WampError('com.example.plain');
    });
    const r1 = call(dealer, caller, 'wamp.test.later');
    const r2 = call(dealer, caller, 'wamp.test.refuse');
    const r3 = call(dealer, caller, 'wamp.test.refuse_now');
    expect(caller.take()).toEqual([[ERROR, CALL, r3, {}, 'com.example.plain']]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(caller.take()).toEqual([
      [RESULT, r1, {}, ['done']],
      [ERROR, CALL, r2, {}, 'wamp.error.invalid_argument', ['bad'], { field: 'x' }],
    ]);
  });

  it('turns other throws into wamp.error.runtime_error without a stack, and logs them', async () => {
    const { dealer, logs } = makeDealer();
    const caller = new FakePeer();
    dealer.registerInternal('wamp.test.crash', () => {
      throw new TypeError('boom');
    });
    dealer.registerInternal('wamp.test.crash_later', () => Promise.reject(new Error('later boom')));
    const request = call(dealer, caller, 'wamp.test.crash');
    const reply = caller.one() as unknown[];
    expect(reply.slice(0, 5)).toEqual([ERROR, CALL, request, {}, ErrorUri.RUNTIME_ERROR]);
    expect(reply[5]).toEqual(['wamp.test.crash failed: boom']);
    expect(JSON.stringify(reply)).not.toContain('    at ');
    expect(logs).toHaveLength(1);
    expect(logs[0]!.level).toBe('error');
    call(dealer, caller, 'wamp.test.crash_later');
    await new Promise((resolve) => setImmediate(resolve));
    expect((caller.one() as unknown[])[4]).toBe(ErrorUri.RUNTIME_ERROR);
    expect(logs).toHaveLength(2);
  });

  it('does not answer a caller that left while the procedure ran', async () => {
    const { dealer } = makeDealer();
    const caller = new FakePeer();
    dealer.registerInternal('wamp.test.later', async () => ({ args: ['done'] }));
    call(dealer, caller, 'wamp.test.later');
    caller.open = false;
    dealer.detach(caller);
    await new Promise((resolve) => setImmediate(resolve));
    expect(caller.take()).toEqual([]);
  });

  it('takes precedence over a pattern registration that matches the same URI', () => {
    const { dealer } = makeDealer();
    const caller = new FakePeer();
    const callee = new FakePeer();
    register(dealer, callee, 'w', { match: 'prefix' });
    dealer.registerInternal('wamp.test.mine', () => ({ args: ['router'] }));
    const request = call(dealer, caller, 'wamp.test.mine');
    expect(caller.one()).toEqual([RESULT, request, {}, ['router']]);
    expect(callee.take()).toEqual([]);
  });
});

describe('Dealer: hot path', () => {
  it('sets no timer for calls without a timeout', async () => {
    const { vi } = await import('vitest');
    vi.useFakeTimers();
    try {
      const { dealer } = makeDealer();
      const callee = new FakePeer();
      const caller = new FakePeer();
      register(dealer, callee, 'com.example.p');
      for (let i = 0; i < 10; i++) call(dealer, caller, 'com.example.p');
      expect(vi.getTimerCount()).toBe(0);
      call(dealer, caller, 'com.example.p', { timeout: 1000 });
      expect(vi.getTimerCount()).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
