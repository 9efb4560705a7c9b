/** Runs examples/echo as a user would: the server and the client as separate processes. */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../../../examples/echo/', import.meta.url));

describe('examples/echo', () => {
  it('the client gets its messages back and closes cleanly', async () => {
    const server = spawn(process.execPath, [`${dir}server.mjs`, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        server.stdout!.on('data', (chunk) => {
          out += chunk;
          const match = /listening on (ws:\S+)/.exec(out);
          if (match) resolve(match[1]!);
        });
        server.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
      });
      const client = spawn(process.execPath, [`${dir}client.mjs`, url], { stdio: ['ignore', 'pipe', 'inherit'] });
      let output = '';
      client.stdout!.on('data', (chunk) => (output += chunk));
      const code = await new Promise<number | null>((resolve) => client.on('exit', resolve));
      expect(code).toBe(0);
      expect(output).toBe('echo: hello, junction\necho: [ 1, 2, 3 ]\nclosed: 1000 done\n');
    } finally {
      server.kill('SIGINT');
    }
  });
});
