import type { Authenticator } from './types.js';

/**
 * Picks the authenticator for a HELLO: the client's `authmethods` in the client's order (absent
 * or empty means `['anonymous']`), and for each the first of `authenticators` (realm order) whose `method`
 * or `aliases` name it and that `applies` to this connection's `transportAuth`. `null` when none
 * fits (also for a malformed `authmethods`): the session then ABORTs with `wamp.error.no_auth_method`.
 */
export function selectAuthenticator(authenticators: readonly Authenticator[], authmethods: unknown, transportAuth?: unknown): Authenticator | null {
  const offered = authmethods === undefined || authmethods === null || (Array.isArray(authmethods) && authmethods.length === 0) ? DEFAULT_METHODS : authmethods;
  if (!Array.isArray(offered)) return null;
  for (const method of offered) {
    if (typeof method !== 'string') return null;
    for (const authenticator of authenticators) {
      if (authenticator.method !== method && !authenticator.aliases?.includes(method)) continue;
      if (authenticator.applies !== undefined && !authenticator.applies(transportAuth)) continue;
      return authenticator;
    }
  }
  return null;
}

const DEFAULT_METHODS: readonly string[] = ['anonymous'];
