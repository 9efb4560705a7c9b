import type { MatchPolicy } from '@junction/wamp';

/**
 * Set relations between URI patterns, for authorizing pattern subscriptions and registrations:
 * a prefix or wildcard request covers many URIs, and is allowed only when the permission that
 * decides each of them allows the action. Every function errs towards "may overlap" and "does not
 * cover", so doubt denies.
 */

/** A pattern with its policy; `parts` is the split URI (for wildcards). */
export interface PatternRef {
  readonly uri: string;
  readonly match: MatchPolicy;
  readonly parts: readonly string[];
}

/** Makes a {@link PatternRef}. */
export function patternRef(uri: string, match: MatchPolicy): PatternRef {
  return { uri, match, parts: uri.split('.') };
}

/**
 * The string every URI matched by wildcard `parts` starts with: the leading literal components,
 * then a dot when more components follow. `a.b..d` -> `a.b.`, `.b` -> ``.
 */
function fixedPrefix(parts: readonly string[]): string {
  let end = 0;
  while (end < parts.length && parts[end] !== '') end++;
  const head = parts.slice(0, end).join('.');
  return end < parts.length ? (end > 0 ? head + '.' : '') : head;
}

/** True when every URI `request` (prefix or wildcard) matches is matched by `permission`. */
export function covers(permission: PatternRef, request: PatternRef): boolean {
  if (permission.match === 'exact') return false;
  if (permission.match === 'prefix') {
    const start = request.match === 'prefix' ? request.uri : fixedPrefix(request.parts);
    return start.startsWith(permission.uri);
  }
  if (request.match !== 'wildcard' || request.parts.length !== permission.parts.length) return false;
  return permission.parts.every((part, i) => part === '' || (request.parts[i] !== '' && part === request.parts[i]));
}

/** False only when no URI can be matched by both `permission` and `request` (prefix or wildcard). */
export function mayOverlap(permission: PatternRef, request: PatternRef): boolean {
  const p = permission.parts;
  const r = request.parts;
  if (request.match === 'prefix') {
    if (permission.match === 'exact') return permission.uri.startsWith(request.uri);
    if (permission.match === 'prefix') return permission.uri.startsWith(request.uri) || request.uri.startsWith(permission.uri);
    // Wildcard permission: the request's complete components must fit, its last (partial) one may grow.
    if (r.length > p.length) return false;
    for (let i = 0; i < r.length - 1; i++) if (p[i] !== '' && p[i] !== r[i]) return false;
    const last = r.length - 1;
    return p[last] === '' || p[last]!.startsWith(r[last]!);
  }
  // Wildcard request.
  if (permission.match === 'exact') return p.length === r.length && r.every((part, i) => part === '' || part === p[i]);
  if (permission.match === 'prefix') {
    const start = fixedPrefix(r);
    return permission.uri.startsWith(start) || start.startsWith(permission.uri);
  }
  return p.length === r.length && r.every((part, i) => part === '' || p[i] === '' || part === p[i]);
}

/**
 * True when `winner` takes precedence over `other` for every URI both match (the order of
 * `PatternTable.best`: exact, then longer prefix, then any prefix, then the more literal wildcard).
 */
export function outranks(winner: PatternRef, other: PatternRef): boolean {
  if (winner.match === 'exact') return other.match !== 'exact';
  if (winner.match === 'prefix') return other.match === 'wildcard' || (other.match === 'prefix' && other.uri.length < winner.uri.length);
  if (other.match !== 'wildcard') return false;
  for (let i = 0; i < winner.parts.length; i++) {
    const winnerLiteral = winner.parts[i] !== '';
    if (winnerLiteral !== (other.parts[i] !== '')) return winnerLiteral;
  }
  return false;
}
