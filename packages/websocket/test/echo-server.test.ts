/**
 * The echo server that conformance tools use, run as its own process the way `npm run echo-server` does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WebSocket } from '../src/index.js';

const bin = fileURLToPath(new URL('../dist/bin/echo-server.js', import.meta.url));

async function start(args: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [bin, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /127\.0\.0\.1:(\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.on('exit', (code) => reject(new Error(`echo server exited with ${code}`)));
  });
  return { child, port };
}

function echo(port: number, messages: Array<string | Buffer>, path = '/'): Promise<{ received: Array<[string, boolean]>; extensions: string }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, [], { maxPayload: 64 * 1024 * 1024 });
  return new Promise((resolve, reject) => {
    const received: Array<[string, boolean]> = [];
    ws.on('error', reject);
    ws.on('open', () => messages.forEach((m) => ws.send(m)));
    ws.on('message', (data, isBinary) => {
      received.push([isBinary ? data.toString('hex') : data.toString(), isBinary]);
      if (received.length === messages.length) {
        ws.close();
        resolve({ received, extensions: ws.extensions });
      }
    });
  });
}

describe('echo server', () => {
  let withDeflate: { child: ChildProcess; port: number };
  let without: { child: ChildProcess; port: number };
  beforeAll(async () => {
    [withDeflate, without] = await Promise.all([start([]), start(['--no-deflate'])]);
  });
  afterAll(() => {
    withDeflate.child.kill('SIGTERM');
    without.child.kill('SIGTERM');
  });

  it('echoes text as text and binary as binary, on any path, with deflate accepted', async () => {
    const { received, extensions } = await echo(withDeflate.port, ['hello', Buffer.from([0, 1, 2]), 'x'.repeat(5000)], '/any/path?q=1');
    expect(received).toEqual([['hello', false], ['000102', true], ['x'.repeat(5000), false]]);
    expect(extensions).toContain('permessage-deflate');
  });

  it('accepts a 20 MiB message (the limit is at least 64 MiB)', async () => {
    const big = Buffer.alloc(20 * 1024 * 1024, 0x5a);
    const { received } = await echo(withDeflate.port, [big]);
    expect(received[0]![0].length).toBe(big.length * 2);
  });

  it('--no-deflate turns compression off', async () => {
    const { received, extensions } = await echo(without.port, ['plain']);
    expect(received).toEqual([['plain', false]]);
    expect(extensions).toBe('');
  });

  it('rejects a bad argument with a clear message and exit code 2', async () => {
    const child = spawn(process.execPath, [bin, '--port', 'abc'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (c) => (err += c));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(err).toMatch(/--port/);
  });
});
