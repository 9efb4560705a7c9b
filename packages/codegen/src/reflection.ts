/**
 * Reflection: how `junction generate --url` and `junction docs --url` get descriptions from a
 * running router. `implement()` of `@junction/contract` registers, per contract, the procedure
 * `junction.contract.describe.<prefix>` answering with `contract.describe()` (as `args[0]`).
 * With no prefix given, the contracts are discovered with the registration meta API
 * (`wamp.registration.list` / `wamp.registration.get`). {@link serveReflection} registers the
 * same procedures for contracts served some other way.
 */
import type { Client, Registration } from '@junction/client';
import { assertDescription, type ContractDescription } from './description.js';

/** URI prefix of the reflection procedures (the same as `@junction/contract`'s `REFLECTION_PREFIX`). */
export const REFLECTION_PREFIX = 'junction.contract.describe.';

/** The reflection procedure of the contract with this prefix. */
export function reflectionProcedure(prefix: string): string {
  return REFLECTION_PREFIX + prefix;
}

/** Anything with a description: a contract (`contract.describe()`). */
export interface Describable {
  describe(): ContractDescription;
}

/** Where {@link serveReflection} registers: a client session, or a router realm (`router.realm('realm1')`). */
export type ReflectionTarget = Client | { session(): Promise<Client> };

/** Served reflection procedures. */
export interface ReflectionService {
  readonly registrations: readonly Registration[];
  /** Unregisters them (and closes the session when one was opened on a realm). */
  close(): Promise<void>;
}

/**
 * Registers the reflection procedure of each contract (or description). Not needed for contracts
 * served with `implement()`, which registers it itself (unless `reflection: false`).
 */
export async function serveReflection(target: ReflectionTarget, ...contracts: (Describable | ContractDescription)[]): Promise<ReflectionService> {
  const descriptions = contracts.map((c) => ('describe' in c && typeof c.describe === 'function' ? c.describe() : (c as ContractDescription)));
  const owns = typeof (target as Client).register !== 'function';
  const session = owns ? await (target as { session(): Promise<Client> }).session() : (target as Client);
  const registrations: Registration[] = [];
  try {
    for (const d of descriptions) registrations.push(await session.register(reflectionProcedure(d.prefix), () => d));
  } catch (error) {
    await Promise.allSettled(registrations.map((r) => r.unregister()));
    if (owns) await session.close();
    throw error;
  }
  return {
    registrations,
    async close() {
      await Promise.allSettled(registrations.map((r) => r.unregister()));
      if (owns) await session.close();
    },
  };
}

/** Options of {@link fetchDescriptions}. */
export interface FetchDescriptionsOptions {
  /** Router WebSocket URL (`ws://host:port/ws`). */
  url: string;
  /** Realm to join. */
  realm: string;
  /** Only the contract with this prefix (no discovery needed). */
  prefix?: string;
  /** Milliseconds to wait for the router and each call. Default 10000. */
  timeout?: number;
}

/**
 * Connects to a router and returns the descriptions of its contracts (or of the one with
 * `prefix`), sorted by prefix.
 */
export async function fetchDescriptions(options: FetchDescriptionsOptions): Promise<ContractDescription[]> {
  const { connect } = await import('@junction/client');
  const timeout = options.timeout ?? 10_000;
  let client: Client;
  try {
    client = await connect({ url: options.url, realm: options.realm, reconnect: false, connectTimeout: timeout });
  } catch (error) {
    throw new Error(`cannot join realm ${options.realm} at ${options.url}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  try {
    const where = `realm ${options.realm} at ${options.url}`;
    const uris = options.prefix !== undefined ? [reflectionProcedure(options.prefix)] : await discover(client, timeout, where);
    const descriptions: ContractDescription[] = [];
    for (const uri of uris) {
      let value: unknown;
      try {
        value = (await client.call(uri, [], {}, { timeout })).args[0];
      } catch (error) {
        if ((error as { uri?: string }).uri === 'wamp.error.no_such_procedure') throw new Error(`${where} does not describe a contract ${uri.slice(REFLECTION_PREFIX.length)} (no ${uri})`);
        throw error;
      }
      assertDescription(value, `the answer of ${uri}`);
      descriptions.push(value);
    }
    return descriptions.sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0));
  } finally {
    await client.close().catch(() => {});
  }
}

/** The reflection procedures registered on the realm, from the registration meta API. */
async function discover(client: Client, timeout: number, where: string): Promise<string[]> {
  let lists: Record<string, unknown>;
  try {
    lists = (await client.call('wamp.registration.list', [], {}, { timeout })).args[0] as Record<string, unknown>;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot list the registrations of ${where} (${reason}); name the contract with --prefix`);
  }
  const ids = Array.isArray(lists?.exact) ? (lists.exact as unknown[]) : [];
  const uris: string[] = [];
  for (const id of ids) {
    const info = (await client.call('wamp.registration.get', [id], {}, { timeout }).catch(() => undefined))?.args[0] as { uri?: unknown } | undefined;
    if (typeof info?.uri === 'string' && info.uri.startsWith(REFLECTION_PREFIX)) uris.push(info.uri);
  }
  return uris;
}
