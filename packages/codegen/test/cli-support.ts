/**
 * The built `junction` bin as child processes, for the cli-*.test.ts files: one-shot runs,
 * long-running ones (router, subscribe) that are waited on by their output and stopped by a
 * signal, and scratch config files. Build first: `npx tsc -b packages/codegen`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const bin = path.join(packageDir, 'dist/bin/junction.js');
export const fixtures = path.join(packageDir, '../websocket/test/fixtures');

/** What a finished process printed and how it ended. */
export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

/** A running `junction` process. */
export interface Running {
  child: ChildProcess;
  out(): string;
  err(): string;
  /** Resolves with the first match of `pattern` in stdout (or stderr), or rejects when the process ends first or after `ms`. */
  waitFor(pattern: RegExp, stream?: 'out' | 'err', ms?: number): Promise<RegExpMatchArray>;
  /** Sends `signal` (default SIGINT) and resolves when the process has ended. */
  stop(signal?: NodeJS.Signals): Promise<Finished>;
  exited: Promise<Finished>;
}

/** Starts `junction ...args`. */
export function start(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Running {
  const child = spawn(process.execPath, [bin, ...args], { cwd: options.cwd ?? packageDir, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let listeners: (() => void)[] = [];
  const changed = (): void => {
    for (const listener of listeners) listener();
  };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    changed();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
    changed();
  });
  const exited = new Promise<Finished>((resolve) => {
    child.on('close', (code, signal) => {
      resolve({ code, signal, out, err });
      changed();
    });
  });
  let ended = false;
  void exited.then(() => (ended = true));
  return {
    child,
    out: () => out,
    err: () => err,
    exited,
    waitFor(pattern, stream = 'out', ms = 15_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const match = (stream === 'out' ? out : err).match(pattern);
          if (match !== null) {
            resolve(match);
            return true;
          }
          if (ended || child.exitCode !== null) {
            reject(new Error(`junction ${args.join(' ')} ended before printing ${pattern}\nstdout: ${out}\nstderr: ${err}`));
            return true;
          }
          return false;
        };
        if (check()) return;
        const timer = setTimeout(() => {
          listeners = listeners.filter((l) => l !== listener);
          reject(new Error(`timed out waiting for ${pattern} from junction ${args.join(' ')}\nstdout: ${out}\nstderr: ${err}`));
        }, ms);
        const listener = (): void => {
          if (!check()) return;
          clearTimeout(timer);
          listeners = listeners.filter((l) => l !== listener);
        };
        listeners.push(listener);
      });
    },
    async stop(signal = 'SIGINT') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs `junction ...args` to its end (killed after 20 s). */
export async function run(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Finished> {
  const running = start(args, options);
  const timer = setTimeout(() => running.child.kill('SIGKILL'), 20_000);
  const finished = await running.exited;
  clearTimeout(timer);
  return finished;
}

/** A running router and its URLs (from its "listening on" lines). */
export interface RouterProcess extends Running {
  urls: string[];
  url: string;
}

/** Starts `junction router ...args` and waits for `listeners` "listening on" lines. */
export async function startRouter(args: string[], listeners = 1, options: { cwd?: string } = {}): Promise<RouterProcess> {
  const running = start(['router', ...args], options);
  const pattern = new RegExp(`(?:listening on \\S+[^\\n]*\\n[^]*){${listeners}}`);
  try {
    await running.waitFor(pattern);
  } catch (error) {
    await running.stop('SIGKILL');
    throw error;
  }
  const urls = [...running.out().matchAll(/listening on (\S+)/g)].map((m) => m[1]!);
  return Object.assign(running, { urls, url: urls[0]! });
}

/** A scratch directory for config files; `remove()` when done. */
export function scratch(): { dir: string; write(name: string, content: unknown): string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'junction-cli-'));
  return {
    dir,
    write(name, content) {
      const file = path.join(dir, name);
      writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
      return file;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
