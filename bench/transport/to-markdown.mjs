// Renders the medians of bench/results/transport.json as a Markdown table and puts it in
// docs/performance.md between the <!-- transport-table --> markers (or <!-- NAME --> with
// --marker=NAME, e.g. for the --malloc=steady results).
// Usage: node bench/transport/to-markdown.mjs [results.json] [--marker=NAME]
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const argv = process.argv.slice(2);
const marker = argv.find((a) => a.startsWith('--marker='))?.slice('--marker='.length) ?? 'transport-table';
const file = argv.find((a) => !a.startsWith('--')) ?? `${root}bench/results/transport.json`;
const results = JSON.parse(readFileSync(file, 'utf8'));
const malloc = results.config?.malloc?.mode === 'steady' ? ', glibc heap trimming off (--malloc=steady)' : '';
const fmt = (v) => (v === undefined || v === null ? 'n/a' : v >= 100 ? Math.round(v).toLocaleString('en-US') : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const ratio = (a, b) => (a === undefined || b === undefined || !b ? 'n/a' : (a / b).toFixed(2));

const lines = [
  `Run of ${results.machine.date} (Node ${results.machine.node}, ${results.machine.cpus.count} cores, load ${results.machine.loadavg1mStart} at start${malloc}).`,
  '',
  '| case | metric | junction | ws | raw | junction/ws | junction/raw |',
  '|---|---|---:|---:|---:|---:|---:|',
];
for (const [name, entry] of Object.entries(results.cases)) {
  entry.metrics.forEach((metric, i) => {
    const m = (t) => entry.transports[t]?.median?.[metric.key];
    const arrow = metric.better === 'lower' ? ' (lower is better)' : '';
    const j = m('junction');
    lines.push(`| ${i === 0 ? name : ''} | ${metric.label}${arrow} | ${entry.transports.junction?.errors?.length && j === undefined ? 'error' : fmt(j)} | ${fmt(m('ws'))} | ${fmt(m('raw'))} | ${ratio(j, m('ws'))} | ${ratio(j, m('raw'))} |`);
  });
}
const table = lines.join('\n');
const docPath = `${root}docs/performance.md`;
const doc = readFileSync(docPath, 'utf8');
const open = `<!-- ${marker} -->`;
const close = `<!-- /${marker} -->`;
const start = doc.indexOf(open);
const end = doc.indexOf(close);
if (start === -1) throw new Error(`docs/performance.md has no ${open} marker`);
const block = `${open}\n${table}\n${close}`;
const updated = end === -1 ? doc.replace(open, block) : doc.slice(0, start) + block + doc.slice(end + close.length);
writeFileSync(docPath, updated);
console.log(table);
