/**
 * WAMP URI rules (spec "URIs"): components separated by dots. Loose URIs forbid only whitespace,
 * `.` and `#` inside components; strict URIs allow `[0-9a-z_]` only. Patterns (prefix and
 * wildcard subscriptions and registrations) may have empty components.
 */

/** How a subscription or registration matches URIs. */
export type MatchPolicy = 'exact' | 'prefix' | 'wildcard';

/** Which URI rule to check against. */
export type UriRule = 'loose' | 'strict';

const LOOSE = /^([^\s.#]+\.)*([^\s.#]+)$/;
const LOOSE_EMPTY = /^(([^\s.#]+\.)|\.)*([^\s.#]+)?$/;
const STRICT = /^([0-9a-z_]+\.)*([0-9a-z_]+)$/;
const STRICT_EMPTY = /^(([0-9a-z_]+\.)|\.)*([0-9a-z_]+)?$/;

/** True when `uri` is a valid concrete URI (no empty components). */
export function isValidUri(uri: unknown, rule: UriRule = 'loose'): uri is string {
  return typeof uri === 'string' && uri.length > 0 && (rule === 'strict' ? STRICT : LOOSE).test(uri);
}

/**
 * True when `uri` is valid for a subscription or registration with `match`: exact needs a concrete
 * URI, prefix allows a trailing dot-free prefix, wildcard allows empty components (`a..c`).
 */
export function isValidPattern(uri: unknown, match: MatchPolicy, rule: UriRule = 'loose'): uri is string {
  if (typeof uri !== 'string') return false;
  if (match === 'exact') return isValidUri(uri, rule);
  if (match === 'prefix') return uri.length > 0 && (rule === 'strict' ? STRICT_EMPTY : LOOSE_EMPTY).test(uri);
  return uri.length > 0 && (rule === 'strict' ? STRICT_EMPTY : LOOSE_EMPTY).test(uri);
}

/** True when `uri` uses the `wamp.` namespace that the spec reserves for the router. */
export function isReservedUri(uri: string): boolean {
  return uri.startsWith('wamp.');
}

/** True when a wildcard pattern (`a..c`: empty components match any one component) matches `uri`. */
export function wildcardMatches(pattern: readonly string[], uri: readonly string[]): boolean {
  if (pattern.length !== uri.length) return false;
  for (let i = 0; i < pattern.length; i++) {
    const part = pattern[i];
    if (part !== '' && part !== uri[i]) return false;
  }
  return true;
}
