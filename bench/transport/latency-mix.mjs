// Sequential round-trip latency of every server/client pairing of junction and ws, measured in
// the same two processes and interleaved, so that they can be compared to a fraction of a µs.
//
// The latency case of run.mjs starts fresh processes per transport and run. On this VM the p50
// of a fresh pair of processes lands in one of a few modes (about 30, 39 or 47 µs, the same for
// every transport, changing with the host's state), which buries differences of 1 µs. Here one
// server process hosts a ws and a junction server, one client process holds the four
// connections (ws→ws, ws→junction, junction→ws, junction→junction), and the timed round trips
// go in blocks of 1,000 that rotate over the four, so each pairing sees the same machine state.
//
//   node bench/transport/latency-mix.mjs [--blocks=30] [--block=1000] [--warmup=5000]
//
// Server and client are pinned to CPUs 0 and 1 with taskset when it exists. JUNCTION_BENCH_DIST
// measures another build of @junction/websocket, as in run.mjs. Writes nothing: the table is the
// result.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { HOST, loadWsLike } from './common.mjs';

const SIZE = 32;
// JUNCTION_BENCH_DIST=<dir>: another build of @junction/websocket, as in run.mjs (loadWsLike
// imports JUNCTION_BENCH_MODULE; the child processes inherit it).
if (process.env.JUNCTION_BENCH_DIST && !process.env.JUNCTION_BENCH_MODULE) {
  process.env.JUNCTION_BENCH_MODULE = pathToFileURL(path.join(path.resolve(process.env.JUNCTION_BENCH_DIST), 'index.js')).href;
}

async function libraries() {
  return { ws: await loadWsLike('ws'), junction: await loadWsLike('junction') };
}

function options() {
  const out = { blocks: 30, block: 1000, warmup: 5000 };
  for (const arg of process.argv.slice(2)) {
    const m = /^--(blocks|block|warmup)=(\d+)$/.exec(arg);
    if (!m) {
      console.error('usage: node bench/transport/latency-mix.mjs [--blocks=30] [--block=1000] [--warmup=5000]');
      process.exit(2);
    }
    out[m[1]] = Number(m[2]);
  }
  return out;
}

/** Server role: an echo server per library; prints their ports as JSON, runs until killed. */
async function serve() {
  const libs = await libraries();
  const ports = {};
  for (const [name, { WebSocketServer }] of Object.entries(libs)) {
    const wss = new WebSocketServer({ port: 0, host: HOST, perMessageDeflate: false });
    wss.on('connection', (socket) => socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary })));
    await new Promise((resolve) => wss.on('listening', resolve));
    ports[name] = wss.address().port;
  }
  process.stdout.write(`${JSON.stringify(ports)}\n`);
}

/** Client role: times the rotating blocks and prints the table. */
async function measure(ports, { blocks, block, warmup }) {
  const libs = await libraries();
  const pairs = [];
  for (const server of ['ws', 'junction']) {
    for (const client of ['ws', 'junction']) {
      const socket = new libs[client].WebSocket(`ws://${HOST}:${ports[server]}/`, [], { perMessageDeflate: false });
      await new Promise((resolve, reject) => {
        socket.on('open', resolve);
        socket.on('error', reject);
      });
      pairs.push({ server, client, socket, samples: new Float64Array(blocks * block), n: 0 });
    }
  }
  const payload = Buffer.alloc(SIZE, 7);
  const run = (pair, count, keep) =>
    new Promise((resolve) => {
      let left = count;
      let t0;
      const onMessage = () => {
        const t1 = process.hrtime.bigint();
        if (keep) pair.samples[pair.n++] = Number(t1 - t0) / 1000;
        if (--left === 0) {
          pair.socket.off('message', onMessage);
          resolve();
          return;
        }
        t0 = process.hrtime.bigint();
        pair.socket.send(payload);
      };
      pair.socket.on('message', onMessage);
      t0 = process.hrtime.bigint();
      pair.socket.send(payload);
    });
  for (const pair of pairs) await run(pair, warmup, false);
  for (let b = 0; b < blocks; b++) for (const pair of pairs) await run(pair, block, true);

  const at = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const rows = pairs.map((pair) => {
    const sorted = pair.samples.slice(0, pair.n).sort();
    return { ...pair, p10: at(sorted, 0.1), p50: at(sorted, 0.5), p90: at(sorted, 0.9) };
  });
  const base = rows.find((r) => r.server === 'ws' && r.client === 'ws');
  console.log(`${SIZE} B round trips, ${blocks} blocks of ${block} per pairing (after ${warmup} warm-up each), µs`);
  console.log('server    client    p10     p50     p90     p50 - ws/ws');
  for (const r of rows) {
    const delta = r.p50 - base.p50;
    console.log(`${r.server.padEnd(10)}${r.client.padEnd(10)}${r.p10.toFixed(2).padEnd(8)}${r.p50.toFixed(2).padEnd(8)}${r.p90.toFixed(2).padEnd(8)}${delta >= 0 ? '+' : ''}${delta.toFixed(2)}`);
  }
  for (const pair of pairs) pair.socket.terminate();
}

if (process.argv[2] === '--serve') {
  await serve();
} else if (process.argv[2] === '--measure') {
  await measure(JSON.parse(process.argv[3]), JSON.parse(process.argv[4]));
  process.exit(0);
} else {
  const opts = options();
  const pin = (cpu) => (existsSync('/usr/bin/taskset') ? ['/usr/bin/taskset', ['-c', String(cpu), process.execPath]] : [process.execPath, []]);
  const [cmd, pre] = pin(0);
  const server = spawn(cmd, [...pre, fileURLToPath(import.meta.url), '--serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ports = await new Promise((resolve, reject) => {
    let text = '';
    server.stdout.on('data', (d) => {
      text += d;
      if (text.includes('\n')) resolve(JSON.parse(text));
    });
    server.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  try {
    const [ccmd, cpre] = pin(1);
    const client = spawn(ccmd, [...cpre, fileURLToPath(import.meta.url), '--measure', JSON.stringify(ports), JSON.stringify(opts)], { stdio: 'inherit' });
    const code = await new Promise((resolve) => client.on('exit', resolve));
    process.exitCode = code ?? 1;
  } finally {
    server.kill();
  }
}
