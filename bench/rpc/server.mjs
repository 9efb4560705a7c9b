// Server process of the RPC benchmark. Forked by run.mjs with one JSON argument:
//   { impl: module name in impls/, options, mode: 'rpc' | 'fanout', profileFile?: string }
// Sends { type: 'listening', port } over IPC, then answers:
//   { type: 'cpu' }  -> { type: 'cpu', cpu: process.cpuUsage() }
//   { type: 'exit' } -> exits
// With `profileFile`, the V8 CPU profiler runs from the first `cpu` request (the start of the
// measured window, after connecting and warming up) until `exit`, and the profile is written there.

import { childIpc, cpuProfiler, loadImpl } from './common.mjs';

const p = JSON.parse(process.argv[2]);
const profiler = cpuProfiler(p.profileFile);
const ipc = childIpc({ beforeExit: profiler.stop });
ipc.on('cpu', async () => {
  await profiler.start();
  ipc.send({ type: 'cpu', cpu: process.cpuUsage() });
});

const impl = await loadImpl(p.impl);
ipc.stage('listen');
const { port } = p.mode === 'fanout' ? await impl.serveFanout(p.options) : await impl.serve(p.options);
ipc.send({ type: 'listening', port });
ipc.stage('serving');
