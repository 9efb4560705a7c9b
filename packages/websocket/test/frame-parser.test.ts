import { describe, expect, it } from 'vitest';
import { WebSocketError } from '../src/errors.js';
import { encodeFrame } from '../src/frame-encoder.js';
import { FrameParser, type FrameParserOptions } from '../src/frame-parser.js';

interface Frame {
  fin: boolean;
  rsv: number;
  opcode: number;
  payload: Buffer;
}

function setup(options: Partial<FrameParserOptions> = {}, hooks: { onFrame?: (f: Frame, index: number) => void } = {}) {
  const frames: Frame[] = [];
  const errors: WebSocketError[] = [];
  const parser = new FrameParser(
    { expectMasked: false, allowedRsv: 0, maxPayload: Infinity, ...options },
    {
      onFrame(fin, rsv, opcode, payload) {
        const f = { fin, rsv, opcode, payload };
        frames.push(f);
        hooks.onFrame?.(f, frames.length - 1);
      },
      onError(error) {
        errors.push(error);
      },
    },
  );
  return { parser, frames, errors };
}

const KEY = Uint8Array.of(0x12, 0x34, 0x56, 0x78);

/** Encodes one frame with our encoder. */
function frame(opcode: number, payload: Uint8Array | string = '', opts: { fin?: boolean; rsv?: number; key?: Uint8Array | null } = {}): Buffer {
  const out: Buffer[] = [];
  const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
  encodeFrame(out, opcode, bytes, opts.fin ?? true, opts.rsv ?? 0, opts.key ?? null);
  return Buffer.concat(out);
}

const masked = (opcode: number, payload: Uint8Array | string = '', opts: { fin?: boolean; rsv?: number } = {}) =>
  frame(opcode, payload, { ...opts, key: KEY });

const bytes = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff));

function expectError(errors: WebSocketError[], code: string, closeCode = 1002) {
  expect(errors).toHaveLength(1);
  expect(errors[0]).toBeInstanceOf(WebSocketError);
  expect(errors[0]).toMatchObject({ code, closeCode });
}

