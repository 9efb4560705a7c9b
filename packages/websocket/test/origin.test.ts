import { describe, expect, it } from 'vitest';

import { isOriginAllowed, normalizeOrigin } from '../src/origin.js';

describe('normalizeOrigin', () => {
  it.each([
    ['https://a.com', 'https://a.com'],
    ['HTTPS://A.COM', 'https://a.com'],
    ['https://a.com:443', 'https://a.com'],
    ['http://a.com:80', 'http://a.com'],
    ['wss://a.com:443', 'wss://a.com'],
    ['ws://a.com:80', 'ws://a.com'],
    ['https://a.com:8443', 'https://a.com:8443'],
    ['https://a.com:0443', 'https://a.com'],
    ['http://a.com:443', 'http://a.com:443'],
    ['http://[::1]:8080', 'http://[::1]:8080'],
    ['http://[0:0::1]', 'http://[::1]'],
    ['https://b\u00fccher.de', 'https://xn--bcher-kva.de'],
    ['App://LocalHost', 'app://localhost'],
    ['capacitor://localhost:080', 'capacitor://localhost:80'],
    ['chrome-extension://ABCdef', 'chrome-extension://abcdef'],
  ])('%j -> %j', (input, output) => {
    expect(normalizeOrigin(input)).toBe(output);
  });

  it.each(['null', '', 'a.com', 'https://', 'https://a.com/', 'https://a.com/path', 'https://u@a.com', 'https://a.com:', 'https://a.com:99999', 'https://a.com?x', 'https://a .com', '//a.com', 'https://[::1'])(
    '%j is not a serialised origin',
    (input) => {
      expect(normalizeOrigin(input)).toBeUndefined();
    },
  );
});

describe('isOriginAllowed', () => {
  const list = ['https://app.example.com', 'http://localhost:3000'];

  it('allows exact matches', () => {
    expect(isOriginAllowed('https://app.example.com', list)).toBe(true);
    expect(isOriginAllowed('http://localhost:3000', list)).toBe(true);
  });

  it('normalises scheme/host case and default ports on both sides', () => {
    expect(isOriginAllowed('https://app.example.com:443', list)).toBe(true);
    expect(isOriginAllowed('HTTPS://App.Example.COM', list)).toBe(true);
    expect(isOriginAllowed('https://a.com', ['https://A.com:443'])).toBe(true);
  });

  it('refuses other schemes, hosts, ports and look-alikes', () => {
    for (const origin of [
      'http://app.example.com',
      'https://app.example.com:8443',
      'https://evil.example.com',
      'https://app.example.com.evil.net',
      'https://app.example.com/',
      'http://localhost:3001',
      'http://localhost',
      '',
    ]) {
      expect(isOriginAllowed(origin, list), origin).toBe(false);
    }
  });

  it('allows a missing Origin (non-browser clients), even with an empty list', () => {
    expect(isOriginAllowed(undefined, list)).toBe(true);
    expect(isOriginAllowed(undefined, [])).toBe(true);
  });

  it('allows the opaque origin "null" only when listed literally', () => {
    expect(isOriginAllowed('null', list)).toBe(false);
    expect(isOriginAllowed('null', [])).toBe(false);
    expect(isOriginAllowed('null', [...list, 'null'])).toBe(true);
    expect(isOriginAllowed('NULL', ['null'])).toBe(false);
  });

  it('an empty list refuses every browser origin', () => {
    expect(isOriginAllowed('https://a.com', [])).toBe(false);
  });

  it('supports RegExp entries against the normalised origin', () => {
    const re = /^https:\/\/([a-z0-9-]+\.)?example\.com$/;
    expect(isOriginAllowed('https://example.com', [re])).toBe(true);
    expect(isOriginAllowed('https://api.example.com', [re])).toBe(true);
    expect(isOriginAllowed('HTTPS://API.EXAMPLE.COM:443', [re])).toBe(true);
    expect(isOriginAllowed('https://example.com.evil.net', [re])).toBe(false);
    expect(isOriginAllowed('http://example.com', [re])).toBe(false);
    expect(isOriginAllowed('null', [/^null$/])).toBe(true);
  });

  it('gives stable results with global and sticky RegExps', () => {
    const g = /example\.com$/g;
    for (let i = 0; i < 4; i++) expect(isOriginAllowed('https://example.com', [g])).toBe(true);
    const y = /https:/y;
    for (let i = 0; i < 4; i++) expect(isOriginAllowed('https://example.com', [y])).toBe(true);
  });

  it('mixes strings and RegExps', () => {
    const mixed = ['https://a.com', /^https:\/\/b\.com$/];
    expect(isOriginAllowed('https://a.com', mixed)).toBe(true);
    expect(isOriginAllowed('https://b.com', mixed)).toBe(true);
    expect(isOriginAllowed('https://c.com', mixed)).toBe(false);
  });

  it('lets a function decide, including for a missing Origin', () => {
    const seen: (string | undefined)[] = [];
    const fn = (origin: string | undefined): boolean => {
      seen.push(origin);
      return origin === 'https://a.com';
    };
    expect(isOriginAllowed('https://a.com', fn)).toBe(true);
    expect(isOriginAllowed('https://b.com', fn)).toBe(false);
    expect(isOriginAllowed(undefined, fn)).toBe(false);
    expect(seen).toEqual(['https://a.com', 'https://b.com', undefined]);
  });

  it('fails closed when a function returns something other than true (e.g. a Promise)', () => {
    const asyncFn = (async () => true) as unknown as (origin: string | undefined) => boolean;
    expect(isOriginAllowed('https://a.com', asyncFn)).toBe(false);
    expect(isOriginAllowed('https://a.com', (() => 1) as unknown as () => boolean)).toBe(false);
  });

  it('propagates exceptions from a function', () => {
    expect(() =>
      isOriginAllowed('https://a.com', () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
  });
});
