import { describe, expect, it, vi } from 'vitest';
import { MessageType as T, WampError } from '@junction/wamp';
import { Session, result, type ClientAuth, type EventSink, type InvocationContext } from '../src/index.js';
import { FakeTransport, flush, welcome } from './support/fake-transport.js';

function open(options: Partial<ConstructorParameters<typeof Session>[1]> = {}, welcomeMessage = welcome()) {
  const transport = new FakeTransport();
  const session = new Session(transport, { realm: 'realm1', ...options });
  transport.deliver(welcomeMessage);
  return { transport, session };
}

function sink(): EventSink & { events: unknown[][] } {
  const events: unknown[][] = [];
  return { events, dispatch: (args, kwargs, details, publication) => void events.push([args, kwargs, details, publication]) };
}

describe('session establishment', () => {
  it('sends HELLO with the realm, our roles and agent, and resolves on WELCOME', async () => {
    const transport = new FakeTransport();
    const session = new Session(transport, { realm: 'realm1' });
    const hello = transport.last();
    expect(hello[0]).toBe(T.HELLO);
    expect(hello[1]).toBe('realm1');
    const details = hello[2] as Record<string, any>;
    expect(details.roles.caller.features.call_canceling).toBe(true);
    expect(details.roles.callee.features.progressive_call_invocations).toBe(true);
    expect(details.roles.subscriber).toBeDefined();
    expect(details.roles.publisher).toBeDefined();
    expect(details.authmethods).toBeUndefined();
    expect(session.state).toBe('establishing');
    transport.deliver(welcome(42));
    await expect(session.ready).resolves.toMatchObject({ authrole: 'anonymous' });
    expect(session.id).toBe(42);
    expect(session.state).toBe('established');
  });

  it('rejects `ready` with the ABORT reason and closes the transport', async () => {
    const transport = new FakeTransport();
    const session = new Session(transport, { realm: 'nope' });
    transport.deliver([T.ABORT, { message: 'no such realm' }, 'wamp.error.no_such_realm']);
    const error = await session.ready.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WampError);
    expect((error as WampError).uri).toBe('wamp.error.no_such_realm');
    expect((error as WampError).message).toContain('no such realm');
    expect(transport.closed).not.toBeNull();
    const info = await session.closed;
    expect(info).toMatchObject({ reason: 'wamp.error.no_such_realm', aborted: true, established: false });
  });

  it('answers CHALLENGE through ClientAuth and announces its methods and authid', async () => {
    const onChallenge = vi.fn(async (method: string, extra: Record<string, unknown>) => ({ signature: `sig:${method}:${String(extra.challenge)}`, extra: { x: 1 } }));
    const auth: ClientAuth = { authmethods: ['ticket'], authid: 'joe', authextra: { a: 1 }, onChallenge };
    const transport = new FakeTransport();
    const session = new Session(transport, { realm: 'realm1', auth });
    expect(transport.last()[2]).toMatchObject({ authmethods: ['ticket'], authid: 'joe', authextra: { a: 1 } });
    transport.deliver([T.CHALLENGE, 'ticket', { challenge: 'c1' }]);
    await flush();
    expect(onChallenge).toHaveBeenCalledWith('ticket', { challenge: 'c1' });
    expect(transport.last()).toEqual([T.AUTHENTICATE, 'sig:ticket:c1', { x: 1 }]);
    transport.deliver(welcome(7, { authid: 'joe', authmethod: 'ticket' }));
    await expect(session.ready).resolves.toMatchObject({ authid: 'joe' });
  });

  it('aborts with wamp.error.cannot_authenticate when challenged without credentials or when onChallenge fails', async () => {
    const t1 = new FakeTransport();
    const s1 = new Session(t1, { realm: 'realm1' });
    t1.deliver([T.CHALLENGE, 'wampcra', {}]);
    expect(t1.last()).toMatchObject([T.ABORT, {}, 'wamp.error.cannot_authenticate']);
    await expect(s1.ready).rejects.toMatchObject({ uri: 'wamp.error.cannot_authenticate' });

    const t2 = new FakeTransport();
    const s2 = new Session(t2, { realm: 'realm1', auth: { authmethods: ['ticket'], onChallenge: async () => { throw new Error('no ticket'); } } });
    t2.deliver([T.CHALLENGE, 'ticket', {}]);
    await expect(s2.ready).rejects.toMatchObject({ uri: 'wamp.error.cannot_authenticate' });
    expect(t2.last()[0]).toBe(T.ABORT);
    expect(JSON.stringify(t2.last())).toContain('no ticket');
  });

  it.each([
    ['not a list', { hello: 1 }],
    ['unknown type', [99, 1]],
    ['a client-only type', [T.CALL, 1, {}, 'a.b']],
    ['bad field', [T.WELCOME, 'x', {}]],
    ['EVENT before WELCOME', [T.EVENT, 1, 2, {}]],
  ])('ABORTs with wamp.error.protocol_violation on %s before WELCOME', async (_name, message) => {
    const transport = new FakeTransport();
    const session = new Session(transport, { realm: 'realm1' });
    transport.deliver(message);
    expect(transport.last()).toMatchObject([T.ABORT, { message: expect.any(String) }, 'wamp.error.protocol_violation']);
    expect(transport.closed).not.toBeNull();
    await expect(session.ready).rejects.toMatchObject({ uri: 'wamp.error.protocol_violation' });
  });

  it('ABORTs on a second WELCOME and on a reply to a request it never made; pending calls reject', async () => {
    const { transport, session } = open();
    const call = session.call('com.x');
    transport.deliver(welcome());
    expect(transport.last()).toMatchObject([T.ABORT, {}, 'wamp.error.protocol_violation']);
    await expect(call).rejects.toMatchObject({ uri: 'junction.error.connection_lost' });
    expect(session.state).toBe('closed');

    const second = open();
    second.transport.deliver([T.REGISTERED, 99, 5]);
    expect(second.transport.last()).toMatchObject([T.ABORT, { message: expect.stringContaining('99') }, 'wamp.error.protocol_violation']);
  });

  it('answers the router GOODBYE with goodbye_and_out and closes', async () => {
    const { transport, session } = open();
    transport.deliver([T.GOODBYE, { message: 'bye' }, 'wamp.close.system_shutdown']);
    expect(transport.last()).toEqual([T.GOODBYE, {}, 'wamp.close.goodbye_and_out']);
    expect(transport.closed).not.toBeNull();
    await expect(session.closed).resolves.toMatchObject({ reason: 'wamp.close.system_shutdown', message: 'bye', established: true });
  });

  it('goodbye() sends GOODBYE, waits for the reply, then closes; or gives up after the timeout', async () => {
    const { transport, session } = open();
    const done = session.goodbye();
    expect(transport.last()).toEqual([T.GOODBYE, {}, 'wamp.close.normal']);
    expect(transport.closed).toBeNull();
    transport.deliver([T.GOODBYE, {}, 'wamp.close.goodbye_and_out']);
    await expect(done).resolves.toMatchObject({ reason: 'wamp.close.normal' });
    expect(transport.closed).not.toBeNull();

    const other = open();
    const info = await other.session.goodbye('wamp.close.normal', 10);
    expect(info.message).toContain('did not answer');
    expect(other.transport.closed).not.toBeNull();
  });

  it('a dropped connection ends the session with junction.error.connection_lost', async () => {
    const { transport, session } = open();
    const call = session.call('com.x');
    transport.drop(1006);
    await expect(call).rejects.toMatchObject({ uri: 'junction.error.connection_lost' });
    await expect(session.closed).resolves.toMatchObject({ reason: 'junction.error.connection_lost', transport: { code: 1006 } });
    await expect(session.call('com.y')).rejects.toMatchObject({ uri: 'junction.error.not_connected' });
  });
});

