/** Runs examples/contract-basic as a user would: the server and the client as separate processes. */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../../../examples/contract-basic/', import.meta.url));

describe('examples/contract-basic', () => {
  it('the client calls, gets typed errors and progress, receives events, and closes', async () => {
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
      expect(output).toBe(
        [
          "added: { id: 1, text: 'buy milk' }",
          "event notes.added: { id: 1, text: 'buy milk' }",
          "event notes.added: { id: 2, text: 'call Ann' }",
          "get 2: { id: 2, text: 'call Ann' }",
          'not found: 99',
          'invalid text: Too small: expected string to have >=1 characters',
          'export 1/2',
          'export 2/2',
          "export result: { count: 2, body: '1. buy milk\\n2. call Ann' }",
          'closed',
          '',
        ].join('\n'),
      );
    } finally {
      server.kill('SIGINT');
    }
  });
});
