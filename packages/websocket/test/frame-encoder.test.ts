import { describe, expect, it } from 'vitest';
import { encodeFrame, nextMaskKey, randomMaskKey } from '../src/frame-encoder.js';

const KEY = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);

function encode(opcode: number, payload: Uint8Array, fin = true, rsv = 0, key: Uint8Array | null = null) {
  const out: Buffer[] = [];
  const n = encodeFrame(out, opcode, payload, fin, rsv, key);
  return { out, n, bytes: Buffer.concat(out) };
}

const filled = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff));

describe('encodeFrame', () => {
  it('encodes the RFC 6455 §5.7 examples', () => {
    // Single-frame unmasked text "Hello".
    expect(encode(0x1, Buffer.from('Hello')).bytes).toEqual(Buffer.from('810548656c6c6f', 'hex'));
    // Single-frame masked text "Hello" with key 37 fa 21 3d.
    expect(encode(0x1, Buffer.from('Hello'), true, 0, KEY).bytes).toEqual(Buffer.from('818537fa213d7f9f4d5158', 'hex'));
    // Fragmented unmasked text "Hel" + "lo".
    expect(encode(0x1, Buffer.from('Hel'), false).bytes).toEqual(Buffer.from('010348656c', 'hex'));
    expect(encode(0x0, Buffer.from('lo')).bytes).toEqual(Buffer.from('80026c6f', 'hex'));
    // Unmasked ping "Hello".
    expect(encode(0x9, Buffer.from('Hello')).bytes).toEqual(Buffer.from('890548656c6c6f', 'hex'));
    // 256 bytes binary in a single unmasked frame: 82 7E 0100.
    expect(encode(0x2, filled(256)).bytes.subarray(0, 4)).toEqual(Buffer.from('827e0100', 'hex'));
    // 64 KiB binary: 82 7F 0000000000010000.
    expect(encode(0x2, filled(65536)).bytes.subarray(0, 10)).toEqual(Buffer.from('827f0000000000010000', 'hex'));
  });

  it('uses 7-, 16- and 64-bit lengths at the boundaries', () => {
    const cases: [number, string][] = [
      [0, '8200'],
      [125, '827d'],
      [126, '827e007e'],
      [127, '827e007f'],
      [65535, '827effff'],
      [65536, '827f0000000000010000'],
      [70000, '827f0000000000011170'],
    ];
    for (const [n, header] of cases) {
      const { bytes, n: written } = encode(0x2, filled(n));
      const h = Buffer.from(header, 'hex');
      expect(bytes.subarray(0, h.length)).toEqual(h);
      expect(bytes.length).toBe(h.length + n);
      expect(written).toBe(bytes.length);
      expect(bytes.subarray(h.length)).toEqual(filled(n));
    }
  });

  it('sets FIN, RSV and opcode bits', () => {
    expect(encode(0x2, filled(1), false, 0x40).bytes[0]).toBe(0x42);
    expect(encode(0x1, filled(1), true, 0x70).bytes[0]).toBe(0xf1);
    expect(encode(0x0, filled(1), false, 0).bytes[0]).toBe(0x00);
    expect(encode(0xa, filled(1), true, 0).bytes[0]).toBe(0x8a);
  });

  it('copies small unmasked payloads next to the header; big ones are appended as is', () => {
    const small = filled(1024);
    const { out: o1 } = encode(0x2, small);
    expect(o1).toHaveLength(1);
    const big = filled(1025);
    const { out: o2, n } = encode(0x2, big);
    expect(o2).toHaveLength(2);
    expect(o2[1]).toBe(big); // not copied
    expect(n).toBe(4 + 1025);
    // A plain Uint8Array is wrapped without copying.
    const u8 = new Uint8Array(filled(3000).buffer.slice(0), 100, 2000);
    const { out: o3 } = encode(0x2, u8);
    expect(o3).toHaveLength(2);
    expect(Buffer.isBuffer(o3[1])).toBe(true);
    expect(o3[1]!.buffer).toBe(u8.buffer);
    expect(o3[1]!.byteOffset).toBe(100);
    expect(o3[1]!.length).toBe(2000);
  });

  it('masks into one new buffer without touching the payload, at every size class', () => {
    for (const n of [0, 1, 5, 31, 32, 125, 126, 200, 1024, 1025, 65535, 65536, 100_000]) {
      const payload = filled(n + 3).subarray(3); // odd alignment
      const copy = Buffer.from(payload);
      const { out, bytes, n: written } = encode(0x2, payload, true, 0, KEY);
      expect(out).toHaveLength(1);
      expect(payload.equals(copy)).toBe(true);
      const lengthBytes = n < 126 ? 0 : n < 65536 ? 2 : 8;
      const headerLength = 2 + lengthBytes + 4;
      expect(written).toBe(headerLength + n);
      expect(bytes[1]! & 0x80).toBe(0x80);
      expect(bytes.subarray(headerLength - 4, headerLength)).toEqual(Buffer.from(KEY));
      const body = bytes.subarray(headerLength);
      for (let i = 0; i < n; i++) {
        if ((body[i]! ^ KEY[i & 3]!) !== payload[i]) throw new Error(`byte ${i} of ${n} wrong`);
      }
    }
  });

  it('a zero-length masked frame still carries the key', () => {
    expect(encode(0x9, new Uint8Array(0), true, 0, KEY).bytes).toEqual(Buffer.from('898037fa213d', 'hex'));
  });

  it('appends to existing entries', () => {
    const out: Buffer[] = [Buffer.from('x')];
    encodeFrame(out, 0x1, Buffer.from('a'), true, 0, null);
    encodeFrame(out, 0x1, Buffer.from('b'), true, 0, null);
    expect(Buffer.concat(out)).toEqual(Buffer.from('788101618101' + '62', 'hex'));
  });

  it('rejects control frames over 125 bytes', () => {
    expect(() => encode(0x9, filled(126))).toThrow(RangeError);
    expect(() => encode(0x8, filled(125))).not.toThrow();
  });
});

describe('nextMaskKey', () => {
  it('gives a new key from the pool at every call, in one reused array', () => {
    const first = nextMaskKey();
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const k = nextMaskKey();
      expect(k).toBe(first);
      expect(k.length).toBe(4);
      seen.add(Buffer.from(k).toString('hex'));
    }
    // 5,000 draws from 2^32 values: a handful of repeats at most, never a stuck key.
    expect(seen.size).toBeGreaterThan(4990);
  });
});

describe('randomMaskKey', () => {
  it('returns distinct 4-byte keys that never change afterwards', () => {
    const keys: Buffer[] = [];
    const copies: Buffer[] = [];
    for (let i = 0; i < 5000; i++) {
      const k = randomMaskKey();
      expect(k.length).toBe(4);
      keys.push(k);
      copies.push(Buffer.from(k));
    }
    // More than one pool's worth: earlier keys must be unchanged.
    keys.forEach((k, i) => expect(k.equals(copies[i]!)).toBe(true));
    const distinct = new Set(copies.map((k) => k.toString('hex')));
    expect(distinct.size).toBeGreaterThan(4990); // birthday collisions are possible, but rare
  });
});
