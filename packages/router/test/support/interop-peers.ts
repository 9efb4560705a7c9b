/**
 * Drivers for the third-party WAMP peers of the router interop suites (interop-*.test.ts):
 * Autobahn|JS 22.11.1 and wampy 8 run in the test process (Node, over `ws`), Autobahn|Python
 * runs as a child process (test/peers/autobahn_python_peer.py under Debian's /usr/bin/python3).
 * Also: the router every suite starts (one per file, 127.0.0.1, port 0) with a realm that knows
 * test principals for ticket, wampcra (plain and salted) and cryptosign.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync, pbkdf2Sync } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { Wampy } from 'wampy';
import { JsonSerializer } from 'wampy/JsonSerializer.js';
import { MsgpackSerializer } from 'wampy/MsgpackSerializer.js';
import { CborSerializer } from 'wampy/CborSerializer.js';
import { Router, anonymous, cryptosign, ticket, wampcra } from '@junction/router';
import { pythonPath } from '../../../websocket/test/support/peers.js';

// ---------------------------------------------------------------------------------------------
// Test principals

function base64urlToHex(s: string): string {
  return Buffer.from(s, 'base64url').toString('hex');
}

const ed25519 = generateKeyPairSync('ed25519');
const ed25519Jwk = ed25519.privateKey.export({ format: 'jwk' });

/** Credentials the interop realm accepts; the peers log in with them. */
export const CREDENTIALS = {
  ticket: { authid: 'joe', ticket: 'joe-ticket-5ecret' },
  wampcra: { authid: 'peter', secret: 'peter-5ecret' },
  /** Salted WAMP-CRA: the router stores only the PBKDF2 key; the client derives it from the password. */
  wampcraSalted: { authid: 'salty', password: 'salty-pa55word', salt: 'salt-for-salty', iterations: 100, keylen: 32 },
  cryptosign: {
    authid: 'alice',
    /** Ed25519 seed (32 bytes hex), what wampy's cryptosign plugin and tweetnacl's fromSeed take. */
    seedHex: base64urlToHex(ed25519Jwk.d!),
    publicKeyHex: base64urlToHex(ed25519Jwk.x!),
  },
  /** Role every authenticated test principal gets. */
  role: 'user',
} as const;

/** PBKDF2-SHA256 key as WAMP-CRA defines it (base64), computed here independently of any client. */
export function wampcraDerivedKey(password: string, salt: string, iterations: number, keylen: number): string {
  return pbkdf2Sync(password, salt, iterations, keylen, 'sha256').toString('base64');
}

const everything = [{ uri: '', match: 'prefix' as const, allow: { call: true, register: true, publish: true, subscribe: true } }];

/** Realm `name` open to anonymous clients and to the {@link CREDENTIALS} principals. */
export function interopRealm(name = 'realm1') {
  const salted = CREDENTIALS.wampcraSalted;
  return {
    name,
    authenticators: [
      anonymous(),
      ticket({ principals: { [CREDENTIALS.ticket.authid]: { ticket: CREDENTIALS.ticket.ticket, role: CREDENTIALS.role } } }),
      wampcra({
        principals: {
          [CREDENTIALS.wampcra.authid]: { secret: CREDENTIALS.wampcra.secret, role: CREDENTIALS.role },
          [salted.authid]: {
            secret: wampcraDerivedKey(salted.password, salted.salt, salted.iterations, salted.keylen),
            salt: salted.salt,
            iterations: salted.iterations,
            keylen: salted.keylen,
            role: CREDENTIALS.role,
          },
        },
      }),
      cryptosign({ principals: { [CREDENTIALS.cryptosign.authid]: { authorizedKeys: [CREDENTIALS.cryptosign.publicKeyHex], role: CREDENTIALS.role } } }),
    ],
    roles: [
      { name: 'anonymous', permissions: everything },
      { name: CREDENTIALS.role, permissions: everything },
    ],
  };
}

export interface InteropRouter {
  router: Router;
  /** ws://127.0.0.1:PORT/ws */
  url: string;
  close(): Promise<void>;
}

/** One router per test file, on 127.0.0.1 and a free port, with {@link interopRealm}. */
export async function startInteropRouter(): Promise<InteropRouter> {
  const router = new Router({ realms: [interopRealm()] });
  const { url } = await router.listen({ port: 0, host: '127.0.0.1', path: '/ws' });
  return { router, url, close: () => router.close() };
}

