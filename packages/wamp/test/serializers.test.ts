import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pack, unpack, Packr } from 'msgpackr';
import { encode as cborEncode, decode as cborDecode, Encoder as CborEncoder } from 'cbor-x';
import {
  cborSerializer, jsonSerializer, msgpackSerializer, SERIALIZERS, WAMP_PROTOCOLS, serializerByName, serializerByProtocol,
  wampProtocols, MessageType, validateClientMessage, validateRouterMessage, type Serializer,
} from '../src/index.js';
import { decodeBase64, encodeBase64 } from '../src/serializers/base64.js';
import { SAMPLE_MESSAGES } from './samples.js';

const ALL: [string, Serializer][] = [['json', jsonSerializer], ['msgpack', msgpackSerializer], ['cbor', cborSerializer]];

/** Deep copy for comparison: binary as plain Uint8Array (Node decoders give Buffers), -0 as 0. */
function normalize(value: unknown): unknown {
  if (value instanceof Uint8Array) return Uint8Array.from(value);
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === 'number') return value === 0 ? 0 : value;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  }
  return value;
}

function roundTrip(serializer: Serializer, message: readonly unknown[]): unknown {
  return serializer.decode(serializer.encode(message));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value)) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

const INTEGERS = [
  0, 1, 23, 24, 127, 128, 255, 256, 65_535, 65_536, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 40,
  2 ** 52 + 1, 2 ** 53 - 1, 2 ** 53, -1, -24, -25, -32, -33, -128, -129, -32_768, -32_769, -(2 ** 31), -(2 ** 31) - 1,
  -(2 ** 32), -(2 ** 32) - 1, -(2 ** 40), -(2 ** 53) + 1, -(2 ** 53),
];
const FLOATS = [0.5, -0.1, 1.5, 3.141592653589793, 1e-7, 1e21, 1e300, -1e300, 5e-324, 2 ** 53 + 2, -(2 ** 60), Number.MAX_VALUE];

