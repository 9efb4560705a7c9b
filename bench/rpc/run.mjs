#!/usr/bin/env node
// RPC and pub/sub benchmark: Junction (router + client) against tRPC, socket.io,
// rpc-websockets, a raw ws + JSON baseline and Autobahn|JS. Every server, caller, subscriber
// and publisher is its own process on 127.0.0.1. See bench/rpc/README.md.
//
//   npm run bench:rpc                               full run: 3 runs per case (~6 min)
//   npm run bench:rpc -- --quick                    smoke run: 1 short run per case
//   npm run bench:rpc -- --calls=5000               fewer sequential calls (default 20,000)
//   npm run bench:rpc -- --only=add-inflight --impls=junction-json,raw-ws --runs=5
//   npm run bench:rpc -- --profile=junction-json --only=add-inflight   server under --cpu-prof

import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Child as BenchChild, withTimeout } from '../child-process.mjs';
import { FANOUT_IMPLS, RPC_IMPLS } from './common.mjs';
import { Histogram } from './histogram.mjs';
import { fmt, render, updateDocs } from './to-markdown.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------
// options

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (!m) usage(`unexpected argument ${a}`);
    return [m[1], m[2] ?? true];
  }),
);
const known = new Set(['quick', 'calls', 'only', 'impls', 'runs', 'subscribers', 'window', 'out', 'profile', 'no-docs', 'help']);
for (const k of Object.keys(args)) if (!known.has(k)) usage(`unknown option --${k}`);
if (args.help) usage();

function usage(err) {
  if (err) console.error(err);
  console.error(
    'usage: node bench/rpc/run.mjs [--quick] [--calls=N] [--runs=N] [--only=<case>[,...]] [--impls=<impl>[,...]] [--subscribers=N] [--window=N] [--profile=<impl>] [--out=file.json] [--no-docs]\n' +
      `  cases: add-seq, add-inflight, fanout\n  impls: ${Object.keys(RPC_IMPLS).join(', ')}`,
  );
  process.exit(err ? 2 : 0);
}

function positiveInt(name, fallback) {
  if (args[name] === undefined) return fallback;
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n < 1) usage(`--${name} must be a positive integer`);
  return n;
}

const quick = !!args.quick;
const cfg = {
  runs: positiveInt('runs', quick ? 1 : 3),
  seq: { calls: positiveInt('calls', quick ? 2000 : 20_000), warmup: quick ? 300 : 2000 },
  inflight: { inflight: 100, warmMs: quick ? 150 : 500, measureMs: quick ? 300 : 1500 },
  fanout: {
    subscribers: positiveInt('subscribers', 1000),
    processes: 2,
    concurrency: 50,
    warmup: { events: quick ? 10 : 50, window: positiveInt('window', 16) },
    load: { events: quick ? 40 : 300, window: positiveInt('window', 16) },
    paced: { events: quick ? 20 : 100, window: 1 },
  },
  timeoutMs: { rpc: quick ? 60_000 : 120_000, fanout: quick ? 90_000 : 180_000 },
};

const CASES = [
  {
    id: 'add-seq',
    kind: 'seq',
    what: `add(a, b), one call at a time, ${cfg.seq.calls.toLocaleString('en-US')} timed calls after ${cfg.seq.warmup} warm-up calls; round trip measured in the caller`,
    impls: RPC_IMPLS,
    metrics: [
      { key: 'p50', label: 'p50 µs', better: 'lower' },
      { key: 'p99', label: 'p99 µs', better: 'lower' },
      { key: 'callsPerSec', label: 'calls/s', better: 'higher' },
    ],
  },
  {
    id: 'add-inflight',
    kind: 'inflight',
    what: `add(a, b) with ${cfg.inflight.inflight} calls in flight from one connection; ${cfg.inflight.warmMs} ms warm-up, then ${cfg.inflight.measureMs} ms measured`,
    impls: RPC_IMPLS,
    metrics: [
      { key: 'callsPerSec', label: 'calls/s', better: 'higher' },
      { key: 'serverCpuUsPerCall', label: 'server CPU µs/call', better: 'lower' },
      { key: 'clientCpuUsPerCall', label: 'caller CPU µs/call', better: 'lower' },
    ],
  },
  {
    id: 'fanout',
    kind: 'fanout',
    what: `1 publisher, ${cfg.fanout.subscribers.toLocaleString('en-US')} subscribers on as many connections in ${cfg.fanout.processes} processes; ${cfg.fanout.load.events} events with at most ${cfg.fanout.load.window} not yet delivered everywhere (load), then ${cfg.fanout.paced.events} one at a time (paced)`,
    impls: FANOUT_IMPLS,
    metrics: [
      { key: 'deliveriesPerSec', label: 'events delivered/s', better: 'higher' },
      { key: 'loadP50', label: 'load p50 µs', better: 'lower' },
      { key: 'loadP99', label: 'load p99 µs', better: 'lower' },
      { key: 'pacedP50', label: 'paced p50 µs', better: 'lower' },
      { key: 'pacedP99', label: 'paced p99 µs', better: 'lower' },
      { key: 'serverCpuUsPerDelivery', label: 'server CPU µs/delivery', better: 'lower' },
      { key: 'subscriberCpuUsPerDelivery', label: 'subscriber CPU µs/delivery', better: 'lower' },
    ],
  },
];

