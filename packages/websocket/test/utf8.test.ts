import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { Utf8Validator, isValidUtf8 } from '../src/utf8.js';

const hex = (s: string): number[] => s.split(/\s+/).filter(Boolean).map((h) => parseInt(h, 16));
const utf8 = (s: string): number[] => [...Buffer.from(s, 'utf8')];
const KOSME = utf8('κόσμε');

interface Case {
  name: string;
  bytes: number[];
  /** Index of the first byte after which the input can no longer be valid; null if it never fails. */
  failAt: number | null;
  /** For inputs that never fail: whether they end on a code point boundary. */
  complete?: boolean;
}

const VALID: Case[] = [
  { name: 'empty', bytes: [], failAt: null },
  { name: 'ASCII', bytes: utf8('Hello, world!'), failAt: null },
  { name: 'Hello-µ@ßöäüàá-UTF-8!! (6.2.x)', bytes: utf8('Hello-µ@ßöäüàá-UTF-8!!'), failAt: null },
  { name: 'κόσμε (6.5.1)', bytes: KOSME, failAt: null },
  { name: 'U+0000', bytes: [0x00], failAt: null },
  { name: 'U+007F', bytes: [0x7f], failAt: null },
  { name: 'U+0080 (first 2-byte)', bytes: hex('C2 80'), failAt: null },
  { name: 'U+07FF (last 2-byte)', bytes: hex('DF BF'), failAt: null },
  { name: 'U+0800 (first 3-byte)', bytes: hex('E0 A0 80'), failAt: null },
  { name: 'U+D7FF (before surrogates)', bytes: hex('ED 9F BF'), failAt: null },
  { name: 'U+E000 (after surrogates)', bytes: hex('EE 80 80'), failAt: null },
  { name: 'U+FFFD', bytes: hex('EF BF BD'), failAt: null },
  { name: 'U+FFFE/U+FFFF non-characters are valid', bytes: hex('EF BF BE EF BF BF'), failAt: null },
  { name: 'U+FDD0 non-character', bytes: hex('EF B7 90'), failAt: null },
  { name: 'U+10000 (first 4-byte)', bytes: hex('F0 90 80 80'), failAt: null },
  { name: 'U+10FFFF (last code point)', bytes: hex('F4 8F BF BF'), failAt: null },
  { name: 'emoji', bytes: utf8('a😀b𝄞c'), failAt: null },
];

const INCOMPLETE: Case[] = [
  { name: 'truncated 2-byte', bytes: hex('C2'), failAt: null, complete: false },
  { name: 'truncated 3-byte', bytes: hex('E2 82'), failAt: null, complete: false },
  { name: 'truncated 4-byte', bytes: hex('F0 9F 98'), failAt: null, complete: false },
  { name: 'κόσμε then truncated U+10FFFF', bytes: [...KOSME, ...hex('F4 8F BF')], failAt: null, complete: false },
];

