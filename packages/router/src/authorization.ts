import { ErrorUri, isValidPattern, type MatchPolicy } from '@junction/wamp';
import { PatternTable } from './pattern-table.js';
import { covers, mayOverlap, outranks, patternRef, type PatternRef } from './authorization/pattern-cover.js';

/**
 * Authorization of a realm: static roles with permissions on URI patterns, plus an optional
 * async {@link Authorizer}. The session asks {@link RealmAuthorizer.authorize} before it hands a
 * CALL, REGISTER, PUBLISH or SUBSCRIBE to the dealer or the broker.
 */

/** What a session may be allowed to do with a URI. */
export type Action = 'call' | 'register' | 'publish' | 'subscribe';

/** Every {@link Action}. */
export const ACTIONS: readonly Action[] = ['call', 'register', 'publish', 'subscribe'];

/** One permission of a role: what it allows on the URIs its pattern matches. */
export interface Permission {
  /** The URI or pattern. With `prefix`, plain string prefix (`''` matches everything); with `wildcard`, empty components match any one component (`com..update`). */
  uri: string;
  /** How {@link Permission.uri} matches. Default `exact`. */
  match?: MatchPolicy;
  /** Actions allowed on matching URIs; absent or false means denied. */
  allow: Partial<Record<Action, boolean>>;
  /**
   * Identity disclosure the router applies whatever the client asked (`disclose_me`):
   * `caller` for calls (callees see the caller's session, authid, authrole), `publisher` for
   * publications (subscribers see the publisher). Read with {@link Permissions.discloses}.
   */
  disclose?: { caller?: boolean; publisher?: boolean };
}

/** A role and its permissions. */
export interface RoleConfig {
  name: string;
  permissions: Permission[];
}

/** The session facts an {@link Authorizer} sees (a `RouterPeer` has them all). */
export interface AuthorizationSubject {
  id: number;
  authid: string;
  authrole: string;
}

/**
 * A dynamic authorization check, e.g. against a database or a per-user ACL. `options` are the
 * message's options (CALL.Options, PUBLISH.Options, SUBSCRIBE.Options, REGISTER.Options). Returns
 * (or resolves to) true to allow. Returning false denies with `wamp.error.not_authorized`; throwing,
 * rejecting or returning anything but a boolean denies with `wamp.error.authorization_failed`.
 */
export type Authorizer = (session: AuthorizationSubject, uri: string, action: Action, options: Record<string, unknown>) => boolean | Promise<boolean>;

interface CompiledPermission {
  readonly allow: Readonly<Record<Action, boolean>>;
  readonly discloseCaller: boolean;
  readonly disclosePublisher: boolean;
}

/**
 * Static role permissions, compiled for fast lookups. For a URI, the single best-matching
 * permission of the role decides (its `allow` entry for the action; missing means denied):
 * an exact permission beats any prefix, a longer prefix beats a shorter one, any prefix beats a
 * wildcard, and among wildcards the one with a literal component where the other has an empty one,
 * first difference from the left, wins (`a.b..` over `a...`, `a..c` over `a...`), as the dealer
 * picks among pattern registrations. A role that is not configured has no permissions.
 */
export class Permissions {
  private readonly roles = new Map<string, PatternTable<CompiledPermission>>();
  /** Every permission of each role as a list, for {@link Permissions.allowsPattern}. */
  private readonly lists = new Map<string, Array<{ ref: PatternRef; permission: CompiledPermission }>>();

  /** Compiles `roles`; throws a TypeError naming the role and URI for a malformed permission. */
  constructor(roles: readonly RoleConfig[]) {
    for (const role of roles) {
      if (typeof role?.name !== 'string' || role.name.length === 0) throw new TypeError('every role needs a non-empty name');
      if (this.roles.has(role.name)) throw new TypeError(`role "${role.name}" is configured twice`);
      if (!Array.isArray(role.permissions)) throw new TypeError(`role "${role.name}": permissions must be an array`);
      const table = new PatternTable<CompiledPermission>();
      const list: Array<{ ref: PatternRef; permission: CompiledPermission }> = [];
      for (const permission of role.permissions) {
        const match = permission?.match ?? 'exact';
        const where = `role "${role.name}", permission "${String(permission?.uri)}"`;
        if (match !== 'exact' && match !== 'prefix' && match !== 'wildcard') throw new TypeError(`${where}: match must be exact, prefix or wildcard`);
        const uri = permission.uri;
        const validUri = typeof uri === 'string' && ((match === 'prefix' && uri === '') || isValidPattern(uri, match));
        if (!validUri) throw new TypeError(`${where}: not a valid ${match} URI pattern`);
        if (table.get(uri, match) !== undefined) throw new TypeError(`${where}: configured twice with match ${match}`);
        const allow = permission.allow ?? {};
        for (const key of Object.keys(allow)) {
          if (!(ACTIONS as readonly string[]).includes(key)) throw new TypeError(`${where}: unknown action "${key}" (use ${ACTIONS.join(', ')})`);
        }
        const compiled: CompiledPermission = {
          allow: { call: allow.call === true, register: allow.register === true, publish: allow.publish === true, subscribe: allow.subscribe === true },
          discloseCaller: permission.disclose?.caller === true,
          disclosePublisher: permission.disclose?.publisher === true,
        };
        table.set(uri, match, compiled);
        list.push({ ref: patternRef(uri, match), permission: compiled });
      }
      this.roles.set(role.name, table);
      this.lists.set(role.name, list);
    }
  }