const only = typeof args.only === 'string' ? args.only.split(',') : null;
const cases = CASES.filter((c) => !only || only.some((o) => c.id.startsWith(o)));
if (!cases.length) usage(`--only matches no case`);
const implFilter = typeof args.impls === 'string' ? args.impls.split(',') : null;
if (implFilter) for (const i of implFilter) if (!RPC_IMPLS[i] && !FANOUT_IMPLS[i]) usage(`unknown implementation ${i}`);
const profileImpl = typeof args.profile === 'string' ? args.profile : null;
if (args.profile !== undefined && !RPC_IMPLS[profileImpl] && !FANOUT_IMPLS[profileImpl]) usage(`--profile needs an implementation name`);
const profileDir = path.join(here, '.profiles');

// ---------------------------------------------------------------------------
// what can run: Junction needs the built router and client

// Junction processes import a private copy of the built packages taken when the run starts, so
// that a rebuild during the run (other work in the same tree) cannot mix builds or catch a
// half-written dist. The copy is bench/rpc/.snapshot/<pid>/node_modules/@junction/* (package.json +
// dist); inside it the packages resolve each other, everything else resolves to the repository's
// node_modules. Deleted on exit.
const JUNCTION_PACKAGES = ['wamp', 'websocket', 'client', 'router'];
const snapshotDir = path.join(here, '.snapshot', String(process.pid));
function snapshotJunction() {
  for (const name of JUNCTION_PACKAGES) {
    const from = path.join(root, 'packages', name);
    const to = path.join(snapshotDir, 'node_modules', '@junction', name);
    if (!fs.existsSync(path.join(from, 'dist'))) throw new Error(`packages/${name}/dist is missing: build first (npx tsc -b packages/router)`);
    fs.mkdirSync(to, { recursive: true });
    fs.copyFileSync(path.join(from, 'package.json'), path.join(to, 'package.json'));
    fs.cpSync(path.join(from, 'dist'), path.join(to, 'dist'), { recursive: true });
  }
  process.env.JUNCTION_BENCH_SNAPSHOT = path.join(snapshotDir, 'node_modules', '@junction');
}
// the newest dist file of each package when the snapshot was taken: which build was measured
const junctionBuild = Object.fromEntries(JUNCTION_PACKAGES.map((name) => [name, newestFile(path.join(root, 'packages', name, 'dist'))]));
process.on('exit', () => {
  fs.rmSync(snapshotDir, { recursive: true, force: true });
  try {
    fs.rmdirSync(path.dirname(snapshotDir)); // .snapshot itself, unless another run is using it
  } catch {
    // not empty or already gone
  }
});
process.on('SIGINT', () => process.exit(130));

async function junctionProbe() {
  try {
    snapshotJunction();
    const { loadJunction } = await import('./impls/junction-modules.mjs');
    const { router, client } = await loadJunction();
    if (typeof router.Router !== 'function') return '@junction/router does not export Router yet';
    if (typeof client.connect !== 'function') return '@junction/client does not export connect yet';
    return null;
  } catch (err) {
    return String(err?.message ?? err).split('\n')[0];
  }
}
const junctionMissing = await junctionProbe();
/** The serializer a @junction/client uses when `serializers` is not given: the first of @junction/wamp's SERIALIZERS. */
async function junctionDefaultSerializer() {
  if (junctionMissing) return null;
  try {
    const { loadJunction } = await import('./impls/junction-modules.mjs');
    return (await loadJunction()).wamp.SERIALIZERS?.[0]?.name ?? null;
  } catch {
    return null;
  }
}
const junctionDefault = await junctionDefaultSerializer();
if (junctionDefault) {
  for (const impls of [RPC_IMPLS, FANOUT_IMPLS]) {
    for (const spec of Object.values(impls)) if (spec.module === 'junction' && spec.options.serializer === junctionDefault && !spec.options.remoteCallee) spec.label = spec.label.replace(/\)$/, ', default)');
  }
}
const needsJunction = (spec) => spec.module === 'junction' || spec.module === 'autobahn';

