/**
 * `@junction/router`: a WAMP v2 router. Realms with a broker (pub/sub) and a dealer (routed RPC),
 * authentication, authorization, the session meta API and limits, served over
 * `@junction/websocket` (`wamp.2.json`, `wamp.2.msgpack`, `wamp.2.cbor`) or in-process links
 * (embedded sessions).
 * @packageDocumentation
 */
export { Router } from './router.js';
export type { RouterOptions, RouterWebSocketOptions, ListenOptions, ListeningAddress, AttachOptions, RouterEvents, CloseHook } from './router.js';
export { Realm } from './realm.js';
export type { RealmConfig, RealmHost, EmbeddedIdentity, RouterLog } from './realm.js';
export { RouterSession } from './router-session.js';
export type { RouterSessionOptions, SessionHost } from './router-session.js';
export { createLocalLink } from './local-link.js';
export type { LocalLink } from './local-link.js';
export { WebSocketTransport } from './node/websocket-transport.js';
export { TokenBucket } from './rate-limit.js';
export { DEFAULT_LIMITS, resolveLimits } from './limits.js';
export { SESSION_ON_JOIN, SESSION_ON_LEAVE, registerSessionMeta } from './session-meta.js';
export type { RouterPeer, RouterLimits, RealmContext, BrokerApi, DealerApi, InternalProcedure, InternalResult } from './realm-context.js';
export { Broker } from './broker.js';
export type { BrokerOptions, BrokerClusterHooks, ClusterPublication } from './broker.js';
export type { DeliveryFilter, Membership } from './broker/publish-options.js';
export type { RetentionLimits } from './broker/retained-events.js';
export { Dealer } from './dealer.js';
export type { DealerClusterHooks, ClusterClaim } from './dealer.js';
export type { InvocationPolicy } from './dealer/invocation-policy.js';
export { PatternTable } from './pattern-table.js';

// Authentication (src/auth) and authorization.
export * from './auth/index.js';
export { Permissions, RealmAuthorizer, ACTIONS } from './authorization.js';
export type { Action, Permission, RoleConfig, Authorizer, AuthorizationSubject, AuthorizationConfig, AuthorizationDecision } from './authorization.js';