describe('framing (Autobahn 1.x)', () => {
  for (const n of [0, 1, 125, 126, 127, 128, 65535, 65536, 65537]) {
    it(`text and binary of ${n} bytes, client side (unmasked) and server side (masked)`, () => {
      const client = setup();
      client.parser.push(Buffer.concat([frame(1, bytes(n)), frame(2, bytes(n))]));
      expect(client.errors).toEqual([]);
      expect(client.frames.map((f) => [f.fin, f.rsv, f.opcode])).toEqual([[true, 0, 1], [true, 0, 2]]);
      for (const f of client.frames) expect(f.payload.equals(bytes(n))).toBe(true);

      const server = setup({ expectMasked: true });
      server.parser.push(Buffer.concat([masked(1, bytes(n)), masked(2, bytes(n))]));
      expect(server.errors).toEqual([]);
      expect(server.frames).toHaveLength(2);
      for (const f of server.frames) expect(f.payload.equals(bytes(n))).toBe(true);
    });
  }

  it('accepts non-minimal length encodings', () => {
    const { parser, frames, errors } = setup();
    // "hi" with a 16-bit length, then with a 64-bit length.
    parser.push(Buffer.from('817e00026869' + '817f00000000000000026869', 'hex'));
    expect(errors).toEqual([]);
    expect(frames.map((f) => f.payload.toString())).toEqual(['hi', 'hi']);
  });

  it('delivers frames wholly inside one chunk as views of it, unmasked in place', () => {
    const { parser, frames } = setup({ expectMasked: true });
    const chunk = Buffer.concat([masked(2, bytes(10)), masked(2, bytes(300))]);
    parser.push(chunk);
    expect(frames).toHaveLength(2);
    for (const f of frames) expect(f.payload.buffer).toBe(chunk.buffer);
    expect(frames[0]!.payload.byteOffset).toBe(chunk.byteOffset + 6);
    expect(chunk.subarray(6, 16).equals(bytes(10))).toBe(true); // unmasked in place
  });

  it('assembles a frame spanning chunks into one fresh buffer', () => {
    const { parser, frames, errors } = setup({ expectMasked: true });
    const data = masked(2, bytes(70_000));
    const pieces = [data.subarray(0, 3), data.subarray(3, 5000), data.subarray(5000, 5001), data.subarray(5001)];
    for (const p of pieces) parser.push(Buffer.from(p));
    expect(errors).toEqual([]);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.payload.equals(bytes(70_000))).toBe(true);
    expect(parser.bufferedBytes).toBe(0);
  });

  it('gives the same frames at every split point of the header and payload', () => {
    const stream = Buffer.concat([masked(2, bytes(70_000)), masked(9, 'ping'), masked(1, 'x'.repeat(200)), masked(0x8, '')]);
    const splits = [...Array.from({ length: 40 }, (_, i) => i), 70_010, 70_013, 70_014, 70_015, 70_020, stream.length - 3];
    for (const s of splits) {
      const { parser, frames, errors } = setup({ expectMasked: true });
      parser.push(Buffer.from(stream.subarray(0, s)));
      parser.push(Buffer.from(stream.subarray(s)));
      expect(errors).toEqual([]);
      expect(frames.map((f) => [f.opcode, f.payload.length])).toEqual([[2, 70_000], [9, 4], [1, 200], [8, 0]]);
      expect(frames[0]!.payload.equals(bytes(70_000))).toBe(true);
      expect(frames[1]!.payload.toString()).toBe('ping');
    }
  });

  it('byte-by-byte input gives the same frames', () => {
    const stream = Buffer.concat([masked(1, 'hello'), masked(2, bytes(300)), masked(2, bytes(66_000))]);
    const { parser, frames, errors } = setup({ expectMasked: true });
    for (let i = 0; i < stream.length; i++) parser.push(Buffer.from([stream[i]!]));
    expect(errors).toEqual([]);
    expect(frames.map((f) => f.payload.length)).toEqual([5, 300, 66_000]);
    expect(frames[0]!.payload.toString()).toBe('hello');
    expect(frames[2]!.payload.equals(bytes(66_000))).toBe(true);
  });

  it('reports bufferedBytes for an incomplete frame', () => {
    const { parser, frames } = setup();
    const data = frame(2, bytes(1000));
    parser.push(data.subarray(0, 1));
    expect(parser.bufferedBytes).toBe(1);
    parser.push(data.subarray(1, 500));
    expect(parser.bufferedBytes).toBe(500 - 4); // header consumed
    parser.push(data.subarray(500));
    expect(frames).toHaveLength(1);
    expect(parser.bufferedBytes).toBe(0);
  });

  it('ignores empty chunks', () => {
    const { parser, frames } = setup();
    parser.push(Buffer.alloc(0));
    parser.push(frame(1, 'a'));
    parser.push(Buffer.alloc(0));
    expect(frames).toHaveLength(1);
  });
});

describe('masking', () => {
  it('server side: an unmasked frame is a protocol error', () => {
    const { parser, errors } = setup({ expectMasked: true });
    parser.push(frame(1, 'hi'));
    expectError(errors, 'WS_ERR_EXPECTED_MASK');
  });

  it('client side: a masked frame is a protocol error', () => {
    const { parser, errors } = setup({ expectMasked: false });
    parser.push(masked(1, 'hi'));
    expectError(errors, 'WS_ERR_UNEXPECTED_MASK');
  });
});

describe('lengths', () => {
  it('a 64-bit length with the most significant bit set is a protocol error', () => {
    const { parser, errors } = setup();
    parser.push(Buffer.from('827f8000000000000001', 'hex'));
    expectError(errors, 'WS_ERR_INVALID_LENGTH');
  });

  it('a length no Buffer can hold is 1009 even without a limit', () => {
    const { parser, errors } = setup({ maxPayload: Infinity });
    parser.push(Buffer.from('827f0000010000000000', 'hex')); // 2^40
    expectError(errors, 'WS_ERR_MESSAGE_TOO_BIG', 1009);
  });
});

