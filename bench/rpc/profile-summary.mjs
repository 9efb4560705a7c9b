#!/usr/bin/env node
// Summarizes a V8 .cpuprofile (from `npm run bench:rpc -- --profile=<impl>`): self time per
// package, per function (file:line function) and per file, as % of all samples, idle excluded.
// Usage: node bench/rpc/profile-summary.mjs <file.cpuprofile> [--top=N]

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const file = process.argv[2];
const top = Number(/--top=(\d+)/.exec(process.argv.join(' '))?.[1] ?? 30);
if (!file) {
  console.error('usage: node bench/rpc/profile-summary.mjs <file.cpuprofile> [--top=N]');
  process.exit(2);
}
const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));

// Samples inside the profiler's own start/stop (node:inspector `post`) are not the workload.
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const profilerOwn = new Map();
const isProfilerOwn = (id) => {
  if (profilerOwn.has(id)) return profilerOwn.get(id);
  const n = byId.get(id);
  const p = parent.get(id);
  const own = n.callFrame.url === 'node:inspector' || (p !== undefined && isProfilerOwn(p));
  profilerOwn.set(id, own);
  return own;
};

// self time per node from samples + timeDeltas (µs)
const self = new Map();
for (let i = 0; i < prof.samples.length; i++) {
  const id = prof.samples[i];
  if (isProfilerOwn(id)) continue;
  self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
}

const shortUrl = (url) => {
  if (!url) return '';
  let u = url.replace(/^file:\/\//, '');
  if (u.startsWith(root)) u = u.slice(root.length + 1);
  // the run's snapshot of the built packages (bench/rpc/.snapshot/<pid>/node_modules/@junction/...)
  return u.replace(/^bench\/rpc\/\.snapshot\/\d+\/node_modules\//, '').replace(/^node_modules\//, '');
};

const fnKey = (n) => {
  const cf = n.callFrame;
  const name = cf.functionName || '(anonymous)';
  return cf.url ? `${shortUrl(cf.url)}:${cf.lineNumber + 1} ${name}` : name;
};
const fileKey = (n) => shortUrl(n.callFrame.url) || n.callFrame.functionName || '(native)';

/** Package of a frame: @junction/<name>, a dependency, node internals, or a native / V8 entry. */
const packageKey = (n) => {
  const u = shortUrl(n.callFrame.url);
  if (!u) return n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : 'native (syscalls, C++ builtins)';
  if (u.startsWith('node:')) return 'node internals';
  const m = /^(@[^/]+\/[^/]+|[^/]+)/.exec(u);
  return m[1] === 'bench' ? 'bench harness' : m[1];
};

let total = 0;
const fns = new Map();
const files = new Map();
const packages = new Map();
for (const [id, us] of self) {
  const n = byId.get(id);
  if (n.callFrame.functionName === '(idle)') continue;
  total += us;
  fns.set(fnKey(n), (fns.get(fnKey(n)) ?? 0) + us);
  files.set(fileKey(n), (files.get(fileKey(n)) ?? 0) + us);
  packages.set(packageKey(n), (packages.get(packageKey(n)) ?? 0) + us);
}

const show = (title, map) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * us) / total).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
  }
};
console.log(`${path.basename(file)}: ${(total / 1000).toFixed(0)} ms busy (idle and the profiler's own start excluded)`);
show('self time by package', packages);
show('self time by function', fns);
show('self time by file', files);
