import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  asciiLowerCase,
  getHeader,
  headerHasToken,
  isOnlyToken,
  isToken,
  isValidHeaderValue,
  parseTokenList,
  trimOws,
} from '../src/http-tokens.js';

describe('parseTokenList', () => {
  it('returns [] for a missing header', () => {
    expect(parseTokenList(undefined)).toEqual([]);
  });

  it('splits on commas with optional whitespace of any amount', () => {
    expect(parseTokenList('a,b')).toEqual(['a', 'b']);
    expect(parseTokenList('a, b')).toEqual(['a', 'b']);
    expect(parseTokenList('  a ,\tb\t,c  ')).toEqual(['a', 'b', 'c']);
  });

  it('ignores empty elements (RFC 7230 §7)', () => {
    expect(parseTokenList(',a,,  ,b,')).toEqual(['a', 'b']);
    expect(parseTokenList('')).toEqual([]);
    expect(parseTokenList(' , ,')).toEqual([]);
  });

  it('treats a repeated header (array) as one list', () => {
    expect(parseTokenList(['a, b', 'c', '', ' d ,'])).toEqual(['a', 'b', 'c', 'd']);
    expect(parseTokenList([])).toEqual([]);
  });

  it('keeps case and does not validate elements', () => {
    expect(parseTokenList('WebSocket, HTTP/2.0')).toEqual(['WebSocket', 'HTTP/2.0']);
  });

  it('only strips SP and HTAB, not NBSP', () => {
    expect(parseTokenList('\u00a0a')).toEqual(['\u00a0a']);
    expect(trimOws(' \t x \t ')).toBe('x');
  });

  it('round-trips any list of tokens joined with random OWS', () => {
    const token = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,10}$/);
    const ows = fc.stringMatching(/^[ \t]{0,3}$/);
    fc.assert(
      fc.property(fc.array(fc.tuple(token, ows, ows)), (parts) => {
        const header = parts.map(([t, a, b]) => `${a}${t}${b}`).join(',');
        expect(parseTokenList(header)).toEqual(parts.map(([t]) => t));
      }),
    );
  });
});

describe('isToken', () => {
  it('accepts every tchar', () => {
    expect(isToken("!#$%&'*+-.^_`|~09azAZ")).toBe(true);
    expect(isToken('wamp.2.json')).toBe(true);
  });

  it('rejects empty strings, separators, spaces, controls and non-ASCII', () => {
    for (const bad of ['', 'a b', 'a,b', 'a/b', 'a;b', '"a"', 'a=b', '(a)', 'a\tb', 'a\r\n', 'é', 'a\u0000', '{}', '[x]', 'a@b', 'a:b', 'a?', 'a\\b', '<a>']) {
      expect(isToken(bad), JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('headerHasToken', () => {
  it('matches ASCII case-insensitively inside a list', () => {
    expect(headerHasToken('keep-alive, Upgrade', 'upgrade')).toBe(true);
    expect(headerHasToken('UPGRADE', 'upgrade')).toBe(true);
    expect(headerHasToken('websocket', 'WebSocket')).toBe(true);
    expect(headerHasToken(['keep-alive', ' upgrade '], 'Upgrade')).toBe(true);
  });

  it('does not match partial elements or missing headers', () => {
    expect(headerHasToken('upgrade-insecure', 'upgrade')).toBe(false);
    expect(headerHasToken('keep-alive', 'upgrade')).toBe(false);
    expect(headerHasToken('up grade', 'upgrade')).toBe(false);
    expect(headerHasToken(undefined, 'upgrade')).toBe(false);
    expect(headerHasToken('', 'upgrade')).toBe(false);
  });

  it('agrees with parseTokenList on any header (the scan allocates nothing, the list is the reference)', () => {
    const piece = fc.constantFrom('upgrade', 'Upgrade', 'UPGRADE', 'up', 'grade', 'keep-alive', ',', ' ', '\t', 'x', '', '\u212a');
    const field = fc.array(piece, { maxLength: 8 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(field, fc.array(field, { maxLength: 3 })), fc.constantFrom('upgrade', 'UpGrade', 'x'), (value, token) => {
        const reference = parseTokenList(value).some((element) => asciiLowerCase(element) === asciiLowerCase(token));
        expect(headerHasToken(value, token)).toBe(reference);
      }),
      { numRuns: 2000 },
    );
  });

  it('isOnlyToken agrees with "parseTokenList gives exactly that one element" on any header', () => {
    const piece = fc.constantFrom('websocket', 'WebSocket', 'web', 'socket', ',', ' ', '\t', 'h2c', '');
    const field = fc.array(piece, { maxLength: 6 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(field, fc.array(field, { maxLength: 3 })), (value) => {
        const list = parseTokenList(value);
        const reference = list.length === 1 && asciiLowerCase(list[0]!) === 'websocket';
        expect(isOnlyToken(value, 'websocket')).toBe(reference);
      }),
      { numRuns: 2000 },
    );
    expect(isOnlyToken('websocket', 'websocket')).toBe(true);
    expect(isOnlyToken(' WebSocket ', 'websocket')).toBe(true);
    expect(isOnlyToken('websocket, websocket', 'websocket')).toBe(false);
    expect(isOnlyToken(['websocket', 'h2c'], 'websocket')).toBe(false);
    expect(isOnlyToken(undefined, 'websocket')).toBe(false);
  });

  it('does not fold non-ASCII look-alikes (U+212A KELVIN SIGN)', () => {
    expect('websoc\u212aet'.toLowerCase()).toBe('websocket');
    expect(headerHasToken('websoc\u212aet', 'websocket')).toBe(false);
    expect(asciiLowerCase('ABC\u212a')).toBe('abc\u212a');
  });
});

describe('isValidHeaderValue', () => {
  it('accepts visible ASCII, SP, HTAB and latin1 obs-text', () => {
    expect(isValidHeaderValue('')).toBe(true);
    expect(isValidHeaderValue('text/plain; charset=utf-8')).toBe(true);
    expect(isValidHeaderValue('a\tb caf\u00e9')).toBe(true);
  });

  it('rejects CR, LF, NUL, other controls and code points above U+00FF', () => {
    for (const bad of ['a\r\nX-Evil: 1', 'a\nb', 'a\rb', 'a\u0000', 'a\u007f', 'a\u0001', '\u20ac', '\ud83d\ude00']) {
      expect(isValidHeaderValue(bad), JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('getHeader', () => {
  it('reads lower-case keys directly', () => {
    expect(getHeader({ upgrade: 'websocket' }, 'upgrade')).toBe('websocket');
  });

  it('finds keys of other casing and accepts names in any case', () => {
    expect(getHeader({ Upgrade: 'websocket' }, 'upgrade')).toBe('websocket');
    expect(getHeader({ 'SEC-WEBSOCKET-KEY': 'k' }, 'Sec-WebSocket-Key')).toBe('k');
  });

  it('ignores inherited properties and undefined values', () => {
    expect(getHeader({}, 'constructor')).toBeUndefined();
    expect(getHeader({ upgrade: undefined, Upgrade: 'x' }, 'upgrade')).toBe('x');
    expect(getHeader({ a: undefined }, 'a')).toBeUndefined();
  });
});
