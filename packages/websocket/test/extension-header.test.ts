import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatExtension, parseExtensionsHeader, type ExtensionOffer } from '../src/extension-header.js';

/** Offers as plain objects, for readable assertions. */
function plain(offers: ExtensionOffer[]): Array<[string, Record<string, Array<string | true>>]> {
  return offers.map((o) => [o.name, Object.fromEntries(o.params)]);
}

describe('parseExtensionsHeader', () => {
  it('returns nothing for an absent or blank header', () => {
    expect(parseExtensionsHeader(undefined)).toEqual([]);
    expect(parseExtensionsHeader('')).toEqual([]);
    expect(parseExtensionsHeader(' \t ')).toEqual([]);
    expect(parseExtensionsHeader([])).toEqual([]);
  });

  it('parses a bare extension', () => {
    expect(plain(parseExtensionsHeader('permessage-deflate'))).toEqual([['permessage-deflate', {}]]);
  });

  it('parses parameters with and without values', () => {
    expect(plain(parseExtensionsHeader('permessage-deflate; client_max_window_bits; server_max_window_bits=10'))).toEqual([
      ['permessage-deflate', { client_max_window_bits: [true], server_max_window_bits: ['10'] }],
    ]);
  });

  it('accepts optional whitespace (spaces and tabs) around ; , and =', () => {
    const spaced = plain(parseExtensionsHeader(' \tpermessage-deflate \t;\t a = 1 ;b\t,  foo ; c ="2" '));
    expect(spaced).toEqual([
      ['permessage-deflate', { a: ['1'], b: [true] }],
      ['foo', { c: ['2'] }],
    ]);
    expect(plain(parseExtensionsHeader('a;b=1;c'))).toEqual([['a', { b: ['1'], c: [true] }]]);
  });

  it('unescapes quoted values', () => {
    expect(plain(parseExtensionsHeader('a; b="10"; c="x\\y\\-z"'))).toEqual([['a', { b: ['10'], c: ['xy-z'] }]]);
  });

  it('keeps every value of a repeated parameter, in order', () => {
    expect(plain(parseExtensionsHeader('a; x=1; y; x=2; x'))).toEqual([['a', { x: ['1', '2', true], y: [true] }]]);
    expect([...parseExtensionsHeader('a; x=1; y; x=2')[0]!.params.keys()]).toEqual(['x', 'y']);
  });

  it('parses several offers in one header, including repeats of one extension', () => {
    const offers = parseExtensionsHeader(
      'permessage-deflate; client_max_window_bits=10, permessage-deflate, x-webkit-deflate-frame; no_context_takeover',
    );
    expect(plain(offers)).toEqual([
      ['permessage-deflate', { client_max_window_bits: ['10'] }],
      ['permessage-deflate', {}],
      ['x-webkit-deflate-frame', { no_context_takeover: [true] }],
    ]);
  });

  it('parses a repeated header (array) in order', () => {
    const offers = parseExtensionsHeader(['permessage-deflate; server_no_context_takeover', 'foo, bar; baz=1']);
    expect(plain(offers)).toEqual([
      ['permessage-deflate', { server_no_context_takeover: [true] }],
      ['foo', {}],
      ['bar', { baz: ['1'] }],
    ]);
  });

  it('skips empty list elements (RFC 7230 §7)', () => {
    expect(plain(parseExtensionsHeader(', a ,, b ,'))).toEqual([
      ['a', {}],
      ['b', {}],
    ]);
    expect(plain(parseExtensionsHeader(['', 'a', ' , ']))).toEqual([['a', {}]]);
  });

  it('keeps the case of names', () => {
    expect(plain(parseExtensionsHeader('PerMessage-Deflate; Client_Max_Window_Bits'))).toEqual([
      ['PerMessage-Deflate', { Client_Max_Window_Bits: [true] }],
    ]);
  });

  const bad: Array<[string, RegExp]> = [
    ['a b', /"b" at index 2/],
    ['a;', /end of value/],
    ['a; ', /end of value/],
    ['a;;b', /";" at index 2/],
    ['a;=1', /"=" at index 2/],
    [';a', /";" at index 0/],
    ['a; b=', /end of value/],
    ['a; b= ;c', /";" at index 6/],
    ['a; b=c d', /"d" at index 7/],
    ['a=1', /"=" at index 1/],
    ['a; b=1=2', /"=" at index 6/],
    ['a; b="1', /unterminated quoted string starting at index 5/],
    ['a; b=""', /not a token/],
    ['a; b="x y"', /not a token/],
    ['a; b="x,y"', /not a token/],
    ['a; b="1\\', /end of value/],
    ['a; b="\u0001"', /quoted-string character/],
    ['a; b="x"y', /"y" at index 8/],
    ['"a"', /index 0/],
    ['a/b', /"\/" at index 1/],
    ['a; b@c', /"@" at index 4/],
    ['permessage-déflate', /"é" at index 12/],
    ['a\u0000', /index 1/],
    ['a\r\n b', /"\\r" at index 1/],
    ['a; b=1 ; c=(2)', /"\(" at index 11/],
  ];
  it.each(bad)('rejects %j with a SyntaxError', (header, message) => {
    expect(() => parseExtensionsHeader(header)).toThrow(SyntaxError);
    expect(() => parseExtensionsHeader(header)).toThrow(message);
    expect(() => parseExtensionsHeader(header)).toThrow(/^Invalid Sec-WebSocket-Extensions header/);
  });

  it('says which value of a repeated header is bad', () => {
    expect(() => parseExtensionsHeader(['a', 'b c'])).toThrow(/\(value #2\): unexpected "c" at index 2/);
  });
});

describe('formatExtension', () => {
  it('formats flags, strings and numbers, skipping undefined', () => {
    expect(formatExtension('permessage-deflate', {})).toBe('permessage-deflate');
    expect(
      formatExtension('permessage-deflate', {
        server_no_context_takeover: true,
        client_no_context_takeover: undefined,
        server_max_window_bits: 10,
        x: 'abc',
      }),
    ).toBe('permessage-deflate; server_no_context_takeover; server_max_window_bits=10; x=abc');
  });

  it('rejects what cannot be written as tokens', () => {
    expect(() => formatExtension('', {})).toThrow(TypeError);
    expect(() => formatExtension('a b', {})).toThrow(TypeError);
    expect(() => formatExtension('a', { 'b c': true })).toThrow(TypeError);
    expect(() => formatExtension('a', { b: 'x y' })).toThrow(TypeError);
    expect(() => formatExtension('a', { b: '' })).toThrow(TypeError);
    expect(() => formatExtension('a', { b: Number.NaN })).toThrow(TypeError);
    expect(() => formatExtension('a', { b: Infinity })).toThrow(TypeError);
  });

  it('round-trips through parseExtensionsHeader (property)', () => {
    const token = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,12}$/);
    const offer = fc.record({
      name: token,
      params: fc.uniqueArray(fc.tuple(token, fc.oneof(fc.constant(true as const), token, fc.nat(99999))), {
        selector: ([k]) => k,
        maxLength: 5,
      }),
    });
    fc.assert(
      fc.property(fc.array(offer, { minLength: 1, maxLength: 4 }), fc.boolean(), (offers, asArray) => {
        const parts = offers.map((o) => formatExtension(o.name, Object.fromEntries(o.params)));
        const parsed = parseExtensionsHeader(asArray ? parts : parts.join(', '));
        expect(plain(parsed)).toEqual(
          offers.map((o) => [o.name, Object.fromEntries(o.params.map(([k, v]) => [k, [v === true ? true : String(v)]]))]),
        );
      }),
    );
  });

  it('never throws anything but SyntaxError on arbitrary input (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', maxLength: 40 }), (s) => {
        try {
          parseExtensionsHeader(s);
        } catch (e) {
          expect(e).toBeInstanceOf(SyntaxError);
        }
      }),
    );
  });
});