describe.each(ALL)('%s serializer', (_name, serializer) => {
  it('round-trips one example of every message type', () => {
    for (const message of SAMPLE_MESSAGES) {
      const decoded = roundTrip(serializer, message);
      expect(decoded).toEqual(message);
      // and what comes back is still a valid message for its direction
      const type = message[0];
      const fromRouter = [MessageType.WELCOME, MessageType.CHALLENGE, MessageType.PUBLISHED, MessageType.SUBSCRIBED,
        MessageType.UNSUBSCRIBED, MessageType.EVENT, MessageType.RESULT, MessageType.REGISTERED, MessageType.UNREGISTERED,
        MessageType.INVOCATION, MessageType.INTERRUPT] as number[];
      if (fromRouter.includes(type)) expect(validateRouterMessage(decoded)).toBe(decoded);
      else expect(validateClientMessage(decoded)).toBe(decoded);
    }
  });

  it('carries integers up to 2^53 in magnitude as integers, decoded to numbers', () => {
    const decoded = roundTrip(serializer, [MessageType.CALL, 2 ** 53, {}, 'a.b', INTEGERS, { max: 2 ** 53, min: -(2 ** 53) }]) as unknown[];
    expect(decoded).toEqual([MessageType.CALL, 2 ** 53, {}, 'a.b', INTEGERS, { max: 2 ** 53, min: -(2 ** 53) }]);
    for (const value of decoded[4] as unknown[]) expect(typeof value).toBe('number');
  });

  it('carries floats exactly', () => {
    const decoded = roundTrip(serializer, [1, FLOATS]) as unknown[];
    expect(decoded[1]).toEqual(FLOATS);
  });

  it('carries unicode strings and keys', () => {
    const strings = ['', 'héllo', '日本語', '😀 emoji', 'a\u0000b', 'x'.repeat(70_000), 'é'.repeat(10_000), '\u2028\u2029'];
    const message = [MessageType.EVENT, 1, 2, {}, strings, { 'ключ': 'значение', '🔑': 1 }];
    expect(roundTrip(serializer, message)).toEqual(message);
  });

  it('carries binary values at any depth and decodes them to Uint8Array', () => {
    const bytes = Uint8Array.from([0, 1, 2, 254, 255]);
    const message = [MessageType.CALL, 1, {}, 'a.b', [bytes, [new Uint8Array(0), { deep: [Uint8Array.from([9])] }]], { blob: new Uint8Array(1000).fill(7) }];
    const decoded = roundTrip(serializer, message) as unknown[];
    expect(normalize(decoded)).toEqual(normalize(message));
    const args = decoded[4] as unknown[];
    expect(args[0]).toBeInstanceOf(Uint8Array);
    expect(((args[1] as unknown[])[1] as { deep: unknown[] }).deep[0]).toBeInstanceOf(Uint8Array);
    expect((decoded[5] as { blob: unknown }).blob).toBeInstanceOf(Uint8Array);
  });

  it('accepts Node Buffers and other Uint8Array views as binary', () => {
    const backing = Uint8Array.from([1, 2, 3, 4, 5]);
    const message = [1, [Buffer.from('abc'), backing.subarray(1, 3)]];
    expect(normalize(roundTrip(serializer, message))).toEqual([1, [Uint8Array.from([97, 98, 99]), Uint8Array.from([2, 3])]]);
  });

  it('decodes maps to plain objects', () => {
    const decoded = roundTrip(serializer, [1, { a: { b: {} } }]) as [number, { a: { b: object } }];
    expect(Object.getPrototypeOf(decoded[1])).toBe(Object.prototype);
    expect(Object.getPrototypeOf(decoded[1].a.b)).toBe(Object.prototype);
    expect(decoded[1].a.b).not.toBeInstanceOf(Map);
  });

  it('writes undefined in lists as null', () => {
    expect(roundTrip(serializer, [1, [undefined, 1]])).toEqual([1, [null, 1]]);
  });

  it('never modifies the message it encodes', () => {
    const message = deepFreeze([MessageType.EVENT, 2 ** 53, 2 ** 40, { big: -(2 ** 50) }, [Uint8Array.from([1]), 2 ** 33], { k: [undefined, 2 ** 45] }]);
    const copy = structuredClone(message);
    expect(() => serializer.encode(message)).not.toThrow();
    expect(message).toEqual(copy);
  });

  it('throws a clear Error when a message cannot be encoded', () => {
    const cyclic: unknown[] = [1];
    cyclic.push(cyclic);
    expect(() => serializer.encode(cyclic)).toThrow(/^cannot encode WAMP message as (JSON|MessagePack|CBOR): it is nested too deeply or cyclic$/);
    if (serializer.name === 'msgpack') {
      // (CBOR has bignums for these; MessagePack has nothing beyond 64 bits)
      expect(() => serializer.encode([1, 2n ** 70n])).toThrow(/^cannot encode WAMP message as MessagePack: /);
    }
    // and the encoder still works afterwards
    expect(serializer.decode(serializer.encode([1, 'ok']))).toEqual([1, 'ok']);
  });

  it('keeps earlier encodings intact while encoding more', () => {
    const first = serializer.encode([MessageType.CALL, 1, {}, 'first.message', ['payload']]);
    const snapshot = Uint8Array.from(first);
    for (let i = 0; i < 5_000; i++) serializer.encode([MessageType.CALL, i + 2, {}, 'other.message', ['x'.repeat(i % 300)]]);
    expect(Uint8Array.from(first)).toEqual(snapshot);
    expect(serializer.decode(first)).toEqual([MessageType.CALL, 1, {}, 'first.message', ['payload']]);
  });

  it('throws a clear Error on empty, truncated and trailing-garbage input', () => {
    const good = serializer.encode([MessageType.CALL, 1, {}, 'a.b', ['hello'], { k: 1 }]);
    const cases = [new Uint8Array(0), good.subarray(0, good.length - 3), Uint8Array.from([...good, 0x01])];
    for (const bad of cases) {
      expect(() => serializer.decode(bad)).toThrow(/^malformed (JSON|MessagePack|CBOR) message: /);
    }
  });

  it('throws only Errors, with a clear message, on random input', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      try {
        serializer.decode(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(Error);
        expect((error as Error).message).toMatch(/^malformed (JSON|MessagePack|CBOR) message: /);
      }
    }), { numRuns: 2_000 });
  });

  it('throws an Error on hostile nesting depth instead of crashing', () => {
    const depth = 200_000;
    const bytes = serializer.name === 'json'
      ? new TextEncoder().encode('['.repeat(depth) + '"\\u0000AA=="' + ']'.repeat(depth))
      : new Uint8Array(depth + 1).fill(serializer.name === 'msgpack' ? 0x91 : 0x81);
    if (serializer.name !== 'json') bytes[depth] = 0x01;
    expect(() => serializer.decode(bytes)).toThrow(/^malformed/);
  });

  it('round-trips random JSON-like values with binary (property)', () => {
    expect(SERIALIZERS).toContain(serializer);
    fc.assert(fc.property(wampValue, (value) => {
      const decoded = roundTrip(serializer, [MessageType.PUBLISH, 1, {}, 'a.b', [value], { value }]);
      expect(normalize(decoded)).toEqual(normalize([MessageType.PUBLISH, 1, {}, 'a.b', [value], { value }]));
    }), { numRuns: 300 });
  });
});