const INVALID: Case[] = [
  // Continuation where a lead is expected.
  { name: 'lone continuation 80', bytes: hex('80'), failAt: 0 },
  { name: 'lone continuation BF', bytes: hex('BF'), failAt: 0 },
  { name: 'ASCII then continuation', bytes: hex('41 80'), failAt: 1 },
  { name: 'extra continuation after 2-byte', bytes: hex('C2 80 80'), failAt: 2 },
  { name: 'extra continuation after 4-byte', bytes: hex('F0 90 80 80 80'), failAt: 4 },
  // Bytes that never appear.
  { name: 'F5', bytes: hex('F5 80 80 80'), failAt: 0 },
  { name: 'F7 (would be <= U+1FFFFF)', bytes: hex('F7 BF BF BF'), failAt: 0 },
  { name: 'F8 5-byte form', bytes: hex('F8 88 80 80 80'), failAt: 0 },
  { name: 'FC 6-byte form', bytes: hex('FC 84 80 80 80 80'), failAt: 0 },
  { name: 'FE', bytes: hex('FE'), failAt: 0 },
  { name: 'FF', bytes: hex('FF'), failAt: 0 },
  // Overlongs.
  { name: 'overlong NUL C0 80', bytes: hex('C0 80'), failAt: 0 },
  { name: 'overlong C1 BF', bytes: hex('C1 BF'), failAt: 0 },
  { name: 'overlong NUL E0 80 80', bytes: hex('E0 80 80'), failAt: 1 },
  { name: 'overlong U+07FF E0 9F BF', bytes: hex('E0 9F BF'), failAt: 1 },
  { name: 'overlong NUL F0 80 80 80', bytes: hex('F0 80 80 80'), failAt: 1 },
  { name: 'overlong U+FFFF F0 8F BF BF', bytes: hex('F0 8F BF BF'), failAt: 1 },
  { name: 'overlong "/" F8 80 80 80 AF', bytes: hex('F8 80 80 80 AF'), failAt: 0 },
  // Surrogates.
  { name: 'U+D800', bytes: hex('ED A0 80'), failAt: 1 },
  { name: 'U+DBFF', bytes: hex('ED AF BF'), failAt: 1 },
  { name: 'U+DC00', bytes: hex('ED B0 80'), failAt: 1 },
  { name: 'U+DFFF', bytes: hex('ED BF BF'), failAt: 1 },
  { name: 'paired surrogates U+D800 U+DC00', bytes: hex('ED A0 80 ED B0 80'), failAt: 1 },
  { name: 'κόσμε + surrogate + "edited" (6.3.1)', bytes: [...KOSME, ...hex('ED A0 80'), ...utf8('edited')], failAt: KOSME.length + 1 },
  // Beyond U+10FFFF.
  { name: 'U+110000 F4 90 80 80', bytes: hex('F4 90 80 80'), failAt: 1 },
  { name: 'F4 BF BF BF', bytes: hex('F4 BF BF BF'), failAt: 1 },
  { name: 'κόσμε + F4 90 80 80 + "edited" (6.4.1-6.4.4)', bytes: [...KOSME, ...hex('F4 90 80 80'), ...utf8('edited')], failAt: KOSME.length + 1 },
  // Lead where a continuation is expected.
  { name: 'C2 then ASCII', bytes: hex('C2 41'), failAt: 1 },
  { name: 'E2 82 then ASCII', bytes: hex('E2 82 41'), failAt: 2 },
  { name: 'F0 9F 98 then ASCII', bytes: hex('F0 9F 98 41'), failAt: 3 },
  { name: 'C2 then lead C2', bytes: hex('C2 C2 80'), failAt: 1 },
  { name: 'E2 then lead F0', bytes: hex('E2 F0 9F 98 80'), failAt: 1 },
  { name: 'all 32 2-byte leads followed by a space (6.14.x style)', bytes: hex('C0 20'), failAt: 0 },
  { name: 'valid text then truncated 3-byte then space', bytes: [...utf8('ab'), ...hex('E0 A0 20')], failAt: 4 },
];

/** Feeds `chunks` to a fresh validator; returns the index of the first push that failed (or -1) and end(). */
function feed(chunks: Uint8Array[]): { failedChunk: number; end: boolean } {
  const v = new Utf8Validator();
  let failedChunk = -1;
  chunks.forEach((c, i) => {
    const ok = v.push(c);
    if (!ok && failedChunk < 0) failedChunk = i;
    if (ok && failedChunk >= 0) throw new Error('push returned true after a failure');
  });
  return { failedChunk, end: v.end() };
}