describe('caller', () => {
  it('sends CALL with sequential request IDs and only the payload it has', async () => {
    const { transport, session } = open();
    void session.call('a.b');
    void session.call('a.b', [1]);
    void session.call('a.b', undefined, { k: 1 });
    void session.call('a.b', [], {});
    const calls = transport.ofType(T.CALL);
    expect(calls).toEqual([
      [T.CALL, 1, {}, 'a.b'],
      [T.CALL, 2, {}, 'a.b', [1]],
      [T.CALL, 3, {}, 'a.b', [], { k: 1 }],
      [T.CALL, 4, {}, 'a.b'],
    ]);
  });

  it('resolves with RESULT args, kwargs and details; rejects with ERROR as a WampError', async () => {
    const { transport, session } = open();
    const ok = session.call('add', [1, 2]);
    const bad = session.call('fail');
    const empty = session.call('nothing');
    transport.deliver([T.RESULT, 1, { x: 1 }, [3], { sum: 3 }]);
    transport.deliver([T.ERROR, T.CALL, 2, { d: 1 }, 'com.example.oops', ['why'], { code: 7 }]);
    transport.deliver([T.RESULT, 3, {}]);
    await expect(ok).resolves.toEqual({ args: [3], kwargs: { sum: 3 }, details: { x: 1 } });
    const error = await bad.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WampError);
    expect(error).toMatchObject({ uri: 'com.example.oops', args: ['why'], kwargs: { code: 7 }, details: { d: 1 } });
    await expect(empty).resolves.toEqual({ args: [], kwargs: {}, details: {} });
    expect(session.pendingCalls).toBe(0);
  });

  it('delivers progressive results to onProgress and asks for them', async () => {
    const { transport, session } = open();
    const seen: unknown[] = [];
    const call = session.call('p', [], undefined, { onProgress: (r) => seen.push(r.args[0]) });
    expect(transport.last()).toEqual([T.CALL, 1, { receive_progress: true }, 'p']);
    transport.deliver([T.RESULT, 1, { progress: true }, [1]]);
    transport.deliver([T.RESULT, 1, { progress: true }, [2]]);
    transport.deliver([T.RESULT, 1, {}, [3]]);
    await expect(call).resolves.toMatchObject({ args: [3] });
    expect(seen).toEqual([1, 2]);
  });

  it('passes timeout, disclose_me and raw options; a local timeout rejects and sends CANCEL killnowait', async () => {
    const { transport, session } = open();
    const call = session.call('slow', [], undefined, { timeout: 20, discloseMe: true, options: { rkey: 'r' } });
    expect(transport.last()).toEqual([T.CALL, 1, { timeout: 20, disclose_me: true, rkey: 'r' }, 'slow']);
    await expect(call).rejects.toMatchObject({ uri: 'wamp.error.timeout' });
    expect(transport.last()).toEqual([T.CANCEL, 1, { mode: 'killnowait' }]);
    // The router's own answer comes later and is absorbed.
    transport.deliver([T.ERROR, T.CALL, 1, {}, 'wamp.error.canceled']);
    expect(session.pendingCalls).toBe(0);
    expect(session.state).toBe('established');
  });

  it.each(['skip', 'kill', 'killnowait'] as const)('abort signal with mode %s: CANCEL sent, rejects once at once, the late answer is absorbed', async (mode) => {
    const { transport, session } = open();
    const controller = new AbortController();
    const settled = vi.fn();
    const call = session.call('slow', [], undefined, { signal: controller.signal, cancelMode: mode });
    call.then(settled, settled);
    controller.abort();
    await expect(call).rejects.toMatchObject({ uri: 'wamp.error.canceled' });
    expect(transport.last()).toEqual([T.CANCEL, 1, { mode }]);
    transport.deliver([T.RESULT, 1, {}, ['late']]);
    await flush();
    expect(settled).toHaveBeenCalledTimes(1);
    expect(session.pendingCalls).toBe(0);
  });

  it('an already aborted signal sends nothing; no CANCEL when the dealer lacks call_canceling', async () => {
    const { transport, session } = open({}, [T.WELCOME, 5, { roles: { dealer: { features: {} } } }]);
    const before = transport.sent.length;
    await expect(session.call('x', [], undefined, { signal: AbortSignal.abort() })).rejects.toMatchObject({ uri: 'wamp.error.canceled' });
    expect(transport.sent.length).toBe(before);
    const controller = new AbortController();
    const call = session.call('x', [], undefined, { signal: controller.signal });
    controller.abort();
    await expect(call).rejects.toMatchObject({ uri: 'wamp.error.canceled' });
    expect(transport.ofType(T.CANCEL)).toEqual([]);
    transport.deliver([T.RESULT, 1, {}, [1]]);
    expect(session.pendingCalls).toBe(0);
  });

  it('a call cancelled or timed out locally is forgotten at once, even when the router never answers', async () => {
    // A dealer without call_canceling: no CANCEL goes out, and a hung callee never answers.
    const { session } = open({}, [T.WELCOME, 5, { roles: { dealer: { features: {} } } }]);
    const controllers = Array.from({ length: 50 }, () => new AbortController());
    const calls = controllers.map((c) => session.call('hung', [], undefined, { signal: c.signal }));
    const timed = session.call('hung', [], undefined, { timeout: 5 });
    expect(session.pendingCalls).toBe(51);
    for (const c of controllers) c.abort();
    for (const call of calls) await expect(call).rejects.toMatchObject({ uri: 'wamp.error.canceled' });
    await expect(timed).rejects.toMatchObject({ uri: 'wamp.error.timeout' });
    expect(session.pendingCalls).toBe(0);
  });

  it('a timeout longer than a timer can hold (about 24.8 days) is not taken for an immediate one', async () => {
    const { transport, session } = open();
    const settled = vi.fn();
    session.call('long', [], undefined, { timeout: 2 ** 32 }).then(settled, settled);
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).not.toHaveBeenCalled();
    expect(transport.last()).toEqual([T.CALL, 1, { timeout: 2 ** 32 }, 'long']);
    transport.deliver([T.RESULT, 1, {}, ['ok']]);
    await flush();
    expect(settled).toHaveBeenCalledWith({ args: ['ok'], kwargs: {}, details: {} });
  });

  it('kill mode: the local record goes at once; the late ERROR is absorbed', async () => {
    const { transport, session } = open();
    const controller = new AbortController();
    const call = session.call('slow', [], undefined, { signal: controller.signal, cancelMode: 'kill' });
    controller.abort();
    await expect(call).rejects.toMatchObject({ uri: 'wamp.error.canceled' });
    expect(session.pendingCalls).toBe(0);
    transport.deliver([T.ERROR, T.CALL, 1, {}, 'wamp.error.canceled']);
    transport.deliver([T.RESULT, 1, { progress: true }, ['late progress']]);
    expect(session.state).toBe('established');
  });

  it('progressive call invocations: the first chunk opens the call, send() streams, end() sends the final chunk', async () => {
    const streaming = welcome(5, { roles: { dealer: { features: { progressive_call_invocations: true, call_canceling: true } } } });
    const { transport, session } = open({}, streaming);
    const progress: unknown[] = [];
    const call = session.progressiveCall('com.upload', [1], undefined, { onProgress: (r) => progress.push(r.args[0]) });
    expect(call.send([2], { part: 2 })).toBe(true);
    transport.deliver([T.RESULT, 1, { progress: true }, ['got 2']]);
    const result = call.end([3]);
    expect(transport.ofType(T.CALL)).toEqual([
      [T.CALL, 1, { receive_progress: true, progress: true }, 'com.upload', [1]],
      [T.CALL, 1, { progress: true }, 'com.upload', [2], { part: 2 }],
      [T.CALL, 1, {}, 'com.upload', [3]],
    ]);
    transport.deliver([T.RESULT, 1, {}, [6]]);
    await expect(result).resolves.toMatchObject({ args: [6] });
    expect(progress).toEqual(['got 2']);
    expect(call.send([4])).toBe(false);
    expect(transport.ofType(T.CALL).length).toBe(3);

    // An early answer ends the stream: further chunks are not sent.
    const early = session.progressiveCall('com.upload', [1]);
    transport.deliver([T.ERROR, T.CALL, 2, {}, 'com.example.too_big']);
    await expect(early.result).rejects.toMatchObject({ uri: 'com.example.too_big' });
    expect(early.send([2])).toBe(false);
    await expect(early.end()).rejects.toMatchObject({ uri: 'com.example.too_big' });
    expect(transport.ofType(T.CALL).length).toBe(4);
  });

  it('progressive call invocations need the dealer to announce them (else nothing is sent)', async () => {
    const { transport, session } = open();
    const before = transport.sent.length;
    const call = session.progressiveCall('com.upload', [1]);
    await expect(call.result).rejects.toMatchObject({ uri: 'wamp.error.feature_not_supported' });
    expect(call.send([2])).toBe(false);
    expect(transport.sent.length).toBe(before);
  });

  it('rejects (not throws) when the arguments cannot be serialized', async () => {
    const transport = new FakeTransport();
    const session = new Session(transport, { realm: 'r' });
    transport.deliver(welcome());
    transport.send = () => {
      throw new TypeError('cannot encode');
    };
    await expect(session.call('x', [1n])).rejects.toThrow('cannot encode');
    expect(session.pendingCalls).toBe(0);
  });
});

