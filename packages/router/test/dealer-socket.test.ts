// The dealer through the real router over real sockets (127.0.0.1, port 0): raw WAMP peers (ws +
// our serializers) as callers and callees, a JSON caller and a MessagePack callee in each test.
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorUri, MessageType, type WampMessage } from '@junction/wamp';
import { RawPeer, startRouter } from './support/raw-peer.js';

const { CALL, CANCEL, ERROR, EVENT, INTERRUPT, INVOCATION, REGISTERED, RESULT, SUBSCRIBED, YIELD } = MessageType;

const CALLEE_ROLES = {
  roles: {
    caller: { features: { call_canceling: true, progressive_call_results: true, progressive_call_invocations: true } },
    callee: { features: { call_canceling: true, progressive_call_results: true, progressive_call_invocations: true, caller_identification: true } },
    subscriber: { features: {} },
  },
};

const is = (code: number, request?: number) => (m: WampMessage) => m[0] === code && (request === undefined || m[1] === request);
const isCallError = (request: number) => (m: WampMessage) => m[0] === ERROR && m[1] === CALL && m[2] === request;

describe('Dealer over real sockets', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  async function setup() {
    const started = await startRouter();
    stop = started.stop;
    const callee = await RawPeer.join(started.url, 'realm1', 'msgpack', CALLEE_ROLES);
    const caller = await RawPeer.join(started.url, 'realm1', 'json', CALLEE_ROLES);
    started.peers.push(callee, caller);
    return { ...started, callee, caller };
  }

  it('routes a call and its progressive results; caller disclosed; meta API and events work', async () => {
    const { callee, caller } = await setup();
    const watched = await caller.subscribe('wamp.registration.on_create');
    expect(watched[0]).toBe(SUBSCRIBED);
    const registered = await callee.register('com.example.sum');
    expect(registered[0]).toBe(REGISTERED);
    const registration = registered[2] as number;
    const created = await caller.next(is(EVENT));
    expect(created[4]).toEqual([callee.sessionId, expect.objectContaining({ id: registration, uri: 'com.example.sum', match: 'exact', invoke: 'single' })]);

    const request = caller.nextId();
    caller.send([CALL, request, { receive_progress: true, disclose_me: true }, 'com.example.sum', [1, 2, 2 ** 53], { note: 'big' }]);
    const inv = await callee.next(is(INVOCATION));
    expect(inv.slice(2)).toEqual([registration, { receive_progress: true, caller: caller.sessionId, caller_authid: expect.any(String), caller_authrole: 'anonymous' }, [1, 2, 2 ** 53], { note: 'big' }]);
    callee.send([YIELD, inv[1], { progress: true }, ['half']]);
    callee.send([YIELD, inv[1], {}, [3 + 2 ** 53]]);
    expect(await caller.next(is(RESULT, request))).toEqual([RESULT, request, { progress: true }, ['half']]);
    expect(await caller.next(is(RESULT, request))).toEqual([RESULT, request, {}, [3 + 2 ** 53]]);

    const lookup = await caller.call('wamp.registration.lookup', ['com.example.sum']);
    expect(lookup).toEqual([RESULT, expect.any(Number), {}, [registration]]);
    const callees = await caller.call('wamp.registration.list_callees', [registration]);
    expect(callees[3]).toEqual([[callee.sessionId]]);
  });

  it('progressive call invocations reach the callee under one invocation ID', async () => {
    const { callee, caller } = await setup();
    await callee.register('com.example.upload');
    const request = caller.nextId();
    caller.send([CALL, request, { progress: true }, 'com.example.upload', ['a']]);
    caller.send([CALL, request, { progress: true }, 'com.example.upload', ['b']]);
    caller.send([CALL, request, {}, 'com.example.upload', ['c']]);
    const chunks = [await callee.next(is(INVOCATION)), await callee.next(is(INVOCATION)), await callee.next(is(INVOCATION))];
    expect(new Set(chunks.map((m) => m[1])).size).toBe(1);
    expect(chunks.map((m) => [m[3], m[4]])).toEqual([
      [{ progress: true }, ['a']],
      [{ progress: true }, ['b']],
      [{}, ['c']],
    ]);
    callee.send([YIELD, chunks[0]![1], {}, ['abc']]);
    expect(await caller.next(is(RESULT, request))).toEqual([RESULT, request, {}, ['abc']]);
  });

  it('cancel killnowait: ERROR to the caller and INTERRUPT to the callee; both sessions keep working', async () => {
    const { callee, caller } = await setup();
    await callee.register('com.example.slow');
    const request = caller.nextId();
    caller.send([CALL, request, {}, 'com.example.slow']);
    const inv = await callee.next(is(INVOCATION));
    caller.send([CANCEL, request, { mode: 'killnowait' }]);
    expect((await caller.next(isCallError(request)))[4]).toBe(ErrorUri.CANCELED);
    expect(await callee.next(is(INTERRUPT))).toEqual([INTERRUPT, inv[1], { mode: 'killnowait', reason: ErrorUri.CANCELED }]);
    callee.send([ERROR, INVOCATION, inv[1], {}, ErrorUri.CANCELED]); // dropped: the call already ended
    const again = caller.nextId();
    caller.send([CALL, again, {}, 'com.example.slow', ['again']]);
    const inv2 = await callee.next(is(INVOCATION));
    callee.send([YIELD, inv2[1], {}, ['ok']]);
    expect(await caller.next(is(RESULT, again))).toEqual([RESULT, again, {}, ['ok']]);
    expect(caller.pending).toEqual([]);
  });

  it('times out with wamp.error.timeout and interrupts the callee', async () => {
    const { callee, caller } = await setup();
    await callee.register('com.example.slow');
    const request = caller.nextId();
    caller.send([CALL, request, { timeout: 50 }, 'com.example.slow']);
    const inv = await callee.next(is(INVOCATION));
    expect((await caller.next(isCallError(request)))[4]).toBe(ErrorUri.TIMEOUT);
    expect(await callee.next(is(INTERRUPT))).toEqual([INTERRUPT, inv[1], { mode: 'killnowait', reason: ErrorUri.TIMEOUT }]);
  });

  it('a callee whose connection drops fails its pending calls at once with junction.error.callee_unavailable', async () => {
    const { callee, caller } = await setup();
    await callee.register('com.example.slow');
    const request = caller.nextId();
    caller.send([CALL, request, {}, 'com.example.slow']);
    await callee.next(is(INVOCATION));
    callee.terminate();
    const failed = await caller.next(isCallError(request));
    expect(failed[4]).toBe(ErrorUri.CALLEE_UNAVAILABLE);
    expect(failed[5]).toEqual(['the callee of com.example.slow left before answering']);
    const after = await caller.call('com.example.slow');
    expect(after[4]).toBe(ErrorUri.NO_SUCH_PROCEDURE);
  });

  it('a caller whose connection drops gets its call interrupted at the callee', async () => {
    const { callee, caller } = await setup();
    await callee.register('com.example.slow');
    caller.send([CALL, caller.nextId(), {}, 'com.example.slow']);
    const inv = await callee.next(is(INVOCATION));
    caller.terminate();
    expect(await callee.next(is(INTERRUPT))).toEqual([INTERRUPT, inv[1], { mode: 'killnowait', reason: ErrorUri.CANCELED }]);
  });
});
