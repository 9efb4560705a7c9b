/**
 * The shape of `junction.config.json` (the `junction router` config) and its validation. The
 * result is plain data with defaults filled in and file paths made absolute; router-setup.ts turns
 * it into router objects. See docs/cli.md for the format.
 */
import path from 'node:path';
import type { RoleConfig, RouterLimits, CryptosignPrincipal, WampcraPrincipal, TicketPrincipal, TransportIdentity, Permission } from '@junction/router';
import { boolean, ConfigError, integer, list, member, object, oneOf, optional, string, table } from './check.js';

/** One listening socket. */
export interface ListenerConfig {
  /** Address to listen on. Default `127.0.0.1`. */
  host: string;
  /** TCP port; 0 picks a free one. Default 8080. */
  port: number;
  /** WebSocket path. Default `/ws`. */
  path: string;
  /** TLS: absolute paths of the PEM certificate chain and key (and an optional CA bundle); `wss://`. */
  tls?: { cert: string; key: string; ca?: string };
}

/** How a realm authenticates sessions; absent: the router's default (upgrade identity, then anonymous). */
export interface RealmAuthConfig {
  /** Anonymous clients allowed, with this authrole. */
  anonymous?: { role: string };
  /** Ticket principals by authid. */
  ticket?: Record<string, TicketPrincipal>;
  /** WAMP-CRA principals by authid. */
  wampcra?: Record<string, WampcraPrincipal>;
  /** Cryptosign principals by authid. */
  cryptosign?: Record<string, CryptosignPrincipal>;
  /** Whether identities from the upgrade request ({@link UpgradeAuthConfig}) are accepted. Default true. */
  upgrade: boolean;
}

/** One realm. */
export interface RealmFileConfig {
  name: string;
  authentication?: RealmAuthConfig;
  /** Absent: every session may do everything (development mode). */
  roles?: RoleConfig[];
  limits?: Partial<RouterLimits>;
}

/** The upgrade-request hook as a table: cookie or bearer token -> identity. */
export interface UpgradeAuthConfig {
  /** Name of the cookie that carries the token. */
  cookie?: string;
  /** Read `Authorization: Bearer <token>`. */
  bearer: boolean;
  /** Token -> identity. */
  tokens: Record<string, TransportIdentity>;
  /** A request that presents a token not in the table is refused with HTTP 401 (default true); false: it continues unauthenticated. */
  rejectUnknown: boolean;
}

/** permessage-deflate options of the WebSocket servers (see `@junction/websocket`). */
export interface CompressionOptions {
  level?: number;
  memLevel?: number;
  threshold?: number;
  serverNoContextTakeover?: boolean;
  clientNoContextTakeover?: boolean;
  serverMaxWindowBits?: number;
  clientMaxWindowBits?: number;
}

/** A validated `junction.config.json`. */
export interface JunctionConfigFile {
  /** The file it came from (absolute). */
  file: string;
  listeners: ListenerConfig[];
  realms: RealmFileConfig[];
  serializers?: ('msgpack' | 'cbor' | 'json')[];
  /** permessage-deflate: on (default), off, or tuned. */
  compression: boolean | CompressionOptions;
  limits?: Partial<RouterLimits>;
  webSocket?: {
    origins?: string[];
    heartbeat?: { interval: number; timeout?: number } | false;
    handshakeTimeout?: number;
    maxHeaderSize?: number;
    closeTimeout?: number;
  };
  establishTimeout?: number;
  goodbyeTimeout?: number;
  autoCreateRealms?: boolean;
  upgradeAuth?: UpgradeAuthConfig;
  /** The `cluster` section as written (paths resolved), for `@junction/cluster`. */
  cluster?: Record<string, unknown>;
}