  /** True when `authrole` is configured (a session under another role can do nothing). */
  hasRole(authrole: string): boolean {
    return this.roles.has(authrole);
  }

  /** Whether `authrole` may perform `action` on `uri`. */
  allows(authrole: string, uri: string, action: Action): boolean {
    const best = this.roles.get(authrole)?.best(uri);
    return best !== undefined && best.value.allow[action];
  }

  /**
   * {@link Permissions.allows} and {@link Permissions.discloses} in one lookup: 0 (denied),
   * 1 (allowed) or 2 (allowed, and the caller's or publisher's identity must be disclosed).
   * @internal
   */
  verdict(authrole: string, uri: string, action: Action): 0 | 1 | 2 {
    const best = this.roles.get(authrole)?.best(uri);
    if (best === undefined || !best.value.allow[action]) return 0;
    const permission = best.value;
    return (action === 'call' ? permission.discloseCaller : action === 'publish' && permission.disclosePublisher) ? 2 : 1;
  }

  /**
   * Whether `authrole` may perform `action` (subscribe, register) with a pattern: true only when
   * the permission deciding each URI the pattern can match allows it. So a prefix subscription to
   * `com.example.` is refused when a more specific permission denies subscribing to
   * `com.example.admin.` (else it would receive those events). Errs towards refusing: a pattern
   * that may overlap a denying permission that does not rank below the covering one is refused.
   * `exact` (and a wildcard without empty components) is {@link Permissions.allows}.
   */
  allowsPattern(authrole: string, pattern: string, match: MatchPolicy, action: Action): boolean {
    if (match === 'exact' || (match === 'wildcard' && !pattern.split('.').includes(''))) return this.allows(authrole, pattern, action);
    const list = this.lists.get(authrole);
    if (list === undefined) return false;
    const request = patternRef(pattern, match);
    let best: { ref: PatternRef; permission: CompiledPermission } | undefined;
    for (const entry of list) {
      if (covers(entry.ref, request) && (best === undefined || outranks(entry.ref, best.ref))) best = entry;
    }
    if (best === undefined || !best.permission.allow[action]) return false;
    for (const entry of list) {
      if (entry === best || entry.permission.allow[action]) continue;
      if (mayOverlap(entry.ref, request) && !outranks(best.ref, entry.ref)) return false;
    }
    return true;
  }

  /**
   * Whether the permission deciding `uri` for `authrole` forces identity disclosure: of the
   * caller for `call`, of the publisher for `publish` (false for other actions).
   */
  discloses(authrole: string, uri: string, action: Action): boolean {
    const best = this.roles.get(authrole)?.best(uri);
    if (best === undefined) return false;
    return action === 'call' ? best.value.discloseCaller : action === 'publish' ? best.value.disclosePublisher : false;
  }
}

/** How a realm authorizes; see {@link RealmAuthorizer}. */
export interface AuthorizationConfig {
  /**
   * The realm's roles. **Absent means development mode: every session may do everything**
   * (only the `authorizer`, if any, can deny). An empty array means no role exists: nothing is
   * allowed and every session fails to join with `wamp.error.no_such_role`.
   */
  roles?: readonly RoleConfig[];
  /** Runs after the static role check allowed an action; see {@link RealmAuthorizer}. */
  authorizer?: Authorizer;
  /**
   * How long an asynchronous `authorizer` may take, in ms, before the action is refused with
   * `wamp.error.authorization_failed`. Default 10,000. A hung authorizer (a database that never
   * answers) must not leave requests pending forever.
   */
  authorizerTimeout?: number;
}

/** Default of {@link AuthorizationConfig.authorizerTimeout}. */
export const DEFAULT_AUTHORIZER_TIMEOUT = 10_000;

/**
 * The outcome of {@link RealmAuthorizer.authorize}. `disclose`: the permission forces the
 * caller's (CALL) or publisher's (PUBLISH) identity to be disclosed, whatever the client asked.
 */
export type AuthorizationDecision =
  | { readonly allowed: true; readonly disclose?: boolean }
  | { readonly allowed: false; readonly error: string; readonly message: string };

const ALLOWED: AuthorizationDecision = Object.freeze({ allowed: true });
const ALLOWED_DISCLOSED: AuthorizationDecision = Object.freeze({ allowed: true, disclose: true });

