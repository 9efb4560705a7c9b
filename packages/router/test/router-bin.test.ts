// The development router (`npm run router -- --port N`), run from the build as npm runs it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RawPeer } from './support/raw-peer.js';

const bin = fileURLToPath(new URL('../dist/bin/router.js', import.meta.url));

describe('dev router (bin/router.js)', () => {
  it('listens on the given port, serves realm1 to anonymous clients, and exits cleanly on SIGTERM', async () => {
    expect(existsSync(bin), `${bin} is missing: build with npx tsc -b packages/router`).toBe(true);
    const child = spawn(process.execPath, [bin, '--port', '0', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (chunk: string) => {
          out += chunk;
          if (out.includes('\n')) resolve(out.split('\n')[0]!);
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
      });
      const match = /^Router listening on (ws:\/\/127\.0\.0\.1:(\d+)\/ws)$/.exec(line);
      expect(match, line).not.toBeNull();
      const peer = await RawPeer.join(match![1]!, 'realm1', 'json');
      expect((await peer.subscribe('com.example.topic'))[0]).toBe(33);
      expect((await peer.register('com.example.proc'))[0]).toBe(65);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const goodbye = peer.next();
      child.kill('SIGTERM');
      const message = await goodbye;
      expect(message).toEqual([6, { message: 'the router is shutting down' }, 'wamp.close.system_shutdown']);
      peer.send([6, {}, 'wamp.close.goodbye_and_out']);
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses a bad port with a usage message', async () => {
    const child = spawn(process.execPath, [bin, '--port', 'abc'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (err += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toMatch(/invalid port/);
  });
});
