import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../src/frame-encoder.js';
import { FrameParser, type FrameParserOptions } from '../src/frame-parser.js';

type Event =
  | { type: 'frame'; fin: boolean; rsv: number; opcode: number; payload: string }
  | { type: 'error'; code: string; closeCode: number };

/** Deterministic filler so that generated cases stay small to shrink. */
function pseudoRandomBytes(seed: number, n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

interface Plan {
  opcode: number;
  fin: boolean;
  rsv: number;
  length: number;
}

const dataLength = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 0, max: 300 }) },
  { weight: 4, arbitrary: fc.constantFrom(0, 1, 124, 125, 126, 127, 128) },
  { weight: 1, arbitrary: fc.constantFrom(65535, 65536, 65537) },
  // Frames that span chunks from STREAM_MIN (4096) up are streamed into a preallocated buffer.
  { weight: 2, arbitrary: fc.integer({ min: 4000, max: 20000 }) },
);
const controlFrame = fc.record({
  opcode: fc.constantFrom(0x8, 0x9, 0xa),
  length: fc.oneof(fc.integer({ min: 0, max: 125 }), fc.constantFrom(0, 125)),
});
const message = fc.record({
  opcode: fc.constantFrom(0x1, 0x2),
  rsv1: fc.boolean(),
  fragments: fc.array(fc.record({ length: dataLength, controlsBefore: fc.array(controlFrame, { maxLength: 2 }) }), {
    minLength: 1,
    maxLength: 4,
  }),
});

/** A valid frame sequence; `allowRsv1` lets the first frame of a message carry RSV1. */
const validPlan = (allowRsv1: boolean) =>
  fc
    .record({ messages: fc.array(message, { maxLength: 6 }), trailing: fc.array(controlFrame, { maxLength: 2 }) })
    .map(({ messages, trailing }) => {
      const plan: Plan[] = [];
      for (const m of messages) {
        m.fragments.forEach((f, i) => {
          for (const c of f.controlsBefore) plan.push({ opcode: c.opcode, fin: true, rsv: 0, length: c.length });
          plan.push({
            opcode: i === 0 ? m.opcode : 0,
            fin: i === m.fragments.length - 1,
            rsv: i === 0 && allowRsv1 && m.rsv1 ? 0x40 : 0,
            length: f.length,
          });
        });
      }
      for (const c of trailing) plan.push({ opcode: c.opcode, fin: true, rsv: 0, length: c.length });
      return plan;
    });

/** Encodes a plan with our encoder; returns the stream and the frames it should parse to. */
function build(plan: Plan[], masked: boolean, seed: number): { stream: Buffer; expected: Event[] } {
  const out: Buffer[] = [];
  const expected: Event[] = [];
  plan.forEach((p, i) => {
    const payload = pseudoRandomBytes(seed + i * 7919, p.length);
    const key = masked ? pseudoRandomBytes(seed ^ (i * 104729), 4) : null;
    encodeFrame(out, p.opcode, payload, p.fin, p.rsv, key);
    expected.push({ type: 'frame', fin: p.fin, rsv: p.rsv, opcode: p.opcode, payload: payload.toString('hex') });
  });
  return { stream: Buffer.concat(out), expected };
}

/** Splits `stream` at the given cut points; every chunk is a fresh copy (the parser mutates chunks). */
function chunksOf(stream: Buffer, cuts: number[], tiny: number): Buffer[] {
  if (tiny > 0 && stream.length < 4000) {
    const chunks: Buffer[] = [];
    for (let i = 0; i < stream.length; i += tiny) chunks.push(Buffer.from(stream.subarray(i, i + tiny)));
    return chunks;
  }
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  const bounds = [0, ...points, stream.length];
  const chunks: Buffer[] = [];
  for (let i = 1; i < bounds.length; i++) chunks.push(Buffer.from(stream.subarray(bounds[i - 1], bounds[i])));
  return chunks;
}

/**
 * Runs a parser over `chunks`; with `pauseEvery` > 0, pauses inside every pauseEvery-th
 * onFrame and resumes after each push and at the end, which must not change the output.
 */
