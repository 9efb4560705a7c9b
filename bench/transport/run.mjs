#!/usr/bin/env node
// Transport benchmark: junction (@junction/websocket) vs ws (+bufferutil) vs a raw
// length-prefixed `net` protocol. Server and client run in separate processes.
// See bench/transport/README.md.
//
//   npm run bench:transport                      full run (3 runs per case, ~3 min)
//   npm run bench:transport -- --quick           smoke run (~20 s, 1 run, short windows)
//   npm run bench:transport -- --only=echo,latency        cases whose id starts with one of these
//   npm run bench:transport -- --transports=ws,raw        subset of transports
//   npm run bench:transport -- --runs=5 --out=path.json
//   npm run bench:transport -- --only=upload-1MiB --cpu-prof=/tmp/prof   V8 CPU profiles of every process

import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Child as BenchChild, softFdLimit, withTimeout } from '../child-process.mjs';
import { TRANSPORTS, WINDOW, ACK_EVERY, DEFLATE_LEVEL, RAW_ZLIB_MODE, junctionUnavailable, makeJsonPool } from './common.mjs';

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
const known = new Set(['quick', 'only', 'transports', 'runs', 'out', 'cpu-prof', 'malloc', 'help']);
for (const k of Object.keys(args)) if (!known.has(k)) usage(`unknown option --${k}`);
if (args.help) usage();

function usage(err) {
  if (err) console.error(err);
  console.error('usage: node bench/transport/run.mjs [--quick] [--only=<case>[,<case>...]] [--transports=junction,ws,raw] [--runs=N] [--out=file.json] [--cpu-prof=dir] [--malloc=default|steady]');
  process.exit(err ? 2 : 0);
}

const quick = !!args.quick;
const cfg = quick
  ? {
      runs: 1,
      latency: { warmup: 200, count: 800 },
      stream: { warmMs: 60, measureMs: 120 },
      handshake: { concurrency: 100, warmup: 50, total: 200 },
      idle: { count: 500, clients: 2, concurrency: 100, warmup: 50 },
      timeoutMs: 30_000,
    }
  : {
      runs: 5,
      latency: { warmup: 10_000, count: 20_000 },
      stream: { warmMs: 500, measureMs: 1500 },
      handshake: { concurrency: 100, warmup: 5000, total: 5000 },
      idle: { count: 5000, clients: 2, concurrency: 100, warmup: 200 },
      timeoutMs: 60_000,
    };
if (args.runs !== undefined) {
  cfg.runs = Number(args.runs);
  if (!Number.isInteger(cfg.runs) || cfg.runs < 1) usage('--runs must be a positive integer');
}

/**
 * --malloc=steady: every server and client process runs with glibc's heap trimming off and its
 * mmap threshold at 32 MiB, so memory freed by one big message is reused by the next instead of
 * going back to the kernel and being faulted in again. With the default settings a run at 64 KiB
 * or 1 MiB lands, at random and for every transport alike, either in that reuse mode or in a
 * mode with 2-60 page faults per message at up to twice the CPU (see README.md).
 */
const MALLOC_STEADY = { MALLOC_TRIM_THRESHOLD_: String(256 * 1024 * 1024), MALLOC_MMAP_THRESHOLD_: String(32 * 1024 * 1024), MALLOC_TOP_PAD_: String(64 * 1024 * 1024) };
const mallocMode = args.malloc === undefined ? 'default' : String(args.malloc);
if (mallocMode !== 'default' && mallocMode !== 'steady') usage('--malloc must be default or steady');
if (mallocMode === 'steady') Object.assign(process.env, MALLOC_STEADY); // children inherit it

// ---------------------------------------------------------------------------
// cases