/** The limit names, kept in step with the router's `RouterLimits` by the compiler. */
const LIMIT_FLAGS: Record<keyof RouterLimits, true> = {
  maxMessageSize: true,
  maxPendingCallsPerSession: true,
  maxSubscriptionsPerSession: true,
  maxRegistrationsPerSession: true,
  maxMessagesPerSecond: true,
  maxSessionsPerRealm: true,
  interruptTimeout: true,
  maxBufferedAmount: true,
};
const LIMIT_NAMES = Object.keys(LIMIT_FLAGS) as (keyof RouterLimits)[];
const ACTIONS = ['call', 'register', 'publish', 'subscribe'] as const;
const TOP_LEVEL = ['$schema', 'listeners', 'realms', 'serializers', 'compression', 'limits', 'webSocket', 'establishTimeout', 'goodbyeTimeout', 'autoCreateRealms', 'upgradeAuth', 'cluster'] as const;

/**
 * Checks a parsed config file; throws a {@link ConfigError} naming the first bad field. Relative
 * file paths (TLS, cluster credentials) are resolved against the directory of `file`.
 */
export function validateConfig(raw: unknown, file: string): JunctionConfigFile {
  const dir = path.dirname(file);
  const root = object(raw, '', TOP_LEVEL);
  const realms = optional(root, 'realms', '', (v, p) => list(v, p, realm)) ?? [];
  const autoCreateRealms = optional(root, 'autoCreateRealms', '', boolean);
  if (realms.length === 0 && autoCreateRealms !== true) throw new ConfigError('realms', 'must list at least one realm (e.g. [{ "name": "realm1" }])');
  const names = new Set<string>();
  realms.forEach((r, i) => {
    if (names.has(r.name)) throw new ConfigError(`realms[${i}].name`, `realm "${r.name}" is configured twice`);
    names.add(r.name);
  });
  const listeners = optional(root, 'listeners', '', (v, p) => list(v, p, (item, at) => listener(item, at, dir), { nonEmpty: true })) ?? [
    { host: '127.0.0.1', port: 8080, path: '/ws' },
  ];
  const config: JunctionConfigFile = { file, listeners, realms, compression: optional(root, 'compression', '', compression) ?? true };
  const serializers = optional(root, 'serializers', '', (v, p) => list(v, p, (s, at) => oneOf(s, at, ['msgpack', 'cbor', 'json'] as const), { nonEmpty: true }));
  if (serializers !== undefined) config.serializers = serializers;
  const limits = optional(root, 'limits', '', limitsOf);
  if (limits !== undefined) config.limits = limits;
  const webSocket = optional(root, 'webSocket', '', webSocketOf);
  if (webSocket !== undefined) config.webSocket = webSocket;
  const establishTimeout = optional(root, 'establishTimeout', '', (v, p) => integer(v, p, 1));
  if (establishTimeout !== undefined) config.establishTimeout = establishTimeout;
  const goodbyeTimeout = optional(root, 'goodbyeTimeout', '', (v, p) => integer(v, p, 1));
  if (goodbyeTimeout !== undefined) config.goodbyeTimeout = goodbyeTimeout;
  if (autoCreateRealms !== undefined) config.autoCreateRealms = autoCreateRealms;
  const upgradeAuth = optional(root, 'upgradeAuth', '', upgradeAuthOf);
  if (upgradeAuth !== undefined) config.upgradeAuth = upgradeAuth;
  const cluster = optional(root, 'cluster', '', (v, p) => clusterOf(v, p, dir, names));
  if (cluster !== undefined) config.cluster = cluster;
  return config;
}

