/**
 * Mixed interop through our router: third-party clients and @junction/client in one realm, each on
 * its own serializer, so every message is re-encoded between serializers on the way.
 *
 * - our client calls an Autobahn|JS callee (args/kwargs, errors, progress, cancel);
 * - Autobahn|JS and wampy callers cancel calls served by our client, which announces call_canceling,
 *   so the router INTERRUPTs it (kill) or not (skip, killnowait's INTERRUPT without waiting);
 * - a wampy publisher is received by our subscriber (exact and prefix, publisher disclosure);
 * - Autobahn|Python calls a Junction callee over json, msgpack and cbor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WampError, connect, result, type Client } from '@junction/client';
import type { Wampy } from 'wampy';
import { detectPythonAutobahn, requirePeer } from '../../websocket/test/support/peers.js';
import {
  autobahn,
  connectAutobahn,
  connectWampy,
  deferred,
  outcome,
  runAutobahnPython,
  runAutobahnPythonSessions,
  settle,
  startInteropRouter,
  within,
  type AutobahnPeer,
  type InteropRouter,
  type PeerLine,
  type PythonRun,
} from './support/interop-peers.js';

type Ser = 'json' | 'msgpack' | 'cbor';
const BIG = 2 ** 53;

let ir: InteropRouter;
beforeAll(async () => {
  ir = await startInteropRouter();
});
afterAll(async () => {
  await ir?.close();
});

function junction(serializer: Ser): Promise<Client> {
  return connect({ url: ir.url, realm: 'realm1', serializers: [serializer], reconnect: false });
}

/** [third-party serializer, our client's serializer]: always different, so the router re-encodes. */
const PAIRS: Array<[Ser, Ser]> = [
  ['json', 'cbor'],
  ['msgpack', 'json'],
];

describe.each(PAIRS)('our client (%s peer, %s client) with Autobahn|JS', (peerSer, ourSer) => {
  let ab: AutobahnPeer;
  let client: Client;
  const uri = (name: string) => `mixed.ab.${peerSer}.${name}`;

  beforeAll(async () => {
    [ab, client] = await Promise.all([connectAutobahn(ir.url, { serializer: peerSer }), junction(ourSer)]);
  });
  afterAll(async () => {
    await Promise.all([ab?.close(), client?.close()]);
  });

  it('calls an Autobahn|JS callee: args and kwargs, errors, progressive results', async () => {
    await ab.session.register(uri('echo'), (args: unknown[], kwargs: object, details: any) => new autobahn.Result([...args, details.caller ?? null], kwargs));
    await ab.session.register(uri('fail'), () => {
      throw new autobahn.Error('com.example.ab.failed', ['nope', 1], { retry: false });
    });
    await ab.session.register(uri('countdown'), (args: number[], _k: unknown, details: any) => {
      for (let i = args[0]!; i > 0; i--) details.progress?.([i]);
      return 'done';
    });

    const r = await client.call(uri('echo'), [1, 'two', { three: [3] }], { big: BIG, neg: -BIG, f: 0.25 }, { discloseMe: true });
    expect(r.args).toEqual([1, 'two', { three: [3] }, client.sessionId]);
    expect(r.kwargs).toEqual({ big: BIG, neg: -BIG, f: 0.25 });

    const failed = await outcome(client.call(uri('fail')));
    expect(failed.ok).toBe(false);
    if (!failed.ok) {
      expect(failed.error).toBeInstanceOf(WampError);
      expect(failed.error.uri).toBe('com.example.ab.failed');
      expect(failed.error.args).toEqual(['nope', 1]);
      expect(failed.error.kwargs).toEqual({ retry: false });
    }

    const progress: unknown[] = [];
    const final = await client.call(uri('countdown'), [3], {}, { onProgress: (p) => progress.push(p.args) });
    expect(progress).toEqual([[3], [2], [1]]);
    expect(final.args).toEqual(['done']);
  });

  it('cancels a call to an Autobahn|JS callee (kill): rejects with wamp.error.canceled, the callee is not disturbed', async () => {
    const invoked = deferred();
    const release = deferred<string>();
    await ab.session.register(uri('slow'), () => {
      invoked.resolve();
      return release.promise;
    });
    const abort = new AbortController();
    const call = outcome(client.call(uri('slow'), [], {}, { signal: abort.signal, cancelMode: 'kill' }));
    await within(invoked.promise, 5000, 'the invocation');
    abort.abort();
    const r = await within(call, 5000, 'the canceled call');
    expect(r.ok).toBe(false);
    if (!r.ok) expect((r.error as WampError).uri).toBe('wamp.error.canceled');
    release.resolve('late');
    await settle(100);
    expect(ab.connection.isOpen).toBe(true);
    expect((await client.call(uri('countdown'), [0])).args).toEqual(['done']);
  });

  it('an Autobahn|JS caller cancels (kill) a call served by our client: INTERRUPT reaches the handler, the caller gets wamp.error.canceled', async () => {
    const invoked = deferred();
    const interrupted = deferred<unknown>();
    await client.register(uri('junction.slow'), (_args, _kwargs, ctx) => {
      invoked.resolve();
      return new Promise((_, reject) => {
        ctx.signal.addEventListener('abort', () => {
          interrupted.resolve(ctx.signal.reason);
          reject(ctx.signal.reason);
        });
      });
    });
    const call = ab.session.call(uri('junction.slow'));
    const settled = outcome(call);
    await within(invoked.promise, 5000, 'the invocation');
    call.cancel({ mode: 'kill' });
    const reason = await within(interrupted.promise, 5000, 'INTERRUPT at our callee');
    expect(reason).toBeInstanceOf(WampError);
    const r = await within(settled, 5000, 'the canceled call');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.error).toBe('wamp.error.canceled');
    await settle(50);
    expect(ab.connection.isOpen).toBe(true);
  });
});