// ---------------------------------------------------------------------------
// processes

/** A server or client of this bench (bench/child-process.mjs), started from this folder. */
class Child extends BenchChild {
  constructor(name, script, param, options) {
    super(name, path.join(here, script), param, options);
  }
}

const cpuMicros = (m) => m.cpu.user + m.cpu.system;

/** Runs `body(spawn)` with fresh processes; any child failing fails the run; all are stopped at the end. */
async function withChildren(label, timeoutMs, body) {
  const children = [];
  let abort;
  const aborted = new Promise((_, reject) => (abort = reject));
  aborted.catch(() => {});
  const spawn = (name, script, param, opts = {}) => {
    const ch = new Child(`${label} ${name}`, script, param, { ...opts, onFail: abort });
    children.push(ch);
    return ch;
  };
  const where = () => children.map((ch) => `${ch.name}: stage ${ch.stage}${ch.output ? `, output: ${JSON.stringify(ch.output.slice(-600))}` : ''}`).join('; ');
  try {
    const work = body(spawn);
    work.catch(() => {});
    return await withTimeout(Promise.race([work, aborted]), timeoutMs, where);
  } finally {
    await Promise.all(children.map((ch) => ch.stop()));
  }
}

let profileSeq = 0;
/** Where the server of this run writes its CPU profile (only for the --profile implementation). */
function profileFileFor(caseId, name, role) {
  if (profileImpl !== name) return undefined;
  fs.mkdirSync(profileDir, { recursive: true });
  return path.join(profileDir, `${name}-${caseId}-${role}-${new Date().toISOString().replace(/[:.]/g, '-')}-${++profileSeq}.cpuprofile`);
}

async function startServer(spawn, caseId, name, spec, mode) {
  const server = spawn('server', 'server.mjs', { impl: spec.module, options: spec.options, mode, profileFile: profileFileFor(caseId, name, 'server') });
  const { port } = await server.wait('listening');
  let callee = null;
  if (spec.options.remoteCallee) {
    callee = spawn('callee', 'callee.mjs', { impl: spec.module, options: spec.options, port, profileFile: profileFileFor(caseId, name, 'callee') });
    await callee.wait('ready');
  }
  return { server, callee, port };
}

// ---------------------------------------------------------------------------
// one run of one case on one implementation

function runRpc(c, name, spec) {
  return withChildren(name, cfg.timeoutMs.rpc, async (spawn) => {
    const { server, callee, port } = await startServer(spawn, c.id, name, spec, 'rpc');
    const sizes = c.kind === 'seq' ? cfg.seq : cfg.inflight;
    const caller = spawn('caller', 'caller.mjs', { impl: spec.module, options: spec.options, port, kind: c.kind, ...sizes, profileFile: profileFileFor(c.id, name, 'caller') });
    await caller.wait('ready');
    const before = await server.request('cpu');
    const calleeBefore = await callee?.request('cpu');
    caller.send({ type: 'go' });
    const r = await caller.wait('result');
    const after = await server.request('cpu');
    const calleeAfter = await callee?.request('cpu');
    const secs = r.elapsedNs / 1e9;
    const serverCpuUs = cpuMicros(after) - cpuMicros(before);
    const common = { callsPerSec: r.count / secs, serverCpuUsPerCall: serverCpuUs / r.count, clientCpuUsPerCall: r.clientCpuUs / r.count, count: r.count, seconds: secs };
    if (callee) common.calleeCpuUsPerCall = (cpuMicros(calleeAfter) - cpuMicros(calleeBefore)) / r.count;
    if (c.kind === 'seq') return { p50: r.p50, p99: r.p99, mean: r.mean, max: r.max, ...common };
    return common;
  });
}

