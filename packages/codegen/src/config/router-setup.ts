/**
 * From a validated config to router objects: `RouterOptions` (authenticators, roles, limits,
 * compression, the upgrade-request hook) and the listeners (plain ones through `router.listen`,
 * TLS ones as an https server the router is attached to). `@junction/router` and
 * `@junction/websocket` are passed in, loaded by the caller at run time.
 */
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import type { Authenticator, RealmConfig, Router, RouterOptions, TransportIdentity } from '@junction/router';
import type { UpgradeRequest } from '@junction/websocket';
import type { JunctionConfigFile, ListenerConfig, RealmFileConfig, UpgradeAuthConfig } from './schema.js';
import { ConfigFileError } from './load.js';

/** The run-time modules the setup uses. */
export interface RouterModules {
  router: typeof import('@junction/router');
  websocket: typeof import('@junction/websocket');
}

/**
 * The `RouterOptions` of a config. Throws a {@link ConfigFileError} naming the field when the
 * router refuses a part of it (a bad permission pattern, a malformed principal). `shownAs` names
 * the file in messages.
 */
export function routerOptionsFromConfig(config: JunctionConfigFile, modules: RouterModules, shownAs: string, log: RouterOptions['log']): RouterOptions {
  const fail = (field: string, error: unknown): never => {
    throw new ConfigFileError(shownAs, field, error instanceof Error ? error.message : String(error));
  };
  const realms = config.realms.map((realm, i) => realmConfig(realm, `realms[${i}]`, modules.router, fail));
  const options: RouterOptions = { realms, webSocket: { ...config.webSocket, perMessageDeflate: config.compression } };
  if (log !== undefined) options.log = log;
  if (config.serializers !== undefined) options.serializers = config.serializers;
  if (config.limits !== undefined) options.limits = config.limits;
  if (config.establishTimeout !== undefined) options.establishTimeout = config.establishTimeout;
  if (config.goodbyeTimeout !== undefined) options.goodbyeTimeout = config.goodbyeTimeout;
  if (config.autoCreateRealms !== undefined) options.autoCreateRealms = config.autoCreateRealms;
  if (config.upgradeAuth !== undefined) options.authenticateUpgrade = upgradeHook(config.upgradeAuth, modules);
  return options;
}

function realmConfig(realm: RealmFileConfig, at: string, router: RouterModules['router'], fail: (field: string, error: unknown) => never): RealmConfig {
  const out: RealmConfig = { name: realm.name };
  if (realm.limits !== undefined) out.limits = realm.limits;
  if (realm.roles !== undefined) {
    try {
      new router.Permissions(realm.roles); // checks the URI patterns and duplicates as the realm will
    } catch (error) {
      fail(`${at}.roles`, error);
    }
    out.roles = realm.roles;
  }
  const auth = realm.authentication;
  if (auth !== undefined) {
    const list: Authenticator[] = [];
    const make = (method: string, build: () => Authenticator): void => {
      try {
        list.push(build());
      } catch (error) {
        fail(`${at}.authentication.${method}`, error);
      }
    };
    if (auth.upgrade) list.push(router.upgradeRequestAuth());
    if (auth.ticket !== undefined) make('ticket', () => router.ticket({ principals: auth.ticket! }));
    if (auth.wampcra !== undefined) make('wampcra', () => router.wampcra({ principals: auth.wampcra! }));
    if (auth.cryptosign !== undefined) make('cryptosign', () => router.cryptosign({ principals: auth.cryptosign! }));
    if (auth.anonymous !== undefined) list.push(router.anonymous({ authrole: auth.anonymous.role }));
    if (list.length === 0) fail(`${at}.authentication`, new Error('allows no method: add anonymous, ticket, wampcra, cryptosign or upgrade'));
    out.authenticators = list;
  }
  return out;
}

/** The upgrade hook of a token table: cookie first, then the bearer header. */
function upgradeHook(config: UpgradeAuthConfig, { router, websocket }: RouterModules): (request: UpgradeRequest) => TransportIdentity | null {
  const tokens = new Map(Object.entries(config.tokens));
  return (request) => {
    const fromCookie = config.cookie !== undefined ? router.readCookie(request.headers, config.cookie) : undefined;
    const token = fromCookie ?? (config.bearer ? router.readBearerToken(request.headers) : undefined);
    if (token === undefined) return null;
    const identity = tokens.get(token);
    if (identity !== undefined) return identity;
    if (config.rejectUnknown) throw new websocket.HttpError(401, 'unknown or expired token');
    return null;
  };
}

/** A listener that is up: its URL, and how to stop what the router does not stop itself. */
export interface OpenListener {
  url: string;
  /** Closes the https server of a TLS listener (the router closes its own servers). */
  close(): Promise<void>;
}

/**
 * Starts one listener. TLS files are read here; a missing file is a {@link ConfigFileError} on
 * `listeners[i].tls.cert` / `.key` / `.ca`.
 */
export async function openListener(router: Router, listener: ListenerConfig, at: string, shownAs: string): Promise<OpenListener> {
  const host = listener.host.includes(':') ? `[${listener.host}]` : listener.host;
  if (listener.tls === undefined) {
    const { url } = await router.listen({ host: listener.host, port: listener.port, path: listener.path });
    return { url, close: async () => {} };
  }
  const read = async (key: 'cert' | 'key' | 'ca'): Promise<Buffer | undefined> => {
    const file = listener.tls![key];
    if (file === undefined) return undefined;
    try {
      return await readFile(file);
    } catch (error) {
      throw new ConfigFileError(shownAs, `${at}.tls.${key}`, `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  };
  const [cert, key, ca] = [await read('cert'), await read('key'), await read('ca')];
  let server: https.Server;
  try {
    server = https.createServer({ cert: cert!, key: key!, ...(ca !== undefined ? { ca } : {}) });
  } catch (error) {
    throw new ConfigFileError(shownAs, `${at}.tls`, `the certificate or key is not usable (${(error as Error).message})`);
  }
  server.on('request', (_request, response) => {
    response.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' });
    response.end(`WAMP over WebSocket at ${listener.path}\n`);
  });
  router.attach(server, { path: listener.path });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listener.port, listener.host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `wss://${host}:${port}${listener.path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
