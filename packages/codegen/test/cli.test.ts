/** The `junction` bin as a process (dist/bin/junction.js): help, one-line errors, exit codes. */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags, UsageError } from '../src/index.js';

const packageDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const bin = path.join(packageDir, 'dist/bin/junction.js');

function junction(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: packageDir, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('junction bin', () => {
  it('--help lists the commands; each command has --help', () => {
    const help = junction('--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^usage: junction <command> \[options\]/);
    expect(help.out).toMatch(/generate +write typed client stubs/);
    expect(help.out).toMatch(/docs +write the API docs site/);
    for (const command of ['generate', 'docs']) {
      const r = junction(command, '--help');
      expect(r.code).toBe(0);
      expect(r.out).toContain(`usage: junction ${command} (--contract FILE`);
    }
  });

  it('no command prints the help and exits 1', () => {
    const r = junction();
    expect(r.code).toBe(1);
    expect(r.out).toContain('usage: junction');
  });

  it.each([
    [['frobnicate'], 'junction: unknown command "frobnicate" (commands: router, call, publish, subscribe, generate, docs; see junction --help)\n'],
    [['generate', '--out', 'x.ts'], 'junction generate: give either --contract FILE or --url URL (see junction generate --help)\n'],
    [['generate', '--contract', 'missing.ts', '--out', 'x.ts'], 'junction generate: contract file missing.ts not found\n'],
    [['generate', '--contract', 'test/fixtures/api.ts'], 'junction generate: --out FILE is required (see junction generate --help)\n'],
    [['generate', '--contract', 'test/fixtures/api.ts', '--export', 'nope', '--out', 'x.ts'], 'junction generate: test/fixtures/api.ts has no contract "nope" (found: api)\n'],
    [['docs', '--contract', 'test/fixtures/api.ts', '--bogus'], 'junction docs: unknown option --bogus (see junction docs --help)\n'],
    [['generate', '--url', 'ws://127.0.0.1:1/ws', '--out', 'x.ts'], /^junction generate: cannot join realm realm1 at ws:\/\/127\.0\.0\.1:1\/ws: .+\n$/],
  ])('%j fails with one line and exit code 1', (args, message) => {
    const r = junction(...(args as string[]));
    expect(r.code).toBe(1);
    if (typeof message === 'string') expect(r.err).toBe(message);
    else expect(r.err).toMatch(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });
});

describe('parseFlags', () => {
  it('reads --name value, --name=value and switches; refuses the rest', () => {
    const spec = { out: 'string', check: 'boolean' } as const;
    expect(parseFlags(['--out', 'a.ts', '--check'], spec)).toEqual({ out: 'a.ts', check: true });
    expect(parseFlags(['--out=b.ts'], spec)).toEqual({ out: 'b.ts' });
    expect(() => parseFlags(['--out'], spec)).toThrow(new UsageError('--out needs a value'));
    expect(() => parseFlags(['--out', '--check'], spec)).toThrow('--out needs a value');
    expect(() => parseFlags(['--check=yes'], spec)).toThrow('--check takes no value');
    expect(() => parseFlags(['stray'], spec)).toThrow('unexpected argument "stray"');
  });
});