/** Checks one case whole, byte by byte, at every 2-way split, and with padding that sends it through the native path. */
function check(c: Case): void {
  const complete = c.failAt === null && c.complete !== false;
  const variants: { bytes: Uint8Array; failAt: number | null }[] = [{ bytes: Uint8Array.from(c.bytes), failAt: c.failAt }];
  // Padding so chunks exceed the native-check threshold; multi-byte padding keeps the
  // native middle non-trivial.
  for (const pad of ['x'.repeat(100), 'é€😀'.repeat(12)]) {
    const p = utf8(pad);
    const suffix = utf8(pad.slice(0, 30));
    const bytes = Uint8Array.from([...p, ...c.bytes, ...(c.complete === false ? [] : suffix)]);
    variants.push({ bytes, failAt: c.failAt === null ? null : p.length + c.failAt });
  }
  for (const { bytes, failAt } of variants) {
    const n = bytes.length;
    // Whole.
    expect(feed([bytes])).toEqual({ failedChunk: failAt === null ? -1 : 0, end: complete });
    expect(isValidUtf8(bytes)).toBe(complete);
    expect(isUtf8(bytes)).toBe(complete); // our expectations agree with Node
    // Byte by byte: fails exactly at failAt.
    const single = Array.from(bytes, (b) => Uint8Array.of(b));
    expect(feed(single)).toEqual({ failedChunk: failAt ?? -1, end: complete });
    // Every split point, including empty halves.
    for (let s = 0; s <= n; s++) {
      const r = feed([bytes.subarray(0, s), bytes.subarray(s)]);
      const expectedChunk = failAt === null ? -1 : failAt < s ? 0 : 1;
      expect(r, `split at ${s}`).toEqual({ failedChunk: expectedChunk, end: complete });
    }
    // Every three-way split for short inputs.
    if (n <= 16) {
      for (let a = 0; a <= n; a++) {
        for (let b = a; b <= n; b++) {
          const r = feed([bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)]);
          const expectedChunk = failAt === null ? -1 : failAt < a ? 0 : failAt < b ? 1 : 2;
          expect(r).toEqual({ failedChunk: expectedChunk, end: complete });
        }
      }
    }
  }
}

describe('Utf8Validator and isValidUtf8', () => {
  describe('valid', () => {
    for (const c of VALID) it(c.name, () => check(c));
  });
  describe('ends inside a code point', () => {
    for (const c of INCOMPLETE) it(c.name, () => check(c));
  });
  describe('invalid, fails fast at the offending byte', () => {
    for (const c of INVALID) it(c.name, () => check(c));
  });

  it('every 2-byte lead C2..DF followed by a space fails at the space; C0/C1 at the lead', () => {
    for (let lead = 0xc0; lead <= 0xdf; lead++) check({ name: '', bytes: [lead, 0x20], failAt: lead < 0xc2 ? 0 : 1 });
  });

  it('every 3- and 4-byte lead followed by a space fails at the space (F5.. at the lead)', () => {
    for (let lead = 0xe0; lead <= 0xff; lead++) check({ name: '', bytes: [lead, 0x20], failAt: lead < 0xf5 ? 1 : 0 });
  });

  it('every byte as a first byte agrees with Node', () => {
    for (let b = 0; b < 256; b++) {
      const v = new Utf8Validator();
      const prefixOk = v.push(Uint8Array.of(b));
      expect(prefixOk).toBe(b < 0x80 || (b >= 0xc2 && b <= 0xf4));
      expect(v.end()).toBe(b < 0x80);
    }
  });

  it('stays failed until reset; end() resets for the next message', () => {
    const v = new Utf8Validator();
    expect(v.push(Uint8Array.of(0xff))).toBe(false);
    expect(v.push(Uint8Array.of(0x41))).toBe(false);
    expect(v.end()).toBe(false);
    // end() reset it.
    expect(v.push(Uint8Array.of(0x41))).toBe(true);
    expect(v.end()).toBe(true);
    expect(v.push(Uint8Array.of(0xe2, 0x82))).toBe(true);
    v.reset();
    expect(v.push(Uint8Array.of(0x41))).toBe(true);
    expect(v.end()).toBe(true);
  });

  it('large chunks split inside a code point at every offset', () => {
    const text = Buffer.from('ab€😀'.repeat(100) + 'ü'.repeat(50) + '😀', 'utf8');
    for (let s = 0; s <= text.length; s++) {
      expect(feed([text.subarray(0, s), text.subarray(s)])).toEqual({ failedChunk: -1, end: true });
    }
    // Cut off the last byte: still no failure, but incomplete.
    const cut = text.subarray(0, text.length - 1);
    expect(feed([cut.subarray(0, 200), cut.subarray(200)])).toEqual({ failedChunk: -1, end: false });
  });
});