/** JSON-like values plus binary: what WAMP payloads carry. Strings starting with NUL are binary in JSON, so none here. */
const wampValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ unit: 'binary' }).filter((s) => !s.startsWith('\0')),
    fc.maxSafeInteger(),
    fc.constantFrom(2 ** 53, -(2 ** 53), 2 ** 32, -(2 ** 32) - 1),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 40 }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string().filter((k) => k !== '__proto__'), tie('value'), { maxKeys: 5 }),
  ),
})).value;

describe('jsonSerializer', () => {
  it('encodes to the UTF-8 bytes of the JSON text', () => {
    const message = [MessageType.CALL, 2 ** 53, { x: 'é😀' }, 'a.b', [1.5, -3], {}];
    const bytes = jsonSerializer.encode(message);
    expect(new TextDecoder().decode(bytes)).toBe(JSON.stringify(message));
    expect(jsonSerializer.binary).toBe(false);
  });

  it('decodes from a string as from bytes', () => {
    expect(jsonSerializer.decode('[48,1,{},"a.b",["x"]]')).toEqual([48, 1, {}, 'a.b', ['x']]);
  });

  it('writes binary as "\\0" + base64 (the spec example)', () => {
    const bytes = Uint8Array.from(Buffer.from('10e3ff9053075c526f5fc06d4fe37cdb', 'hex'));
    const text = new TextDecoder().decode(jsonSerializer.encode([1, [bytes, { b: bytes.buffer }]]));
    expect(text).toBe('[1,["\\u0000EOP/kFMHXFJvX8BtT+N82w==",{"b":"\\u0000EOP/kFMHXFJvX8BtT+N82w=="}]]');
  });

  it('reads "\\0" + base64 strings as binary at any depth, with or without padding', () => {
    const decoded = jsonSerializer.decode('[36,1,2,{},["\\u0000EOP/kFMHXFJvX8BtT+N82w=="],{"a":{"b":["\\u0000AQI"]},"c":"\\u0000"}]') as unknown[];
    expect(normalize(decoded)).toEqual([36, 1, 2, {}, [Uint8Array.from(Buffer.from('10e3ff9053075c526f5fc06d4fe37cdb', 'hex'))],
      { a: { b: [Uint8Array.from([1, 2])] }, c: new Uint8Array(0) }]);
  });

  it('leaves strings with a NUL elsewhere, or an escaped backslash, as strings', () => {
    expect(jsonSerializer.decode('[1,["a\\u0000b","\\\\u0000AQI="]]')).toEqual([1, ['a\u0000b', '\\u0000AQI=']]);
  });

  it('keeps a "__proto__" key as data while restoring binary', () => {
    const decoded = jsonSerializer.decode('[1,{"__proto__":"\\u0000AQI="}]') as [number, Record<string, unknown>];
    expect(Object.getPrototypeOf(decoded[1])).toBe(Object.prototype);
    expect(normalize(Object.getOwnPropertyDescriptor(decoded[1], '__proto__')?.value)).toEqual(Uint8Array.from([1, 2]));
  });

  it('writes BigInts (from 64-bit binary peers) as numbers', () => {
    expect(jsonSerializer.decode(jsonSerializer.encode([1, 2n ** 53n, -5n]))).toEqual([1, 2 ** 53, -5]);
  });

  it('rejects invalid UTF-8, invalid JSON and invalid base64', () => {
    expect(() => jsonSerializer.decode(Uint8Array.from([0x5b, 0x22, 0xff, 0x22, 0x5d]))).toThrow('malformed JSON message: invalid UTF-8');
    expect(() => jsonSerializer.decode(Uint8Array.from([0x5b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x5d]))).toThrow(/invalid UTF-8/); // a surrogate
    expect(() => jsonSerializer.decode('[1,')).toThrow(/^malformed JSON message: /);
    expect(() => jsonSerializer.decode('[1] x')).toThrow(/^malformed JSON message: /);
    expect(() => jsonSerializer.decode('\uFEFF[1]')).toThrow(/^malformed JSON message: /);
    expect(() => jsonSerializer.decode('["\\u0000A*=="]')).toThrow(/^malformed JSON message: invalid base64/);
    expect(() => jsonSerializer.decode('["\\u0000A"]')).toThrow(/^malformed JSON message: invalid base64/);
  });

  it('handles deep nesting without binary', () => {
    const depth = 100_000;
    expect(() => jsonSerializer.decode('['.repeat(depth) + ']'.repeat(depth))).not.toThrow();
  });
});