const SIZES = [
  ['32B', 32],
  ['1KiB', 1024],
  ['64KiB', 64 * 1024],
  ['1MiB', 1024 * 1024],
];
const M = {
  p50: { key: 'p50', label: 'p50 µs', better: 'lower' },
  p99: { key: 'p99', label: 'p99 µs', better: 'lower' },
  msgs: { key: 'msgPerSec', label: 'msg/s', better: 'higher' },
  mbs: { key: 'MBps', label: 'MB/s', better: 'higher' },
  scpu: { key: 'serverCpuUsPerMsg', label: 'server CPU µs/msg', better: 'lower' },
  wireUp: { key: 'wireUpPerMsg', label: 'wire B/msg c→s', better: 'lower' },
  wireDown: { key: 'wireDownPerMsg', label: 'wire B/msg s→c', better: 'lower' },
  hs: { key: 'handshakesPerSec', label: 'handshakes/s', better: 'higher' },
  hscpu: { key: 'serverCpuUsPerHandshake', label: 'server CPU µs/hs', better: 'lower' },
  rss: { key: 'rssPerConn', label: 'server RSS B/conn', better: 'lower' },
  heap: { key: 'heapPerConn', label: 'server heap+ext B/conn', better: 'lower' },
  rssBefore: { key: 'rssBeforeMB', label: 'server RSS MB before', better: 'lower' },
  rssAfter: { key: 'rssAfterMB', label: 'server RSS MB after', better: 'lower' },
};

const JSON_SIZE = 16 * 1024;
const JSON_POOL = 64;

const CASES = [
  {
    id: 'latency-32B',
    kind: 'latency',
    size: 32,
    serverMode: 'echo',
    what: '32 B binary message, one at a time; round-trip time measured on the client',
    metrics: [M.p50, M.p99],
  },
  ...SIZES.map(([name, size]) => ({
    id: `echo-${name}`,
    kind: 'echo',
    size,
    serverMode: 'echo',
    what: `${name} binary messages echoed, ${WINDOW} in flight; MB/s counts payload in one direction`,
    metrics: [M.msgs, M.mbs, M.scpu],
  })),
  ...SIZES.map(([name, size]) => ({
    id: `upload-${name}`,
    kind: 'upload',
    size,
    serverMode: 'ack',
    what: `${name} binary messages client→server, ≤${WINDOW} unacknowledged; server sends a 4-byte cumulative ack every ${ACK_EVERY} messages`,
    metrics: [M.msgs, M.mbs, M.scpu],
  })),
  {
    id: 'deflate-json-16KiB',
    kind: 'deflate',
    size: JSON_SIZE,
    poolSize: JSON_POOL,
    serverMode: 'echo',
    what: `16 KiB JSON text echoed with permessage-deflate (zlib level ${DEFLATE_LEVEL}, threshold 0, context takeover) on both sides, ${WINDOW} in flight; wire bytes counted on the client socket`,
    metrics: [M.msgs, M.wireUp, M.wireDown, M.scpu],
  },
  {
    id: 'handshake',
    kind: 'handshake',
    serverMode: 'echo',
    what: `${cfg.handshake.total} connections, ${cfg.handshake.concurrency} concurrently: open (raw: TCP connect + one echoed 5-byte message) then close, measured until all are closed`,
    metrics: [M.hs, M.hscpu],
  },
  {
    id: 'idle-conns',
    kind: 'idle',
    serverMode: 'echo',
    what: `${cfg.idle.count} idle open connections from ${cfg.idle.clients} client processes; server memory delta after gc divided by ${cfg.idle.count}`,
    metrics: [M.rss, M.heap, M.rssBefore, M.rssAfter],
  },
];

let cases = CASES;
if (typeof args.only === 'string') {
  const want = args.only.split(',').filter(Boolean);
  cases = CASES.filter((c) => want.some((w) => c.id === w || c.id.startsWith(w) || c.kind === w));
  if (!cases.length) usage(`--only=${args.only} matches no case; cases: ${CASES.map((c) => c.id).join(', ')}`);
}

