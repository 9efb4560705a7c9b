import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mask, unmask } from '../src/mask.js';

function naive(source: Uint8Array, key: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = source[i]! ^ key[i & 3]!;
  return out;
}

/** A view of `length` random bytes starting `offset` bytes into a larger buffer. */
function at(offset: number, length: number): Uint8Array {
  const backing = randomBytes(offset + length + 7);
  return new Uint8Array(backing.buffer, backing.byteOffset + offset, length);
}

const KEYS = [
  Uint8Array.of(0x00, 0x00, 0x00, 0x00),
  Uint8Array.of(0x01, 0x02, 0x03, 0x04),
  Uint8Array.of(0xff, 0x80, 0x7f, 0x37),
];

// Every small length, and every length around the switch from byte loop to word loop.
const LENGTHS = [
  ...Array.from({ length: 41 }, (_, i) => i),
  ...Array.from({ length: 101 }, (_, i) => 100 + i),
];

describe('unmask', () => {
  it('matches a byte loop for every start offset 0..7 and length 0..40 and 100..200', () => {
    for (const key of KEYS) {
      for (let offset = 0; offset < 8; offset++) {
        for (const length of LENGTHS) {
          const buf = at(offset, length);
          const expected = naive(buf, key, length);
          const before = buf.buffer.slice(0);
          unmask(buf, key);
          expect(buf).toEqual(expected);
          // Bytes around the view are untouched.
          const all = new Uint8Array(buf.buffer);
          const orig = new Uint8Array(before);
          for (let i = 0; i < all.length; i++) {
            if (i < buf.byteOffset || i >= buf.byteOffset + length) expect(all[i]).toBe(orig[i]);
          }
        }
      }
    }
  });

  it('matches a byte loop for random larger sizes and offsets', () => {
    for (let n = 0; n < 60; n++) {
      const length = 41 + Math.floor(Math.random() * 70_000);
      const offset = Math.floor(Math.random() * 16);
      const key = randomBytes(4);
      const buf = at(offset, length);
      const expected = naive(buf, key, length);
      unmask(buf, key);
      expect(Buffer.from(buf).equals(Buffer.from(expected))).toBe(true);
    }
  });

  it('is its own inverse', () => {
    const key = randomBytes(4);
    const original = randomBytes(1000);
    const buf = Buffer.from(original);
    unmask(buf, key);
    expect(buf.equals(original)).toBe(false);
    unmask(buf, key);
    expect(buf.equals(original)).toBe(true);
  });
});

describe('mask', () => {
  it('matches a byte loop for every source offset, output offset and length 0..40 and 100..200', () => {
    const key = Uint8Array.of(0xa1, 0x5c, 0x03, 0xe7);
    for (let srcOffset = 0; srcOffset < 4; srcOffset++) {
      for (let dstOffset = 0; dstOffset < 8; dstOffset++) {
        for (const length of LENGTHS) {
          const source = at(srcOffset, length);
          const sourceCopy = Uint8Array.from(source);
          const output = new Uint8Array(dstOffset + length + 3).fill(0xee);
          mask(source, key, output, dstOffset, length);
          expect(source).toEqual(sourceCopy); // never mutated
          expect(output.subarray(dstOffset, dstOffset + length)).toEqual(naive(source, key, length));
          expect(output.subarray(0, dstOffset).every((b) => b === 0xee)).toBe(true);
          expect(output.subarray(dstOffset + length).every((b) => b === 0xee)).toBe(true);
        }
      }
    }
  });

  it('matches a byte loop for random larger sizes, with aligned and misaligned pairs', () => {
    for (let n = 0; n < 60; n++) {
      const length = 41 + Math.floor(Math.random() * 70_000);
      const key = randomBytes(4);
      const source = at(Math.floor(Math.random() * 8), length + Math.floor(Math.random() * 5));
      const sourceCopy = Buffer.from(source);
      const backing = new Uint8Array(length + 32);
      const output = backing.subarray(Math.floor(Math.random() * 8));
      const offset = Math.floor(Math.random() * 14);
      mask(source, key, output, offset, length);
      expect(Buffer.from(source).equals(sourceCopy)).toBe(true);
      const got = Buffer.from(output.subarray(offset, offset + length));
      expect(got.equals(Buffer.from(naive(source, key, length)))).toBe(true);
    }
  });

  it('masks only the first `length` bytes of a longer source', () => {
    const source = randomBytes(100);
    const key = randomBytes(4);
    const output = new Uint8Array(60);
    mask(source, key, output, 0, 60);
    expect(output).toEqual(naive(source, key, 60));
  });

  it('works in place (source and output the same range)', () => {
    const key = randomBytes(4);
    const buf = Buffer.from(randomBytes(500));
    const expected = naive(buf, key, 500);
    mask(buf, key, buf, 0, 500);
    expect(Uint8Array.from(buf)).toEqual(expected);
  });
});
