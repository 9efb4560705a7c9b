import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { parseProtocolHeader, selectProtocol, validateClientProtocols } from '../src/subprotocol.js';

describe('parseProtocolHeader', () => {
  it('returns [] when the header is missing, empty or only commas', () => {
    expect(parseProtocolHeader(undefined)).toEqual([]);
    expect(parseProtocolHeader('')).toEqual([]);
    expect(parseProtocolHeader(' , ')).toEqual([]);
  });

  it('parses lists with or without spaces, in the client order', () => {
    expect(parseProtocolHeader('wamp.2.json')).toEqual(['wamp.2.json']);
    expect(parseProtocolHeader('a,b')).toEqual(['a', 'b']);
    expect(parseProtocolHeader('a, b')).toEqual(['a', 'b']);
    expect(parseProtocolHeader('  b ,\ta  ')).toEqual(['b', 'a']);
    expect(parseProtocolHeader('a,,b,')).toEqual(['a', 'b']);
  });

  it('merges repeated headers', () => {
    expect(parseProtocolHeader(['a, b', 'c'])).toEqual(['a', 'b', 'c']);
  });

  it('throws SyntaxError for an element that is not a token', () => {
    for (const bad of ['a b', 'a;b', 'a, b/c', '"quoted"', 'caf\u00e9', 'a=1']) {
      expect(() => parseProtocolHeader(bad), bad).toThrow(SyntaxError);
    }
    expect(() => parseProtocolHeader('a, b c')).toThrow(/"b c".*not an HTTP token/);
  });

  it('throws SyntaxError for a duplicate, also across repeated headers', () => {
    expect(() => parseProtocolHeader('a, a')).toThrow(SyntaxError);
    expect(() => parseProtocolHeader(['a', 'b, a'])).toThrow(/"a" is offered more than once/);
  });

  it('is case-sensitive: names differing in case are distinct', () => {
    expect(parseProtocolHeader('chat, Chat')).toEqual(['chat', 'Chat']);
  });

  it('caps the echoed name in the error message', () => {
    const long = `${'x'.repeat(200)} y`;
    let message = '';
    try {
      parseProtocolHeader(long);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message.length).toBeLessThan(120);
  });

  it('round-trips unique tokens joined in any way', () => {
    const token = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,12}$/);
    const sep = fc.constantFrom(',', ', ', ' ,', ' , ', ',\t', ',,');
    fc.assert(
      fc.property(fc.uniqueArray(token, { minLength: 1, maxLength: 8 }), sep, (names, s) => {
        expect(parseProtocolHeader(names.join(s))).toEqual(names);
      }),
    );
  });
});

describe('selectProtocol', () => {
  it('picks by server preference order, not client order', () => {
    expect(selectProtocol(['b', 'a'], ['a', 'b'])).toBe('a');
    expect(selectProtocol(['a', 'b'], ['b', 'a'])).toBe('b');
  });

  it('skips server entries the client did not offer', () => {
    expect(selectProtocol(['wamp.2.msgpack', 'wamp.2.json'], ['wamp.2.cbor', 'wamp.2.json'])).toBe('wamp.2.json');
  });

  it('returns undefined when nothing matches or nothing was offered', () => {
    expect(selectProtocol(['x'], ['a', 'b'])).toBeUndefined();
    expect(selectProtocol([], ['a'])).toBeUndefined();
    expect(selectProtocol(['a'], [])).toBeUndefined();
  });

  it('compares case-sensitively', () => {
    expect(selectProtocol(['Chat'], ['chat'])).toBeUndefined();
  });
});

describe('validateClientProtocols', () => {
  it('accepts an empty list and distinct tokens', () => {
    expect(() => validateClientProtocols([])).not.toThrow();
    expect(() => validateClientProtocols(['wamp.2.json', 'wamp.2.msgpack', 'Chat', 'chat'])).not.toThrow();
  });

  it('throws SyntaxError for a non-token, with a DOMException-like message', () => {
    expect(() => validateClientProtocols(['ok', 'not ok'])).toThrow(SyntaxError);
    expect(() => validateClientProtocols(['not ok'])).toThrow('The subprotocol "not ok" is invalid.');
    expect(() => validateClientProtocols([''])).toThrow(/is invalid/);
    expect(() => validateClientProtocols(['a,b'])).toThrow(/is invalid/);
    expect(() => validateClientProtocols([42 as unknown as string])).toThrow('The subprotocol 42 is invalid.');
  });

  it('throws SyntaxError for a duplicate', () => {
    expect(() => validateClientProtocols(['a', 'b', 'a'])).toThrow(SyntaxError);
    expect(() => validateClientProtocols(['a', 'a'])).toThrow('The subprotocol "a" is duplicated.');
  });
});
