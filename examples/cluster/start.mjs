// Starts nats-server (JetStream on, data in a temporary directory) and three router nodes on
// ports 8081, 8082 and 8083. Ctrl-C stops everything. Set NATS_URL to use a NATS you run yourself.
import { fork, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const children = [];
let nats;
if (!process.env.NATS_URL) {
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'junction-example-nats-'));
  nats = spawn(process.env.NATS_SERVER ?? 'nats-server', ['-a', '127.0.0.1', '-p', '4222', '-js', '-sd', store], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise((resolve, reject) => {
    let log = '';
    nats.stderr.on('data', (d) => { log += d; if (log.includes('Server is ready')) resolve(); });
    nats.once('error', reject);
    nats.once('exit', (code) => reject(new Error(`nats-server exited (${code}): ${log}`)));
  });
  console.log('nats-server ready on nats://127.0.0.1:4222');
  process.on('exit', () => fs.rmSync(store, { recursive: true, force: true }));
}
for (const [i, port] of [8081, 8082, 8083].entries()) {
  children.push(fork(path.join(here, 'router.mjs'), [String(port), `node-${i + 1}`]));
}
const stop = () => {
  for (const c of children) c.kill('SIGTERM');
  setTimeout(() => {
    nats?.kill();
    process.exit(0);
  }, 1500);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