describe('callee', () => {
  async function registered(handler: (args: unknown[], kwargs: Record<string, unknown>, ctx: InvocationContext) => unknown, options?: Record<string, unknown>) {
    const { transport, session } = open();
    const reg = session.register({ procedure: 'com.p', handler }, options);
    expect(transport.last()).toEqual([T.REGISTER, 1, options ?? {}, 'com.p']);
    transport.deliver([T.REGISTERED, 1, 500]);
    await expect(reg).resolves.toBe(500);
    return { transport, session };
  }

  it('answers INVOCATION with YIELD: plain value -> [value], result() -> args/kwargs, undefined -> nothing', async () => {
    let mode = 0;
    const { transport } = await registered((args) => {
      mode++;
      if (mode === 1) return (args[0] as number) + (args[1] as number);
      if (mode === 2) return result([1, 2], { k: 3 });
      return undefined;
    });
    transport.deliver([T.INVOCATION, 10, 500, {}, [2, 3]]);
    expect(transport.last()).toEqual([T.YIELD, 10, {}, [5]]);
    transport.deliver([T.INVOCATION, 11, 500, {}]);
    expect(transport.last()).toEqual([T.YIELD, 11, {}, [1, 2], { k: 3 }]);
    transport.deliver([T.INVOCATION, 12, 500, {}]);
    expect(transport.last()).toEqual([T.YIELD, 12, {}]);
  });

  it('async handlers: YIELD after resolution; WampError -> ERROR with its payload; other errors -> runtime_error without stack', async () => {
    let mode = 0;
    const { transport } = await registered(async () => {
      mode++;
      await Promise.resolve();
      if (mode === 1) return 'ok';
      if (mode === 2) throw new WampError('com.example.nope', ['a'], { b: 1 });
      throw new Error('boom');
    });
    transport.deliver([T.INVOCATION, 1, 500, {}]);
    await flush();
    expect(transport.last()).toEqual([T.YIELD, 1, {}, ['ok']]);
    transport.deliver([T.INVOCATION, 2, 500, {}]);
    await flush();
    expect(transport.last()).toEqual([T.ERROR, T.INVOCATION, 2, {}, 'com.example.nope', ['a'], { b: 1 }]);
    transport.deliver([T.INVOCATION, 3, 500, {}]);
    await flush();
    expect(transport.last()).toEqual([T.ERROR, T.INVOCATION, 3, {}, 'wamp.error.runtime_error', ['boom']]);
  });

  it('a result that cannot be serialized is answered with wamp.error.runtime_error, not left hanging', async () => {
    const { transport } = await registered(() => 1n);
    const send = transport.send.bind(transport);
    transport.send = (message) => {
      if (message[0] === T.YIELD) throw new TypeError('cannot encode a bigint');
      send(message);
    };
    transport.deliver([T.INVOCATION, 1, 500, {}]);
    expect(transport.last().slice(0, 5)).toEqual([T.ERROR, T.INVOCATION, 1, {}, 'wamp.error.runtime_error']);
    expect(JSON.stringify(transport.last())).toContain('cannot encode a bigint');
  });

  it('exposes caller identification and the called procedure of pattern registrations', async () => {
    let seen: InvocationContext | null = null;
    const { transport } = await registered((_a, _k, ctx) => {
      seen = ctx;
    }, { match: 'prefix' });
    transport.deliver([T.INVOCATION, 1, 500, { caller: 77, caller_authid: 'joe', caller_authrole: 'user', procedure: 'com.p.sub' }]);
    expect(seen).not.toBeNull();
    expect(seen!.caller).toBe(77);
    expect(seen!.callerAuthid).toBe('joe');
    expect(seen!.callerAuthrole).toBe('user');
    expect(seen!.procedure).toBe('com.p.sub');
    expect(seen!.registration).toBe(500);
  });

  it('progress() sends progressive YIELDs only when the caller asked', async () => {
    const sentProgress: boolean[] = [];
    const { transport } = await registered(async (_a, _k, ctx) => {
      sentProgress.push(ctx.progress([1]));
      sentProgress.push(ctx.progress([2], { k: 1 }));
      return 3;
    });
    transport.deliver([T.INVOCATION, 1, 500, { receive_progress: true }]);
    await flush();
    expect(transport.sent.slice(-3)).toEqual([
      [T.YIELD, 1, { progress: true }, [1]],
      [T.YIELD, 1, { progress: true }, [2], { k: 1 }],
      [T.YIELD, 1, {}, [3]],
    ]);
    transport.deliver([T.INVOCATION, 2, 500, {}]);
    await flush();
    expect(transport.last()).toEqual([T.YIELD, 2, {}, [3]]);
    expect(sentProgress).toEqual([true, true, false, false]);
  });

  it('INTERRUPT kill: the signal aborts, ERROR wamp.error.canceled goes out once, the late result is dropped', async () => {
    let release!: (value: unknown) => void;
    let signal: AbortSignal | null = null;
    const { transport } = await registered((_a, _k, ctx) => {
      signal = ctx.signal;
      return new Promise((resolve) => (release = resolve));
    });
    transport.deliver([T.INVOCATION, 1, 500, {}]);
    expect(signal!.aborted).toBe(false);
    transport.deliver([T.INTERRUPT, 1, { mode: 'kill' }]);
    expect(signal!.aborted).toBe(true);
    expect((signal!.reason as WampError).uri).toBe('wamp.error.canceled');
    expect(transport.last().slice(0, 5)).toEqual([T.ERROR, T.INVOCATION, 1, {}, 'wamp.error.canceled']);
    const count = transport.sent.length;
    release('late');
    await flush();
    expect(transport.sent.length).toBe(count);
  });

  it('INTERRUPT killnowait: the signal aborts, nothing is sent; a signal read after the interrupt is already aborted', async () => {
    let ctx!: InvocationContext;
    const { transport } = await registered((_a, _k, c) => {
      ctx = c;
      return new Promise(() => {});
    });
    transport.deliver([T.INVOCATION, 1, 500, {}]);
    const count = transport.sent.length;
    transport.deliver([T.INTERRUPT, 1, { mode: 'killnowait' }]);
    expect(transport.sent.length).toBe(count);
    expect(ctx.signal.aborted).toBe(true);
    // An INTERRUPT for an invocation already answered is ignored.
    transport.deliver([T.INTERRUPT, 99, { mode: 'kill' }]);
    expect(transport.sent.length).toBe(count);
  });

  it('INTERRUPT carries the reason the dealer gives (e.g. its call timeout)', async () => {
    let signal: AbortSignal | null = null;
    const { transport } = await registered((_a, _k, ctx) => {
      signal = ctx.signal;
      return new Promise(() => {});
    });
    transport.deliver([T.INVOCATION, 1, 500, {}]);
    transport.deliver([T.INTERRUPT, 1, { mode: 'kill', reason: 'wamp.error.timeout' }]);
    expect((signal!.reason as WampError).uri).toBe('wamp.error.timeout');
    expect(transport.last().slice(0, 5)).toEqual([T.ERROR, T.INVOCATION, 1, {}, 'wamp.error.timeout']);
  });

  it('answers an INVOCATION for an unknown registration with wamp.error.no_such_registration', async () => {
    const { transport } = open();
    transport.deliver([T.INVOCATION, 3, 12345, {}]);
    expect(transport.last().slice(0, 5)).toEqual([T.ERROR, T.INVOCATION, 3, {}, 'wamp.error.no_such_registration']);
  });

  it('progressive call invocations: the handler gets the first chunk as args and the rest from ctx.inputs', async () => {
    const chunks: unknown[] = [];
    const { transport } = await registered(async (args, _k, ctx) => {
      let total = args[0] as number;
      chunks.push(args[0]);
      for await (const chunk of ctx.inputs!) {
        chunks.push([chunk.args[0], chunk.final]);
        total += chunk.args[0] as number;
      }
      return total;
    });
    transport.deliver([T.INVOCATION, 1, 500, { progress: true }, [1]]);
    transport.deliver([T.INVOCATION, 1, 500, { progress: true }, [2]]);
    await flush();
    transport.deliver([T.INVOCATION, 1, 500, {}, [3]]);
    await flush(10);
    expect(chunks).toEqual([1, [2, false], [3, true]]);
    expect(transport.last()).toEqual([T.YIELD, 1, {}, [6]]);
  });

  it('progressive call invocations answered early: the remaining chunks are not new invocations', async () => {
    const handler = vi.fn(() => 'early');
    const { transport } = await registered(handler);
    transport.deliver([T.INVOCATION, 1, 500, { progress: true }, [1]]);
    transport.deliver([T.INVOCATION, 1, 500, { progress: true }, [2]]);
    transport.deliver([T.INVOCATION, 1, 500, {}, [3]]);
    expect(handler).toHaveBeenCalledTimes(1);
    expect(transport.ofType(T.YIELD)).toEqual([[T.YIELD, 1, {}, ['early']]]);
    // The request ID is free again afterwards.
    transport.deliver([T.INVOCATION, 1, 500, {}, [9]]);
    expect(handler).toHaveBeenCalledTimes(2);
  });

  it('progressive invocations answered early are forgotten even when the final chunk never comes', async () => {
    // The dealer drops the caller's chunks after the callee answered, so the final one may never arrive.
    const handler = vi.fn((args: unknown[]) => args[0]);
    const { transport, session } = await registered(handler);
    const running = () => (session as unknown as { callee: { size: number } }).callee.size;
    for (let id = 1; id <= 100; id++) transport.deliver([T.INVOCATION, id, 500, { progress: true }, [id]]);
    expect(handler).toHaveBeenCalledTimes(100);
    expect(transport.ofType(T.YIELD).length).toBe(100);
    expect(running()).toBe(0);
    // A chunk already in flight for a recent one is still dropped, not served as a new invocation.
    transport.deliver([T.INVOCATION, 100, 500, { progress: true }, [0]]);
    expect(handler).toHaveBeenCalledTimes(100);
  });

  it('bounds the chunks buffered for a handler that does not read ctx.inputs: the stream fails with queue_overflow', async () => {
    let inputs: AsyncIterable<unknown> | undefined;
    const { transport } = await registered((_a, _k, ctx) => {
      inputs = ctx.inputs;
      return new Promise(() => {}); // never reads, never answers
    });
    transport.deliver([T.INVOCATION, 1, 500, { progress: true }, [0]]);
    for (let i = 1; i <= 10_050; i++) transport.deliver([T.INVOCATION, 1, 500, { progress: true }, [i]]);
    const iterator = inputs![Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toMatchObject({ uri: 'junction.error.queue_overflow' });
    expect((await iterator.next()).done).toBe(true);
  });

  it('a handler that leaves ctx.inputs early and answers: the remaining chunks are not new invocations', async () => {
    const handler = vi.fn(async (_a: unknown[], _k: Record<string, unknown>, ctx: InvocationContext) => {
      for await (const _ of ctx.inputs!) break;
      return 'enough';
    });
    const { transport } = await registered(handler);
    transport.deliver([T.INVOCATION, 1, 500, { progress: true }, [1]]);
    transport.deliver([T.INVOCATION, 1, 500, { progress: true }, [2]]);
    await flush(10);
    expect(transport.ofType(T.YIELD)).toEqual([[T.YIELD, 1, {}, ['enough']]]);
    transport.deliver([T.INVOCATION, 1, 500, { progress: true }, [3]]);
    transport.deliver([T.INVOCATION, 1, 500, {}, [4]]);
    await flush(10);
    expect(handler).toHaveBeenCalledTimes(1);
    expect(transport.ofType(T.YIELD).length).toBe(1);
  });

  it('an early answer ends ctx.inputs for a handler still reading it', async () => {
    let ended = false;
    const { transport } = await registered((_a, _k, ctx) => {
      void (async () => {
        for await (const _ of ctx.inputs!) {
          // consume
        }
        ended = true;
      })();
      return 'early';
    });
    transport.deliver([T.INVOCATION, 1, 500, { progress: true }, [1]]);
    await flush();
    expect(ended).toBe(true);
  });

  it('an interrupted progressive invocation fails ctx.inputs with wamp.error.canceled', async () => {
    let failure: unknown = null;
    const { transport } = await registered(async (_a, _k, ctx) => {
      try {
        for await (const _ of ctx.inputs!) {
          // consume
        }
      } catch (error) {
        failure = error;
      }
    });
    transport.deliver([T.INVOCATION, 1, 500, { progress: true }, [1]]);
    transport.deliver([T.INTERRUPT, 1, { mode: 'killnowait' }]);
    await flush();
    expect(failure).toMatchObject({ uri: 'wamp.error.canceled' });
  });

  it('UNREGISTER, then invocations of that registration get no_such_registration; session end aborts running handlers', async () => {
    let signal: AbortSignal | null = null;
    const { transport, session } = await registered((_a, _k, ctx) => {
      signal = ctx.signal;
      return new Promise(() => {});
    });
    const done = session.unregister(500);
    expect(transport.last()).toEqual([T.UNREGISTER, 2, 500]);
    transport.deliver([T.UNREGISTERED, 2]);
    await done;
    transport.deliver([T.INVOCATION, 5, 500, {}]);
    expect(transport.last().slice(0, 5)).toEqual([T.ERROR, T.INVOCATION, 5, {}, 'wamp.error.no_such_registration']);

    const second = await registered((_a, _k, ctx) => {
      signal = ctx.signal;
      return new Promise(() => {});
    });
    second.transport.deliver([T.INVOCATION, 1, 500, {}]);
    second.transport.drop();
    expect(signal!.aborted).toBe(true);
  });

  it('REGISTER errors reject with the router error', async () => {
    const { transport, session } = open();
    const reg = session.register({ procedure: 'com.p', handler: () => 1 });
    transport.deliver([T.ERROR, T.REGISTER, 1, {}, 'wamp.error.procedure_already_exists']);
    await expect(reg).rejects.toMatchObject({ uri: 'wamp.error.procedure_already_exists' });
  });

  it('a router revocation (UNREGISTERED with request 0) removes the registration and is reported', async () => {
    const onRevoked = vi.fn();
    const { transport, session } = open({ onRevoked });
    const reg = session.register({ procedure: 'com.p', handler: () => 1 });
    transport.deliver([T.REGISTERED, 1, 500]);
    await reg;
    transport.deliver([T.UNREGISTERED, 0, { registration: 500, reason: 'wamp.error.killed' }]);
    expect(onRevoked).toHaveBeenCalledWith('registration', 500, 'wamp.error.killed');
    transport.deliver([T.INVOCATION, 2, 500, {}]);
    expect(transport.last().slice(0, 5)).toEqual([T.ERROR, T.INVOCATION, 2, {}, 'wamp.error.no_such_registration']);
  });
});

describe('subscriber and publisher', () => {
  it('SUBSCRIBE, EVENT dispatch (even a retained event right behind SUBSCRIBED), UNSUBSCRIBE stops events at once', async () => {
    const { transport, session } = open();
    const s = sink();
    const sub = session.subscribe('com.t', s, { get_retained: true });
    expect(transport.last()).toEqual([T.SUBSCRIBE, 1, { get_retained: true }, 'com.t']);
    transport.deliver([T.SUBSCRIBED, 1, 900]);
    transport.deliver([T.EVENT, 900, 1, { retained: true }, ['old']]);
    await expect(sub).resolves.toBe(900);
    transport.deliver([T.EVENT, 900, 2, {}, [1], { k: 2 }]);
    transport.deliver([T.EVENT, 900, 3, {}]);
    expect(s.events).toEqual([
      [['old'], {}, { retained: true }, 1],
      [[1], { k: 2 }, {}, 2],
      [[], {}, {}, 3],
    ]);
    const done = session.unsubscribe(900);
    expect(transport.last()).toEqual([T.UNSUBSCRIBE, 2, 900]);
    transport.deliver([T.EVENT, 900, 4, {}]);
    transport.deliver([T.UNSUBSCRIBED, 2]);
    await done;
    expect(s.events.length).toBe(3);
  });

  it('SUBSCRIBE and REGISTER unanswered for requestTimeout reject with wamp.error.timeout; late answers are undone, not protocol errors', async () => {
    const { transport, session } = open({ requestTimeout: 30 });
    const s = sink();
    const sub = session.subscribe('com.slow', s);
    const reg = session.register({ procedure: 'com.slow.proc', handler: () => 1 });
    const pub = session.publish('com.slow', [], undefined, { acknowledge: true });
    await expect(sub).rejects.toMatchObject({ uri: 'wamp.error.timeout', message: expect.stringContaining('SUBSCRIBE within 30 ms') });
    await expect(reg).rejects.toMatchObject({ uri: 'wamp.error.timeout', message: expect.stringContaining('REGISTER') });
    await expect(pub).rejects.toMatchObject({ uri: 'wamp.error.timeout' });
    // The router answers after all: the subscription and registration are undone at once...
    transport.deliver([T.SUBSCRIBED, 1, 700]);
    expect(transport.last()).toEqual([T.UNSUBSCRIBE, 4, 700]);
    transport.deliver([T.REGISTERED, 2, 800]);
    expect(transport.last()).toEqual([T.UNREGISTER, 5, 800]);
    transport.deliver([T.PUBLISHED, 3, 9]);
    // ...no event reaches the sink, and an INVOCATION for it is refused.
    transport.deliver([T.EVENT, 700, 1, {}, ['late']]);
    expect(s.events).toEqual([]);
    transport.deliver([T.INVOCATION, 77, 800, {}, []]);
    expect(transport.last().slice(0, 5)).toEqual([T.ERROR, T.INVOCATION, 77, {}, 'wamp.error.no_such_registration']);
    transport.deliver([T.UNSUBSCRIBED, 4]);
    transport.deliver([T.UNREGISTERED, 5]);
    await flush();
    expect(session.state).toBe('established');
    // An answer in time is unaffected.
    const ok = session.subscribe('com.fast', s);
    transport.deliver([T.SUBSCRIBED, 6, 701]);
    await expect(ok).resolves.toBe(701);
  });

  it('requestTimeout: Infinity waits as long as the session lives; the session end rejects it', async () => {
    const { transport, session } = open({ requestTimeout: Infinity });
    const settled = vi.fn();
    const sub = session.subscribe('com.t', sink());
    sub.then(settled, settled);
    await new Promise((r) => setTimeout(r, 40));
    expect(settled).not.toHaveBeenCalled();
    transport.drop();
    await expect(sub).rejects.toMatchObject({ uri: 'junction.error.connection_lost' });
  });

  it('a throwing event handler is reported, not fatal', async () => {
    const onError = vi.fn();
    const { transport, session } = open({ onError });
    const sub = session.subscribe('com.t', { dispatch: () => { throw new Error('handler bug'); } });
    transport.deliver([T.SUBSCRIBED, 1, 900]);
    await sub;
    transport.deliver([T.EVENT, 900, 2, {}]);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'handler bug' }));
    expect(session.state).toBe('established');
  });

  it('PUBLISH maps options; without acknowledge resolves at once, with it on PUBLISHED or rejects on ERROR', async () => {
    const { transport, session } = open();
    await expect(session.publish('com.t', [1], { a: 1 }, { excludeMe: false, eligible: [1], exclude: [2], eligibleAuthid: ['a'], excludeAuthid: ['b'], eligibleAuthrole: ['c'], excludeAuthrole: ['d'], retain: true, discloseMe: true })).resolves.toBeUndefined();
    expect(transport.last()).toEqual([T.PUBLISH, 1, {
      exclude_me: false, eligible: [1], exclude: [2], eligible_authid: ['a'], exclude_authid: ['b'], eligible_authrole: ['c'], exclude_authrole: ['d'], retain: true, disclose_me: true,
    }, 'com.t', [1], { a: 1 }]);
    const acked = session.publish('com.t', undefined, undefined, { acknowledge: true });
    expect(transport.last()).toEqual([T.PUBLISH, 2, { acknowledge: true }, 'com.t']);
    transport.deliver([T.PUBLISHED, 2, 4444]);
    await expect(acked).resolves.toEqual({ publication: 4444 });
    const refused = session.publish('wamp.x', [], undefined, { acknowledge: true });
    transport.deliver([T.ERROR, T.PUBLISH, 3, {}, 'wamp.error.not_authorized']);
    await expect(refused).rejects.toMatchObject({ uri: 'wamp.error.not_authorized' });
  });

  it('an answer of the wrong type to a request is a protocol violation', async () => {
    const { transport, session } = open();
    const sub = session.subscribe('com.t', sink());
    transport.deliver([T.REGISTERED, 1, 5]);
    expect(transport.last()).toMatchObject([T.ABORT, {}, 'wamp.error.protocol_violation']);
    await expect(sub).rejects.toMatchObject({ uri: 'junction.error.connection_lost' });
  });
});