let transports = TRANSPORTS;
if (typeof args.transports === 'string') {
  transports = args.transports.split(',').filter(Boolean);
  for (const t of transports) if (!TRANSPORTS.includes(t)) usage(`unknown transport ${t}`);
}
const skipped = {};
let junctionBuild = null;
if (transports.includes('junction')) {
  junctionBuild = snapshotJunction();
  const why = await junctionUnavailable();
  if (why) {
    skipped.junction = why;
    transports = transports.filter((t) => t !== 'junction');
    console.log(`junction: skipped — ${why}`);
  }
}

/**
 * Copies packages/websocket/dist (plus its package.json, for "type": "module")
 * to bench/transport/.snapshot/<pid>/ and makes every junction process import
 * that copy: the package is rebuilt while people work, and a 3-minute run
 * must measure one build. The copy sits inside the repo so that its bare
 * imports (eventemitter3) still resolve through /work/main/node_modules; it
 * is removed on exit.
 */
function snapshotJunction() {
  const pkgDir = path.join(root, 'packages/websocket');
  // JUNCTION_BENCH_DIST=<dir>: measure another build of the package (e.g. the previous commit's) as "junction".
  const dist = process.env.JUNCTION_BENCH_DIST ? path.resolve(process.env.JUNCTION_BENCH_DIST) : path.join(pkgDir, 'dist');
  if (!fs.existsSync(path.join(dist, 'index.js'))) return { error: 'packages/websocket/dist/index.js does not exist (run npx tsc -b)' };
  const snap = path.join(here, '.snapshot', String(process.pid));
  fs.rmSync(snap, { recursive: true, force: true });
  fs.mkdirSync(snap, { recursive: true });
  process.on('exit', () => {
    fs.rmSync(snap, { recursive: true, force: true });
    try {
      fs.rmdirSync(path.dirname(snap)); // only if no other run is using it
    } catch {}
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => process.exit(130));
  fs.cpSync(dist, path.join(snap, 'dist'), { recursive: true, filter: (f) => !f.endsWith('.map') && !f.endsWith('.d.ts') });
  fs.copyFileSync(path.join(pkgDir, 'package.json'), path.join(snap, 'package.json'));
  process.env.JUNCTION_BENCH_MODULE = pathToFileURL(path.join(snap, 'dist/index.js')).href;
  let newest = 0;
  let files = 0;
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else if (f.endsWith('.js')) {
        files++;
        newest = Math.max(newest, fs.statSync(f).mtimeMs);
      }
    }
  };
  walk(dist);
  return { jsFiles: files, newestDistFile: new Date(newest).toISOString() };
}

// ---------------------------------------------------------------------------
// processes

const fdLimit = softFdLimit();

/** A server or client of this bench (bench/child-process.mjs), with `--cpu-prof` applied. */
class Child extends BenchChild {
  constructor(name, script, param, { execArgv = [], fds = 0, onFail = () => {} } = {}) {
    // --cpu-prof=dir: every server and client process writes a V8 CPU profile there, named after it.
    if (args['cpu-prof']) execArgv = [...execArgv, '--cpu-prof', `--cpu-prof-dir=${path.resolve(String(args['cpu-prof']))}`, `--cpu-prof-name=${name.replace(/\W+/g, '-')}-${param.transport}-${Date.now()}.cpuprofile`];
    super(name, path.join(here, script), param, { execArgv, fds, onFail, killAfterMs: 2000 });
  }
}

// ---------------------------------------------------------------------------
// one run of one case on one transport