function listener(value: unknown, at: string, dir: string): ListenerConfig {
  const o = object(value, at, ['host', 'port', 'path', 'tls']);
  const out: ListenerConfig = {
    host: optional(o, 'host', at, string) ?? '127.0.0.1',
    port: optional(o, 'port', at, (v, p) => integer(v, p, 0, 65535)) ?? 8080,
    path: optional(o, 'path', at, (v, p) => {
      const text = string(v, p);
      if (!text.startsWith('/')) throw new ConfigError(p, `must start with "/" (got ${JSON.stringify(text)})`);
      return text;
    }) ?? '/ws',
  };
  const tls = optional(o, 'tls', at, (v, p) => {
    const t = object(v, p, ['cert', 'key', 'ca']);
    if (t['cert'] === undefined) throw new ConfigError(member(p, 'cert'), 'is required (the PEM certificate file)');
    if (t['key'] === undefined) throw new ConfigError(member(p, 'key'), 'is required (the PEM private key file)');
    const file = (key: string): string | undefined => optional(t, key, p, (f, fp) => path.resolve(dir, string(f, fp)));
    const ca = file('ca');
    return { cert: file('cert')!, key: file('key')!, ...(ca !== undefined ? { ca } : {}) };
  });
  if (tls !== undefined) out.tls = tls;
  return out;
}

function realm(value: unknown, at: string): RealmFileConfig {
  const o = object(value, at, ['name', 'authentication', 'roles', 'limits']);
  if (o['name'] === undefined) throw new ConfigError(member(at, 'name'), 'is required');
  const out: RealmFileConfig = { name: optional(o, 'name', at, uriOf)! };
  const roles = optional(o, 'roles', at, (v, p) => list(v, p, role));
  if (roles !== undefined) {
    const seen = new Set<string>();
    roles.forEach((r, i) => {
      if (seen.has(r.name)) throw new ConfigError(`${at}.roles[${i}].name`, `role "${r.name}" is configured twice`);
      seen.add(r.name);
    });
    out.roles = roles;
  }
  const authentication = optional(o, 'authentication', at, authenticationOf);
  if (authentication !== undefined) {
    out.authentication = authentication;
    if (roles !== undefined) checkRolesExist(authentication, roles, member(at, 'authentication'));
  }
  const limits = optional(o, 'limits', at, limitsOf);
  if (limits !== undefined) out.limits = limits;
  return out;
}

