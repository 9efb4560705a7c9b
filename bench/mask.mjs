// Micro-benchmark of payload masking: our word-wise mask/unmask vs a plain byte loop vs
// bufferutil (native). Build first (npx tsc -p packages/websocket/tsconfig.json), then:
//   node bench/mask.mjs
// MASK_MODULE=/path/to/mask.js overrides the module under test.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const modulePath = process.env.MASK_MODULE
  ? pathToFileURL(process.env.MASK_MODULE).href
  : new URL('../packages/websocket/dist/mask.js', import.meta.url).href;
const { mask, unmask } = await import(modulePath);
const bufferutil = createRequire(import.meta.url)('bufferutil');

function byteMask(source, key, output, offset, length) {
  for (let i = 0; i < length; i++) output[offset + i] = source[i] ^ key[i & 3];
}
function byteUnmask(buf, key) {
  for (let i = 0, n = buf.length; i < n; i++) buf[i] ^= key[i & 3];
}

const key = randomBytes(4);
const sizes = [
  ['32 B', 32],
  ['1 KiB', 1024],
  ['64 KiB', 64 * 1024],
  ['1 MiB', 1024 * 1024],
];

/**
 * ns per call of fn(): the best of many short batches, which filters out noise from other
 * processes better than one long average.
 */
function time(fn, budgetMs = 400) {
  for (let i = 0; i < 3000; i++) fn();
  let perBatch = 1;
  for (;;) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < perBatch; i++) fn();
    if (process.hrtime.bigint() - start > 2_000_000n) break; // batches of >= 2 ms
    perBatch *= 2;
  }
  let best = Infinity;
  const deadline = Date.now() + budgetMs;
  while (Date.now() < deadline) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < perBatch; i++) fn();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / perBatch);
  }
  return best;
}

const fmt = (ns) => (ns < 100 ? ns.toFixed(1) : Math.round(ns).toString()).padStart(10);
console.log(`node ${process.version}, ${process.arch}; ns/op (lower is better)`);
console.log(`${'size'.padEnd(8)}${'op'.padEnd(9)}${'junction'.padStart(10)}${'byte loop'.padStart(10)}${'bufferutil'.padStart(11)}`);
// Warm every code path (byte loop, word loop, misaligned copy) before timing anything, as
// a real mix of message sizes would.
for (const [, n] of sizes) {
  const src = randomBytes(n + 1).subarray(1);
  const out = Buffer.allocUnsafe(n + 8);
  for (let i = 0; i < 200; i++) {
    mask(src, key, out, 6, n);
    mask(src, key, out, 7, n);
    unmask(out, key);
  }
}
for (const [label, n] of sizes) {
  // Source at an odd offset so the unaligned head/tail paths are part of the measurement.
  const source = randomBytes(n + 1).subarray(1);
  const output = Buffer.allocUnsafe(n + 6);
  const buf = Buffer.from(randomBytes(n));
  const rows = [
    ['mask', () => mask(source, key, output, 6, n), () => byteMask(source, key, output, 6, n), () => bufferutil.mask(source, key, output, 6, n)],
    ['unmask', () => unmask(buf, key), () => byteUnmask(buf, key), () => bufferutil.unmask(buf, key)],
  ];
  for (const [op, ours, naive, native] of rows) {
    console.log(`${label.padEnd(8)}${op.padEnd(9)}${fmt(time(ours))}${fmt(time(naive))} ${fmt(time(native))}`);
  }
}
