// The bench runners' child processes (bench/transport and bench/rpc): a forked script that
// reports stages and results over IPC, with the tail of its output kept for error messages.

import { execFileSync, fork, spawn } from 'node:child_process';

/** The shell's soft and hard limits on open files (a child needing more is started under `ulimit -n`). */
export function softFdLimit() {
  try {
    const out = execFileSync('bash', ['-c', 'echo "$(ulimit -Sn) $(ulimit -Hn)"'], { encoding: 'utf8' }).trim().split(' ');
    const parse = (s) => (s === 'unlimited' ? Infinity : Number(s));
    return { soft: parse(out[0]), hard: parse(out[1]) };
  } catch {
    return { soft: 1024, hard: 1024 };
  }
}

let fdLimit;

/**
 * One child process. Messages `{ type: 'stage' }` and `{ type: 'fatal' }` are handled here;
 * `onMessage` may take others (return true); the rest wait in a queue for `wait(type)`.
 */
export class Child {
  /**
   * @param {string} name for error messages
   * @param {string} file absolute path of the script; it gets `param` as JSON in argv[2]
   * @param {object} options `execArgv`, `fds` (file descriptors it needs), `onFail`, `onMessage`, `killAfterMs`
   */
  constructor(name, file, param, { execArgv = [], fds = 0, onFail = () => {}, onMessage = null, killAfterMs = 5000 } = {}) {
    this.name = name;
    this.onFail = onFail;
    this.onMessage = onMessage;
    this.killAfterMs = killAfterMs;
    this.stage = 'start';
    this.output = '';
    this.queue = [];
    this.waiters = [];
    this.dead = null;
    const arg = JSON.stringify(param);
    const stdio = ['ignore', 'pipe', 'pipe', 'ipc'];
    fdLimit ??= fds > 0 ? softFdLimit() : { soft: Infinity, hard: Infinity };
    if (fds + 64 > fdLimit.soft) {
      const want = Math.min(65536, fdLimit.hard);
      if (fds + 64 > want) throw new Error(`needs ${fds} file descriptors, hard limit is ${fdLimit.hard}`);
      // node cannot raise its own RLIMIT_NOFILE: let bash do it, then exec node
      this.proc = spawn('bash', ['-c', `ulimit -n ${want} && exec "$0" "$@"`, process.execPath, ...execArgv, file, arg], { stdio });
    } else {
      this.proc = fork(file, [arg], { execArgv, stdio });
    }
    const keep = (d) => (this.output = (this.output + d).slice(-4000));
    this.proc.stdout.on('data', keep);
    this.proc.stderr.on('data', keep);
    this.proc.on('message', (m) => {
      if (m.type === 'stage') this.stage = m.stage;
      else if (m.type === 'fatal') this.fail(new Error(`${this.name} reported: ${m.error}`));
      else if (this.onMessage?.(m)) return;
      else {
        const i = this.waiters.findIndex((w) => w.type === m.type);
        if (i >= 0) this.waiters.splice(i, 1)[0].resolve(m);
        else this.queue.push(m);
      }
    });
    this.proc.on('exit', (code, signal) =>
      this.fail(new Error(`${this.name} exited (code ${code}, signal ${signal}) in stage ${this.stage}${this.output ? `; output: ${JSON.stringify(this.output.slice(-800))}` : ''}`)),
    );
    this.proc.on('error', (err) => this.fail(err));
  }

  fail(err) {
    if (this.dead) return;
    this.dead = err;
    for (const w of this.waiters.splice(0)) w.reject(err);
    this.onFail(err);
  }

  send(m) {
    if (!this.dead && this.proc.connected) this.proc.send(m);
  }

  wait(type) {
    const i = this.queue.findIndex((m) => m.type === type);
    if (i >= 0) return Promise.resolve(this.queue.splice(i, 1)[0]);
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => this.waiters.push({ type, resolve, reject }));
  }

  request(type) {
    const p = this.wait(type);
    this.send({ type });
    return p;
  }

  /** Asks the child to exit; kills it if it has not after `killAfterMs`. */
  async stop() {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.send({ type: 'exit' });
    const t = setTimeout(() => this.proc.kill('SIGKILL'), this.killAfterMs);
    await exited;
    clearTimeout(t);
  }
}

/** `promise`, or a rejection naming what was awaited (`describe()`) after `ms`. */
export function withTimeout(promise, ms, describe) {
  let t;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      t = setTimeout(() => reject(new Error(`timeout after ${ms / 1000} s: ${describe()}`)), ms);
    }),
  ]).finally(() => clearTimeout(t));
}