// ---------------------------------------------------------------------------------------------
// Small async helpers

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Rejects with a message naming `what` when `promise` takes longer than `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]);
}

/** Waits `ms` (only to let messages that must NOT arrive show up; never to wait for a result). */
export function settle(ms = 50): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What a promise ended with, for asserting rejections of non-Error values (wampy, Autobahn). */
export async function outcome<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: any }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

// ---------------------------------------------------------------------------------------------
// Autobahn|JS (CommonJS, no type declarations; its own nested ws 7 in Node)

const require = createRequire(import.meta.url);
/** The Autobahn|JS module (untyped). */
export const autobahn: any = require('autobahn');
// Autobahn|JS prints every close and handler exception with console.warn; the tests assert instead.
require('autobahn/lib/log.js').warn = () => {};

export type AutobahnSerializer = 'json' | 'msgpack' | 'cbor';

export interface AutobahnOptions {
  /** One serializer, or `default`: Autobahn's own default offer (json and msgpack, in one header `wamp.2.json,wamp.2.msgpack`). */
  serializer: AutobahnSerializer | 'default';
  realm?: string;
  authmethods?: string[];
  authid?: string;
  authextra?: Record<string, unknown>;
  /** `(session, method, extra) => signature | [signature, extra]`, may return a promise. */
  onchallenge?: (session: any, method: string, extra: Record<string, any>) => unknown;
}

export interface AutobahnPeer {
  /** autobahn.Session */
  session: any;
  connection: any;
  /** WELCOME.Details */
  details: Record<string, any>;
  /** Resolves when the connection closed (reason, details as Autobahn reports them). */
  closed: Promise<{ reason: string; details: Record<string, any> }>;
  close(): Promise<void>;
}

/** Thrown when Autobahn|JS could not join: `reason` is Autobahn's ("closed", "unreachable"), `details.reason` the WAMP ABORT URI. */
export class AutobahnJoinError extends Error {
  constructor(
    readonly reason: string,
    readonly details: Record<string, any>,
  ) {
    super(`Autobahn|JS could not join: ${reason} ${details?.reason ?? ''} ${details?.message ?? ''}`.trim());
  }
}

function autobahnSerializer(name: AutobahnSerializer): unknown {
  const s = autobahn.serializer;
  if (name === 'json') return new s.JSONSerializer();
  if (name === 'msgpack') return new s.MsgpackSerializer();
  return new s.CBORSerializer();
}

/** Opens an Autobahn|JS connection (no retries) and resolves once the session joined. */
export function connectAutobahn(url: string, options: AutobahnOptions): Promise<AutobahnPeer> {
  return new Promise((resolve, reject) => {
    let joined = false;
    const closed = deferred<{ reason: string; details: Record<string, any> }>();
    const connection = new autobahn.Connection({
      url,
      realm: options.realm ?? 'realm1',
      ...(options.serializer === 'default' ? {} : { serializers: [autobahnSerializer(options.serializer)] }),
      max_retries: 0,
      retry_if_unreachable: false,
      authmethods: options.authmethods,
      authid: options.authid,
      authextra: options.authextra,
      onchallenge: options.onchallenge,
      on_user_error: () => {},
      on_internal_error: () => {},
    });
    connection.onopen = (session: any, details: Record<string, any>) => {
      joined = true;
      resolve({
        session,
        connection,
        details,
        closed: closed.promise,
        async close() {
          if (connection.isOpen) connection.close();
          await within(closed.promise, 5000, 'Autobahn|JS to close');
        },
      });
    };
    connection.onclose = (reason: string, details: Record<string, any>) => {
      closed.resolve({ reason, details });
      if (!joined) reject(new AutobahnJoinError(reason, details));
      return true; // never retry
    };
    connection.open();
  });
}

/** Autobahn|JS's cryptosign signer for the test key (tweetnacl key pair from the seed). */
export function autobahnCryptosignKey(): unknown {
  return autobahn.nacl.sign.keyPair.fromSeed(Buffer.from(CREDENTIALS.cryptosign.seedHex, 'hex'));
}

// ---------------------------------------------------------------------------------------------
// wampy 8 (ESM, typed; needs a WebSocket class in Node: the `ws` package)

export type WampySerializer = 'json' | 'msgpack' | 'cbor';
export type WampyOptions = NonNullable<ConstructorParameters<typeof Wampy>[1]>;

function wampySerializer(name: WampySerializer) {
  if (name === 'json') return new JsonSerializer();
  if (name === 'msgpack') return new MsgpackSerializer();
  return new CborSerializer();
}

/**
 * Connects a wampy client (no auto-reconnect) and resolves once the session joined. With
 * `inbound`, every message wampy receives is appended to it (through wampy's debug logger), so a
 * test can count what the router sent: wampy itself silently ignores stray RESULTs and ERRORs.
 */
export async function connectWampy(
  url: string,
  serializer: WampySerializer,
  options: Partial<WampyOptions> = {},
  inbound?: unknown[][],
): Promise<Wampy> {
  const recording: Partial<WampyOptions> = inbound
    ? {
        debug: true,
        logger: (...entries: unknown[]) => {
          const args = entries[0] as unknown[];
          if (args[0] === 'websocket message received: ') inbound.push(args[1] as unknown[]);
        },
      }
    : {};
  const wampy = new Wampy(url, {
    realm: 'realm1',
    ws: WebSocket as unknown as WampyOptions['ws'],
    serializer: wampySerializer(serializer),
    autoReconnect: false,
    ...recording,
    ...options,
  });
  await wampy.connect();
  return wampy;
}

// ---------------------------------------------------------------------------------------------
// Autobahn|Python (child process)

const PYTHON_PEER = fileURLToPath(new URL('../peers/autobahn_python_peer.py', import.meta.url));

/** One JSON line of the Python peer; `run` names the session it came from. */
export type PeerLine = Record<string, any> & { event: string; run?: string };

/** One run of the Python process; several sessions (runs) may share it. */
export interface PythonRun {
  code: number | null;
  lines: PeerLine[];
  stderr: string;
  /** Wall time of the run. */
  ms: number;
  /** The first line with `event` (of session `run`, if given); throws with the whole output when there is none. */
  line(event: string, run?: string): PeerLine;
  has(event: string, run?: string): boolean;
}

/** One scripted session of the Python peer (see the scenarios in autobahn_python_peer.py). */
export interface PythonSessionSpec {
  name: string;
  scenario: 'self' | 'caller' | 'callee' | 'wampcra';
  serializer?: 'json' | 'msgpack' | 'cbor';
  prefix?: string;
  authid?: string;
  secret?: string;
  meta?: boolean;
}

/** Runs `sessions` concurrently in one Python process (one interpreter start for all of them). */
export function runAutobahnPythonSessions(url: string, sessions: PythonSessionSpec[], timeoutMs = 25_000): Promise<PythonRun> {
  return runAutobahnPython(['--url', url, '--runs', JSON.stringify(sessions)], timeoutMs);
}

/**
 * Runs test/peers/autobahn_python_peer.py with `args` and collects its JSON lines; `onLine` sees
 * each line as it arrives (to act while the peer runs, e.g. call it once it printed "ready").
 */
export function runAutobahnPython(args: string[], timeoutMs = 25_000, onLine?: (line: PeerLine) => void): Promise<PythonRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(pythonPath, [PYTHON_PEER, ...args, '--timeout', String(Math.max(1, timeoutMs / 1000 - 3))], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONIOENCODING: 'utf-8', PYTHONDONTWRITEBYTECODE: '1' },
    });
    let out = '';
    let err = '';
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (!onLine) return;
      pending += d;
      const complete = pending.split('\n');
      pending = complete.pop()!;
      for (const l of complete) if (l.trim().startsWith('{')) onLine(JSON.parse(l) as PeerLine);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Autobahn|Python peer timed out after ${timeoutMs} ms\nstdout:\n${out}\nstderr:\n${err}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const lines = out
        .split('\n')
        .filter((l) => l.trim().startsWith('{'))
        .map((l) => JSON.parse(l) as PeerLine);
      const dump = () => `python exited ${code}\nstdout:\n${out}\nstderr:\n${err}`;
      resolve({
        code,
        lines,
        stderr: err,
        ms: Date.now() - started,
        has: (event, run) => lines.some((l) => l.event === event && (run === undefined || l.run === run)),
        line(event, run) {
          const found = lines.find((l) => l.event === event && (run === undefined || l.run === run));
          if (!found) throw new Error(`Autobahn|Python printed no "${event}" line${run ? ` for ${run}` : ''}\n${dump()}`);
          return found;
        },
      });
    });
  });
}
