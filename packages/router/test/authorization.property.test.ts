/**
 * Property: a pattern subscription/registration that Permissions.allowsPattern admits never
 * reaches a URI that Permissions.allows refuses (the pattern check is sound), checked over every
 * URI of a small universe for random role configurations.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wildcardMatches } from '@junction/wamp';
import { Permissions, type Permission } from '../src/authorization.js';

const COMPONENTS = ['a', 'b', 'ab', 'c'];

/** Every URI of 1..4 components drawn from COMPONENTS. */
const UNIVERSE: string[] = (() => {
  const out: string[] = [];
  let level = [''];
  for (let depth = 1; depth <= 4; depth++) {
    level = level.flatMap((head) => COMPONENTS.map((c) => (head === '' ? c : `${head}.${c}`)));
    out.push(...level);
  }
  return out;
})();

const component = fc.constantFrom(...COMPONENTS);
const wildcardPart = fc.constantFrom('', ...COMPONENTS);
const exactUri = fc.array(component, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('.'));
const prefixUri = fc.oneof(
  exactUri,
  exactUri.map((uri) => `${uri}.`),
  fc.constant(''),
  exactUri.map((uri) => uri.slice(0, Math.max(0, uri.length - 1))).filter((uri) => uri === '' || !uri.endsWith('..')),
);
const wildcardUri = fc.array(wildcardPart, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('.')).filter((uri) => uri !== '');

const permission: fc.Arbitrary<Permission> = fc.oneof(
  fc.record({ uri: exactUri, match: fc.constant('exact' as const), allow: fc.record({ subscribe: fc.boolean() }) }),
  fc.record({ uri: prefixUri, match: fc.constant('prefix' as const), allow: fc.record({ subscribe: fc.boolean() }) }),
  fc.record({ uri: wildcardUri, match: fc.constant('wildcard' as const), allow: fc.record({ subscribe: fc.boolean() }) }),
);

/** Unique (uri, match) pairs, as Permissions requires. */
const permissions = fc.uniqueArray(permission, { maxLength: 8, selector: (p) => `${p.match}:${p.uri}` });
const request = fc.oneof(
  prefixUri.map((uri) => ({ uri, match: 'prefix' as const })),
  wildcardUri.filter((uri) => uri.split('.').includes('')).map((uri) => ({ uri, match: 'wildcard' as const })),
);

function matches(pattern: { uri: string; match: 'prefix' | 'wildcard' }, uri: string): boolean {
  return pattern.match === 'prefix' ? uri.startsWith(pattern.uri) : wildcardMatches(pattern.uri.split('.'), uri.split('.'));
}

describe('Permissions.allowsPattern (property)', () => {
  it('admits a pattern only when every URI it matches is allowed', () => {
    let admitted = 0;
    fc.assert(
      fc.property(permissions, request, (list, req) => {
        const p = new Permissions([{ name: 'r', permissions: list }]);
        if (!p.allowsPattern('r', req.uri, req.match, 'subscribe')) return true;
        admitted++;
        for (const uri of UNIVERSE) {
          if (matches(req, uri) && !p.allows('r', uri, 'subscribe')) return false;
        }
        return true;
      }),
      { numRuns: 3000 },
    );
    // The property must not hold vacuously.
    expect(admitted).toBeGreaterThan(50);
  });
});
