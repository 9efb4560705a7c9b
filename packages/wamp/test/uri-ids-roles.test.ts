import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  CLIENT_ROLES, IdSequence, MAX_ID, ROUTER_ROLES, hasFeature, isReservedUri, isValidPattern, isValidUri, isWampId, randomId,
  wildcardMatches,
} from '../src/index.js';

describe('URIs', () => {
  it('loose rule: forbids only whitespace, "." and "#" inside components, and empty components', () => {
    for (const uri of ['com.myapp.topic1', 'a', 'com.MyApp.Ü-ber', 'a-b.c:d.e/f', 'wamp.session.on_join', '1.2.3']) {
      expect(isValidUri(uri), uri).toBe(true);
    }
    for (const uri of ['', '.', 'a.', '.a', 'a..b', 'a b', 'a.b c', 'a#b', 'a\tb', 'a\nb', 7, null, undefined]) {
      expect(isValidUri(uri), String(uri)).toBe(false);
    }
  });

  it('strict rule: [0-9a-z_] components only', () => {
    expect(isValidUri('com.my_app.topic1', 'strict')).toBe(true);
    expect(isValidUri('com.myapp.topic', 'strict')).toBe(true);
    for (const uri of ['com.MyApp.topic', 'com.my-app', 'a:b', 'é', 'a..b', 'a.', 'a b']) {
      expect(isValidUri(uri, 'strict'), uri).toBe(false);
    }
  });

  it('patterns: exact needs a concrete URI, prefix and wildcard allow empty components', () => {
    expect(isValidPattern('a.b', 'exact')).toBe(true);
    expect(isValidPattern('a..b', 'exact')).toBe(false);
    expect(isValidPattern('com.myapp.', 'prefix')).toBe(true);
    expect(isValidPattern('com.myapp', 'prefix')).toBe(true);
    expect(isValidPattern('com..topic', 'wildcard')).toBe(true);
    expect(isValidPattern('.b.', 'wildcard')).toBe(true);
    expect(isValidPattern('', 'prefix')).toBe(false);
    expect(isValidPattern('', 'wildcard')).toBe(false);
    expect(isValidPattern('a b..c', 'wildcard')).toBe(false);
    expect(isValidPattern('a#..c', 'wildcard')).toBe(false);
    expect(isValidPattern('A..c', 'wildcard', 'strict')).toBe(false);
    expect(isValidPattern('a..c', 'wildcard', 'strict')).toBe(true);
    expect(isValidPattern(5, 'exact')).toBe(false);
  });

  it('every valid URI is a valid pattern of every kind, and strict implies loose', () => {
    const component = fc.stringMatching(/^[0-9a-zA-Z_\-:é]{1,6}$/);
    fc.assert(fc.property(fc.array(component, { minLength: 1, maxLength: 5 }), (parts) => {
      const uri = parts.join('.');
      expect(isValidUri(uri)).toBe(true);
      for (const match of ['exact', 'prefix', 'wildcard'] as const) expect(isValidPattern(uri, match)).toBe(true);
      if (isValidUri(uri, 'strict')) expect(isValidUri(uri, 'loose')).toBe(true);
    }));
  });

  it('rejects long invalid URIs quickly (no catastrophic backtracking)', () => {
    const long = 'a'.repeat(50_000);
    expect(isValidUri(long + ' ')).toBe(false);
    expect(isValidUri(`${long}.`.repeat(10) + ' ')).toBe(false);
    expect(isValidPattern('a.'.repeat(20_000) + '#', 'wildcard')).toBe(false);
  });

  it('reserves the wamp. namespace', () => {
    expect(isReservedUri('wamp.session.count')).toBe(true);
    expect(isReservedUri('wampx.foo')).toBe(false);
    expect(isReservedUri('com.wamp.x')).toBe(false);
  });

  it('wildcardMatches: empty pattern components match any one component', () => {
    const m = (pattern: string, uri: string) => wildcardMatches(pattern.split('.'), uri.split('.'));
    expect(m('com..topic', 'com.myapp.topic')).toBe(true);
    expect(m('com..topic', 'com.other.topic')).toBe(true);
    expect(m('com..topic', 'com.myapp.other')).toBe(false);
    expect(m('com..topic', 'com.myapp.topic.x')).toBe(false);
    expect(m('com..topic', 'com.topic')).toBe(false);
    expect(m('..', 'a.b.c')).toBe(true);
    expect(m('a.b', 'a.b')).toBe(true);
  });
});

describe('IDs', () => {
  it('randomId stays in [1, 2^53] and is an integer', () => {
    for (let i = 0; i < 10_000; i++) {
      const id = randomId();
      expect(isWampId(id)).toBe(true);
    }
  });

  it('randomId uses the high bits (not just 32 bits)', () => {
    let max = 0;
    for (let i = 0; i < 1_000; i++) max = Math.max(max, randomId());
    expect(max).toBeGreaterThan(2 ** 50);
  });

  it('IdSequence counts from 1 and wraps after 2^53', () => {
    const seq = new IdSequence();
    expect([seq.next(), seq.next(), seq.next()]).toEqual([1, 2, 3]);
    (seq as unknown as { last: number }).last = MAX_ID - 1;
    expect(seq.next()).toBe(MAX_ID);
    expect(seq.next()).toBe(1);
  });

  it('isWampId accepts integers in [1, 2^53] only', () => {
    expect(MAX_ID).toBe(2 ** 53);
    for (const id of [1, 2 ** 32, 2 ** 53]) expect(isWampId(id)).toBe(true);
    for (const id of [0, -1, 1.5, 2 ** 53 + 2, NaN, Infinity, '1', null, 1n]) expect(isWampId(id)).toBe(false);
  });
});

describe('roles', () => {
  it('hasFeature reads roles.<role>.features.<feature> === true', () => {
    expect(hasFeature(ROUTER_ROLES, 'dealer', 'call_canceling')).toBe(true);
    expect(hasFeature(ROUTER_ROLES, 'broker', 'pattern_based_subscription')).toBe(true);
    expect(hasFeature(ROUTER_ROLES, 'broker', 'call_canceling')).toBe(false);
    expect(hasFeature(CLIENT_ROLES, 'callee', 'progressive_call_results')).toBe(true);
    expect(hasFeature({ callee: { features: { call_canceling: 'yes' } } }, 'callee', 'call_canceling')).toBe(false);
    expect(hasFeature({ callee: {} }, 'callee', 'call_canceling')).toBe(false);
  });

  it('hasFeature tolerates any malformed roles value', () => {
    for (const roles of [undefined, null, 'x', 5, [], { callee: null }, { callee: 'x' }, { callee: { features: null } }, { callee: { features: 'abc' } }]) {
      expect(hasFeature(roles, 'callee', 'call_canceling')).toBe(false);
    }
  });

  it('the router announces broker and dealer features (wampy reads them unguarded)', () => {
    expect(ROUTER_ROLES.broker).toHaveProperty('features');
    expect(ROUTER_ROLES.dealer).toHaveProperty('features');
  });
});