describe.each(PAIRS)('our client (%s peer, %s client) with wampy', (peerSer, ourSer) => {
  let wampy: Wampy;
  let client: Client;
  /** Everything wampy received (wampy itself ignores stray RESULTs and ERRORs). */
  const inbound: unknown[][] = [];
  const uri = (name: string) => `mixed.wampy.${peerSer}.${name}`;

  beforeAll(async () => {
    [wampy, client] = await Promise.all([connectWampy(ir.url, peerSer, {}, inbound), junction(ourSer)]);
  });
  afterAll(async () => {
    await Promise.all([wampy?.disconnect(), client?.close()]);
  });

  it('a wampy publisher is received by our subscriber (exact and prefix, publisher disclosed)', async () => {
    const got: unknown[][] = [];
    const all = deferred();
    const on = (sub: string) => (args: unknown[], kwargs: Record<string, unknown>, details: Record<string, unknown>) => {
      got.push([sub, details.topic ?? uri('topic'), args, kwargs, details.publisher]);
      if (got.length === 3) all.resolve();
    };
    await client.subscribe(uri('topic'), on('exact'));
    await client.subscribe(uri('pfx'), on('prefix'), { match: 'prefix' });

    await wampy.publish(uri('topic'), { argsList: [1, 'a', [BIG]], argsDict: { k: { n: -BIG } } }, { disclose_me: true });
    await wampy.publish(uri('pfx.deep.topic'), { argsDict: { only: 'kwargs' } });
    await wampy.publish(uri('elsewhere'), ['nope']);
    await wampy.publish(uri('topic'), 'single');
    await within(all.promise, 5000, 'three events');
    await settle(50);
    expect(got).toEqual([
      ['exact', uri('topic'), [1, 'a', [BIG]], { k: { n: -BIG } }, Number(wampy.getSessionId())],
      ['prefix', uri('pfx.deep.topic'), [], { only: 'kwargs' }, undefined],
      ['exact', uri('topic'), ['single'], {}, undefined],
    ]);
  });

  it('a wampy progressiveCall streams its arguments to our callee (progressive call invocations)', async () => {
    await client.register(uri('junction.sum'), async (args, _kwargs, ctx) => {
      let sum = args[0] as number;
      for await (const chunk of ctx.inputs ?? []) sum += chunk.args[0] as number;
      return sum;
    });
    const pc = wampy.progressiveCall(uri('junction.sum'), [1]);
    pc.sendData([2]);
    pc.sendData([3]);
    pc.sendData([4], { progress: false });
    const res = await within(pc.result, 5000, 'the progressive call');
    expect(res.argsList).toEqual([10]);
  });

  it.each(['skip', 'kill', 'killnowait'] as const)('a wampy caller cancels (%s) a call served by our client', async (mode) => {
    const invoked = deferred();
    const interrupted = deferred<void>();
    let wasInterrupted = false;
    const release = deferred();
    await client.register(uri(`junction.slow.${mode}`), async (_args, _kwargs, ctx) => {
      invoked.resolve();
      ctx.signal.addEventListener('abort', () => {
        wasInterrupted = true;
        interrupted.resolve();
      });
      await release.promise;
      return 'late';
    });
    const call = wampy.call(uri(`junction.slow.${mode}`));
    const requestId = wampy.getOpStatus().reqId;
    const settled = outcome(call);
    await within(invoked.promise, 5000, 'the invocation');
    wampy.cancel(requestId, { mode });
    const r = await within(settled, 5000, 'the canceled call');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.errorUri).toBe('wamp.error.canceled');
    if (mode === 'skip') {
      // skip: the callee is not told; it answers later and the router drops the answer.
      await settle(100);
      expect(wasInterrupted).toBe(false);
    } else {
      await within(interrupted.promise, 5000, 'INTERRUPT at our callee');
    }
    release.resolve();
    await settle(50);
    // Exactly one final message (RESULT or ERROR) for the canceled call, whatever the mode.
    expect(inbound.filter((m) => (m[0] === 50 && m[1] === requestId) || (m[0] === 8 && m[1] === 48 && m[2] === requestId))).toHaveLength(1);
    expect(wampy.getSessionId()).not.toBeNull();
    expect((await wampy.call(uri('nobody'), []).catch((e) => e)).errorUri).toBe('wamp.error.no_such_procedure');
  });
});