function runFanout(c, name, spec) {
  const f = cfg.fanout;
  return withChildren(name, cfg.timeoutMs.fanout, async (spawn) => {
    const { server, port } = await startServer(spawn, c.id, name, spec, 'fanout');
    const subs = [];
    const doneOf = new Array(f.processes).fill(0);
    let publisher = null;
    for (let i = 0; i < f.processes; i++) {
      const count = Math.floor(f.subscribers / f.processes) + (i < f.subscribers % f.processes ? 1 : 0);
      const sub = spawn(`subscribers ${i + 1}`, 'subscriber.mjs', { impl: spec.module, options: spec.options, port, count, concurrency: f.concurrency, profileFile: profileFileFor(c.id, name, `subscribers${i + 1}`) }, {
        onMessage: (m) => {
          if (m.type !== 'done') return false;
          doneOf[i] = m.done;
          publisher?.send({ type: 'credit', done: Math.min(...doneOf) });
          return true;
        },
      });
      subs.push(sub);
    }
    await Promise.all(subs.map((s) => s.wait('ready')));
    publisher = spawn('publisher', 'publisher.mjs', { impl: spec.module, options: spec.options, port });
    await publisher.wait('ready');

    let next = 1;
    const phase = async ({ events, window }) => {
      const first = next;
      next += events;
      for (const s of subs) s.send({ type: 'phase', first, events });
      await Promise.all(subs.map((s) => s.wait('phaseReady')));
      const before = await server.request('cpu');
      publisher.send({ type: 'phase', first, events, window });
      const [published, ...parts] = await Promise.all([publisher.wait('published'), ...subs.map((s) => s.wait('phaseResult'))]);
      const after = await server.request('cpu');
      const end = Math.max(...parts.map((x) => x.endAt));
      const hist = Histogram.merge(parts);
      if (hist.count !== events * f.subscribers) throw new Error(`expected ${events * f.subscribers} deliveries, measured ${hist.count}`);
      const subscriberCpuUs = parts.reduce((a, x) => a + x.cpuUs, 0);
      return { seconds: (end - published.t0) / 1e6, hist, serverCpuUs: cpuMicros(after) - cpuMicros(before), subscriberCpuUs, deliveries: hist.count };
    };
    await phase(f.warmup);
    const load = await phase(f.load);
    const paced = await phase(f.paced);
    return {
      deliveriesPerSec: load.deliveries / load.seconds,
      eventsPublishedPerSec: f.load.events / load.seconds,
      loadP50: load.hist.quantile(0.5),
      loadP99: load.hist.quantile(0.99),
      loadMax: load.hist.max,
      pacedP50: paced.hist.quantile(0.5),
      pacedP99: paced.hist.quantile(0.99),
      pacedMax: paced.hist.max,
      serverCpuUsPerDelivery: load.serverCpuUs / load.deliveries,
      subscriberCpuUsPerDelivery: load.subscriberCpuUs / load.deliveries,
      deliveries: load.deliveries,
      seconds: load.seconds,
    };
  });
}

// ---------------------------------------------------------------------------
// formatting