/**
 * A realm's authorization: static {@link Permissions} first, then the optional async
 * {@link Authorizer}, which sees only actions the roles already allow. So the roles are a cheap,
 * synchronous ceiling that a bug in the authorizer cannot widen, the authorizer refines it (per
 * user, per record, time of day), and denied actions never cost an async round. For an
 * authorizer alone, leave `roles` out (development mode: the static check allows everything).
 *
 * {@link RealmAuthorizer.authorize} answers synchronously when there is no authorizer (the common
 * hot path allocates nothing for an allowed action).
 */
export class RealmAuthorizer {
  /** The static roles, or `null` in development mode (no roles configured: everything allowed). */
  readonly permissions: Permissions | null;
  /** True when no roles are configured: every action of every session passes the static check. */
  readonly developmentMode: boolean;
  private readonly authorizer: Authorizer | undefined;
  private readonly authorizerTimeout: number;

  constructor(config: AuthorizationConfig = {}) {
    this.permissions = config.roles === undefined ? null : new Permissions(config.roles);
    this.developmentMode = this.permissions === null;
    this.authorizer = config.authorizer;
    const timeout = config.authorizerTimeout ?? DEFAULT_AUTHORIZER_TIMEOUT;
    if (!(timeout > 0)) throw new RangeError(`authorizerTimeout must be a positive number of ms; got ${String(timeout)}`);
    this.authorizerTimeout = timeout;
  }

  /**
   * Whether a session may join under `authrole`: always in development mode, else when the role is
   * configured. The session ABORTs a welcome for an unknown role with `wamp.error.no_such_role`.
   */
  hasRole(authrole: string): boolean {
    return this.permissions === null || this.permissions.hasRole(authrole);
  }

  /** Whether the static permissions force identity disclosure (see {@link Permissions.discloses}); false in development mode. */
  discloses(authrole: string, uri: string, action: Action): boolean {
    return this.permissions !== null && this.permissions.discloses(authrole, uri, action);
  }

  /**
   * Decides whether `session` may perform `action` on `uri`. For a subscribe or register with
   * `options.match` `prefix` or `wildcard`, `uri` is a pattern and the roles must
   * allow every URI it can match ({@link Permissions.allowsPattern}). Denied: `wamp.error.not_authorized`
   * (roles or authorizer said no) or `wamp.error.authorization_failed` (the authorizer threw,
   * rejected, answered something that is not a boolean, or did not answer within
   * `authorizerTimeout`). Never throws or rejects.
   */
  authorize(session: AuthorizationSubject, uri: string, action: Action, options: Record<string, unknown> = {}): AuthorizationDecision | Promise<AuthorizationDecision> {
    const permissions = this.permissions;
    let allowed = ALLOWED;
    if (permissions !== null) {
      const match = action === 'subscribe' || action === 'register' ? options['match'] : undefined;
      if (match === 'prefix' || match === 'wildcard') {
        if (!permissions.allowsPattern(session.authrole, uri, match, action)) return notAuthorized(session, uri, action);
      } else {
        const verdict = permissions.verdict(session.authrole, uri, action);
        if (verdict === 0) return notAuthorized(session, uri, action);
        if (verdict === 2) allowed = ALLOWED_DISCLOSED;
      }
    }
    const authorizer = this.authorizer;
    if (authorizer === undefined) return allowed;
    let answer: boolean | Promise<boolean>;
    try {
      answer = authorizer(session, uri, action, options);
    } catch {
      return authorizationFailed(uri, action);
    }
    if (typeof answer === 'boolean') return answer ? allowed : notAuthorized(session, uri, action);
    const timeout = this.authorizerTimeout;
    return new Promise<AuthorizationDecision>((resolve) => {
      // setTimeout turns delays beyond 2^31-1 ms into 1 ms: such a timeout means "no timeout".
      const timer = timeout <= MAX_TIMER_MS ? setTimeout(() => resolve(authorizationFailed(uri, action, `the authorizer did not answer within ${timeout} ms`)), timeout) : undefined;
      // A hung authorizer must not keep the process alive after the router closed.
      timer?.unref?.();
      Promise.resolve(answer).then(
        (value) => {
          clearTimeout(timer);
          resolve(value === true ? allowed : value === false ? notAuthorized(session, uri, action) : authorizationFailed(uri, action));
        },
        () => {
          clearTimeout(timer);
          resolve(authorizationFailed(uri, action));
        },
      );
    });
  }
}

function notAuthorized(session: AuthorizationSubject, uri: string, action: Action): AuthorizationDecision {
  return { allowed: false, error: ErrorUri.NOT_AUTHORIZED, message: `session is not authorized to ${action} "${uri}" (authrole "${session.authrole}")` };
}

const MAX_TIMER_MS = 2 ** 31 - 1;

function authorizationFailed(uri: string, action: Action, why?: string): AuthorizationDecision {
  return { allowed: false, error: ErrorUri.AUTHORIZATION_FAILED, message: `authorization to ${action} "${uri}" could not be decided${why === undefined ? '' : `: ${why}`}` };
}
