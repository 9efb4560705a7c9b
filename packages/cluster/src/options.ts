/** How a router node reaches NATS. */
export interface NatsOptions {
  /** One or more NATS server URLs (`nats://host:4222`, `tls://host:4222`, or `host:port`). */
  servers: string | string[];
  /**
   * A NATS credentials file (`.creds`: user JWT and NKey seed), as a path, or its contents
   * (a string starting with `-----BEGIN`).
   */
  credentials?: string;
  /** User and password, when the NATS server uses them instead of credentials. */
  user?: string;
  pass?: string;
  /** A token, when the NATS server uses token authentication. */
  token?: string;
  /**
   * TLS towards NATS: `true` to require it with the system's CAs, or files
   * (`caFile`, `certFile`, `keyFile`) for private CAs and client certificates.
   */
  tls?: boolean | { caFile?: string; certFile?: string; keyFile?: string };
  /** Name the node's NATS connection shows in `nats-server` monitoring. Default `junction-<nodeId>`. */
  name?: string;
}

/** Options of {@link attachCluster} (in `junction.config.json`: the `cluster` object). */
export interface ClusterOptions {
  nats: NatsOptions;
  /**
   * Which realms span the cluster, by name: a filter. Default: every realm of the router,
   * including those added later (`router.addRealm`, `autoCreateRealms`). A listed realm the
   * router does not have yet is clustered once it is added. Every node should use the same list.
   */
  realms?: string[];
  /** This node's ID, unique in the cluster. Default: a random one per process. */
  nodeId?: string;
  /**
   * Prefix of every NATS subject and of the KV bucket name, so that several clusters can share a
   * NATS system. Letters, digits, `-` and `_`. Default `junction`.
   */
  prefix?: string;
  /** How often a node announces itself on `<prefix>.hb`, in ms. Default 1000. */
  heartbeatInterval?: number;
  /**
   * A node not heard from for this long (ms) is dead: its registrations disappear and calls
   * pending on its callees fail with `junction.error.callee_unavailable`. Default 3000; keep it
   * at least 3 heartbeat intervals.
   */
  nodeTimeout?: number;
  /** How long a cluster-wide meta API call waits for the other nodes' answers, in ms. Default 500. */
  metaTimeout?: number;
  /** Timeout of one JetStream KV request, in ms. Default 2000. */
  kvTimeout?: number;
  /**
   * Replicas of the registration directory's KV bucket (`<prefix>_registrations`), when this
   * node creates it: 3 on a 3-server NATS cluster so it survives a NATS server. Default 1.
   */
  kvReplicas?: number;
  /** Where the cluster reports its problems. Default: the router's log is not reachable, so `console.warn` for warn and error. */
  log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string, detail?: unknown) => void;
}

/** {@link ClusterOptions} with every default filled in. */
export interface ResolvedClusterOptions {
  nats: NatsOptions;
  /** The realm filter; undefined: every realm. */
  realms: string[] | undefined;
  nodeId: string;
  prefix: string;
  heartbeatInterval: number;
  nodeTimeout: number;
  metaTimeout: number;
  kvTimeout: number;
  kvReplicas: number;
  log: (level: 'debug' | 'info' | 'warn' | 'error', message: string, detail?: unknown) => void;
}

const defaultLog = (level: string, message: string, detail?: unknown): void => {
  if (level === 'warn' || level === 'error') console.warn(`junction cluster ${level}: ${message}`, ...(detail === undefined ? [] : [detail]));
};

/** Checks `options` and fills in the defaults; throws a TypeError naming the bad field. */
export function resolveClusterOptions(options: ClusterOptions, randomNodeId: () => string): ResolvedClusterOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('cluster options must be an object');
  const nats = options.nats;
  if (nats === null || typeof nats !== 'object') throw new TypeError('cluster.nats must be an object with `servers`');
  const servers = Array.isArray(nats.servers) ? nats.servers : [nats.servers];
  if (servers.length === 0 || !servers.every((s) => typeof s === 'string' && s.length > 0)) {
    throw new TypeError('cluster.nats.servers must be a URL or a non-empty list of URLs');
  }
  const prefix = options.prefix ?? 'junction';
  if (!/^[A-Za-z0-9_-]+$/.test(prefix)) throw new TypeError('cluster.prefix may hold only letters, digits, "-" and "_"');
  const nodeId = options.nodeId ?? randomNodeId();
  if (!/^[A-Za-z0-9_-]+$/.test(nodeId)) throw new TypeError('cluster.nodeId may hold only letters, digits, "-" and "_"');
  const positive = (name: string, value: number | undefined, fallback: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new TypeError(`cluster.${name} must be a positive number of ms`);
    return value;
  };
  const heartbeatInterval = positive('heartbeatInterval', options.heartbeatInterval, 1000);
  const nodeTimeout = positive('nodeTimeout', options.nodeTimeout, Math.max(3000, 3 * heartbeatInterval));
  if (nodeTimeout < 2 * heartbeatInterval) throw new TypeError('cluster.nodeTimeout must be at least 2 heartbeat intervals');
  const realms = options.realms;
  if (realms !== undefined && (!Array.isArray(realms) || !realms.every((r) => typeof r === 'string' && r.length > 0))) throw new TypeError('cluster.realms must be a list of realm names');
  return {
    nats: { ...nats, servers },
    realms,
    nodeId,
    prefix,
    heartbeatInterval,
    nodeTimeout,
    metaTimeout: positive('metaTimeout', options.metaTimeout, 500),
    kvTimeout: positive('kvTimeout', options.kvTimeout, 2000),
    kvReplicas: Math.floor(positive('kvReplicas', options.kvReplicas, 1)),
    log: options.log ?? defaultLog,
  };
}
