// Shared pieces of the RPC benchmark: the implementations, the shared clock,
// percentiles and the child side of the IPC protocol with run.mjs.
// Imported by run.mjs and by every child process (server, caller, subscriber, publisher).

import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import { HOST, fatal, reportCrashesToParent } from '../transport/common.mjs';

export { HOST, fatal, reportCrashesToParent };

/** The procedure every RPC implementation serves: add(a, b) -> a + b. */
export const PROCEDURE = 'bench.add';
/** The topic of the fan-out case. */
export const TOPIC = 'bench.tick';
export const REALM = 'realm1';

/**
 * Implementations of the RPC cases. `module` is the file in impls/ that serves and calls;
 * `options` goes to both sides. Junction and Autobahn|JS use the Junction router; the callee of
 * `bench.add` is an embedded session in the router process (see README: same process layout as
 * the tRPC / socket.io / rpc-websockets servers, which run the handler in the server process).
 */
export const RPC_IMPLS = {
  'junction-json': { module: 'junction', options: { serializer: 'json' }, label: 'Junction (JSON)' },
  'junction-msgpack': { module: 'junction', options: { serializer: 'msgpack' }, label: 'Junction (MessagePack)' },
  'junction-cbor': { module: 'junction', options: { serializer: 'cbor' }, label: 'Junction (CBOR)' },
  'junction-routed': { module: 'junction', options: { serializer: 'json', remoteCallee: true }, label: 'Junction (JSON, callee in own process)' },
  autobahn: { module: 'autobahn', options: {}, label: 'Autobahn|JS 22.11.1 → Junction router (JSON)' },
  trpc: { module: 'trpc', options: {}, label: 'tRPC 11 (wsLink)' },
  socketio: { module: 'socketio', options: {}, label: 'socket.io 4 (emitWithAck)' },
  'rpc-websockets': { module: 'rpc-websockets', options: {}, label: 'rpc-websockets 10' },
  'raw-ws': { module: 'raw-ws', options: {}, label: 'raw ws + JSON' },
};

/** Implementations of the fan-out case. */
export const FANOUT_IMPLS = {
  'junction-json': { module: 'junction', options: { serializer: 'json' }, label: 'Junction (JSON)' },
  'junction-msgpack': { module: 'junction', options: { serializer: 'msgpack' }, label: 'Junction (MessagePack)' },
  socketio: { module: 'socketio', options: {}, label: 'socket.io 4 room broadcast' },
};

export async function loadImpl(name) {
  return import(new URL(`./impls/${name}.mjs`, import.meta.url));
}

/**
 * The clock shared by all processes of a run, in microseconds. process.hrtime reads
 * CLOCK_MONOTONIC, which on Linux is one clock for the whole machine, so a timestamp taken in
 * the publisher can be subtracted from one taken in a subscriber process. (performance.now() is
 * relative to each process's own start and would need timeOrigin, which comes from the wall clock.)
 */
export function nowUs() {
  const t = process.hrtime();
  return t[0] * 1e6 + t[1] / 1e3;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, q) {
  if (!sorted.length) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

/**
 * The child side of the IPC protocol: progress stages, crash reports, `exit` (after the optional
 * async `beforeExit`), and a queue of other messages from the parent.
 */
export function childIpc({ beforeExit = null } = {}) {
  reportCrashesToParent();
  process.on('disconnect', () => process.exit(0));
  const queue = [];
  const waiters = [];
  const handlers = new Map();
  process.on('message', (m) => {
    if (m.type === 'exit') {
      if (!beforeExit) process.exit(0);
      beforeExit().finally(() => process.exit(0));
      return;
    }
    const h = handlers.get(m.type);
    if (h) return h(m);
    const i = waiters.findIndex((w) => w.type === m.type);
    if (i >= 0) waiters.splice(i, 1)[0].resolve(m);
    else queue.push(m);
  });
  return {
    stage: (stage) => process.send({ type: 'stage', stage }),
    send: (m) => process.send(m),
    /** Next message of this type from the parent. */
    wait(type) {
      const i = queue.findIndex((m) => m.type === type);
      if (i >= 0) return Promise.resolve(queue.splice(i, 1)[0]);
      return new Promise((resolve) => waiters.push({ type, resolve }));
    },
    /** Handles every message of this type as it comes (instead of queueing it). */
    on(type, handler) {
      handlers.set(type, handler);
    },
  };
}

/**
 * The V8 CPU profiler of this process (--profile of run.mjs): `start()` at the beginning of the
 * measured window, the profile is written to `file` when the process is told to exit (pass
 * `profiler.stop` as childIpc's `beforeExit`). A no-op without `file`.
 */
export function cpuProfiler(file) {
  let session = null;
  return {
    async start() {
      if (!file || session) return;
      session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 100 });
      await session.post('Profiler.start');
    },
    stop: file
      ? async () => {
          if (!session) return;
          const { profile } = await session.post('Profiler.stop');
          fs.writeFileSync(file, JSON.stringify(profile));
        }
      : null,
  };
}