describe('ping and pong (Autobahn 2.x)', () => {
  it('accepts empty and 125-byte pings and pongs, and unsolicited pongs', () => {
    const { parser, frames, errors } = setup({ expectMasked: true });
    parser.push(Buffer.concat([masked(9), masked(9, bytes(125)), masked(0xa), masked(0xa, bytes(125))]));
    expect(errors).toEqual([]);
    expect(frames.map((f) => [f.opcode, f.payload.length])).toEqual([[9, 0], [9, 125], [10, 0], [10, 125]]);
    expect(frames[1]!.payload.equals(bytes(125))).toBe(true);
  });

  it('a ping of 126 bytes is a protocol error, decided from the first two bytes', () => {
    const { parser, errors, frames } = setup();
    parser.push(Buffer.from([0x89, 0x7e])); // the extended length has not even arrived
    expectError(errors, 'WS_ERR_CONTROL_TOO_LONG');
    expect(frames).toEqual([]);
  });

  it('a close or pong over 125 bytes is a protocol error', () => {
    for (const op of [0x8, 0xa]) {
      const { parser, errors } = setup();
      parser.push(Buffer.from([0x80 | op, 0x7f, 0, 0, 0, 0, 0, 0, 0, 200]));
      expectError(errors, 'WS_ERR_CONTROL_TOO_LONG');
    }
  });

  it('a fragmented ping is a protocol error', () => {
    const { parser, errors } = setup();
    parser.push(frame(9, 'a', { fin: false }));
    expectError(errors, 'WS_ERR_FRAGMENTED_CONTROL');
  });
});

describe('reserved bits (Autobahn 3.x)', () => {
  for (const rsv of [0x40, 0x20, 0x10, 0x60, 0x70]) {
    it(`RSV 0x${rsv.toString(16)} on a text frame without an extension`, () => {
      const { parser, errors, frames } = setup();
      parser.push(Buffer.concat([frame(1, 'ok'), frame(1, 'x', { rsv }), frame(1, 'never')]));
      expect(frames.map((f) => f.payload.toString())).toEqual(['ok']);
      expectError(errors, 'WS_ERR_UNEXPECTED_RSV');
    });
  }

  it('RSV1 allowed by the extension on the first frame of a message', () => {
    const { parser, errors, frames } = setup({ allowedRsv: 0x40 });
    parser.push(Buffer.concat([frame(1, 'a', { rsv: 0x40 }), frame(2, 'b', { rsv: 0x40, fin: false }), frame(0, 'c')]));
    expect(errors).toEqual([]);
    expect(frames.map((f) => f.rsv)).toEqual([0x40, 0x40, 0]);
  });

  it('RSV1 is still refused on continuation and control frames, and RSV2/3 on any frame', () => {
    const cases: Buffer[] = [
      Buffer.concat([frame(1, 'a', { fin: false, rsv: 0x40 }), frame(0, 'b', { rsv: 0x40 })]),
      frame(9, 'p', { rsv: 0x40 }),
      frame(0xa, 'p', { rsv: 0x10 }),
      frame(8, '', { rsv: 0x20 }),
      frame(1, 'a', { rsv: 0x60 }),
      frame(2, 'a', { rsv: 0x10 }),
    ];
    for (const c of cases) {
      const { parser, errors } = setup({ allowedRsv: 0x40 });
      parser.push(c);
      expectError(errors, 'WS_ERR_UNEXPECTED_RSV');
    }
  });

  it('setAllowedRsv applies from the next frame', () => {
    const { parser, errors, frames } = setup();
    parser.setAllowedRsv(0x40);
    parser.push(frame(1, 'a', { rsv: 0x40 }));
    expect(errors).toEqual([]);
    parser.setAllowedRsv(0);
    parser.push(frame(1, 'a', { rsv: 0x40 }));
    expect(frames).toHaveLength(1);
    expectError(errors, 'WS_ERR_UNEXPECTED_RSV');
  });
});

describe('opcodes (Autobahn 4.x)', () => {
  for (const op of [3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]) {
    it(`reserved opcode 0x${op.toString(16)} after a valid frame`, () => {
      const { parser, errors, frames } = setup();
      parser.push(Buffer.concat([frame(1, 'first'), frame(op, 'x'), frame(9)]));
      expect(frames.map((f) => f.payload.toString())).toEqual(['first']);
      expectError(errors, 'WS_ERR_INVALID_OPCODE');
    });
  }
});

