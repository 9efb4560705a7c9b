// Fan-out publisher process: one connection, publishes [seq, nowUs()] events. Argument:
// { impl, options, port }. IPC with the parent:
//   pub -> { type: 'ready' }
//   parent -> { type: 'phase', first, events, window }   publish seq first .. first+events-1, at
//             most `window` events ahead of the last one every subscriber has received
//   parent -> { type: 'credit', done }                    every seq <= done reached every subscriber
//   pub -> { type: 'published', t0 }                      all of the phase published; t0: nowUs() of its first publish

import { childIpc, loadImpl, nowUs } from './common.mjs';

const p = JSON.parse(process.argv[2]);
const ipc = childIpc();
const impl = await loadImpl(p.impl);
ipc.stage('connect');
const pub = await impl.publisher(p.port, p.options);

let phase = null;
let done = 0;

function pump() {
  if (!phase) return;
  while (phase.next <= phase.last && phase.next - done <= phase.window) {
    const t = nowUs();
    if (phase.t0 === null) phase.t0 = t;
    pub.publish(phase.next++, t);
  }
  if (phase.next > phase.last) {
    ipc.send({ type: 'published', t0: phase.t0 });
    phase = null;
  }
}

ipc.on('credit', (m) => {
  done = Math.max(done, m.done);
  pump();
});
ipc.on('phase', (m) => {
  phase = { next: m.first, last: m.first + m.events - 1, window: m.window, t0: null };
  pump();
});
ipc.send({ type: 'ready' });
ipc.stage('publishing');