const python = detectPythonAutobahn();
const runPython = requirePeer('autobahn-python', python.available, python.reason);

describe.skipIf(!runPython)('Autobahn|Python calls a Junction callee', () => {
  let client: Client;
  let py: PythonRun;
  const SERS: Ser[] = ['json', 'msgpack', 'cbor'];

  beforeAll(async () => {
    client = await junction('msgpack');
    for (const ser of SERS) {
      const p = `mixed.py.${ser}`;
      await client.register(`${p}.add`, (args) => (args[0] as number) + (args[1] as number));
      await client.register(`${p}.echo`, (args, kwargs) => result(args, kwargs));
      await client.register(`${p}.fail`, (args) => {
        throw new WampError('com.example.junction.failed', ['no', args[0]], { code: 7 });
      });
      await client.register(`${p}.countdown`, (args, _kwargs, ctx) => {
        for (let i = args[0] as number; i > 0; i--) ctx.progress([i]);
        return 'done';
      });
    }
    // One Python process, one session per serializer.
    py = await runAutobahnPythonSessions(
      ir.url,
      SERS.map((serializer) => ({ name: serializer, serializer, scenario: 'caller', prefix: `mixed.py.${serializer}` })),
    );
  }, 60_000);
  afterAll(async () => {
    await client?.close();
  });

  it.each(SERS)('over wamp.2.%s: args/kwargs (2^53 int, bytes), errors, progressive results', (ser) => {
    const r = { line: (event: string) => py.line(event, ser), has: (event: string) => py.has(event, ser) };
    expect(r.line('welcome').protocol).toBe(`wamp.2.${ser}`);
    expect(r.has('failure')).toBe(false);
    expect(r.line('add').value).toBe(5);
    const echo = r.line('echo');
    expect(echo.args).toEqual(['a', BIG]);
    expect(echo.types).toEqual(['str', 'int']);
    expect(echo.kwargs).toEqual({ b: { bytes: '0102' }, k: { x: [1, 2] } });
    expect(r.line('fail')).toMatchObject({ error: 'com.example.junction.failed', args: ['no', 'why'], kwargs: { code: 7 } });
    expect(r.line('countdown')).toMatchObject({ progress: [[3], [2], [1]], value: 'done' });
    expect(r.line('leave').reason).toBe('wamp.close.goodbye_and_out');
  });

  it('an Autobahn|Python callee (announces call_canceling) is INTERRUPTed when a wampy caller cancels in kill mode and when our client cancels in killnowait mode', async () => {
    const p = 'mixed.pycallee';
    const lines: PeerLine[] = [];
    let wake = () => {};
    const until = (event: string, count: number) =>
      within(
        (async () => {
          while (lines.filter((l) => l.event === event).length < count) await new Promise<void>((r) => (wake = r));
        })(),
        15_000,
        `Autobahn|Python line "${event}" #${count}`,
      );
    const done = runAutobahnPython(['--url', ir.url, '--serializer', 'cbor', '--scenario', 'callee', '--prefix', p], 30_000, (l) => {
      lines.push(l);
      wake();
    });
    await until('ready', 1);

    const inbound: unknown[][] = [];
    const w = await connectWampy(ir.url, 'json', {}, inbound);
    try {
      const call = outcome(w.call(`${p}.slow`, [1]));
      const requestId = w.getOpStatus().reqId;
      await until('invoked', 1);
      w.cancel(requestId, { mode: 'kill' });
      await until('interrupted', 1);
      const r = await within(call, 5000, 'the canceled wampy call');
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.errorUri).toBe('wamp.error.canceled');

      const abort = new AbortController();
      const ours = outcome(client.call(`${p}.slow`, [2], {}, { signal: abort.signal, cancelMode: 'killnowait' }));
      await until('invoked', 2);
      abort.abort();
      const r2 = await ours;
      expect(r2.ok).toBe(false);
      if (!r2.ok) expect((r2.error as WampError).uri).toBe('wamp.error.canceled');
      await until('interrupted', 2);

      expect((await client.call(`${p}.stop`)).args).toEqual(['bye']);
      const run = await done;
      expect(run.lines.filter((l) => l.event === 'invoked').map((l) => l.args)).toEqual([[1], [2]]);
      expect(run.line('leave').reason).toBe('wamp.close.goodbye_and_out');
      // Exactly one final message for the wampy call (the callee's ERROR after INTERRUPT).
      const finals = inbound.filter((m) => (m[0] === 50 || (m[0] === 8 && m[1] === 48)) && m[m[0] === 8 ? 2 : 1] === requestId);
      expect(finals).toHaveLength(1);
    } finally {
      await w.disconnect();
    }
  });
});
