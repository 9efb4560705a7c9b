import { describe, expect, it } from 'vitest';
import { encodeClosePayload, parseClosePayload } from '../src/close-frame.js';
import { WebSocketError } from '../src/errors.js';

const payload = (code: number, reason: number[] | string = []) =>
  Buffer.concat([Buffer.from([code >> 8, code & 0xff]), typeof reason === 'string' ? Buffer.from(reason) : Buffer.from(reason)]);

describe('parseClosePayload (Autobahn 7.x)', () => {
  it('empty payload means no status (1005)', () => {
    expect(parseClosePayload(new Uint8Array(0))).toEqual({ code: 1005, reason: '' });
  });

  it('a 1-byte payload is a protocol error', () => {
    const r = parseClosePayload(Uint8Array.of(0x03));
    expect(r).toBeInstanceOf(WebSocketError);
    expect(r).toMatchObject({ code: 'WS_ERR_INVALID_CLOSE_PAYLOAD', closeCode: 1002 });
  });

  it('accepts every valid wire code, with and without a reason', () => {
    const valid = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999];
    for (const code of valid) {
      expect(parseClosePayload(payload(code))).toEqual({ code, reason: '' });
      expect(parseClosePayload(payload(code, 'bye κόσμε'))).toEqual({ code, reason: 'bye κόσμε' });
    }
  });

  it('rejects codes that are not valid on the wire (7.9.x)', () => {
    const invalid = [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535];
    for (const code of invalid) {
      const r = parseClosePayload(payload(code, 'x'));
      expect(r, String(code)).toBeInstanceOf(WebSocketError);
      expect(r).toMatchObject({ code: 'WS_ERR_INVALID_CLOSE_CODE', closeCode: 1002 });
    }
  });

  it('rejects a reason that is not UTF-8 with 1007 (7.5.1)', () => {
    for (const bad of [[0xff], [0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5, 0xed, 0xa0, 0x80], [0xc2]]) {
      const r = parseClosePayload(payload(1000, bad));
      expect(r).toBeInstanceOf(WebSocketError);
      expect(r).toMatchObject({ code: 'WS_ERR_INVALID_UTF8', closeCode: 1007 });
    }
  });

  it('accepts a 123-byte reason (7.3.5) and a view at an offset', () => {
    const reason = 'é'.repeat(61) + 'x';
    expect(Buffer.byteLength(reason)).toBe(123);
    expect(parseClosePayload(payload(1000, reason))).toEqual({ code: 1000, reason });
    const big = Buffer.concat([Buffer.from('junk'), payload(4321, 'ok'), Buffer.from('junk')]);
    expect(parseClosePayload(big.subarray(4, 8))).toEqual({ code: 4321, reason: 'ok' });
  });
});

describe('encodeClosePayload', () => {
  it('no code gives an empty payload', () => {
    expect(encodeClosePayload()).toEqual(Buffer.alloc(0));
    expect(encodeClosePayload(undefined, '')).toEqual(Buffer.alloc(0));
  });

  it('a reason needs a code', () => {
    expect(() => encodeClosePayload(undefined, 'why')).toThrow(RangeError);
  });

  it('encodes code and reason', () => {
    expect(encodeClosePayload(1000)).toEqual(Buffer.from('03e8', 'hex'));
    expect(encodeClosePayload(4999, 'bye')).toEqual(Buffer.from('138762796' + '5', 'hex'));
    expect(encodeClosePayload(1001, 'κ')).toEqual(Buffer.from('03e9ceba', 'hex'));
  });

  it('rejects codes not valid on the wire', () => {
    for (const code of [0, 999, 1004, 1005, 1006, 1015, 2999, 5000, 1000.5, NaN, -1000]) {
      expect(() => encodeClosePayload(code), String(code)).toThrow(RangeError);
    }
  });

  it('limits the reason to 123 UTF-8 bytes', () => {
    expect(encodeClosePayload(1000, 'a'.repeat(123))).toHaveLength(125);
    expect(() => encodeClosePayload(1000, 'a'.repeat(124))).toThrow(RangeError);
    expect(() => encodeClosePayload(1000, 'é'.repeat(62))).toThrow(RangeError); // 124 bytes
    expect(encodeClosePayload(1000, 'é'.repeat(61))).toHaveLength(124);
  });

  it('round-trips through parseClosePayload', () => {
    for (const [code, reason] of [[1000, ''], [1011, 'internal'], [3000, '😀 done']] as const) {
      expect(parseClosePayload(encodeClosePayload(code, reason))).toEqual({ code, reason });
    }
  });
});