/** Random bytes that are often "nearly" UTF-8: fragments of valid text mixed with interesting bytes. */
const nearlyUtf8 = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 8 }).map((s) => utf8(s)),
      fc.constantFrom(0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0x90, 0xa0, 0x9f, 0x8f).map((b) => [b]),
      fc.uint8Array({ maxLength: 4 }).map((a) => [...a]),
    ),
    { maxLength: 60 },
  )
  .map((parts) => Uint8Array.from(parts.flat()));

/** Cut points for splitting a byte array of length n. */
const splitsOf = (bytes: Uint8Array) =>
  fc.uniqueArray(fc.integer({ min: 0, max: bytes.length }), { maxLength: 8 }).map((cuts) => {
    const sorted = [0, ...cuts.sort((a, b) => a - b), bytes.length];
    const chunks: Uint8Array[] = [];
    for (let i = 1; i < sorted.length; i++) chunks.push(bytes.subarray(sorted[i - 1], sorted[i]));
    return chunks;
  });

describe('utf8 properties', () => {
  it('any split of a valid string validates', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 200 }).chain((s) => {
          const bytes = Buffer.from(s, 'utf8');
          return splitsOf(bytes).map((chunks) => ({ bytes, chunks }));
        }),
        ({ bytes, chunks }) => {
          expect(feed(chunks)).toEqual({ failedChunk: -1, end: true });
          expect(isValidUtf8(bytes)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('streaming verdict equals isUtf8 of the whole, and fails at the same byte as byte-by-byte', () => {
    fc.assert(
      fc.property(
        fc.oneof(nearlyUtf8, fc.uint8Array({ maxLength: 300 })).chain((bytes) => splitsOf(bytes).map((chunks) => ({ bytes, chunks }))),
        ({ bytes, chunks }) => {
          const expected = isUtf8(bytes);
          const r = feed(chunks);
          expect(r.failedChunk < 0 && r.end).toBe(expected);
          expect(isValidUtf8(bytes)).toBe(expected);
          // The chunk that fails is the one holding the byte at which byte-by-byte fails.
          const bytewise = feed(Array.from(bytes, (b) => Uint8Array.of(b)));
          expect(bytewise.end).toBe(expected);
          let expectedChunk = -1;
          if (bytewise.failedChunk >= 0) {
            let end = 0;
            expectedChunk = chunks.findIndex((c) => (end += c.length) > bytewise.failedChunk);
          }
          expect(r.failedChunk).toBe(expectedChunk);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('JS fallback when buffer.isUtf8 is missing', () => {
  it('gives the same verdicts', async () => {
    vi.resetModules();
    vi.doMock('node:buffer', async (importOriginal) => {
      const original = await importOriginal<typeof import('node:buffer')>();
      return { ...original, isUtf8: undefined };
    });
    try {
      const fallback = await import('../src/utf8.js');
      expect(fallback.isValidUtf8).not.toBe(isValidUtf8); // really a fresh module instance
      for (const c of [...VALID, ...INCOMPLETE, ...INVALID]) {
        const bytes = Uint8Array.from([...utf8('x'.repeat(100)), ...c.bytes]);
        const expected = c.failAt === null && c.complete !== false;
        expect(fallback.isValidUtf8(bytes), c.name).toBe(expected);
        const v = new fallback.Utf8Validator();
        expect(v.push(bytes.subarray(0, 70)) && v.push(bytes.subarray(70)) && v.end(), c.name).toBe(expected);
      }
      fc.assert(
        fc.property(fc.oneof(nearlyUtf8, fc.uint8Array({ maxLength: 300 })), (bytes) => {
          expect(fallback.isValidUtf8(bytes)).toBe(isUtf8(bytes));
        }),
        { numRuns: 500 },
      );
    } finally {
      vi.doUnmock('node:buffer');
      vi.resetModules();
    }
  });
});