describe('base64', () => {
  it('matches the standard encoding for every length and byte value', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
      const text = encodeBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect(decodeBase64(text)).toEqual(bytes);
      expect(decodeBase64(text.replace(/=+$/, ''))).toEqual(bytes);
    }), { numRuns: 500 });
    const large = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31) & 255);
    expect(encodeBase64(large)).toBe(Buffer.from(large).toString('base64'));
  });

  it('rejects characters outside the alphabet and bad padding', () => {
    for (const bad of ['A', 'AB=', 'AB=C', 'A===', '====', 'AB C', 'AB-_', 'ABCD=', 'ABé=']) {
      expect(() => decodeBase64(bad), bad).toThrow(/^invalid base64/);
    }
  });
});

describe('msgpackSerializer', () => {
  const hex = (value: unknown) => Buffer.from(msgpackSerializer.encode([value])).toString('hex').slice(2);

  it('writes large integers as 64-bit integers, small dicts as fixmap, binary as bin', () => {
    // msgpackr writes BigInts that fit as int64 (0xd3); every msgpack reader takes it as an integer
    expect(hex(2 ** 53)).toBe('d30020000000000000');
    expect(hex(2 ** 32)).toBe('d30000000100000000');
    expect(hex(2 ** 32 - 1)).toBe('ceffffffff');
    expect(hex(-(2 ** 53))).toBe('d3ffe0000000000000');
    expect(hex(-(2 ** 31) - 1)).toBe('d3ffffffff7fffffff');
    expect(hex(1)).toBe('01');
    expect(hex(1.5)).toBe('cb3ff8000000000000');
    expect(hex({})).toBe('80');
    expect(hex(Uint8Array.from([1, 2]))).toBe('c4020102');
    expect(msgpackSerializer.binary).toBe(true);
  });

  it('writes no record extension: plain msgpack readers get the same objects', () => {
    const message = [MessageType.EVENT, 1, 2, {}, [{ a: 1, b: 'x' }, { a: 2, b: 'y' }], { list: [{ a: 3 }] }];
    const bytes = msgpackSerializer.encode(message);
    expect(new Packr({ useRecords: false, mapsAsObjects: true }).unpack(bytes)).toEqual(message);
    // 0xd4 0x72 would start a record definition
    expect(Buffer.from(bytes).includes(Buffer.from([0xd4, 0x72]))).toBe(false);
  });

  it('reads what msgpackr\'s default pack writes, and the reverse (64-bit integers as BigInt there)', () => {
    const message = [MessageType.CALL, 2 ** 53, { a: [1, -1, 'x', true, null, 1.25] }, 'a.b', [2 ** 40, -(2 ** 40), Uint8Array.from([5])], {}];
    expect(normalize(msgpackSerializer.decode(pack(message)))).toEqual(normalize(message));
    const theirs = unpack(msgpackSerializer.encode(message)) as unknown[];
    expect(theirs[1]).toBe(2n ** 53n);
    expect(normalize([theirs[0], theirs[2], theirs[3]])).toEqual(normalize([message[0], message[2], message[3]]));
    expect((theirs[4] as unknown[]).slice(0, 2)).toEqual([2n ** 40n, -(2n ** 40n)]);
  });

  it('decodes 64-bit integers beyond 2^53 to (rounded) numbers, never BigInt', () => {
    const decoded = msgpackSerializer.decode(pack([2n ** 63n + 5n, -(2n ** 62n), 2n ** 64n - 1n])) as unknown[];
    expect(decoded.every((v) => typeof v === 'number')).toBe(true);
    expect(decoded[1]).toBe(-(2 ** 62));
  });

  it('rejects text and hostile lengths quickly', () => {
    expect(() => msgpackSerializer.decode('[1]')).toThrow(/expected binary/);
    for (const bad of [[0xdd, 0xff, 0xff, 0xff, 0xff], [0xdf, 0xff, 0xff, 0xff, 0xff], [0xdb, 0xff, 0xff, 0xff, 0xff, 0x41],
      [0xc6, 0xff, 0xff, 0xff, 0xff], [0x93, 0xdd, 0x0f, 0xff, 0xff, 0xff, 0xdd, 0x0f, 0xff, 0xff, 0xff]]) {
      expect(() => msgpackSerializer.decode(Uint8Array.from(bad))).toThrow(/^malformed MessagePack message: /);
    }
  });
});

