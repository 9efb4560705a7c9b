#!/usr/bin/env node
// Cluster benchmark (`npm run bench:cluster`): calls/s and events/s through 1 router node versus
// 3 nodes joined by NATS (clients spread across them), and the latency a cross-node call adds.
// Every router, callee, caller, publisher and subscriber is its own process on 127.0.0.1;
// nats-server is Debian's /usr/sbin/nats-server. Writes bench/results/cluster.json and the
// "Cluster" section of docs/performance.md.
//
//   npm run bench:cluster              full run (~1 min)
//   npm run bench:cluster -- --quick   short smoke run
//   npm run bench:cluster -- --no-docs do not touch docs/performance.md
import { fork, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const quick = process.argv.includes('--quick');
const noDocs = process.argv.includes('--no-docs');
const DURATION = quick ? 1500 : 4000;
const LAT_CALLS = quick ? 1000 : 5000;
const EVENTS = quick ? 2000 : 10_000;
const SUBSCRIBERS_PER_NODE = 10;
const children = new Set();

const freePort = () => new Promise((resolve) => {
  const s = net.createServer();
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

function child(script, job) {
  const c = fork(path.join(here, script), [JSON.stringify(job)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(c);
  c.on('exit', () => children.delete(c));
  return c;
}

const next = (c, type) => new Promise((resolve, reject) => {
  const onMessage = (m) => { if (m.type === type) { c.off('message', onMessage); resolve(m); } };
  c.on('message', onMessage);
  c.once('exit', (code) => reject(new Error(`child exited (${code}) before "${type}"`)));
});

async function startNats() {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'junction-bench-nats-'));
  const proc = spawn('/usr/sbin/nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise((resolve, reject) => {
    let log = '';
    proc.stderr.on('data', (d) => { log += d; if (log.includes('Server is ready')) resolve(); });
    proc.once('exit', () => reject(new Error(log)));
  });
  return { url: `nats://127.0.0.1:${port}`, stop: () => { proc.kill('SIGKILL'); fs.rmSync(dir, { recursive: true, force: true }); } };
}

async function startNodes(nats, count, tag) {
  return Promise.all(Array.from({ length: count }, async (_, i) => {
    const c = child('node.mjs', { nats, nodeId: `${tag}${i}` });
    const { url } = await next(c, 'ready');
    return { process: c, url };
  }));
}

const stopAll = (list) => { for (const c of list) c.kill('SIGKILL'); };

/** calls/s: one callee per node (shared roundrobin), one caller process per node (2 connections x 50 in flight). */
async function callsPerSecond(nodes, uri) {
  const procs = [];
  for (const node of nodes) {
    const callee = child('worker.mjs', { kind: 'callee', url: node.url, uri, invoke: 'roundrobin' });
    procs.push(callee);
    await next(callee, 'ready');
  }
  const callers = nodes.map((node) => child('worker.mjs', { kind: 'callers', url: node.url, uri, connections: 2, inflight: 50, duration: DURATION }));
  procs.push(...callers);
  await Promise.all(callers.map((c) => next(c, 'ready')));
  await new Promise((r) => setTimeout(r, 300)); // every node knows every callee
  const results = Promise.all(callers.map((c) => next(c, 'result')));
  for (const c of callers) c.send('go');
  const done = await results;
  stopAll(procs);
  const calls = done.reduce((sum, r) => sum + r.calls, 0);
  const ms = Math.max(...done.map((r) => r.ms));
  return Math.round((calls / ms) * 1000);
}

/** events/s delivered: one publisher on the first node, SUBSCRIBERS_PER_NODE subscriber connections on every node. */
async function eventsPerSecond(nodes, topic) {
  const subs = nodes.map((node) => child('worker.mjs', { kind: 'subscribers', url: node.url, topic, connections: SUBSCRIBERS_PER_NODE, events: EVENTS }));
  await Promise.all(subs.map((s) => next(s, 'ready')));
  const publisher = child('worker.mjs', { kind: 'publisher', url: nodes[0].url, topic, events: EVENTS });
  await next(publisher, 'ready');
  const done = Promise.all(subs.map((s) => next(s, 'done')));
  const result = next(publisher, 'result');
  publisher.send('go');
  const { started } = await result;
  const finished = await done;
  stopAll([...subs, publisher]);
  const last = Math.max(...finished.map((f) => f.at));
  const delivered = EVENTS * SUBSCRIBERS_PER_NODE * nodes.length;
  return { eventsPerSecond: Math.round((delivered / (last - started)) * 1000), delivered, subscribers: SUBSCRIBERS_PER_NODE * nodes.length };
}

/** Sequential call latency, caller on node 0, callee on `calleeNode`. */
async function latency(nodes, calleeNode, uri) {
  const callee = child('worker.mjs', { kind: 'callee', url: nodes[calleeNode].url, uri });
  await next(callee, 'ready');
  const caller = child('worker.mjs', { kind: 'latency', url: nodes[0].url, uri, calls: LAT_CALLS });
  const result = await next(caller, 'result');
  stopAll([callee, caller]);
  return { p50: Math.round(result.p50), p99: Math.round(result.p99) };
}

const nats = await startNats();
const results = { date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, quick, durationMs: DURATION, events: EVENTS };
try {
  console.log('1 node (clustered, no peers)...');
  const one = await startNodes(nats.url, 1, 'one');
  results.oneNode = {
    callsPerSecond: await callsPerSecond(one, 'bench.add1'),
    ...(await eventsPerSecond(one, 'bench.ev1')),
    latencySameNode: await latency(one, 0, 'bench.lat1'),
  };
  stopAll(one.map((n) => n.process));
  await new Promise((r) => setTimeout(r, 300));
  console.log(JSON.stringify(results.oneNode));

  console.log('3 nodes...');
  const three = await startNodes(nats.url, 3, 'three');
  await new Promise((r) => setTimeout(r, 1000)); // heartbeats: every node sees the others
  results.threeNodes = {
    callsPerSecond: await callsPerSecond(three, 'bench.add3'),
    ...(await eventsPerSecond(three, 'bench.ev3')),
    latencySameNode: await latency(three, 0, 'bench.lat3a'),
    latencyCrossNode: await latency(three, 1, 'bench.lat3b'),
  };
  stopAll(three.map((n) => n.process));
  console.log(JSON.stringify(results.threeNodes));
  const same = results.threeNodes.latencySameNode.p50;
  const cross = results.threeNodes.latencyCrossNode.p50;
  results.addedCrossNodeLatencyP50us = cross - same;
} finally {
  for (const c of children) c.kill('SIGKILL');
  nats.stop();
}

fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
fs.writeFileSync(path.join(root, 'bench/results/cluster.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log('wrote bench/results/cluster.json');

const table = [
  '<!-- cluster-bench:start -->',
  `Run ${results.date.slice(0, 16).replace('T', ' ')} UTC, Node ${results.node}, ${results.cpus} CPUs (${results.cpuModel ?? 'unknown'}), shared with other work${quick ? ', quick run' : ''}.`,
  '',
  '| | 1 node | 3 nodes (clients spread) |',
  '|---|---:|---:|',
  `| calls/s (shared roundrobin callee per node, 100 in flight per node) | ${results.oneNode.callsPerSecond.toLocaleString('en-US')} | ${results.threeNodes.callsPerSecond.toLocaleString('en-US')} |`,
  `| events/s delivered (1 publisher, ${SUBSCRIBERS_PER_NODE} subscribers per node) | ${results.oneNode.eventsPerSecond.toLocaleString('en-US')} | ${results.threeNodes.eventsPerSecond.toLocaleString('en-US')} |`,
  `| sequential call p50 / p99, callee on the caller's node (µs) | ${results.oneNode.latencySameNode.p50} / ${results.oneNode.latencySameNode.p99} | ${results.threeNodes.latencySameNode.p50} / ${results.threeNodes.latencySameNode.p99} |`,
  `| sequential call p50 / p99, callee on another node (µs) | | ${results.threeNodes.latencyCrossNode.p50} / ${results.threeNodes.latencyCrossNode.p99} |`,
  '',
  `A cross-node call adds about ${results.addedCrossNodeLatencyP50us} µs at p50 (two NATS hops: INVOCATION there, RESULT back).`,
  '<!-- cluster-bench:end -->',
].join('\n');
if (!noDocs) {
  const docs = path.join(root, 'docs/performance.md');
  let text = fs.readFileSync(docs, 'utf8');
  const section = `## Cluster (\`npm run bench:cluster\`)\n\n${table}\n`;
  if (text.includes('<!-- cluster-bench:start -->')) {
    text = text.replace(/<!-- cluster-bench:start -->[\s\S]*?<!-- cluster-bench:end -->/, table);
  } else {
    text = `${text.trimEnd()}\n\n${section}`;
  }
  fs.writeFileSync(docs, text);
  console.log('updated docs/performance.md');
}
console.log(table);
