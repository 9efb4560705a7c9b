// Renders the medians of bench/results/transport.json as a Markdown table and puts it in
// docs/performance.md between the <!-- transport-table --> markers.
// Usage: node bench/transport/to-markdown.mjs [results.json]
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const results = JSON.parse(readFileSync(process.argv[2] ?? `${root}bench/results/transport.json`, 'utf8'));
const fmt = (v) => (v === undefined || v === null ? 'n/a' : v >= 100 ? Math.round(v).toLocaleString('en-US') : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const ratio = (a, b) => (a === undefined || b === undefined || !b ? 'n/a' : (a / b).toFixed(2));

const lines = [
  `Run of ${results.machine.date} (Node ${results.machine.node}, ${results.machine.cpus.count} cores, load ${results.machine.loadavg1mStart} at start).`,
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
const start = doc.indexOf('<!-- transport-table -->');
const end = doc.indexOf('<!-- /transport-table -->');
const block = `<!-- transport-table -->\n${table}\n<!-- /transport-table -->`;
const updated = end === -1 ? doc.replace('<!-- transport-table -->', block) : doc.slice(0, start) + block + doc.slice(end + '<!-- /transport-table -->'.length);
writeFileSync(docPath, updated);
console.log(table);