async function runOnce(c, transport) {
  const isIdle = c.kind === 'idle';
  const nClients = isIdle ? cfg.idle.clients : 1;
  const children = [];
  // any child that crashes or reports a fatal error fails the whole run at once
  let abort;
  const aborted = new Promise((_, reject) => (abort = reject));
  aborted.catch(() => {});
  const server = new Child(`${transport} server`, 'server.mjs', { transport, mode: c.serverMode, deflate: c.kind === 'deflate' }, { execArgv: ['--expose-gc'], fds: isIdle ? cfg.idle.count : 0, onFail: abort });
  children.push(server);
  const where = () => children.map((ch) => `${ch.name}: stage ${ch.stage}${ch.output ? `, output: ${JSON.stringify(ch.output.slice(-600))}` : ''}`).join('; ');
  try {
    const work = (async () => {
      const { port } = await server.wait('listening');
      server.stage = 'listening';
      const clients = [];
      for (let i = 0; i < nClients; i++) {
        const param = { transport, port, kind: c.kind, size: c.size };
        if (c.kind === 'latency') Object.assign(param, cfg.latency);
        if (c.kind === 'echo' || c.kind === 'upload' || c.kind === 'deflate') Object.assign(param, cfg.stream, { poolSize: c.poolSize });
        if (c.kind === 'handshake') Object.assign(param, cfg.handshake);
        if (isIdle) {
          const share = Math.floor(cfg.idle.count / nClients) + (i < cfg.idle.count % nClients ? 1 : 0);
          Object.assign(param, { count: share, concurrency: cfg.idle.concurrency, warmup: i === 0 ? cfg.idle.warmup : 0 });
        }
        const cl = new Child(`${transport} client${nClients > 1 ? ` ${i + 1}` : ''}`, 'client.mjs', param, { fds: isIdle ? param.count : 0, onFail: abort });
        clients.push(cl);
        children.push(cl);
      }
      await Promise.all(clients.map((cl) => cl.wait('ready')));
      const mark = isIdle ? 'mem' : 'cpu';
      const before = await server.request(mark);
      for (const cl of clients) cl.send({ type: 'go' });
      const results = await Promise.all(clients.map((cl) => cl.wait('result')));
      const after = await server.request(mark);
      return summarize(c, results, before, after);
    })();
    work.catch(() => {});
    return await withTimeout(Promise.race([work, aborted]), cfg.timeoutMs, where);
  } finally {
    await Promise.all(children.map((ch) => ch.stop()));
  }
}

function summarize(c, results, before, after) {
  const r = results[0];
  const secs = r.elapsedNs / 1e9;
  const cpuUs = after.cpu ? after.cpu.user + after.cpu.system - (before.cpu.user + before.cpu.system) : null;
  switch (c.kind) {
    case 'latency':
      return { p50: r.p50, p99: r.p99, mean: r.mean, max: r.max, count: r.count, clientCpuUsPerMsg: r.clientCpuUs / r.count };
    case 'echo':
    case 'upload':
      return {
        msgPerSec: r.count / secs,
        MBps: (r.count * c.size) / secs / 1e6,
        serverCpuUsPerMsg: cpuUs / r.count,
        serverSysUsPerMsg: after.cpu ? (after.cpu.system - before.cpu.system) / r.count : null,
        // Page faults of the server per message: fresh memory touched for every message shows here.
        serverFaultsPerMsg: after.faults !== undefined ? (after.faults - before.faults) / r.count : null,
        clientCpuUsPerMsg: r.clientCpuUs / r.count,
        clientFaultsPerMsg: r.clientFaults / r.count,
        count: r.count,
        seconds: secs,
      };
    case 'deflate':
      return {
        msgPerSec: r.count / secs,
        wireUpPerMsg: r.wireUpPerMsg,
        wireDownPerMsg: r.wireDownPerMsg,
        serverCpuUsPerMsg: cpuUs / r.count,
        clientCpuUsPerMsg: r.clientCpuUs / r.count,
        count: r.count,
        seconds: secs,
        socketSource: r.socketSource,
      };
    case 'handshake':
      return {
        handshakesPerSec: r.count / secs,
        serverCpuUsPerHandshake: cpuUs / r.count,
        clientCpuUsPerHandshake: r.clientCpuUs / r.count,
        count: r.count,
        seconds: secs,
      };
    case 'idle': {
      const n = results.reduce((a, x) => a + x.count, 0);
      const b = before.mem;
      const a = after.mem;
      return {
        rssPerConn: (a.rss - b.rss) / n,
        heapPerConn: (a.heapUsed + a.external - (b.heapUsed + b.external)) / n,
        connections: n,
        serverSawConnections: after.connections,
        rssBeforeMB: b.rss / 1e6,
        rssAfterMB: a.rss / 1e6,
        heapUsedBefore: b.heapUsed,
        heapUsedAfter: a.heapUsed,
        externalBefore: b.external,
        externalAfter: a.external,
        heapTotalBefore: b.heapTotal,
        heapTotalAfter: a.heapTotal,
        // V8 heap spaces after: [name, committed bytes, used bytes] (where RSS beyond heapUsed goes).
        spacesAfter: after.spaces,
        spacesBefore: before.spaces,
        openSeconds: Math.max(...results.map((x) => x.elapsedNs)) / 1e9,
      };
    }
  }
  throw new Error(`unknown kind ${c.kind}`);
}

