import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PatternTable } from '../src/pattern-table.js';
import type { MatchPolicy } from '@junction/wamp';

/** The spec's matching rules, written the slow and obvious way, to check the table against. */
function matches(pattern: string, match: MatchPolicy, uri: string): boolean {
  if (match === 'exact') return pattern === uri;
  if (match === 'prefix') return uri.startsWith(pattern);
  const p = pattern.split('.');
  const u = uri.split('.');
  return p.length === u.length && p.every((part, i) => part === '' || part === u[i]);
}

describe('PatternTable', () => {
  it('finds every matching pattern for the broker', () => {
    const table = new PatternTable<string>();
    table.set('a.b.c', 'exact', 'E');
    table.set('a.b', 'prefix', 'P1');
    table.set('a', 'prefix', 'P2');
    table.set('a.b.c.d', 'prefix', 'P3');
    table.set('a..c', 'wildcard', 'W1');
    table.set('..', 'wildcard', 'W2');
    table.set('x..c', 'wildcard', 'W3');
    const found: string[] = [];
    table.forEachMatch('a.b.c', (value) => found.push(value));
    expect(found.sort()).toEqual(['E', 'P1', 'P2', 'W1', 'W2']);
  });

  it('picks exact, then the longest prefix, then the most specific wildcard for the dealer', () => {
    const table = new PatternTable<string>();
    table.set('a...', 'wildcard', 'W-any');
    table.set('a.b..', 'wildcard', 'W-ab');
    table.set('a..c.', 'wildcard', 'W-ac');
    expect(table.best('a.b.c.d')?.value).toBe('W-ab');
    expect(table.best('a.x.c.d')?.value).toBe('W-ac');
    expect(table.best('a.x.y.d')?.value).toBe('W-any');
    table.set('a.b', 'prefix', 'P-short');
    table.set('a.b.c', 'prefix', 'P-long');
    expect(table.best('a.b.c.d')).toEqual({ value: 'P-long', match: 'prefix', pattern: 'a.b.c' });
    expect(table.best('a.b.x.d')?.value).toBe('P-short');
    table.set('a.b.c.d', 'exact', 'E');
    expect(table.best('a.b.c.d')?.value).toBe('E');
    expect(table.best('z')).toBeUndefined();
  });

  it('keeps its size and lookups right through adds and deletes', () => {
    const table = new PatternTable<number>();
    table.set('a.b', 'prefix', 1);
    table.set('a.b', 'prefix', 2);
    table.set('a.b', 'exact', 3);
    table.set('a.', 'wildcard', 4);
    expect(table.size).toBe(3);
    expect(table.get('a.b', 'prefix')).toBe(2);
    expect(table.delete('a.b', 'prefix')).toBe(true);
    expect(table.delete('a.b', 'prefix')).toBe(false);
    expect(table.best('a.b.c')).toBeUndefined();
    expect(table.best('a.b')?.value).toBe(3);
    expect(table.delete('a.', 'wildcard')).toBe(true);
    expect(table.size).toBe(1);
    expect([...table.entries()]).toEqual([[3, 'exact', 'a.b']]);
  });

  it('agrees with the obvious rules for any patterns and URIs', () => {
    const component = fc.constantFrom('a', 'b', 'c', 'ab');
    const uriArb = fc.array(component, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('.'));
    const patternArb = fc.oneof(
      fc.tuple(uriArb, fc.constant<MatchPolicy>('exact')),
      fc.tuple(fc.array(component, { minLength: 1, maxLength: 4 }).map((p) => p.join('.')).chain((u) => fc.integer({ min: 1, max: u.length }).map((n) => u.slice(0, n))), fc.constant<MatchPolicy>('prefix')),
      fc.tuple(fc.array(fc.constantFrom('a', 'b', ''), { minLength: 1, maxLength: 4 }).map((p) => p.join('.')), fc.constant<MatchPolicy>('wildcard')),
    );
    fc.assert(
      fc.property(fc.array(patternArb, { maxLength: 12 }), fc.array(uriArb, { minLength: 1, maxLength: 5 }), (patterns, uris) => {
        const table = new PatternTable<string>();
        for (const [pattern, match] of patterns) table.set(pattern, match, `${match}:${pattern}`);
        const unique = new Map(patterns.map(([p, m]) => [`${m}:${p}`, [p, m] as const]));
        for (const uri of uris) {
          const found: string[] = [];
          table.forEachMatch(uri, (value) => found.push(value));
          const expected = [...unique.entries()].filter(([, [p, m]]) => matches(p, m, uri)).map(([key]) => key);
          expect(found.sort()).toEqual(expected.sort());
          const best = table.best(uri);
          if (expected.length === 0) expect(best).toBeUndefined();
          else {
            expect(best).toBeDefined();
            expect(matches(best!.pattern, best!.match, uri)).toBe(true);
            if (expected.some((k) => k.startsWith('exact:'))) expect(best!.match).toBe('exact');
            else if (expected.some((k) => k.startsWith('prefix:'))) {
              expect(best!.match).toBe('prefix');
              const longest = Math.max(...expected.filter((k) => k.startsWith('prefix:')).map((k) => k.length - 'prefix:'.length));
              expect(best!.pattern.length).toBe(longest);
            } else expect(best!.match).toBe('wildcard');
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
