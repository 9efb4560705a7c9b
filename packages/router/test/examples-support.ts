/**
 * Runs the programs of examples/ as a user would: separate processes, watched through their
 * output. Every process started here is killed by `stopAll()` (call it in afterEach), so a failing
 * test leaves nothing running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository's root directory (ends with a slash). */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The directory of one example (ends with a slash). */
export function exampleDir(name: string): string {
  return `${repoRoot}examples/${name}/`;
}

/** The development router as `npm run router` runs it (from the build). */
export const routerBin = `${repoRoot}packages/router/dist/bin/router.js`;

/** One running program and what it printed so far. */
export interface RunningProcess {
  readonly child: ChildProcess;
  /** Everything printed on stdout so far. */
  stdout(): string;
  /** Everything printed on stderr so far. */
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout; rejects if the process exits first or after `timeout` ms. */
  waitFor(pattern: RegExp, timeout?: number): Promise<RegExpExecArray>;
  /** Resolves with the exit code (null when killed by a signal) once the process exited; rejects after `timeout` ms. */
  exited(timeout?: number): Promise<number | null>;
}

const running = new Set<ChildProcess>();

/** Starts `command args` (stdin closed, stdout and stderr collected). */
export function start(command: string, args: readonly string[], name = args[0] ?? command): RunningProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: repoRoot });
  running.add(child);
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (const listener of listeners) listener();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exit.then(() => running.delete(child));
  const describe = () => `${name}\n--- stdout:\n${out}\n--- stderr:\n${err}`;

  const withTimeout = <T>(promise: Promise<T>, timeout: number, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeout} ms waiting for ${what} of ${describe()}`)), timeout);
      promise.then(
        (value) => (clearTimeout(timer), resolve(value)),
        (error: unknown) => (clearTimeout(timer), reject(error)),
      );
    });

  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor(pattern, timeout = 15_000) {
      const found = new Promise<RegExpExecArray>((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(out);
          if (match) {
            listeners.delete(check);
            resolve(match);
          }
        };
        listeners.add(check);
        check();
        void exit.then((code) => {
          listeners.delete(check);
          reject(new Error(`exited with ${code} before printing ${pattern}: ${describe()}`));
        });
      });
      return withTimeout(found, timeout, String(pattern));
    },
    exited(timeout = 15_000) {
      return withTimeout(exit, timeout, 'the exit');
    },
  };
}

/** Starts `node file args`. */
export function startNode(file: string, args: readonly string[] = []): RunningProcess {
  return start(process.execPath, [file, ...args], file.slice(repoRoot.length));
}

/** Starts the development router on a free port and resolves with it and its URL once it listens. */
export async function startDevRouter(): Promise<{ router: RunningProcess; url: string }> {
  if (!existsSync(routerBin)) throw new Error(`${routerBin} is missing: build with npx tsc -b packages/router`);
  const router = startNode(routerBin, ['--port', '0', '--host', '127.0.0.1']);
  const [, url] = await router.waitFor(/^Router listening on (ws:\/\/127\.0\.0\.1:\d+\/ws)$/m);
  return { router, url: url! };
}

/** Kills every process still running (SIGKILL). */
export function stopAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}
