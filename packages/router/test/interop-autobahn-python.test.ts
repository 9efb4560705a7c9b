/**
 * Interop: Autobahn|Python (Debian python3-autobahn, asyncio ApplicationRunner, under
 * /usr/bin/python3) against our router over wamp.2.json, wamp.2.msgpack and wamp.2.cbor: RPC with
 * args/kwargs, application errors, progressive results, pub/sub with exact and prefix
 * subscriptions, 2^53 integers and binary values, and WAMP-CRA with and without salt.
 *
 * The peer is test/peers/autobahn_python_peer.py; it prints JSON lines that the tests assert on.
 * All twelve sessions (4 per serializer) run concurrently in one Python process, started in
 * beforeAll, so the file pays for one interpreter start.
 *
 * Peer detection: /usr/bin/python3 must import autobahn, cbor2 and msgpack. Missing -> skipped
 * with a printed reason; under CI=true -> failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectPythonAutobahn, requirePeer } from '../../websocket/test/support/peers.js';
import {
  CREDENTIALS,
  runAutobahnPythonSessions,
  startInteropRouter,
  type InteropRouter,
  type PythonRun,
  type PythonSessionSpec,
} from './support/interop-peers.js';

const peer = detectPythonAutobahn();
const run = requirePeer('autobahn-python', peer.available, peer.reason);
if (run) console.info(`[peers] Autobahn|Python interop uses ${peer.reason}`);

const SERIALIZERS = ['json', 'msgpack', 'cbor'] as const;
type Ser = (typeof SERIALIZERS)[number];
const BIG = 2 ** 53;

describe.skipIf(!run)('Autobahn|Python against our router', () => {
  let ir: InteropRouter;
  let py: PythonRun;

  beforeAll(async () => {
    ir = await startInteropRouter();
    const s = CREDENTIALS.wampcraSalted;
    const sessions: PythonSessionSpec[] = SERIALIZERS.flatMap((serializer) => [
      { name: `self/${serializer}`, serializer, scenario: 'self', prefix: `py.${serializer}` },
      { name: `cra/${serializer}`, serializer, scenario: 'wampcra', authid: CREDENTIALS.wampcra.authid, secret: CREDENTIALS.wampcra.secret, meta: true },
      { name: `cra-salted/${serializer}`, serializer, scenario: 'wampcra', authid: s.authid, secret: s.password },
      { name: `cra-wrong/${serializer}`, serializer, scenario: 'wampcra', authid: s.authid, secret: 'wrong' },
    ]);
    // Twelve sessions, one Python process: they run concurrently on one asyncio loop.
    py = await runAutobahnPythonSessions(ir.url, sessions);
  }, 60_000);
  afterAll(async () => {
    await ir?.close();
  });

  describe.each(SERIALIZERS)('over wamp.2.%s', (ser: Ser) => {
    const p = `py.${ser}`;
    /** The lines of one session. */
    const get = (run: string) => ({
      line: (event: string) => py.line(event, run),
      has: (event: string) => py.has(event, run),
    });

    it('joins anonymously with the requested subprotocol and leaves cleanly', () => {
      const r = get(`self/${ser}`);
      expect(r.line('welcome')).toMatchObject({ protocol: `wamp.2.${ser}`, authmethod: 'anonymous', authrole: 'anonymous' });
      expect(r.has('failure')).toBe(false);
      expect(r.has('timeout')).toBe(false);
      expect(r.line('leave').reason).toBe('wamp.close.goodbye_and_out');
      expect(py.code).toBe(0);
    });

    it('RPC: args and kwargs round-trip exactly (2^53 stays an int, bytes stay bytes)', () => {
      const r = get(`self/${ser}`);
      const echo = r.line('echo');
      expect(echo.args).toEqual([1, 'two', [3], { four: 4 }]);
      expect(echo.kwargs).toEqual({ k: 'v', big: BIG, neg: -BIG, b: { bytes: '0001ff' } });
      expect(echo.types).toEqual({ k: 'str', big: 'int', neg: 'int', b: 'bytes' });
      expect(r.line('echo_single').value).toBe(7);
    });

    it('RPC: application errors carry args and kwargs; unknown procedures are wamp.error.no_such_procedure', () => {
      const r = get(`self/${ser}`);
      expect(r.line('fail')).toMatchObject({ error: 'com.example.failed', args: ['bad input', 42], kwargs: { reason: 'nope', got: ['x'] } });
      expect(r.has('fail_no_error')).toBe(false);
      expect(r.line('nowhere').error).toBe('wamp.error.no_such_procedure');
    });

    it('progressive call results arrive in order before the final result', () => {
      const r = get(`self/${ser}`);
      expect(r.line('countdown')).toMatchObject({
        progress: [
          [[3], { left: 3 }],
          [[2], { left: 2 }],
          [[1], { left: 1 }],
        ],
        args: ['liftoff'],
        kwargs: { steps: 3 },
      });
    });

    it('pub/sub: acknowledged publish, exact and prefix subscriptions, publisher exclusion by default', () => {
      const r = get(`self/${ser}`);
      expect(r.line('published').acknowledged).toBe(true);
      const events = r.line('events');
      expect(events.exact).toEqual([
        { args: [1, 'a'], kwargs: { k: { n: 1 } } },
        { args: [2], kwargs: {} },
      ]);
      expect(events.prefixed).toEqual([{ args: ['p'], topic: `${p}.prefix.deep.topic` }]);
    });

    it('wampcra without salt; the session meta API answers', () => {
      const r = get(`cra/${ser}`);
      const challenge = r.line('challenge');
      expect(challenge.method).toBe('wampcra');
      expect(challenge.extra).toEqual({}); // nothing but the challenge string itself: no salt
      expect(r.line('welcome')).toMatchObject({ authid: CREDENTIALS.wampcra.authid, authrole: CREDENTIALS.role, authmethod: 'wampcra' });
      expect(r.line('joined').count).toBeGreaterThanOrEqual(1);
    });

    it('wampcra with salt (Autobahn|Python derives the PBKDF2 key from salt, iterations, keylen)', () => {
      const s = CREDENTIALS.wampcraSalted;
      const r = get(`cra-salted/${ser}`);
      expect(r.line('challenge').extra).toEqual({ salt: s.salt, iterations: s.iterations, keylen: s.keylen });
      expect(r.line('welcome')).toMatchObject({ authid: s.authid, authrole: CREDENTIALS.role, authmethod: 'wampcra' });
    });

    it('wampcra with a wrong secret is refused with wamp.error.authentication_failed', () => {
      const r = get(`cra-wrong/${ser}`);
      expect(r.has('welcome')).toBe(false);
      expect(r.line('leave').reason).toBe('wamp.error.authentication_failed');
    });
  });
});
