/**
 * `@junction/cluster`: several Junction routers serving the same realms, joined by NATS. Events
 * and invocations travel over NATS core subjects, the registration directory lives in a
 * JetStream KV bucket, and nodes watch each other's heartbeats. See docs/scaling.md.
 * @packageDocumentation
 */
export { Cluster, attachCluster } from './cluster.js';
export type { ClusterState, ClusterStatus, ClusterEvents } from './cluster.js';
export type { ClusterOptions, NatsOptions, ResolvedClusterOptions } from './options.js';
export { resolveClusterOptions } from './options.js';
export { readClusterConfig, clusterOptionsFromConfig } from './config.js';
export type { JunctionConfig } from './config.js';
export { Liveness } from './liveness.js';
export { RealmBridge, NodeMessage } from './realm-bridge.js';
export type { ClusterLink, DirectoryEntry } from './realm-bridge.js';
export { RemotePeer, calleeFeatures } from './remote-peer.js';
export type { CalleeFeatures } from './remote-peer.js';
export { stableId } from './codec.js';
export { SCATTERED } from './meta.js';
export type { NodeAnswer, Merge } from './meta.js';
