// permessage-deflate codec throughput: 16 KiB JSON messages, compress (server) + decompress
// (client) round trips, one message at a time, for our sync path, our async path, and ws's
// PerMessageDeflate used directly. Same zlib level for all.
//
//   node bench/deflate-codec.mjs [--level=1] [--seconds=2] [--size=16384] [--rounds=3] [--data=api|varied|both]
//
// The variants run in turn, `rounds` times, and the median rate is reported, so that
// background load on the machine hits all of them alike. CPU time per message (all threads)
// is printed too: on a shared machine it is steadier than wall-clock rates.
//
// The TypeScript sources are transpiled to a temporary directory first, so the numbers are
// for the current src/ and no build is needed.
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { constants as zc, inflateRawSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const ts = require('typescript');
const PerMessageDeflate = require(join(dirname(require.resolve('ws')), 'lib', 'permessage-deflate.js'));

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, k === 'data' ? undefined : Number(v)];
  }),
);
const LEVEL = args.level ?? 1;
const SECONDS = args.seconds ?? 2;
const SIZE = args.size ?? 16 * 1024;
const ROUNDS = args.rounds ?? 3;
const DATA = process.argv.find((a) => a.startsWith('--data='))?.slice(7) ?? 'both';

async function loadCodec() {
  const src = join(root, 'packages', 'websocket', 'src');
  const out = mkdtempSync(join(tmpdir(), 'junction-bench-'));
  for (const f of ['constants', 'errors', 'extension-header', 'permessage-deflate', 'zlib-limiter', 'deflate-codec']) {
    const { outputText } = ts.transpileModule(readFileSync(join(src, `${f}.ts`), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(join(out, `${f}.js`), outputText);
  }
  const codec = await import(pathToFileURL(join(out, 'deflate-codec.js')).href);
  const limiter = await import(pathToFileURL(join(out, 'zlib-limiter.js')).href);
  rmSync(out, { recursive: true, force: true });
  return { ...codec, ...limiter };
}

/**
 * Deterministic JSON messages of exactly `size` bytes, of two kinds:
 * - "api": records with repeated keys and few distinct values (orders, statuses, names),
 *   typical of RPC results and pub/sub events; compresses well;
 * - "varied": random ids, prices and timestamps; compresses about 4:1, so zlib's own work
 *   dominates and per-message overhead matters less.
 */
function makeMessages(kind, count, size) {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
  const words = ['alpha', 'beta', 'gamma', 'delta', 'user', 'order', 'status', 'pending', 'shipped', 'ok'];
  const names = ['Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'Edsger Dijkstra', 'Barbara Liskov', 'Ken Thompson'];
  const statuses = ['pending', 'paid', 'shipped', 'delivered'];
  const msgs = [];
  let clock = 1.7e12;
  let nextId = 100000;
  for (let m = 0; m < count; m++) {
    const items = [];
    const item =
      kind === 'api'
        ? () => ({
            id: nextId++,
            type: 'order',
            status: pick(statuses),
            customer: { name: pick(names), tier: rnd() > 0.8 ? 'gold' : 'standard' },
            amount: Math.floor(rnd() * 200) * 5,
            currency: 'EUR',
            createdAt: new Date((clock += 60000)).toISOString(),
          })
        : () => ({
            id: Math.floor(rnd() * 1e9),
            name: `${pick(words)}-${Math.floor(rnd() * 1e4)}`,
            price: Math.round(rnd() * 1e5) / 100,
            tags: [pick(words), pick(words)],
            active: rnd() > 0.5,
            updatedAt: new Date(1.7e12 + Math.floor(rnd() * 1e10)).toISOString(),
          });
    const wrap = (pad) => JSON.stringify({ type: 'result', seq: m, items, pad });
    while (wrap('').length < size) items.push(item());
    items.pop();
    const text = wrap(' '.repeat(size - wrap('').length));
    msgs.push(Buffer.from(text));
  }
  return msgs;
}

const PARAMS = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };

function oursPair(mod, syncMaxBytes) {
  const opts = { level: LEVEL, memLevel: 8, threshold: 0, maxPayload: 64 << 20, limiter: mod.sharedZlibLimiter(10), syncMaxBytes };
  const server = new mod.DeflateCodec(PARAMS, true, opts);
  const client = new mod.DeflateCodec(PARAMS, false, opts);
  return {
    compress: (d, cb) => server.compress(d, cb),
    decompress: (d, cb) => client.decompress(d, true, cb),
    close: () => (server.close(), client.close()),
  };
}

function wsPair() {
  const server = new PerMessageDeflate({ isServer: true, threshold: 0, zlibDeflateOptions: { level: LEVEL }, maxPayload: 64 << 20 });
  const client = new PerMessageDeflate({ isServer: false, threshold: 0, maxPayload: 64 << 20 });
  server.accept([{}]);
  client.accept([{}]);
  return {
    compress: (d, cb) => server.compress(d, true, cb),
    decompress: (d, cb) => client.decompress(d, true, cb),
    close: () => (server.cleanup(), client.cleanup()),
  };
}

/**
 * Runs sequential round trips for `seconds`; returns messages per second, CPU time per message
 * (all threads, so thread-pool work counts; steadier than wall time on a busy machine) and the
 * mean compressed size.
 */
function run(pair, msgs, seconds) {
  return new Promise((resolve, reject) => {
    let i = 0;
    let bytes = 0;
    const start = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    const limit = BigInt(Math.round(seconds * 1e9));
    const step = () => {
      // Loop while callbacks come back synchronously; yield to the event loop every so often.
      for (let burst = 0; burst < 256; burst++) {
        if ((i & 63) === 0 && process.hrtime.bigint() - start > limit) {
          const secs = Number(process.hrtime.bigint() - start) / 1e9;
          const cpu = process.cpuUsage(cpu0);
          resolve({ rate: i / secs, cpuUs: (cpu.user + cpu.system) / i, ratio: bytes / i / msgs[0].length });
          return;
        }
        const msg = msgs[i % msgs.length];
        let sync = true;
        let doneSync = false;
        pair.compress(msg, (err, z) => {
          if (err) return reject(err);
          bytes += z.length;
          pair.decompress(z, (err2, back) => {
            if (err2) return reject(err2);
            if (back.length !== msg.length) return reject(new Error('round trip mismatch'));
            i++;
            if (sync) doneSync = true;
            else step();
          });
        });
        sync = false;
        if (!doneSync) return;
      }
      setImmediate(step);
    };
    step();
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function compare(kind) {
  const msgs = makeMessages(kind, 32, SIZE);
  console.log(`\n"${kind}" messages:`);
  const variants = [
    ['ws PerMessageDeflate', wsPair],
    ['junction async path', () => oursPair(mod, 0)],
    ['junction sync path', () => oursPair(mod, 64 * 1024)],
  ];
  const rates = Object.fromEntries(variants.map(([name]) => [name, []]));
  const cpus = Object.fromEntries(variants.map(([name]) => [name, []]));
  const ratios = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, make] of variants) {
      const pair = make();
      await run(pair, msgs, 0.2); // warm-up
      const r = await run(pair, msgs, SECONDS);
      pair.close();
      rates[name].push(r.rate);
      cpus[name].push(r.cpuUs);
      ratios[name] = r.ratio;
    }
  }
  for (const [name] of variants) {
    const all = rates[name].map((r) => Math.round(r)).join(', ');
    console.log(
      `${name.padEnd(22)} ${Math.round(median(rates[name])).toString().padStart(8)} msgs/s (median; rounds: ${all}), ` +
        `${median(cpus[name]).toFixed(0)} us CPU/msg, compressed to ${(ratios[name] * 100).toFixed(1)}%`,
    );
  }
  const base = median(rates['ws PerMessageDeflate']);
  const baseCpu = median(cpus['ws PerMessageDeflate']);
  console.log(
    `speed-up vs ws: sync ${(median(rates['junction sync path']) / base).toFixed(2)}x, ` +
      `async ${(median(rates['junction async path']) / base).toFixed(2)}x; ` +
      `CPU per message: sync ${(baseCpu / median(cpus['junction sync path'])).toFixed(2)}x less, ` +
      `async ${(baseCpu / median(cpus['junction async path'])).toFixed(2)}x less`,
  );
}

const mod = await loadCodec();
// Sanity: our output is plain raw DEFLATE.
for (const msgs of [makeMessages('api', 2, SIZE), makeMessages('varied', 2, SIZE)]) {
  const p = oursPair(mod, 0);
  await new Promise((res) =>
    p.compress(msgs[0], (e, z) => {
      const back = inflateRawSync(Buffer.concat([z, Buffer.from([0, 0, 255, 255])]), { finishFlush: zc.Z_SYNC_FLUSH });
      if (e || !back.equals(msgs[0])) throw e ?? new Error('bad output');
      res();
    }),
  );
  p.close();
}
console.log(
  `node ${process.version}, level ${LEVEL}, ${SIZE}-byte JSON, ${ROUNDS} rounds of ${SECONDS}s, ` +
    `sync path available: ${mod.DeflateCodec.syncSupported}`,
);
for (const kind of DATA === 'both' ? ['api', 'varied'] : [DATA]) await compare(kind);
