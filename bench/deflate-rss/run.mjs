// permessage-deflate memory benchmark (ws#1202 is the failure to avoid: RSS that climbs with
// many compressed connections and never comes back). For each implementation, a server process
// takes CYCLES rounds of: open N compressed connections (context takeover on, the default),
// echo one 16 KiB JSON message on each, record RSS, close them all, record RSS.
// Usage: node bench/deflate-rss/run.mjs [--connections N] [--cycles C]
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import WsClient from 'ws';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : Number(args[i + 1]);
};
const N = option('--connections', 1000);
const CYCLES = option('--cycles', 4);
const here = fileURLToPath(new URL('.', import.meta.url));
const message = JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ id: i, name: `user-${i}`, email: `user${i}@example.com`, active: i % 3 === 0 }))).slice(0, 16384);

function ask(child, request) {
  return new Promise((resolve) => {
    const onMessage = (msg) => {
      if (msg.type === request.type) {
        child.off('message', onMessage);
        resolve(msg);
      }
    };
    child.on('message', onMessage);
    child.send(request);
  });
}

async function openAll(port) {
  const sockets = [];
  for (let batch = 0; batch < N; batch += 100) {
    const opened = await Promise.all(
      Array.from({ length: Math.min(100, N - batch) }, () => new Promise((resolve, reject) => {
        const ws = new WsClient(`ws://127.0.0.1:${port}/`, { perMessageDeflate: { threshold: 0 } });
        ws.on('open', () => ws.send(message));
        ws.once('message', () => resolve(ws));
        ws.on('error', reject);
      })),
    );
    sockets.push(...opened);
  }
  return sockets;
}

async function measure(impl) {
  const child = fork(`${here}server.mjs`, [impl], { execArgv: ['--expose-gc'] });
  const { port } = await new Promise((resolve) => child.once('message', resolve));
  const baseline = await ask(child, { type: 'memory' });
  const cycles = [];
  for (let c = 0; c < CYCLES; c++) {
    const sockets = await openAll(port);
    const open = await ask(child, { type: 'memory' });
    await Promise.all(sockets.map((ws) => new Promise((resolve) => { ws.on('close', resolve); ws.close(); })));
    await new Promise((r) => setTimeout(r, 200));
    const closed = await ask(child, { type: 'memory' });
    cycles.push({ openRss: open.rss, closedRss: closed.rss, clients: open.clients, closedExternal: closed.external, closedHeap: closed.heapUsed, clientsAfterClose: closed.clients });
  }
  child.send({ type: 'exit' });
  return { baselineRss: baseline.rss, cycles };
}

const MiB = (b) => (b / 1048576).toFixed(1);
const results = {};
for (const impl of ['junction', 'ws']) {
  results[impl] = await measure(impl);
  const r = results[impl];
  console.log(`\n${impl}: baseline RSS ${MiB(r.baselineRss)} MiB, ${N} compressed connections x ${CYCLES} cycles`);
  r.cycles.forEach((c, i) => console.log(`  cycle ${i + 1}: open ${MiB(c.openRss)} MiB (${((c.openRss - r.baselineRss) / N / 1024).toFixed(1)} KiB/conn), after close ${MiB(c.closedRss)} MiB (external ${MiB(c.closedExternal)}, heap ${MiB(c.closedHeap)}, clients ${c.clientsAfterClose})`));
  const growth = r.cycles.at(-1).openRss - r.cycles[0].openRss;
  console.log(`  growth from first to last cycle (open): ${MiB(growth)} MiB`);
}
mkdirSync(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true });
writeFileSync(fileURLToPath(new URL('../results/deflate-rss.json', import.meta.url)), JSON.stringify({ node: process.version, cpus: os.cpus().length, date: new Date().toISOString(), connections: N, results }, null, 2));
