// Fan-out subscriber process: opens `count` connections, each with one subscription to the
// topic, and measures every delivery. Argument: { impl, options, port, count, concurrency }.
// IPC with the parent:
//   sub -> { type: 'ready' }                          all subscriptions active
//   parent -> { type: 'phase', first, events }        the next phase's sequence numbers
//   sub -> { type: 'phaseReady' }                      (so that no event of the phase can come first)
//   sub -> { type: 'done', done }                     every event up to `done` reached every connection here
//                                                     (sent at most once per event-loop turn)
//   sub -> { type: 'phaseResult', buckets, count, sum, max, endAt, cpuUs } when the phase's last event
//          reached every connection here (endAt: nowUs() then; cpuUs: this process's CPU time since
//          the phase message)
// Latency = nowUs() on arrival - the publisher's nowUs() carried in the event (one machine-wide
// monotonic clock, see common.mjs). Kept as a histogram with 1 % wide buckets.

import { childIpc, cpuProfiler, loadImpl, nowUs } from './common.mjs';
import { Histogram } from './histogram.mjs';

const p = JSON.parse(process.argv[2]);
const profiler = cpuProfiler(p.profileFile);
const ipc = childIpc({ beforeExit: profiler.stop });
const impl = await loadImpl(p.impl);

const RING = 4096;
const counts = new Uint32Array(RING);
let done = 0; // every seq <= done was delivered to all `count` connections
let phase = null;
let bad = null;

function onEvent(seq, ts) {
  const t = nowUs();
  if (typeof seq !== 'number' || typeof ts !== 'number') {
    bad ??= new Error(`bad event payload ${JSON.stringify([seq, ts])}`);
    return;
  }
  if (phase && seq >= phase.first) phase.hist.add(t - ts);
  if (seq <= done || seq > done + RING) {
    bad ??= new Error(`event ${seq} outside the window (${done} done)`);
    return;
  }
  if (++counts[seq % RING] === p.count) advance(t);
}

let doneQueued = false;
function sendDone() {
  doneQueued = false;
  ipc.send({ type: 'done', done });
}

function advance(t) {
  while (counts[(done + 1) % RING] === p.count) {
    counts[(done + 1) % RING] = 0;
    done++;
  }
  if (bad) throw bad;
  // credit for the publisher: at most one IPC message per event-loop turn
  if (!doneQueued) {
    doneQueued = true;
    setImmediate(sendDone);
  }
  if (phase && done >= phase.last) {
    const { hist, cpu0 } = phase;
    phase = null;
    const cpu = process.cpuUsage(cpu0);
    ipc.send({ type: 'phaseResult', ...hist.toJSON(), endAt: t, cpuUs: cpu.user + cpu.system });
  }
}

ipc.on('phase', (m) => {
  void profiler.start();
  phase = { first: m.first, last: m.first + m.events - 1, hist: new Histogram(), cpu0: process.cpuUsage() };
  // the parent starts the publisher only after every subscriber process has the phase
  ipc.send({ type: 'phaseReady' });
});

ipc.stage('connect');
const subs = [];
let next = 0;
async function worker() {
  while (next < p.count) {
    next++;
    subs.push(await impl.subscribe(p.port, p.options, onEvent));
  }
}
await Promise.all(Array.from({ length: Math.min(p.concurrency, p.count) }, worker));
ipc.send({ type: 'ready' });
ipc.stage('subscribed');
