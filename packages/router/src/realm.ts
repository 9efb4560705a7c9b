import type { MessageTransport } from '@junction/wamp';
import { connect, type Client } from '@junction/client';
import type { RealmContext, RouterLimits } from './realm-context.js';
import type { Authenticator } from './auth/types.js';
import { anonymous } from './auth/anonymous.js';
import { upgradeRequestAuth } from './auth/upgrade.js';
import { RealmAuthorizer, type Authorizer, type RoleConfig } from './authorization.js';
import { Broker } from './broker.js';
import { Dealer } from './dealer.js';
import { resolveLimits } from './limits.js';
import type { RouterSession } from './router-session.js';
import { SESSION_ON_JOIN, SESSION_ON_LEAVE, registerSessionMeta } from './session-meta.js';

/** How a realm is configured (one entry of the router's `realms`). */
export interface RealmConfig {
  /** The realm's name (a URI), as clients give it in HELLO. */
  name: string;
  /**
   * How sessions authenticate, tried in the client's order of `authmethods`. Default:
   * `[upgradeRequestAuth(), anonymous()]`: the identity from the router's `authenticateUpgrade`
   * hook when the connection has one, else anonymous.
   */
  authenticators?: Authenticator[];
  /** Roles and their permissions. Omitted: every session may do everything (development). */
  roles?: RoleConfig[];
  /** A dynamic check after the roles allowed an action; see {@link Authorizer}. */
  authorizer?: Authorizer;
  /** How long an asynchronous `authorizer` may take before the action is refused (`wamp.error.authorization_failed`), in ms. Default 10,000. */
  authorizerTimeout?: number;
  /** This realm's limits, over the router's. */
  limits?: Partial<RouterLimits>;
}

/** What a realm needs from its router. */
export interface RealmHost {
  /** Opens an in-process link with a session welcomed as `identity`; returns the client's end. */
  connectLocal(identity?: EmbeddedIdentity): MessageTransport;
}

/** Identity of an embedded session (see {@link Realm.session}). */
export interface EmbeddedIdentity {
  /** Default `router`. */
  authid?: string;
  /** Default `trusted`. */
  authrole?: string;
  /** Goes to WELCOME.Details.authextra. */
  authextra?: Record<string, unknown>;
}

/** Logs a problem of the router's (never a peer's). */
export type RouterLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string, detail?: unknown) => void;

/**
 * One realm: its sessions, broker, dealer, authenticators and authorization, plus the session
 * meta API. Made by the router from its configuration; find one with `router.realm(name)`.
 */
export class Realm implements RealmContext {
  readonly name: string;
  readonly limits: RouterLimits;
  /** The joined sessions by ID. */
  readonly sessions = new Map<number, RouterSession>();
  readonly broker: Broker;
  readonly dealer: Dealer;
  /** The authenticators, in the order they are tried for each client method. */
  readonly authenticators: readonly Authenticator[];
  /** Role permissions and the optional authorizer. */
  readonly authorizer: RealmAuthorizer;
  /** True once the router closed (no new sessions). */
  closed = false;
  private readonly logger: RouterLog;
  private readonly host: RealmHost;

  /** @internal Made by the router. */
  constructor(config: RealmConfig, routerLimits: Partial<RouterLimits>, log: RouterLog, host: RealmHost) {
    this.name = config.name;
    this.limits = resolveLimits({ ...routerLimits, ...config.limits });
    this.authenticators = config.authenticators ?? [upgradeRequestAuth(), anonymous()];
    if (this.authenticators.length === 0) throw new TypeError(`realm "${config.name}": authenticators must not be empty`);
    this.authorizer = new RealmAuthorizer({
      ...(config.roles !== undefined ? { roles: config.roles } : {}),
      ...(config.authorizer !== undefined ? { authorizer: config.authorizer } : {}),
      ...(config.authorizerTimeout !== undefined ? { authorizerTimeout: config.authorizerTimeout } : {}),
    });
    this.logger = log;
    this.host = host;
    this.broker = new Broker(this);
    this.dealer = new Dealer(this);
    registerSessionMeta(this);
  }

  /**
   * Opens an embedded session: a `@junction/client` `Client` joined to this realm over an
   * in-process link (messages pass as arrays, never serialized). It is the router's own code:
   * welcomed as `identity` (default authid `router`, authrole `trusted`) with no authentication,
   * and never subject to authorization. It does not reconnect; `client.close()` ends it.
   */
  session(identity: EmbeddedIdentity = {}): Promise<Client> {
    return connect({ realm: this.name, transport: () => this.host.connectLocal(identity), reconnect: false });
  }

  /** Logs a problem of the router's. */
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, detail?: unknown): void {
    this.logger(level, `[${this.name}] ${message}`, detail);
  }

  /** @internal A session was welcomed: it joins and `wamp.session.on_join` is published. */
  join(session: RouterSession): void {
    this.sessions.set(session.id, session);
    this.broker.publishInternal(SESSION_ON_JOIN, [session.details()]);
  }

  /** @internal A session left (GOODBYE, ABORT, lost connection): detached and `on_leave` published. */
  leave(session: RouterSession): void {
    if (!this.sessions.delete(session.id)) return;
    // Each part is detached even when another one fails: a leaving session must not stay half-attached.
    try {
      this.broker.detach(session);
    } catch (err) {
      this.log('error', `broker.detach failed for session ${session.id}`, err);
    }
    try {
      this.dealer.detach(session);
    } catch (err) {
      this.log('error', `dealer.detach failed for session ${session.id}`, err);
    }
    this.broker.publishInternal(SESSION_ON_LEAVE, [session.id, session.authid, session.authrole]);
  }
}
