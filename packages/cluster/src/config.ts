import { readFileSync } from 'node:fs';
import type { ClusterOptions } from './options.js';

/**
 * The part of `junction.config.json` the cluster reads (the CLI reads the rest). Example:
 *
 * ```json
 * {
 *   "realms": [{ "name": "realm1" }],
 *   "cluster": {
 *     "nats": { "servers": ["nats://10.0.0.5:4222", "nats://10.0.0.6:4222"], "credentials": "/etc/junction/router.creds" },
 *     "realms": ["realm1"],
 *     "heartbeatInterval": 1000,
 *     "nodeTimeout": 3000
 *   }
 * }
 * ```
 */
export interface JunctionConfig {
  /** Realm configurations (used by the router, not here). */
  realms?: Array<{ name: string }>;
  /** Cluster options; absent: the router runs standalone. */
  cluster?: Omit<ClusterOptions, 'log'>;
  [key: string]: unknown;
}

/**
 * The cluster options of a parsed `junction.config.json`, or undefined when it has no `cluster`.
 * Without `cluster.realms` every realm of the router is clustered (the configured ones and any
 * created later).
 */
export function clusterOptionsFromConfig(config: JunctionConfig): ClusterOptions | undefined {
  const cluster = config.cluster;
  if (cluster === undefined || cluster === null) return undefined;
  if (typeof cluster !== 'object') throw new TypeError('junction.config.json: "cluster" must be an object');
  return { ...cluster };
}

/** Reads `junction.config.json` (or another path) and returns its cluster options, or undefined. */
export function readClusterConfig(path = 'junction.config.json'): ClusterOptions | undefined {
  return clusterOptionsFromConfig(JSON.parse(readFileSync(path, 'utf8')) as JunctionConfig);
}