// ---------------------------------------------------------------------------
// formatting

function fmt(v, key) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (typeof v === 'string') return v;
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

function median(xs) {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function printTable(rows) {
  const head = ['case', 'metric', 'junction', 'ws', 'raw', 'junction/ws', 'junction/raw'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((x, i) => (i < 2 ? String(x).padEnd(widths[i]) : String(x).padStart(widths[i]))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  let last = null;
  for (const r of rows) {
    console.log(line(r[0] === last ? ['', ...r.slice(1)] : r));
    last = r[0];
  }
}

function describeCpus() {
  const cpus = os.cpus();
  return { count: cpus.length, model: cpus[0]?.model, speedMHz: cpus[0]?.speed };
}

function moduleVersion(name) {
  try {
    return require(`${name}/package.json`).version;
  } catch {
    return null;
  }
}

function bufferutilNative() {
  try {
    const b = require('bufferutil');
    return /\[native code\]/.test(Function.prototype.toString.call(b.mask));
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------
// main

const started = Date.now();
const loadStart = os.loadavg();
const allTransports = TRANSPORTS;
const results = {};
const jsonSample = makeJsonPool(1, JSON_SIZE)[0];

console.log(
  `transport bench: ${quick ? 'quick, ' : ''}${cfg.runs} run(s) per case, transports: ${transports.join(', ')}; node ${process.version}, ${os.cpus().length} cpus, fd limit ${fdLimit.soft}, load ${loadStart[0].toFixed(2)}`,
);
if (loadStart[0] > os.cpus().length / 2) console.log(`warning: 1-minute load average is ${loadStart[0].toFixed(2)} on ${os.cpus().length} cpus; expect noisy numbers`);

for (const c of cases) {
  const entry = (results[c.id] = { kind: c.kind, size: c.size ?? null, what: c.what, metrics: c.metrics.map((m) => ({ ...m })), transports: {} });
  for (const t of allTransports) {
    entry.transports[t] = skipped[t] ? { skipped: skipped[t] } : transports.includes(t) ? { runs: [], errors: [] } : { skipped: 'not selected' };
  }
  for (let run = 0; run < cfg.runs; run++) {
    // rotate the order so no transport always runs first / last
    const order = transports.map((_, i) => transports[(i + run) % transports.length]);
    for (const t of order) {
      const slot = entry.transports[t];
      if (slot.errors.length) continue; // a transport that failed a case is not retried on it
      const t0 = Date.now();
      try {
        const r = await runOnce(c, t);
        r.load1m = os.loadavg()[0];
        slot.runs.push(r);
        const shown = c.metrics.map((m) => `${m.label} ${fmt(r[m.key])}`).join(', ');
        console.log(`  ${c.id.padEnd(20)} run ${run + 1}/${cfg.runs} ${t.padEnd(8)} ${shown}  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      } catch (err) {
        const msg = String(err?.message ?? err);
        slot.errors.push({ run: run + 1, error: msg });
        console.log(`  ${c.id.padEnd(20)} run ${run + 1}/${cfg.runs} ${t.padEnd(8)} ERROR ${msg.split('\n')[0]}`);
      }
    }
  }
  for (const t of transports) {
    const slot = entry.transports[t];
    slot.median = {};
    const keys = new Set(slot.runs.flatMap((r) => Object.keys(r).filter((k) => typeof r[k] === 'number')));
    for (const k of keys) slot.median[k] = median(slot.runs.map((r) => r[k]));
  }
}

// table
const rows = [];
for (const c of cases) {
  const e = results[c.id];
  for (const m of c.metrics) {
    const val = (t) => {
      const s = e.transports[t];
      if (s.skipped) return s.skipped === 'not selected' ? '' : 'n/a';
      if (!s.runs.length) return s.errors.length ? 'ERR' : '—';
      return s.median[m.key];
    };
    const j = val('junction');
    const w = val('ws');
    const r = val('raw');
    const ratio = (a, b) => (typeof a === 'number' && typeof b === 'number' && b !== 0 ? (a / b).toFixed(2) : '');
    rows.push([c.id, `${m.label} (${m.better === 'higher' ? '↑' : '↓'})`, fmt(j), fmt(w), fmt(r), ratio(j, w), ratio(j, r)]);
  }
}
console.log('');
printTable(rows);
const loadEnd = os.loadavg()[0];
console.log(`load average (1 min): ${loadStart[0].toFixed(2)} at start, ${loadEnd.toFixed(2)} at end (the bench itself keeps ~2 cores busy)`);
console.log('↑ higher is better, ↓ lower is better; values are medians; ratios are junction divided by the other transport.');

const errors = Object.entries(results).flatMap(([id, e]) => Object.entries(e.transports).flatMap(([t, s]) => (s.errors ?? []).map((x) => `${id} ${t} run ${x.run}: ${x.error}`)));
if (errors.length) {
  console.log('\nerrors:');
  for (const e of errors) console.log(`  ${e.split('\n').slice(0, 8).join('\n    ')}`);
}

const partial = quick || args.only !== undefined || args.transports !== undefined || args.runs !== undefined;
const out = typeof args.out === 'string' ? path.resolve(args.out) : path.join(root, 'bench/results', partial ? 'transport-partial.json' : mallocMode === 'steady' ? 'transport-malloc-steady.json' : 'transport.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(
  out,
  JSON.stringify(
    {
      machine: {
        date: new Date(started).toISOString(),
        node: process.version,
        v8: process.versions.v8,
        platform: `${os.platform()} ${os.release()} ${os.arch()}`,
        cpus: describeCpus(),
        totalMemBytes: os.totalmem(),
        loadavg1mStart: loadStart[0],
        loadavg1mEnd: os.loadavg()[0],
        fdLimit: { soft: String(fdLimit.soft), hard: String(fdLimit.hard) },
        ws: moduleVersion('ws'),
        bufferutil: { version: moduleVersion('bufferutil'), native: bufferutilNative() },
      },
      config: {
        quick,
        runs: cfg.runs,
        window: WINDOW,
        ackEvery: ACK_EVERY,
        deflateLevel: DEFLATE_LEVEL,
        rawZlibMode: RAW_ZLIB_MODE,
        malloc: mallocMode === 'steady' ? { mode: 'steady', env: MALLOC_STEADY } : { mode: 'default' },
        json: { bytes: JSON_SIZE, distinctDocs: JSON_POOL, sample: jsonSample.slice(0, 300) + '…' },
        latency: cfg.latency,
        stream: cfg.stream,
        handshake: cfg.handshake,
        idle: cfg.idle,
        junctionBuild,
        selectedTransports: transports,
        skipped,
        durationSeconds: (Date.now() - started) / 1000,
      },
      cases: results,
    },
    null,
    2,
  ) + '\n',
);
console.log(`\nwrote ${path.relative(process.cwd(), out)} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exitCode = errors.length ? 1 : 0;