describe('fragmentation (Autobahn 5.x)', () => {
  it('delivers fragments in order with control frames in between', () => {
    const { parser, errors, frames } = setup({ expectMasked: true });
    parser.push(
      Buffer.concat([
        masked(1, 'frag1', { fin: false }),
        masked(9, 'ping'),
        masked(0, 'frag2', { fin: false }),
        masked(0xa, 'pong'),
        masked(0, 'frag3'),
        masked(2, 'next'),
      ]),
    );
    expect(errors).toEqual([]);
    expect(frames.map((f) => [f.fin, f.opcode, f.payload.toString()])).toEqual([
      [false, 1, 'frag1'],
      [true, 9, 'ping'],
      [false, 0, 'frag2'],
      [true, 10, 'pong'],
      [true, 0, 'frag3'],
      [true, 2, 'next'],
    ]);
  });

  it('empty fragments are fine', () => {
    const { parser, errors, frames } = setup();
    parser.push(Buffer.concat([frame(1, '', { fin: false }), frame(0, '', { fin: false }), frame(0, '')]));
    expect(errors).toEqual([]);
    expect(frames).toHaveLength(3);
  });

  it('a continuation with no message in progress is a protocol error', () => {
    for (const fin of [true, false]) {
      const { parser, errors } = setup();
      parser.push(frame(0, 'x', { fin }));
      expectError(errors, 'WS_ERR_INVALID_CONTINUATION');
    }
  });

  it('a continuation after a finished message is a protocol error', () => {
    const { parser, errors, frames } = setup();
    parser.push(Buffer.concat([frame(1, 'a', { fin: false }), frame(0, 'b'), frame(0, 'c')]));
    expect(frames).toHaveLength(2);
    expectError(errors, 'WS_ERR_INVALID_CONTINUATION');
  });

  it('a new text or binary frame while a message is in progress is a protocol error', () => {
    for (const [op, fin] of [[1, true], [1, false], [2, true], [2, false]] as const) {
      const { parser, errors, frames } = setup();
      parser.push(Buffer.concat([frame(1, 'a', { fin: false }), frame(9), frame(op, 'b', { fin })]));
      expect(frames).toHaveLength(2);
      expectError(errors, 'WS_ERR_EXPECTED_CONTINUATION');
    }
  });
});

describe('maxPayload', () => {
  it('accepts a message of exactly maxPayload bytes', () => {
    const { parser, errors, frames } = setup({ maxPayload: 1000 });
    parser.push(frame(2, bytes(1000)));
    expect(errors).toEqual([]);
    expect(frames).toHaveLength(1);
  });

  it('rejects a bigger frame with 1009 from its header alone', () => {
    const { parser, errors } = setup({ maxPayload: 1000 });
    parser.push(frame(2, bytes(1001)).subarray(0, 4)); // header only
    expectError(errors, 'WS_ERR_MESSAGE_TOO_BIG', 1009);
  });

  it('sums fragments, ignores control frames, and starts over with each message', () => {
    const ok = setup({ maxPayload: 100 });
    ok.parser.push(
      Buffer.concat([
        frame(1, bytes(40), { fin: false }),
        frame(9, bytes(125)),
        frame(0, bytes(60)),
        frame(2, bytes(100)),
        frame(2, bytes(50), { fin: false }),
        frame(0, bytes(50)),
      ]),
    );
    expect(ok.errors).toEqual([]);
    expect(ok.frames).toHaveLength(6);

    const bad = setup({ maxPayload: 100 });
    bad.parser.push(Buffer.concat([frame(1, bytes(40), { fin: false }), frame(0, bytes(40), { fin: false })]));
    bad.parser.push(frame(0, bytes(21)).subarray(0, 2));
    expect(bad.frames).toHaveLength(2);
    expectError(bad.errors, 'WS_ERR_MESSAGE_TOO_BIG', 1009);
  });
});

describe('errors', () => {
  it('fail fast from the first two bytes, report once, then ignore all input', () => {
    const { parser, errors, frames } = setup();
    parser.push(Buffer.from([0x83]));
    expect(errors).toEqual([]);
    expect(parser.failed).toBe(false);
    parser.push(Buffer.from([0x7f])); // 64-bit length not yet received
    expectError(errors, 'WS_ERR_INVALID_OPCODE');
    expect(parser.failed).toBe(true);
    expect(parser.bufferedBytes).toBe(0);
    parser.push(frame(1, 'after'));
    parser.push(Buffer.from([0xff, 0xff]));
    parser.resume();
    expect(frames).toEqual([]);
    expect(errors).toHaveLength(1);
  });

  it('an error in a header split across chunks is found', () => {
    const { parser, errors } = setup({ maxPayload: 10 });
    const header = Buffer.from('827f0000000000000100', 'hex');
    for (const b of header) parser.push(Buffer.from([b]));
    expectError(errors, 'WS_ERR_MESSAGE_TOO_BIG', 1009);
  });
});

