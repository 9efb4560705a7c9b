import { ErrorUri, WampError, isValidUri, isWampId } from '@junction/wamp';
import type { Args, Dict } from '@junction/wamp';
import type { Realm } from './realm.js';
import type { RouterSession } from './router-session.js';

/** Topics of the session meta events. */
export const SESSION_ON_JOIN = 'wamp.session.on_join';
/** See {@link SESSION_ON_JOIN}. */
export const SESSION_ON_LEAVE = 'wamp.session.on_leave';

/**
 * Registers the session meta procedures of the spec on a realm's dealer: `wamp.session.count`,
 * `list`, `get`, `kill`, `kill_by_authid`, `kill_by_authrole` and `kill_all`. (The meta events
 * `on_join` and `on_leave` are published by the realm as sessions come and go.)
 */
export function registerSessionMeta(realm: Realm): void {
  const dealer = realm.dealer;
  dealer.registerInternal('wamp.session.count', (_caller, args) => {
    const roles = roleFilter(args);
    let count = 0;
    for (const session of realm.sessions.values()) if (roles === null || roles.has(session.authrole)) count++;
    return { args: [count] };
  });
  dealer.registerInternal('wamp.session.list', (_caller, args) => {
    const roles = roleFilter(args);
    const ids: number[] = [];
    for (const session of realm.sessions.values()) if (roles === null || roles.has(session.authrole)) ids.push(session.id);
    return { args: [ids] };
  });
  dealer.registerInternal('wamp.session.get', (_caller, args) => {
    const session = realm.sessions.get(sessionIdArg(args));
    if (session === undefined) throw new WampError(ErrorUri.NO_SUCH_SESSION, [`no session ${String(args[0])} on realm "${realm.name}"`]);
    return { args: [session.details()] };
  });
  dealer.registerInternal('wamp.session.kill', (caller, args, kwargs) => {
    const id = sessionIdArg(args);
    const { reason, message } = closeArgs(kwargs);
    const session = realm.sessions.get(id);
    // The spec: a caller's own session is not an *other* session with that ID.
    if (session === undefined || id === caller.id) throw new WampError(ErrorUri.NO_SUCH_SESSION, [`no other session ${id} on realm "${realm.name}"`]);
    session.goodbye(reason, message);
    return {};
  });
  const killWhere = (uri: string, what: string, pick: (session: RouterSession, value: string) => boolean): void => {
    dealer.registerInternal(uri, (caller, args, kwargs) => {
      const value = args[0];
      if (typeof value !== 'string') throw new WampError(ErrorUri.INVALID_ARGUMENT, [`${uri} takes the ${what} (a string) as its first argument`]);
      const { reason, message } = closeArgs(kwargs);
      return { args: [killAll(realm, caller.id, (session) => pick(session, value), reason, message)] };
    });
  };
  killWhere('wamp.session.kill_by_authid', 'authid', (session, authid) => session.authid === authid);
  killWhere('wamp.session.kill_by_authrole', 'authrole', (session, authrole) => session.authrole === authrole);
  dealer.registerInternal('wamp.session.kill_all', (caller, _args, kwargs) => {
    const { reason, message } = closeArgs(kwargs);
    return { args: [killAll(realm, caller.id, () => true, reason, message)] };
  });
}

function killAll(realm: Realm, callerId: number, pick: (session: RouterSession) => boolean, reason: string, message: string | undefined): number {
  // Collect first: each goodbye removes the session from the map being walked.
  const victims: RouterSession[] = [];
  for (const session of realm.sessions.values()) if (session.id !== callerId && pick(session)) victims.push(session);
  for (const session of victims) session.goodbye(reason, message);
  return victims.length;
}

function roleFilter(args: Args): Set<string> | null {
  const filter = args[0];
  if (filter === undefined || filter === null) return null;
  if (!Array.isArray(filter) || !filter.every((role) => typeof role === 'string')) {
    throw new WampError(ErrorUri.INVALID_ARGUMENT, ['filter_authroles must be a list of strings']);
  }
  return new Set(filter as string[]);
}

function sessionIdArg(args: Args): number {
  const id = args[0];
  if (!isWampId(id)) throw new WampError(ErrorUri.INVALID_ARGUMENT, ['the first argument must be a session ID']);
  return id;
}

function closeArgs(kwargs: Dict): { reason: string; message: string | undefined } {
  const reason = kwargs['reason'] ?? ErrorUri.CLOSE_NORMAL;
  if (!isValidUri(reason)) throw new WampError(ErrorUri.INVALID_URI, ['reason must be a valid URI']);
  const message = kwargs['message'];
  if (message !== undefined && typeof message !== 'string') throw new WampError(ErrorUri.INVALID_ARGUMENT, ['message must be a string']);
  return { reason, message };
}
