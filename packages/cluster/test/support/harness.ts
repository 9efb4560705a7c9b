import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WampError, connect, type Client } from '@junction/client';

/** The Debian nats-server binary. */
export const NATS_SERVER = '/usr/sbin/nats-server';

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** A nats-server with JetStream on a free port and a temporary store; restartable on the same port and store. */
export class NatsServer {
  private child: ChildProcess | undefined;
  readonly storeDir = mkdtempSync(join(tmpdir(), 'junction-nats-'));

  private constructor(readonly port: number) {}

  static async start(): Promise<NatsServer> {
    const server = new NatsServer(await freePort());
    await server.run();
    return server;
  }

  /** A server for a free port, not started yet (call {@link NatsServer.run}). */
  static async reserve(): Promise<NatsServer> {
    return new NatsServer(await freePort());
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** Starts the process and waits until it accepts connections. */
  async run(): Promise<void> {
    const child = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let log = '';
      const timer = setTimeout(() => reject(new Error(`nats-server did not start: ${log}`)), 10_000);
      child.stderr!.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('Server is ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`nats-server exited with ${code}: ${log}`));
      });
    });
  }

  /** Kills the process (SIGKILL) and waits for it to exit. */
  async kill(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.child = undefined;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}

const NODE_SCRIPT = fileURLToPath(new URL('./node.mjs', import.meta.url));

/** One router node in its own process. */
export class RouterNode {
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
    readonly nodeId: string,
  ) {}

  static start(natsUrl: string, nodeId: string, extra: Record<string, unknown> = {}): Promise<RouterNode> {
    const child = fork(NODE_SCRIPT, [JSON.stringify({ nats: natsUrl, nodeId, ...extra })], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`node ${nodeId} did not start`)), 15_000);
      child.on('message', (message: { type: string; url?: string }) => {
        if (message.type === 'ready') {
          clearTimeout(timer);
          resolve(new RouterNode(child, message.url!, nodeId));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`node ${nodeId} exited with ${code}`));
      });
    });
  }

  /** The node's cluster status, asked over IPC. */
  status(): Promise<{ state: string; nodes: string[] }> {
    return new Promise((resolve) => {
      const onMessage = (message: { type: string; status?: { state: string; nodes: string[] } }): void => {
        if (message.type !== 'status-reply') return;
        this.child.off('message', onMessage);
        resolve(message.status!);
      };
      this.child.on('message', onMessage);
      this.child.send({ type: 'status' });
    });
  }

  /** SIGKILL: the node dies without a word. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }

  /** Leaves the cluster and closes the router. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}

/** A client of realm1 on `urls` (the first is tried first). */
export function client(urls: string | string[], reconnect = false): Promise<Client> {
  const list = Array.isArray(urls) ? urls : [urls];
  return connect({
    urls: list,
    realm: 'realm1',
    reconnect: reconnect ? { initialDelay: 50, maxDelay: 200, factor: 1.5, jitter: 0.2, maxRetries: Infinity } : false,
  });
}

/** Polls `check` until it returns a value other than undefined (or throws after `timeout`). */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeout = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeout;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError !== undefined ? `: ${String(lastError)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Resolves after `ms`. */
export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The WampError a promise rejects with (anything else fails the test). */
export async function errorOf(promise: Promise<unknown>): Promise<WampError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WampError) return error;
    throw error;
  }
  throw new Error('expected a WampError');
}

/**
 * Calls until the procedure is routable from this client's node (the directory spreads in
 * milliseconds); errors in `retryOn` mean "not yet", any other one fails.
 */
export function callWhenRoutable(
  c: Client,
  uri: string,
  args: unknown[] = [],
  { callTimeout, timeout = 5000, retryOn = ['wamp.error.no_such_procedure'] }: { callTimeout?: number; timeout?: number; retryOn?: string[] } = {},
): Promise<unknown[]> {
  return eventually(async () => {
    try {
      return (await c.call(uri, args, {}, callTimeout === undefined ? {} : { timeout: callTimeout })).args;
    } catch (error) {
      if (error instanceof WampError && retryOn.includes(error.uri)) return undefined;
      throw error;
    }
  }, timeout, `${uri} to be routable`);
}
