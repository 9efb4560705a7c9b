// Caller process of the RPC benchmark. Forked by run.mjs with one JSON argument:
//   { impl, options, port, kind: 'seq' | 'inflight', ...sizes (see `cfg` in run.mjs) }
// IPC with the parent:
//   caller -> { type: 'ready' }   connected and warmed up
//   parent -> { type: 'go' }      (the parent has taken the server's CPU mark)
//   caller -> { type: 'result', ... } after the measured phase, every call answered
// Every reply is checked: add(i, 7) must be i + 7.

import { childIpc, cpuProfiler, loadImpl, percentile } from './common.mjs';

const p = JSON.parse(process.argv[2]);
const profiler = cpuProfiler(p.profileFile);
const ipc = childIpc({ beforeExit: profiler.stop });
const nowNs = () => process.hrtime.bigint();

function check(i, r) {
  if (r !== i + 7) throw new Error(`add(${i}, 7) returned ${JSON.stringify(r)}`);
}

/** `count` calls, one at a time; per-call round trips in µs into `samples` when given. */
async function sequential(client, count, samples) {
  for (let i = 0; i < count; i++) {
    const t0 = nowNs();
    const r = await client.call(i, 7);
    if (samples) samples[i] = Number(nowNs() - t0) / 1000;
    check(i, r);
  }
}

/** Keeps `inflight` calls pending: `count` calls in all, or until performance.now() passes `untilMs`. */
function pipelined(client, inflight, { count, untilMs }) {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let done = 0;
    let stopped = false;
    const t0 = nowNs();
    const more = () => (count !== undefined ? sent < count : !stopped);
    const next = () => {
      const i = sent++;
      client.call(i, 7).then((r) => {
        try {
          check(i, r);
        } catch (err) {
          return reject(err);
        }
        done++;
        if (untilMs !== undefined && !stopped && performance.now() >= untilMs) stopped = true;
        if (more()) next();
        else if (done === sent) resolve({ count: done, elapsedNs: Number(nowNs() - t0) });
      }, reject);
    };
    for (let k = 0; k < inflight && more(); k++) next();
  });
}

async function measured(fn) {
  ipc.send({ type: 'ready' });
  await ipc.wait('go');
  await profiler.start();
  ipc.stage('measure');
  const cpu0 = process.cpuUsage();
  const res = await fn();
  const cpu = process.cpuUsage(cpu0);
  ipc.send({ type: 'result', ...res, clientCpuUs: cpu.user + cpu.system });
}

const impl = await loadImpl(p.impl);
ipc.stage('connect');
const client = await impl.connect(p.port, p.options);
ipc.stage('warmup');

if (p.kind === 'seq') {
  await sequential(client, p.warmup);
  await measured(async () => {
    const samples = new Float64Array(p.calls);
    const t0 = nowNs();
    await sequential(client, p.calls, samples);
    const elapsedNs = Number(nowNs() - t0);
    const sorted = Array.from(samples).sort((a, b) => a - b);
    return {
      count: p.calls,
      elapsedNs,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
      max: sorted.at(-1),
    };
  });
} else if (p.kind === 'inflight') {
  await pipelined(client, p.inflight, { untilMs: performance.now() + p.warmMs });
  // measured for a fixed time (not a count sized from the warm-up rate, which the JIT's warm-up
  // makes too low): calls/s = calls answered / (first call -> last answer)
  await measured(() => pipelined(client, p.inflight, { untilMs: performance.now() + p.measureMs }));
} else {
  throw new Error(`unknown kind ${p.kind}`);
}
ipc.stage('close');
await client.close();
ipc.stage('closed');