describe('cborSerializer', () => {
  const hex = (value: unknown) => Buffer.from(cborSerializer.encode([value])).toString('hex').slice(2);

  it('writes large integers as 64-bit integers and binary as untagged byte strings', () => {
    expect(hex(2 ** 53)).toBe('1b0020000000000000');
    expect(hex(2 ** 32)).toBe('1b0000000100000000');
    expect(hex(-(2 ** 53))).toBe('3b001fffffffffffff');
    expect(hex(-(2 ** 32) - 1)).toBe('3b0000000100000000');
    expect(hex(-(2 ** 32))).toBe('3affffffff');
    expect(hex(1.5)).toBe('fb3ff8000000000000');
    expect(hex({})).toBe('a0');
    expect(hex(Uint8Array.from([1, 2]))).toBe('420102');
    expect(hex(Buffer.from([1, 2]))).toBe('420102');
    expect(cborSerializer.binary).toBe(true);
  });

  it('reads what cbor-x\'s default encode writes, and the reverse (64-bit integers as BigInt there)', () => {
    const message = [MessageType.CALL, 2 ** 53, { a: [1, -1, 'x', true, null, 1.25] }, 'a.b', [2 ** 40, -(2 ** 40)], {}];
    expect(cborSerializer.decode(cborEncode(message))).toEqual(message);
    const theirs = cborDecode(cborSerializer.encode(message)) as unknown[];
    expect(theirs[1]).toBe(2n ** 53n);
    expect(theirs[4]).toEqual([2n ** 40n, -(2n ** 40n)]);
  });

  it('decodes negative 64-bit integers correctly', () => {
    expect(cborSerializer.decode(Uint8Array.from(Buffer.from('3b001fffffffffffff', 'hex')))).toBe(-(2 ** 53));
    expect(cborSerializer.decode(Uint8Array.from(Buffer.from('3b0000000100000000', 'hex')))).toBe(-(2 ** 32) - 1);
  });

  it('rejects text and hostile lengths quickly', () => {
    expect(() => cborSerializer.decode('[1]')).toThrow(/expected binary/);
    for (const bad of [[0x9a, 0xff, 0xff, 0xff, 0xff], [0xba, 0xff, 0xff, 0xff, 0xff], [0x7a, 0xff, 0xff, 0xff, 0xff, 0x41],
      [0x5b, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0x41], [0x83, 0x9a, 0x0f, 0xff, 0xff, 0xff, 0x9a, 0x0f, 0xff, 0xff, 0xff]]) {
      expect(() => cborSerializer.decode(Uint8Array.from(bad))).toThrow(/^malformed CBOR message: /);
    }
  });
});

describe('values shared by reference (cycles, exponential DAGs)', () => {
  // Both libraries can write references; a peer using them could hang or overflow whoever encodes
  // the decoded value next (the router, forwarding it). Our decoders refuse them.
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  let dag: unknown[] = ['leaf'];
  for (let i = 0; i < 40; i++) dag = [dag, dag];

  it('msgpack refuses msgpackr\'s structured-clone references', () => {
    const packr = new Packr({ structuredClone: true });
    expect(() => msgpackSerializer.decode(packr.pack([1, cyclic]))).toThrow(/^malformed MessagePack message: /);
    expect(() => msgpackSerializer.decode(packr.pack([1, dag]))).toThrow(/^malformed MessagePack message: /);
  });

  it('cbor refuses cyclic and exponentially shared values, and accepts harmless sharing and packing', () => {
    const encoder = new CborEncoder({ structuredClone: true });
    expect(() => cborSerializer.decode(encoder.encode([1, cyclic]))).toThrow('malformed CBOR message: shared or cyclic values');
    expect(() => cborSerializer.decode(encoder.encode([1, dag]))).toThrow('malformed CBOR message: shared or cyclic values');
    const leaf = ['leaf'];
    expect(cborSerializer.decode(encoder.encode([1, [leaf, leaf]]))).toEqual([1, [['leaf'], ['leaf']]]);
    const packed = new CborEncoder({ pack: true }).encode([1, ['aaaaaaaaaa', 'aaaaaaaaaa', 'aaaaaaaaaa']]);
    expect(cborSerializer.decode(packed)).toEqual([1, ['aaaaaaaaaa', 'aaaaaaaaaa', 'aaaaaaaaaa']]);
  });

  it('cbor does not mistake payload bytes that look like those tags for them', () => {
    const message = [1, [Uint8Array.from([0xd8, 0x1c, 0xd8, 0x1d, 0xd9, 0x00, 0x33, 0xdb]), 'x']];
    expect(normalize(cborSerializer.decode(cborSerializer.encode(message)))).toEqual(normalize(message));
  });
});