function run(options: FrameParserOptions, chunks: Buffer[], pauseEvery = 0): Event[] {
  const events: Event[] = [];
  let frameCount = 0;
  let errorCount = 0;
  const parser: FrameParser = new FrameParser(options, {
    onFrame(fin, rsv, opcode, payload) {
      if (errorCount > 0) throw new Error('frame after error');
      events.push({ type: 'frame', fin, rsv, opcode, payload: payload.toString('hex') });
      if (pauseEvery > 0 && ++frameCount % pauseEvery === 0) parser.pause();
    },
    onError(error) {
      if (errorCount++ > 0) throw new Error('second error');
      expect(error.code).toMatch(/^WS_ERR_/);
      events.push({ type: 'error', code: error.code, closeCode: error.closeCode });
    },
  });
  for (const chunk of chunks) {
    parser.push(chunk);
    if (pauseEvery > 0) parser.resume();
  }
  if (pauseEvery > 0) {
    // Drain what the pauses held back.
    for (let before = -1; before !== events.length; ) {
      before = events.length;
      parser.resume();
    }
  }
  expect(parser.failed).toBe(errorCount > 0);
  if (errorCount > 0) expect(parser.bufferedBytes).toBe(0);
  return events;
}

const chunking = fc.record({
  cuts: fc.array(fc.nat(), { maxLength: 30 }),
  tiny: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 17 }) }),
  pauseEvery: fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) }),
});

describe('FrameParser properties', () => {
  it('any chunking of a valid stream gives the encoded frames, same as the whole stream', () => {
    fc.assert(
      fc.property(
        fc.boolean().chain((masked) =>
          fc.boolean().chain((allowRsv1) =>
            fc.record({ masked: fc.constant(masked), allowRsv1: fc.constant(allowRsv1), plan: validPlan(allowRsv1), seed: fc.integer(), chunking }),
          ),
        ),
        ({ masked, allowRsv1, plan, seed, chunking: { cuts, tiny, pauseEvery } }) => {
          const { stream, expected } = build(plan, masked, seed);
          const options: FrameParserOptions = { expectMasked: masked, allowedRsv: allowRsv1 ? 0x40 : 0, maxPayload: Infinity };
          expect(run(options, [Buffer.from(stream)])).toEqual(expected);
          expect(run(options, chunksOf(stream, cuts, tiny), pauseEvery)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  const options = fc.record({
    expectMasked: fc.boolean(),
    allowedRsv: fc.constantFrom(0, 0x40, 0x70),
    maxPayload: fc.constantFrom(Infinity, 0, 100, 1000, 70_000),
  });

  it('random bytes never throw: frames, then at most one error, identically for any chunking', () => {
    fc.assert(
      fc.property(options, fc.uint8Array({ maxLength: 600 }), chunking, (opts, bytes, { cuts, tiny, pauseEvery }) => {
        const stream = Buffer.from(bytes);
        const whole = run(opts, [Buffer.from(stream)]);
        expect(whole.slice(0, -1).every((e) => e.type === 'frame')).toBe(true);
        expect(run(opts, chunksOf(stream, cuts, tiny), pauseEvery)).toEqual(whole);
      }),
      { numRuns: 1000 },
    );
  });

  type Mutation =
    | { kind: 'flip'; at: number; bit: number }
    | { kind: 'set'; at: number; value: number }
    | { kind: 'delete'; at: number; count: number }
    | { kind: 'insert'; at: number; bytes: Uint8Array }
    | { kind: 'truncate'; at: number };

  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 20 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  );

  function mutate(stream: Buffer, mutations: Mutation[]): Buffer {
    let s = Buffer.from(stream);
    for (const m of mutations) {
      const at = s.length === 0 ? 0 : m.at % s.length;
      if (m.kind === 'flip' && s.length > 0) s[at]! ^= 1 << m.bit;
      else if (m.kind === 'set' && s.length > 0) s[at] = m.value;
      else if (m.kind === 'delete') s = Buffer.concat([s.subarray(0, at), s.subarray(at + m.count)]);
      else if (m.kind === 'insert') s = Buffer.concat([s.subarray(0, at), Buffer.from(m.bytes), s.subarray(at)]);
      else if (m.kind === 'truncate') s = s.subarray(0, at);
    }
    return s;
  }

  it('mutated valid streams never throw: frames, then at most one error, identically for any chunking', () => {
    fc.assert(
      fc.property(
        options,
        validPlan(true),
        fc.integer(),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        chunking,
        (opts, plan, seed, mutations, { cuts, tiny, pauseEvery }) => {
          const { stream } = build(plan, opts.expectMasked, seed);
          const mutated = mutate(stream, mutations);
          const whole = run(opts, [Buffer.from(mutated)]);
          expect(whole.slice(0, -1).every((e) => e.type === 'frame')).toBe(true);
          expect(run(opts, chunksOf(mutated, cuts, tiny), pauseEvery)).toEqual(whole);
        },
      ),
      { numRuns: 500 },
    );
  });
});