describe('pause and resume', () => {
  it('pause() inside onFrame stops delivery after it returns; resume() delivers the rest synchronously', () => {
    let ctl: FrameParser | undefined;
    const { parser, frames } = setup({}, { onFrame: (_f, i) => i === 0 && ctl!.pause() });
    ctl = parser;
    const a = frame(1, 'one');
    const b = frame(1, 'two');
    const c = frame(2, bytes(500));
    parser.push(Buffer.concat([a, b, c]));
    expect(frames.map((f) => f.payload.toString())).toEqual(['one']);
    expect(parser.bufferedBytes).toBe(b.length + c.length);
    parser.push(frame(1, 'four')); // buffered while paused
    expect(frames).toHaveLength(1);
    parser.resume();
    expect(frames.map((f) => f.payload.length)).toEqual([3, 3, 500, 4]);
    expect(parser.bufferedBytes).toBe(0);
  });

  it('pause() before any input buffers everything', () => {
    const { parser, frames } = setup();
    parser.pause();
    parser.push(frame(1, 'a'));
    parser.push(frame(1, 'b').subarray(0, 1));
    expect(frames).toEqual([]);
    parser.resume();
    expect(frames.map((f) => f.payload.toString())).toEqual(['a']);
    parser.push(frame(1, 'b').subarray(1));
    expect(frames.map((f) => f.payload.toString())).toEqual(['a', 'b']);
  });

  it('pause() then resume() inside the same onFrame keeps going', () => {
    let ctl: FrameParser | undefined;
    const { parser, frames } = setup({}, {
      onFrame: () => {
        ctl!.pause();
        ctl!.resume();
      },
    });
    ctl = parser;
    parser.push(Buffer.concat([frame(1, 'a'), frame(1, 'b'), frame(1, 'c')]));
    expect(frames).toHaveLength(3);
  });

  it('pausing on every frame, one resume() per frame', () => {
    let ctl: FrameParser | undefined;
    const { parser, frames } = setup({ expectMasked: true }, { onFrame: () => ctl!.pause() });
    ctl = parser;
    const stream = Buffer.concat([masked(1, 'a'), masked(2, bytes(200), { fin: false }), masked(9, 'p'), masked(0, bytes(3))]);
    parser.push(stream.subarray(0, 10));
    parser.push(stream.subarray(10));
    for (let i = 1; i <= 4; i++) {
      expect(frames).toHaveLength(i);
      parser.resume();
    }
    expect(frames.map((f) => [f.opcode, f.payload.length])).toEqual([[1, 1], [2, 200], [9, 1], [0, 3]]);
    expect(frames[1]!.payload.equals(bytes(200))).toBe(true);
  });

  it('resume() while not paused is a no-op; an error found on resume is reported', () => {
    const { parser, frames, errors } = setup();
    parser.resume();
    parser.pause();
    parser.push(Buffer.concat([frame(1, 'ok'), frame(3)]));
    expect(errors).toEqual([]);
    parser.resume();
    expect(frames).toHaveLength(1);
    expectError(errors, 'WS_ERR_INVALID_OPCODE');
  });

  it('a push() from inside onFrame is queued behind the rest of the current chunk', () => {
    // Push order is stream order: bytes pushed from the callback follow the current chunk.
    let ctl: FrameParser | undefined;
    const c = frame(1, 'c'.repeat(200)); // split inside its 16-bit length
    const reentrant = [c.subarray(3), frame(1, 'x')];
    const { parser, frames, errors } = setup({}, { onFrame: (_f, i) => i === 0 && reentrant.forEach((e) => ctl!.push(e)) });
    ctl = parser;
    parser.push(Buffer.concat([frame(1, 'a'), frame(1, 'b'), c.subarray(0, 3)]));
    expect(errors).toEqual([]);
    expect(frames.map((f) => f.payload.toString())).toEqual(['a', 'b', 'c'.repeat(200), 'x']);
    parser.push(frame(1, 'd'));
    expect(frames.map((f) => f.payload.toString())).toEqual(['a', 'b', 'c'.repeat(200), 'x', 'd']);
  });

  it('a sink that throws leaves the parser consistent', () => {
    let throwOnce = true;
    const { parser, frames } = setup({}, {
      onFrame: () => {
        if (throwOnce) {
          throwOnce = false;
          throw new Error('boom');
        }
      },
    });
    expect(() => parser.push(Buffer.concat([frame(1, 'a'), frame(1, 'b')]))).toThrow('boom');
    parser.push(frame(1, 'c'));
    expect(frames.map((f) => f.payload.toString())).toEqual(['a', 'b', 'c']);
  });
});