function median(xs) {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function moduleVersion(name) {
  try {
    let dir = path.dirname(require.resolve(name));
    while (!fs.existsSync(path.join(dir, 'package.json')) || JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name !== name) {
      const up = path.dirname(dir);
      if (up === dir) return null;
      dir = up;
    }
    return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

function newestFile(dir) {
  let newest = 0;
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  };
  try {
    walk(dir);
  } catch {
    return null;
  }
  return newest ? new Date(newest).toISOString() : null;
}

// ---------------------------------------------------------------------------
// main

const started = Date.now();
const loadStart = os.loadavg();
console.log(`rpc bench: ${quick ? 'quick, ' : ''}${cfg.runs} run(s) per case; node ${process.version}, ${os.cpus().length} cpus, load ${loadStart[0].toFixed(2)}`);
if (junctionMissing) console.log(`Junction skipped: ${junctionMissing}`);
if (loadStart[0] > os.cpus().length / 2) console.log(`warning: 1-minute load average is ${loadStart[0].toFixed(2)} on ${os.cpus().length} cpus; expect noisy numbers`);

const results = {};
for (const c of cases) {
  const names = Object.keys(c.impls).filter((n) => !implFilter || implFilter.includes(n));
  const entry = (results[c.id] = { kind: c.kind, what: c.what, metrics: c.metrics, impls: {} });
  for (const n of names) {
    const spec = c.impls[n];
    entry.impls[n] = needsJunction(spec) && junctionMissing ? { label: spec.label, skipped: junctionMissing } : { label: spec.label, runs: [], errors: [] };
  }
  const active = names.filter((n) => !entry.impls[n].skipped);
  for (let run = 0; run < cfg.runs; run++) {
    const order = active.map((_, i) => active[(i + run) % active.length]);
    for (const n of order) {
      const slot = entry.impls[n];
      if (slot.errors.length) continue; // a failed implementation is not retried on that case
      const t0 = Date.now();
      try {
        const r = c.kind === 'fanout' ? await runFanout(c, n, c.impls[n]) : await runRpc(c, n, c.impls[n]);
        r.load1m = os.loadavg()[0];
        slot.runs.push(r);
        const shown = c.metrics.map((m) => `${m.label} ${fmt(r[m.key])}`).join(', ');
        console.log(`  ${c.id.padEnd(13)} run ${run + 1}/${cfg.runs} ${n.padEnd(16)} ${shown}  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      } catch (err) {
        const msg = String(err?.message ?? err);
        slot.errors.push({ run: run + 1, error: msg });
        console.log(`  ${c.id.padEnd(13)} run ${run + 1}/${cfg.runs} ${n.padEnd(16)} ERROR ${msg.split('\n')[0].slice(0, 400)}`);
      }
    }
  }
  for (const n of active) {
    const slot = entry.impls[n];
    slot.median = {};
    slot.best = {}; // the least disturbed run's value of each metric (noise on a shared machine only makes things worse)
    const keys = new Set(slot.runs.flatMap((r) => Object.keys(r).filter((k) => typeof r[k] === 'number')));
    for (const k of keys) slot.median[k] = median(slot.runs.map((r) => r[k]));
    for (const m of c.metrics) {
      const xs = slot.runs.map((r) => r[m.key]).filter((x) => typeof x === 'number' && Number.isFinite(x));
      if (xs.length) slot.best[m.key] = m.better === 'higher' ? Math.max(...xs) : Math.min(...xs);
    }
  }
}

const loadEnd = os.loadavg()[0];
const partial = quick || args.only !== undefined || args.impls !== undefined || args.runs !== undefined || args.calls !== undefined || args.subscribers !== undefined || args.window !== undefined || profileImpl !== null;
const doc = {
  machine: {
    date: new Date(started).toISOString(),
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpus: { count: os.cpus().length, model: os.cpus()[0]?.model },
    totalMemBytes: os.totalmem(),
    loadavg1mStart: loadStart[0],
    loadavg1mEnd: loadEnd,
    versions: Object.fromEntries(['ws', 'bufferutil', '@trpc/server', '@trpc/client', 'socket.io', 'socket.io-client', 'rpc-websockets', 'autobahn', 'msgpackr', 'cbor-x'].map((m) => [m, moduleVersion(m)])),
  },
  config: {
    quick,
    partial,
    runs: cfg.runs,
    seq: cfg.seq,
    inflight: cfg.inflight,
    fanout: cfg.fanout,
    profile: profileImpl,
    junction: { skipped: junctionMissing, defaultSerializer: junctionDefault, benchLimits: { maxMessagesPerSecond: 1e9 }, newestDistFile: junctionBuild },
    durationSeconds: (Date.now() - started) / 1000,
  },
  cases: results,
};

console.log('');
const md = render(doc);
console.log(md.console);
console.log(`load average (1 min): ${loadStart[0].toFixed(2)} at start, ${loadEnd.toFixed(2)} at end (the bench itself keeps ~2 cores busy)`);

const errors = Object.entries(results).flatMap(([id, e]) => Object.entries(e.impls).flatMap(([n, s]) => (s.errors ?? []).map((x) => `${id} ${n} run ${x.run}: ${x.error}`)));
if (errors.length) {
  console.log('\nerrors:');
  for (const e of errors) console.log(`  ${e.split('\n').slice(0, 8).join('\n    ')}`);
}

const out = typeof args.out === 'string' ? path.resolve(args.out) : path.join(root, 'bench/results', partial ? 'rpc-partial.json' : 'rpc.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
// Earlier invocations written to the same file are kept in `previous` (their machine line and
// medians, newest first), so a noisy run does not erase the record of a quieter one.
try {
  const old = JSON.parse(fs.readFileSync(out, 'utf8'));
  const summary = {
    machine: old.machine,
    config: { runs: old.config?.runs, quick: old.config?.quick, durationSeconds: old.config?.durationSeconds },
    medians: Object.fromEntries(Object.entries(old.cases ?? {}).map(([id, e]) => [id, Object.fromEntries(Object.entries(e.impls ?? {}).map(([n, x]) => [n, x.median ?? x.skipped ?? null]))])),
  };
  doc.previous = [summary, ...(old.previous ?? [])].slice(0, 20);
} catch {
  // no earlier file (or not ours): nothing to keep
}
fs.writeFileSync(out, JSON.stringify(doc, null, 2) + '\n');
console.log(`\nwrote ${path.relative(process.cwd(), out)} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
if (!partial && !args['no-docs'] && typeof args.out !== 'string') {
  updateDocs(doc);
  console.log('updated the RPC table in docs/performance.md');
}
if (profileImpl) console.log(`CPU profile of the ${profileImpl} server in ${path.relative(process.cwd(), profileDir)}/ (summarize: node bench/rpc/profile-summary.mjs <file>)`);
process.exitCode = errors.length ? 1 : 0;
