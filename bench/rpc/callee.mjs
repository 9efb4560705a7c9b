// Remote callee process (the `junction-routed` implementation): connects to the router,
// registers bench.add, says { type: 'ready' } and serves until told to exit; answers
// { type: 'cpu' } like the server.
//   argument: { impl, options, port }

import { childIpc, cpuProfiler, loadImpl } from './common.mjs';

const p = JSON.parse(process.argv[2]);
const profiler = cpuProfiler(p.profileFile);
const ipc = childIpc({ beforeExit: profiler.stop });
ipc.on('cpu', () => ipc.send({ type: 'cpu', cpu: process.cpuUsage() }));
const impl = await loadImpl(p.impl);
ipc.stage('register');
await impl.callee(p.port, p.options);
await profiler.start(); // from registration on (warm-up included): the callee gets no `go`
ipc.send({ type: 'ready' });
ipc.stage('serving');
