// Renders bench/results/rpc.json: the tables printed at the end of a run, and the Markdown put in
// docs/performance.md between the <!-- rpc-table --> markers.
// Usage: node bench/rpc/to-markdown.mjs [results.json]   (re-renders the docs from a results file)

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

export function fmt(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (typeof v === 'string') return v;
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

const ratio = (a, b) => (typeof a === 'number' && typeof b === 'number' && b ? a / b : null);
const fmtRatio = (r) => (r === null ? '—' : `${r.toFixed(2)}×`);

/** The median of `key` for an implementation of a case, or a marker why there is none. */
function cell(doc, caseId, impl, key) {
  const s = doc.cases[caseId]?.impls?.[impl];
  if (!s) return undefined;
  if (s.skipped) return 'n/a';
  if (!s.runs?.length) return s.errors?.length ? 'ERR' : '—';
  return s.median?.[key] ?? null;
}
const num = (v) => (typeof v === 'number' ? v : null);

const RPC_REFS = [
  ['tRPC', 'trpc'],
  ['socket.io', 'socketio'],
  ['raw ws', 'raw-ws'],
];

function rpcTable(doc) {
  const impls = [...new Set(['add-seq', 'add-inflight'].flatMap((id) => Object.keys(doc.cases[id]?.impls ?? {})))];
  if (!impls.length) return null;
  const head = ['implementation', 'p50 µs', 'p99 µs', 'seq calls/s', 'calls/s, 100 in flight', '(best run)', 'server CPU µs/call', ...RPC_REFS.map(([l]) => `calls/s ÷ ${l}`), 'p50 ÷ tRPC'];
  const rows = impls.map((n) => {
    const label = doc.cases['add-seq']?.impls?.[n]?.label ?? doc.cases['add-inflight']?.impls?.[n]?.label ?? n;
    const cps = cell(doc, 'add-inflight', n, 'callsPerSec');
    const p50 = cell(doc, 'add-seq', n, 'p50');
    return [
      label,
      fmt(p50),
      fmt(cell(doc, 'add-seq', n, 'p99')),
      fmt(cell(doc, 'add-seq', n, 'callsPerSec')),
      fmt(cps),
      fmt(doc.cases['add-inflight']?.impls?.[n]?.best?.callsPerSec),
      fmt(cell(doc, 'add-inflight', n, 'serverCpuUsPerCall')),
      ...RPC_REFS.map(([, ref]) => fmtRatio(ratio(num(cps), num(cell(doc, 'add-inflight', ref, 'callsPerSec'))))),
      fmtRatio(ratio(num(p50), num(cell(doc, 'add-seq', 'trpc', 'p50')))),
    ];
  });
  return { head, rows };
}

function fanoutTable(doc) {
  const e = doc.cases.fanout;
  if (!e) return null;
  const head = ['implementation', 'events delivered/s', 'load p50 ms', 'load p99 ms', 'paced p50 ms', 'paced p99 ms', 'server CPU µs/delivery', 'subscriber CPU µs/delivery', 'delivered/s ÷ socket.io'];
  const ms = (v) => (typeof v === 'number' ? v / 1000 : v);
  const rows = Object.entries(e.impls).map(([n, s]) => {
    const eps = cell(doc, 'fanout', n, 'deliveriesPerSec');
    return [
      s.label ?? n,
      fmt(eps),
      ...['loadP50', 'loadP99', 'pacedP50', 'pacedP99'].map((k) => fmt(ms(cell(doc, 'fanout', n, k)))),
      fmt(cell(doc, 'fanout', n, 'serverCpuUsPerDelivery')),
      fmt(cell(doc, 'fanout', n, 'subscriberCpuUsPerDelivery')),
      fmtRatio(ratio(num(eps), num(cell(doc, 'fanout', 'socketio', 'deliveriesPerSec')))),
    ];
  });
  return { head, rows };
}

/** The targets, checked for every Junction variant that ran. */
function targetsTable(doc) {
  const rows = [];
  const variants = (caseId) => Object.keys(doc.cases[caseId]?.impls ?? {}).filter((n) => n.startsWith('junction'));
  const check = (target, caseId, key, refImpl, want, lowerIsBetter = false) => {
    for (const n of variants(caseId)) {
      const v = num(cell(doc, caseId, n, key));
      const ref = num(cell(doc, caseId, refImpl, key));
      const r = ratio(v, ref);
      const label = doc.cases[caseId].impls[n].label ?? n;
      const ok = (x) => (lowerIsBetter ? x <= want : x >= want);
      const met = r === null ? 'not measured' : ok(r) ? 'yes' : 'no';
      const best = (impl) => num(doc.cases[caseId]?.impls?.[impl]?.best?.[key]);
      const rb = ratio(best(n), best(refImpl));
      rows.push([target, label, r === null ? '—' : `${r.toFixed(2)}× (${fmt(v)} vs ${fmt(ref)})`, met, rb === null ? '—' : `${rb.toFixed(2)}× (${ok(rb) ? 'yes' : 'no'})`]);
    }
  };
  check('calls/s >= 3× tRPC', 'add-inflight', 'callsPerSec', 'trpc', 3);
  check('calls/s >= 1.5× socket.io', 'add-inflight', 'callsPerSec', 'socketio', 1.5);
  check('calls/s >= raw ws + JSON', 'add-inflight', 'callsPerSec', 'raw-ws', 1);
  check('p50 <= 1/5 of tRPC', 'add-seq', 'p50', 'trpc', 0.2, true);
  check('fan-out events/s >= 3× socket.io', 'fanout', 'deliveriesPerSec', 'socketio', 3);
  if (!rows.length) return null;
  return { head: ['target', 'implementation', 'medians', 'met', 'best runs'], rows, textColumns: 2 };
}

function markdown({ head, rows, textColumns = 1 }) {
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < textColumns ? '---' : '---:')).join('|')}|`];
  for (const r of rows) lines.push(`| ${r.map((x) => String(x).replaceAll('|', '\\|')).join(' | ')} |`);
  return lines.join('\n');
}

function text({ head, rows, textColumns = 1 }) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((x, i) => (i < textColumns ? String(x).padEnd(widths[i]) : String(x).padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** { console, markdown } renderings of a results document. */
export function render(doc) {
  const tables = [
    ['RPC: add(a, b)', rpcTable(doc)],
    ['Fan-out: 1 publisher → subscribers', fanoutTable(doc)],
    ['Targets', targetsTable(doc)],
  ].filter(([, t]) => t);
  const m = doc.machine;
  const runs = doc.config.runs;
  const intro =
    `Run of ${m.date} (Node ${m.node}, ${m.cpus.count} cores, load ${m.loadavg1mStart.toFixed(2)} at start, ${m.loadavg1mEnd.toFixed(2)} at end; ` +
    `${runs} run${runs > 1 ? 's' : ''} per case, medians${doc.config.quick ? '; quick run' : ''}).`;
  return {
    console: tables.map(([title, t]) => `${title}\n${text(t)}`).join('\n\n'),
    markdown: [intro, ...tables.map(([title, t]) => `**${title}**\n\n${markdown(t)}`)].join('\n\n'),
  };
}

/** Replaces the block between <!-- rpc-table --> and <!-- /rpc-table --> in docs/performance.md. */
export function updateDocs(doc) {
  const docPath = `${root}docs/performance.md`;
  const text = readFileSync(docPath, 'utf8');
  const block = `<!-- rpc-table -->\n${render(doc).markdown}\n<!-- /rpc-table -->`;
  const start = text.indexOf('<!-- rpc-table -->');
  const end = text.indexOf('<!-- /rpc-table -->');
  if (start === -1 || end === -1) throw new Error('docs/performance.md has no <!-- rpc-table --> ... <!-- /rpc-table --> markers');
  writeFileSync(docPath, text.slice(0, start) + block + text.slice(end + '<!-- /rpc-table -->'.length));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const doc = JSON.parse(readFileSync(process.argv[2] ?? `${root}bench/results/rpc.json`, 'utf8'));
  updateDocs(doc);
  console.log(render(doc).markdown);
}
