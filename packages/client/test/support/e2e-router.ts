/**
 * Helpers of the end-to-end suites: a real router on 127.0.0.1, clients that are closed after
 * the suite, and small waiting helpers (every wait is bounded, so a bug fails instead of hanging).
 */
import { connect, type Client, type ClientOptions } from '@junction/client';
import { Router, type RouterOptions } from '@junction/router';

/** Starts a router with realm `realm1` (open to anonymous clients) listening on 127.0.0.1, port `port` (0: any). */
export async function startRouter(options: RouterOptions = {}, port = 0): Promise<{ router: Router; url: string; port: number }> {
  const router = new Router({ realms: [{ name: 'realm1' }], log: quietLog, ...options });
  const address = await router.listen({ port, host: '127.0.0.1', path: '/ws' });
  return { router, url: address.url, port: address.port };
}

/** Router log that shows warnings and errors (never info/debug noise). */
export const quietLog: NonNullable<RouterOptions['log']> = (level, message, detail) => {
  if (level === 'error') console.warn(`[router ${level}] ${message}`, detail ?? '');
};

/** Clients opened through {@link ClientPool.open}, closed by {@link ClientPool.closeAll}. */
export class ClientPool {
  private readonly clients = new Set<Client>();

  /** Connects to `url` with one serializer; reconnecting is off unless `options.reconnect` says otherwise. */
  async open(url: string, serializer: 'json' | 'msgpack' | 'cbor' = 'json', options: Partial<ClientOptions> = {}): Promise<Client> {
    const client = await connect({ url, realm: 'realm1', serializers: [serializer], reconnect: false, connectTimeout: 5000, closeTimeout: 1000, ...options });
    this.clients.add(client);
    return client;
  }

  /** Tracks a client made elsewhere (embedded sessions). */
  track(client: Client): Client {
    this.clients.add(client);
    return client;
  }

  async closeAll(): Promise<void> {
    const all = [...this.clients];
    this.clients.clear();
    await Promise.all(all.map((c) => c.close().catch(() => {})));
  }
}

/** A promise with its resolve/reject outside. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Rejects with a message naming `what` when `promise` has not settled within `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls `condition` every 5 ms until it holds; fails after `ms`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, ms = 3000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`${what}: not true after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Settles `promise` and returns the rejection (fails when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, got a result');
}

/** Waits until the router has `count` subscribers on `topic` (exact match), asking the subscription meta API. */
export async function waitSubscribers(client: Client, topic: string, count: number, ms = 3000): Promise<void> {
  await waitFor(
    async () => {
      const found = await client.call('wamp.subscription.lookup', [topic]);
      const id = found.args[0];
      if (typeof id !== 'number') return count === 0;
      const n = await client.call('wamp.subscription.count_subscribers', [id]);
      return n.args[0] === count;
    },
    ms,
    `${count} subscribers on ${topic}`,
  );
}