describe('interop with Python (cbor2, msgpack)', () => {
  // Decodes our bytes with Python's own libraries, checks the types, and answers with Python-encoded bytes.
  const script = String.raw`
import sys, json, cbor2, msgpack
out = {}
for name, loads, dumps in (('cbor', cbor2.loads, cbor2.dumps), ('msgpack', lambda b: msgpack.unpackb(b, raw=False), msgpack.packb)):
    msg = loads(bytes.fromhex(sys.stdin.readline().strip()))
    out[name] = {
        'types': [type(v).__name__ for v in msg[4]],
        'values': [v.hex() if isinstance(v, bytes) else v for v in msg[4]],
        'options': msg[2],
        'reply': dumps([50, 2**53, {}, [2**53, -(2**53), 2**32, b'\x00\xff', 'é', 1.5]]).hex(),
    }
print(json.dumps(out))
`;

  it('Python decodes our 64-bit integers as int and binary as bytes; we decode theirs', () => {
    const message = [MessageType.CALL, 2 ** 53, { timeout: 2 ** 40 }, 'a.b', [2 ** 53, -(2 ** 53), 2 ** 32, -(2 ** 40), Uint8Array.from([0, 255]), 'é', 1.5], {}];
    const input = [cborSerializer, msgpackSerializer].map((s) => Buffer.from(s.encode(message)).toString('hex')).join('\n') + '\n';
    const result = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { input, encoding: 'utf8' })) as Record<string, {
      types: string[]; values: unknown[]; options: unknown; reply: string;
    }>;
    for (const [name, serializer] of [['cbor', cborSerializer], ['msgpack', msgpackSerializer]] as const) {
      const r = result[name]!;
      expect(r.types, name).toEqual(['int', 'int', 'int', 'int', 'bytes', 'str', 'float']);
      expect(r.values, name).toEqual([2 ** 53, -(2 ** 53), 2 ** 32, -(2 ** 40), '00ff', 'é', 1.5]);
      expect(r.options, name).toEqual({ timeout: 2 ** 40 });
      const reply = serializer.decode(Uint8Array.from(Buffer.from(r.reply, 'hex')));
      expect(normalize(reply), name).toEqual([50, 2 ** 53, {}, [2 ** 53, -(2 ** 53), 2 ** 32, Uint8Array.from([0, 255]), 'é', 1.5]]);
    }
  });
});

describe('serializer lookup', () => {
  it('finds serializers by name and subprotocol', () => {
    expect(serializerByName('json')).toBe(jsonSerializer);
    expect(serializerByName('msgpack')).toBe(msgpackSerializer);
    expect(serializerByName('cbor')).toBe(cborSerializer);
    expect(serializerByName('ubjson')).toBeUndefined();
    expect(serializerByProtocol('wamp.2.json')).toBe(jsonSerializer);
    expect(serializerByProtocol('wamp.2.msgpack')).toBe(msgpackSerializer);
    expect(serializerByProtocol('wamp.2.cbor')).toBe(cborSerializer);
    expect(serializerByProtocol('wamp.2.json.batched')).toBeUndefined();
  });

  it('lists the subprotocols in preference order', () => {
    expect(WAMP_PROTOCOLS).toEqual(['wamp.2.msgpack', 'wamp.2.cbor', 'wamp.2.json']);
    expect(SERIALIZERS.map((s) => s.protocol)).toEqual(WAMP_PROTOCOLS);
    expect(wampProtocols()).toEqual(WAMP_PROTOCOLS);
    expect(wampProtocols(['json', 'cbor'])).toEqual(['wamp.2.json', 'wamp.2.cbor']);
    expect(() => wampProtocols(['xml'])).toThrow(/unknown WAMP serializer "xml"/);
  });
});