function uriOf(value: unknown, at: string): string {
  const text = string(value, at);
  if (!/^[^\s.#]+(\.[^\s.#]+)*$/.test(text)) throw new ConfigError(at, `must be a URI such as "realm1" or "com.example" (got ${JSON.stringify(text)})`);
  return text;
}

function role(value: unknown, at: string): RoleConfig {
  const o = object(value, at, ['name', 'permissions']);
  if (o['name'] === undefined) throw new ConfigError(member(at, 'name'), 'is required');
  return {
    name: optional(o, 'name', at, string)!,
    permissions: optional(o, 'permissions', at, (v, p) => list(v, p, permission)) ?? [],
  };
}

function permission(value: unknown, at: string): Permission {
  const o = object(value, at, ['uri', 'match', 'allow', 'disclose']);
  if (o['uri'] === undefined) throw new ConfigError(member(at, 'uri'), 'is required ("" with match "prefix" covers every URI)');
  const out: Permission = {
    uri: optional(o, 'uri', at, (v, p) => string(v, p, { allowEmpty: true }))!,
    allow: optional(o, 'allow', at, (v, p) => {
      const allow = object(v, p, ACTIONS);
      const result: Permission['allow'] = {};
      for (const action of ACTIONS) {
        const flag = optional(allow, action, p, boolean);
        if (flag !== undefined) result[action] = flag;
      }
      return result;
    }) ?? {},
  };
  const match = optional(o, 'match', at, (v, p) => oneOf(v, p, ['exact', 'prefix', 'wildcard'] as const));
  if (match !== undefined) out.match = match;
  const disclose = optional(o, 'disclose', at, (v, p) => {
    const d = object(v, p, ['caller', 'publisher']);
    const result: NonNullable<Permission['disclose']> = {};
    const caller = optional(d, 'caller', p, boolean);
    const publisher = optional(d, 'publisher', p, boolean);
    if (caller !== undefined) result.caller = caller;
    if (publisher !== undefined) result.publisher = publisher;
    return result;
  });
  if (disclose !== undefined) out.disclose = disclose;
  return out;
}

function authenticationOf(value: unknown, at: string): RealmAuthConfig {
  const o = object(value, at, ['anonymous', 'ticket', 'wampcra', 'cryptosign', 'upgrade']);
  const out: RealmAuthConfig = { upgrade: optional(o, 'upgrade', at, boolean) ?? true };
  const anonymous = optional(o, 'anonymous', at, (v, p) => {
    if (v === true) return { role: 'anonymous' };
    if (v === false) return undefined;
    const a = object(v, p, ['role']);
    return { role: optional(a, 'role', p, string) ?? 'anonymous' };
  });
  if (anonymous !== undefined) out.anonymous = anonymous;
  const principals = <T>(key: string, read: (o: Record<string, unknown>, p: string) => T): Record<string, T> | undefined =>
    optional(o, key, at, (v, p) => Object.fromEntries(table(v, p, (entry, ep) => read(entry as Record<string, unknown>, ep))));
  const roleOf = (e: Record<string, unknown>, p: string): string => {
    if (e['role'] === undefined) throw new ConfigError(member(p, 'role'), 'is required (the authrole of this principal)');
    return optional(e, 'role', p, string)!;
  };
  const ticket = principals('ticket', (entry, p) => {
    const e = object(entry, p, ['ticket', 'role']);
    if (e['ticket'] === undefined) throw new ConfigError(member(p, 'ticket'), 'is required');
    return { ticket: optional(e, 'ticket', p, string)!, role: roleOf(e, p) };
  });
  if (ticket !== undefined) out.ticket = ticket;
  const wampcra = principals('wampcra', (entry, p) => {
    const e = object(entry, p, ['secret', 'role', 'salt', 'iterations', 'keylen']);
    if (e['secret'] === undefined) throw new ConfigError(member(p, 'secret'), 'is required');
    const principal: WampcraPrincipal = { secret: optional(e, 'secret', p, string)!, role: roleOf(e, p) };
    const salt = optional(e, 'salt', p, string);
    if (salt !== undefined) principal.salt = salt;
    const iterations = optional(e, 'iterations', p, (v, vp) => integer(v, vp, 1));
    if (iterations !== undefined) principal.iterations = iterations;
    const keylen = optional(e, 'keylen', p, (v, vp) => integer(v, vp, 1));
    if (keylen !== undefined) principal.keylen = keylen;
    return principal;
  });
  if (wampcra !== undefined) out.wampcra = wampcra;
  const cryptosign = principals('cryptosign', (entry, p) => {
    const e = object(entry, p, ['authorizedKeys', 'role']);
    if (e['authorizedKeys'] === undefined) throw new ConfigError(member(p, 'authorizedKeys'), 'is required (Ed25519 public keys, 64 hex digits each)');
    const keys = optional(e, 'authorizedKeys', p, (v, kp) =>
      list(v, kp, (k, ip) => {
        const key = string(k, ip);
        if (!/^[0-9a-fA-F]{64}$/.test(key)) throw new ConfigError(ip, `must be an Ed25519 public key as 64 hex digits (got ${JSON.stringify(key.slice(0, 20))}${key.length > 20 ? '...' : ''})`);
        return key;
      }, { nonEmpty: true }))!;
    return { authorizedKeys: keys, role: roleOf(e, p) };
  });
  if (cryptosign !== undefined) out.cryptosign = cryptosign;
  return out;
}

/** Principals whose role the realm does not define would be ABORTed at join: refuse that up front. */
function checkRolesExist(auth: RealmAuthConfig, roles: RoleConfig[], at: string): void {
  const known = new Set(roles.map((r) => r.name));
  const missing = (where: string, name: string): never => {
    throw new ConfigError(where, `role "${name}" is not defined in this realm's roles (${[...known].map((n) => JSON.stringify(n)).join(', ') || 'none'})`);
  };
  if (auth.anonymous !== undefined && !known.has(auth.anonymous.role)) missing(`${at}.anonymous`, auth.anonymous.role);
  for (const method of ['ticket', 'wampcra', 'cryptosign'] as const) {
    for (const [authid, principal] of Object.entries(auth[method] ?? {})) {
      if (!known.has(principal.role)) missing(`${member(member(member(at, method), authid), 'role')}`, principal.role);
    }
  }
}

function limitsOf(value: unknown, at: string): Partial<RouterLimits> {
  const o = object(value, at, LIMIT_NAMES);
  const out: Partial<RouterLimits> = {};
  for (const name of LIMIT_NAMES) {
    const limit = optional(o, name, at, (v, p) => integer(v, p, 1));
    if (limit !== undefined) out[name] = limit;
  }
  return out;
}

function compression(value: unknown, at: string): boolean | CompressionOptions {
  if (typeof value === 'boolean') return value;
  const o = object(value, at, ['level', 'memLevel', 'threshold', 'serverNoContextTakeover', 'clientNoContextTakeover', 'serverMaxWindowBits', 'clientMaxWindowBits']);
  const out: CompressionOptions = {};
  const int = (key: 'level' | 'memLevel' | 'threshold' | 'serverMaxWindowBits' | 'clientMaxWindowBits', min: number, max?: number): void => {
    const n = optional(o, key, at, (v, p) => integer(v, p, min, max));
    if (n !== undefined) out[key] = n;
  };
  int('level', 0, 9);
  int('memLevel', 1, 9);
  int('threshold', 0);
  int('serverMaxWindowBits', 8, 15);
  int('clientMaxWindowBits', 8, 15);
  for (const key of ['serverNoContextTakeover', 'clientNoContextTakeover'] as const) {
    const flag = optional(o, key, at, boolean);
    if (flag !== undefined) out[key] = flag;
  }
  return out;
}

function webSocketOf(value: unknown, at: string): NonNullable<JunctionConfigFile['webSocket']> {
  const o = object(value, at, ['origins', 'heartbeat', 'handshakeTimeout', 'maxHeaderSize', 'closeTimeout']);
  const out: NonNullable<JunctionConfigFile['webSocket']> = {};
  const origins = optional(o, 'origins', at, (v, p) => list(v, p, string));
  if (origins !== undefined) out.origins = origins;
  const heartbeat = optional(o, 'heartbeat', at, (v, p) => {
    if (v === false) return false as const;
    const h = object(v, p, ['interval', 'timeout']);
    if (h['interval'] === undefined) throw new ConfigError(member(p, 'interval'), 'is required (ms between pings), or set heartbeat to false');
    const timeout = optional(h, 'timeout', p, (t, tp) => integer(t, tp, 1));
    return { interval: optional(h, 'interval', p, (t, tp) => integer(t, tp, 1))!, ...(timeout !== undefined ? { timeout } : {}) };
  });
  if (heartbeat !== undefined) out.heartbeat = heartbeat;
  for (const key of ['handshakeTimeout', 'maxHeaderSize', 'closeTimeout'] as const) {
    const n = optional(o, key, at, (v, p) => integer(v, p, 1));
    if (n !== undefined) out[key] = n;
  }
  return out;
}

function upgradeAuthOf(value: unknown, at: string): UpgradeAuthConfig {
  const o = object(value, at, ['cookie', 'bearer', 'tokens', 'rejectUnknown']);
  const out: UpgradeAuthConfig = {
    bearer: optional(o, 'bearer', at, boolean) ?? false,
    rejectUnknown: optional(o, 'rejectUnknown', at, boolean) ?? true,
    tokens: {},
  };
  const cookie = optional(o, 'cookie', at, string);
  if (cookie !== undefined) out.cookie = cookie;
  if (cookie === undefined && !out.bearer) throw new ConfigError(at, 'needs "cookie" (a cookie name) or "bearer": true, or both');
  if (o['tokens'] === undefined) throw new ConfigError(member(at, 'tokens'), 'is required: { "<token>": { "authid": ..., "authrole": ... } }');
  for (const [token, entry] of table(o['tokens'], member(at, 'tokens'), (v, p) => {
    const e = object(v, p, ['authid', 'authrole', 'authextra']);
    for (const key of ['authid', 'authrole']) if (e[key] === undefined) throw new ConfigError(member(p, key), 'is required');
    const identity: TransportIdentity = { authid: optional(e, 'authid', p, string)!, authrole: optional(e, 'authrole', p, string)! };
    const authextra = optional(e, 'authextra', p, (x, xp) => {
      if (x === null || typeof x !== 'object' || Array.isArray(x)) throw new ConfigError(xp, 'must be an object');
      return x as Record<string, unknown>;
    });
    if (authextra !== undefined) identity.authextra = authextra;
    return identity;
  })) {
    out.tokens[token] = entry;
  }
  return out;
}

const CLUSTER_KEYS = ['nats', 'realms', 'nodeId', 'prefix', 'heartbeatInterval', 'nodeTimeout', 'metaTimeout', 'kvTimeout', 'kvReplicas'] as const;

/** The cluster section's shape; `@junction/cluster` checks the rest (e.g. nodeTimeout against heartbeatInterval). */
function clusterOf(value: unknown, at: string, dir: string, realmNames: Set<string>): Record<string, unknown> {
  const o = object(value, at, CLUSTER_KEYS);
  if (o['nats'] === undefined) throw new ConfigError(member(at, 'nats'), 'is required: { "servers": ["nats://host:4222"] }');
  const natsAt = member(at, 'nats');
  const n = object(o['nats'], natsAt, ['servers', 'credentials', 'user', 'pass', 'token', 'tls', 'name']);
  if (n['servers'] === undefined) throw new ConfigError(member(natsAt, 'servers'), 'is required (NATS URLs such as "nats://127.0.0.1:4222")');
  const servers = typeof n['servers'] === 'string' ? [string(n['servers'], member(natsAt, 'servers'))] : list(n['servers'], member(natsAt, 'servers'), string, { nonEmpty: true });
  const nats: Record<string, unknown> = { servers };
  for (const key of ['user', 'pass', 'token', 'name'] as const) {
    const text = optional(n, key, natsAt, string);
    if (text !== undefined) nats[key] = text;
  }
  const credentials = optional(n, 'credentials', natsAt, string);
  if (credentials !== undefined) nats['credentials'] = credentials.startsWith('-----BEGIN') ? credentials : path.resolve(dir, credentials);
  const tls = optional(n, 'tls', natsAt, (v, p) => {
    if (typeof v === 'boolean') return v;
    const t = object(v, p, ['caFile', 'certFile', 'keyFile']);
    const files: Record<string, string> = {};
    for (const key of ['caFile', 'certFile', 'keyFile']) {
      const f = optional(t, key, p, string);
      if (f !== undefined) files[key] = path.resolve(dir, f);
    }
    return files;
  });
  if (tls !== undefined) nats['tls'] = tls;
  const out: Record<string, unknown> = { nats };
  const realms = optional(o, 'realms', at, (v, p) =>
    list(v, p, (r, rp) => {
      const name = string(r, rp);
      if (!realmNames.has(name)) throw new ConfigError(rp, `realm "${name}" is not in the config's realms (${[...realmNames].join(', ')})`);
      return name;
    }, { nonEmpty: true }));
  if (realms !== undefined) out['realms'] = realms;
  for (const key of ['nodeId', 'prefix'] as const) {
    const text = optional(o, key, at, (v, p) => {
      const s = string(v, p);
      if (!/^[A-Za-z0-9_-]+$/.test(s)) throw new ConfigError(p, `may hold only letters, digits, "-" and "_" (got ${JSON.stringify(s)})`);
      return s;
    });
    if (text !== undefined) out[key] = text;
  }
  for (const key of ['heartbeatInterval', 'nodeTimeout', 'metaTimeout', 'kvTimeout', 'kvReplicas'] as const) {
    const num = optional(o, key, at, (v, p) => integer(v, p, 1));
    if (num !== undefined) out[key] = num;
  }
  return out;
}
