import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { constants as zc, deflateRawSync, inflateRawSync } from 'node:zlib';
import { DeflateCodec, type DeflateCodecOptions } from '../src/deflate-codec.js';
import { WebSocketError } from '../src/errors.js';
import type { DeflateParams } from '../src/permessage-deflate.js';
import { ZlibLimiter } from '../src/zlib-limiter.js';

const require = createRequire(import.meta.url);
// ws does not export its lib/ files; load the class by path (ws is a devDependency).
const WsPerMessageDeflate = require(join(dirname(require.resolve('ws')), 'lib', 'permessage-deflate.js')) as new (
  opts: Record<string, unknown>,
) => {
  accept(offers: Array<Record<string, unknown[]>>): unknown;
  compress(data: Buffer, fin: boolean, cb: (err: Error | null, out?: Buffer) => void): void;
  decompress(data: Buffer, fin: boolean, cb: (err: Error | null, out?: Buffer) => void): void;
  cleanup(): void;
};

const TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);
const DEFAULTS: DeflateParams = {
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
};

const MODES = [
  ['sync path', 64 * 1024],
  ['async path', 0],
] as const;

function options(extra: Partial<DeflateCodecOptions> = {}): DeflateCodecOptions {
  return { level: 1, memLevel: 8, threshold: 0, maxPayload: 64 * 1024 * 1024, limiter: new ZlibLimiter(4), ...extra };
}

const open: DeflateCodec[] = [];
function codec(params: Partial<DeflateParams>, isServer: boolean, extra: Partial<DeflateCodecOptions> = {}): DeflateCodec {
  const c = new DeflateCodec({ ...DEFAULTS, ...params }, isServer, options(extra));
  open.push(c);
  return c;
}
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

function compress(c: DeflateCodec, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => c.compress(data, (err, out) => (err ? reject(err) : resolve(out!))));
}
function decompress(c: DeflateCodec, data: Buffer, fin = true): Promise<Buffer> {
  return new Promise((resolve, reject) => c.decompress(data, fin, (err, out) => (err ? reject(err) : resolve(out!))));
}
function decompressError(c: DeflateCodec, data: Buffer, fin = true): Promise<WebSocketError> {
  return new Promise((resolve, reject) =>
    c.decompress(data, fin, (err) => (err ? resolve(err) : reject(new Error('expected an error')))),
  );
}
/** The zlib stream of each direction of a codec (null: none, including when its lane was never made). */
function streams(codec: DeflateCodec): { deflate: unknown; inflate: unknown } {
  const internals = codec as unknown as { deflaterLane: { stream: unknown } | null; inflaterLane: { stream: unknown } | null };
  return { deflate: internals.deflaterLane?.stream ?? null, inflate: internals.inflaterLane?.stream ?? null };
}

/** What a peer with its own inflater does with one message of a no_context_takeover stream. */
function inflateAlone(payload: Buffer, windowBits = 15): Buffer {
  return inflateRawSync(Buffer.concat([payload, TRAILER]), { windowBits, finishFlush: zc.Z_SYNC_FLUSH });
}

function json(seed: number, size: number): Buffer {
  const items: string[] = [];
  let n = seed;
  let len = 0;
  while (len < size) {
    n = (n * 1103515245 + 12345) >>> 0;
    const item = JSON.stringify({ id: n % 100000, name: `user-${n % 977}`, active: n % 3 === 0, score: (n % 10000) / 100 });
    items.push(item);
    len += item.length + 1;
  }
  return Buffer.from(`[${items.join(',')}]`);
}

/**
 * Minimal raw DEFLATE decoder (RFC 1951) that also reports the largest LZ77 match distance,
 * so tests can check the window a stream really needs. Decodes blocks until input runs out.
 */
function inspectDeflate(data: Uint8Array): { out: Buffer; maxDistance: number } {
  let bitPos = 0;
  const bits = (n: number): number => {
    let v = 0;
    for (let i = 0; i < n; i++, bitPos++) v |= ((data[bitPos >> 3]! >> (bitPos & 7)) & 1) << i;
    return v;
  };
  const huffman = (lengths: number[]) => {
    const counts = new Array<number>(16).fill(0);
    for (const l of lengths) counts[l]!++;
    counts[0] = 0;
    const offs = [0];
    for (let i = 1; i < 16; i++) offs[i] = offs[i - 1]! + counts[i - 1]!;
    const symbols: number[] = [];
    lengths.forEach((l, s) => {
      if (l) symbols[offs[l]!++] = s;
    });
    return { counts, symbols };
  };
  const decode = (h: { counts: number[]; symbols: number[] }): number => {
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len < 16; len++) {
      code |= bits(1);
      const count = h.counts[len]!;
      if (code - count < first) return h.symbols[index + (code - first)]!;
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    throw new Error('bad code');
  };
  const LBASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
  const LEXT = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
  const DBASE = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193,
    12289, 16385, 24577,
  ];
  const DEXT = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
  const out: number[] = [];
  let maxDistance = 0;
  while (bitPos + 3 <= data.length * 8) {
    bits(1); // BFINAL: ignored, blocks are read until the input ends
    const type = bits(2);
    if (type === 0) {
      bitPos = (bitPos + 7) & ~7;
      if (bitPos / 8 + 4 > data.length) break; // the trailing 00 after a stripped trailer
      const len = bits(16);
      bits(16);
      for (let i = 0; i < len; i++) out.push(bits(8));
      continue;
    }
    let lit: ReturnType<typeof huffman>;
    let dist: ReturnType<typeof huffman>;
    if (type === 1) {
      const l: number[] = [];
      for (let i = 0; i < 288; i++) l[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
      lit = huffman(l);
      dist = huffman(new Array<number>(30).fill(5));
    } else if (type === 2) {
      const hlit = bits(5) + 257;
      const hdist = bits(5) + 1;
      const hclen = bits(4) + 4;
      const order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
      const cl = new Array<number>(19).fill(0);
      for (let i = 0; i < hclen; i++) cl[order[i]!] = bits(3);
      const clh = huffman(cl);
      const lens: number[] = [];
      while (lens.length < hlit + hdist) {
        const sym = decode(clh);
        if (sym < 16) lens.push(sym);
        else if (sym === 16) lens.push(...new Array<number>(3 + bits(2)).fill(lens[lens.length - 1]!));
        else if (sym === 17) lens.push(...new Array<number>(3 + bits(3)).fill(0));
        else lens.push(...new Array<number>(11 + bits(7)).fill(0));
      }
      lit = huffman(lens.slice(0, hlit));
      dist = huffman(lens.slice(hlit));
    } else {
      throw new Error('invalid block type');
    }
    for (;;) {
      const sym = decode(lit);
      if (sym < 256) out.push(sym);
      else if (sym === 256) break;
      else {
        const len = LBASE[sym - 257]! + bits(LEXT[sym - 257]!);
        const ds = decode(dist);
        const d = DBASE[ds]! + bits(DEXT[ds]!);
        if (d > out.length) throw new Error('distance too far back');
        maxDistance = Math.max(maxDistance, d);
        for (let i = 0; i < len; i++) out.push(out[out.length - d]!);
      }
    }
  }
  return { out: Buffer.from(out), maxDistance };
}

describe.each(MODES)('DeflateCodec (%s)', (_mode, syncMaxBytes) => {
  const mk = (params: Partial<DeflateParams>, isServer: boolean, extra: Partial<DeflateCodecOptions> = {}) =>
    codec(params, isServer, { syncMaxBytes, ...extra });

  it('round-trips messages in both directions with context takeover', async () => {
    const server = mk({}, true);
    const client = mk({}, false);
    for (let i = 0; i < 20; i++) {
      const msg = i % 5 === 4 ? randomBytes(3000) : json(i, 100 + i * 700);
      expect((await decompress(client, await compress(server, msg))).equals(msg)).toBe(true);
      expect((await decompress(server, await compress(client, msg))).equals(msg)).toBe(true);
    }
  });

  it('keeps the LZ77 context across messages (a repeat costs a few bytes)', async () => {
    const server = mk({}, true);
    const client = mk({}, false);
    const msg = randomBytes(2000);
    const first = await compress(server, msg);
    const second = await compress(server, msg);
    expect(first.length).toBeGreaterThan(1900);
    expect(second.length).toBeLessThan(40);
    expect((await decompress(client, first)).equals(msg)).toBe(true);
    expect((await decompress(client, second)).equals(msg)).toBe(true);
    // A fresh inflater cannot decode the second message alone: it refers to the first.
    expect(() => inflateAlone(second)).toThrow();
  });

  for (const side of ['server', 'client'] as const) {
    it(`resets after each message with ${side}_no_context_takeover (decodable alone by node:zlib)`, async () => {
      const params = side === 'server' ? { serverNoContextTakeover: true } : { clientNoContextTakeover: true };
      const sender = mk(params, side === 'server');
      const receiver = mk(params, side !== 'server');
      const msg = json(7, 5000);
      const outs = [await compress(sender, msg), await compress(sender, msg), await compress(sender, msg)];
      expect(outs[1]!.equals(outs[0]!)).toBe(true);
      expect(outs[2]!.equals(outs[0]!)).toBe(true);
      for (const out of outs) {
        expect(inflateAlone(out).equals(msg)).toBe(true);
        expect((await decompress(receiver, out)).equals(msg)).toBe(true);
      }
      // The other direction keeps its context.
      const back1 = await compress(receiver, msg);
      const back2 = await compress(receiver, msg);
      expect(back2.length).toBeLessThan(back1.length / 4);
      expect((await decompress(sender, back1)).equals(msg)).toBe(true);
      expect((await decompress(sender, back2)).equals(msg)).toBe(true);
    });
  }

  it('decompresses node:zlib output, message by message, with and without context', async () => {
    const receiver = mk({ clientNoContextTakeover: true }, true);
    for (let i = 0; i < 5; i++) {
      const msg = json(i, 3000);
      const payload = deflateRawSync(msg, { finishFlush: zc.Z_SYNC_FLUSH }).subarray(0, -4);
      expect((await decompress(receiver, payload)).equals(msg)).toBe(true);
    }
  });

  it('compresses an empty message to a single 0x00 byte (RFC 7692 §7.2.3.6), even mid-stream', async () => {
    const server = mk({}, true);
    const client = mk({}, false);
    expect(await compress(server, Buffer.alloc(0))).toEqual(Buffer.from([0]));
    const msg = json(1, 500);
    expect((await decompress(client, await compress(server, msg))).equals(msg)).toBe(true);
    const empty = await compress(server, Buffer.alloc(0));
    expect(empty).toEqual(Buffer.from([0]));
    expect((await decompress(client, empty)).length).toBe(0);
    expect((await decompress(client, await compress(server, msg))).equals(msg)).toBe(true);
  });

  describe('RFC 7692 §7.2.3 examples', () => {
    const hello = Buffer.from('Hello');
    const cases: Array<[string, number[]]> = [
      ['a message compressed in one block', [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]],
      ['a block with BFINAL set', [0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]],
      ['a BFINAL block followed by an empty stored block', [0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00]],
      ['two blocks in one message', [0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00]],
      ['a stored block', [0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00]],
    ];
    it.each(cases)('decodes %s, then a following message', async (_name, bytes) => {
      const client = mk({}, false);
      expect(await decompress(client, Buffer.from(bytes))).toEqual(hello);
      expect(await decompress(client, Buffer.from([0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]))).toEqual(hello);
    });
    it('shares the LZ77 window between messages', async () => {
      const client = mk({}, false);
      expect(await decompress(client, Buffer.from([0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]))).toEqual(hello);
      expect(await decompress(client, Buffer.from([0xf2, 0x00, 0x11, 0x00, 0x00]))).toEqual(hello);
    });
    it('continues with a new stream after a BFINAL block inside a message', async () => {
      const client = mk({}, false);
      const payload = Buffer.from([0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]);
      expect(await decompress(client, payload)).toEqual(Buffer.from('HelloHello'));
      // Split so that a frame ends exactly where the final block ends.
      expect(await decompress(client, payload.subarray(0, 7), false)).toEqual(hello);
      expect(await decompress(client, payload.subarray(7), true)).toEqual(hello);
    });
    it('decodes an empty message', async () => {
      const client = mk({}, false);
      expect((await decompress(client, Buffer.from([0x00]))).length).toBe(0);
    });
  });

  it('decompresses a message split into frames at arbitrary points (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 40000 }),
        fc.array(fc.integer({ min: 1, max: 5000 }), { maxLength: 30 }),
        fc.boolean(),
        async (size, cuts, takeover) => {
          const params = { serverNoContextTakeover: !takeover };
          const server = mk(params, true);
          const client = mk(params, false);
          for (const seed of [1, 2]) {
            const msg = json(seed + size, size);
            const z = await compress(server, msg);
            const parts: Buffer[] = [];
            let off = 0;
            for (const c of cuts) {
              if (off + c >= z.length) break;
              parts.push(z.subarray(off, off + c));
              off += c;
            }
            parts.push(z.subarray(off));
            const outs: Buffer[] = [];
            for (let i = 0; i < parts.length; i++) outs.push(await decompress(client, parts[i]!, i === parts.length - 1));
            expect(Buffer.concat(outs).equals(msg)).toBe(true);
          }
          server.close();
          client.close();
        },
      ),
      { numRuns: 25 },
    );
  });

  describe('interoperates with ws PerMessageDeflate', () => {
    const variants: Array<[string, Partial<DeflateParams>]> = [
      ['defaults', {}],
      ['server_no_context_takeover', { serverNoContextTakeover: true }],
      ['client_no_context_takeover', { clientNoContextTakeover: true }],
      ['window bits 10/12', { serverMaxWindowBits: 10, clientMaxWindowBits: 12 }],
      ['window bits 9/9, no context', { serverMaxWindowBits: 9, clientMaxWindowBits: 9, serverNoContextTakeover: true, clientNoContextTakeover: true }],
    ];
    it.each(variants)('%s', async (_name, p) => {
      const params = { ...DEFAULTS, ...p };
      const wsParams: Record<string, unknown[]> = {};
      if (params.serverNoContextTakeover) wsParams.server_no_context_takeover = [true];
      if (params.clientNoContextTakeover) wsParams.client_no_context_takeover = [true];
      wsParams.server_max_window_bits = [String(params.serverMaxWindowBits)];
      wsParams.client_max_window_bits = [String(params.clientMaxWindowBits)];
      const wsClient = new WsPerMessageDeflate({ isServer: false, threshold: 0 });
      wsClient.accept([wsParams]);
      const ours = mk(p, true);
      const wsCompress = (d: Buffer) =>
        new Promise<Buffer>((res, rej) => wsClient.compress(d, true, (e, o) => (e ? rej(e) : res(o!))));
      const wsDecompress = (d: Buffer) =>
        new Promise<Buffer>((res, rej) => wsClient.decompress(d, true, (e, o) => (e ? rej(e) : res(o!))));
      try {
        for (let i = 0; i < 8; i++) {
          const msg = i === 3 ? randomBytes(5000) : json(i, 200 + i * 3000);
          expect((await wsDecompress(await compress(ours, msg))).equals(msg)).toBe(true);
          expect((await decompress(ours, await wsCompress(msg))).equals(msg)).toBe(true);
        }
      } finally {
        wsClient.cleanup();
      }
    });
  });

  describe('decompression bomb', () => {
    const zeros = 10 * 1024 * 1024;
    const bomb = deflateRawSync(Buffer.alloc(zeros), { level: 9, finishFlush: zc.Z_SYNC_FLUSH }).subarray(0, -4);
    const limit = 1024 * 1024;

    /** Bytes requested from Buffer.allocUnsafe (our copies, Buffer.concat and node:zlib's output chunks). */
    async function allocatedDuring(fn: () => Promise<void>): Promise<number> {
      let bytes = 0;
      const real = Buffer.allocUnsafe;
      const spy = vi.spyOn(Buffer, 'allocUnsafe').mockImplementation((size: number) => {
        bytes += size;
        return real(size);
      });
      try {
        await fn();
      } finally {
        spy.mockRestore();
      }
      return bytes;
    }

    it('fails with 1009 in one frame, allocating about maxPayload', async () => {
      expect(bomb.length).toBeLessThan(20_000);
      const client = mk({}, false, { maxPayload: limit });
      let err: WebSocketError | undefined;
      const allocated = await allocatedDuring(async () => {
        err = await decompressError(client, bomb);
      });
      expect(err).toBeInstanceOf(WebSocketError);
      expect(err!.code).toBe('WS_ERR_MESSAGE_TOO_BIG');
      expect(err!.closeCode).toBe(1009);
      expect(allocated).toBeLessThan(limit + 128 * 1024);
      // The inflater is gone and later calls fail the same way.
      expect((await decompressError(client, Buffer.from([0x00]))).code).toBe('WS_ERR_MESSAGE_TOO_BIG');
    });

    it('counts the whole message across frames', async () => {
      const client = mk({}, false, { maxPayload: limit });
      const frames = Array.from({ length: 8 }, (_, i) => bomb.subarray((i * bomb.length) >> 3, ((i + 1) * bomb.length) >> 3));
      let err: WebSocketError | undefined;
      const allocated = await allocatedDuring(async () => {
        for (let i = 0; i < frames.length && !err; i++) {
          await new Promise<void>((resolve) =>
            client.decompress(frames[i]!, i === frames.length - 1, (e) => {
              if (e) err = e;
              resolve();
            }),
          );
        }
      });
      expect(err?.code).toBe('WS_ERR_MESSAGE_TOO_BIG');
      expect(allocated).toBeLessThan(limit + 128 * 1024);
    });

    it('allows a message of exactly maxPayload bytes, and resets the count per message', async () => {
      const client = mk({}, false, { maxPayload: 100_000 });
      const server = mk({}, true);
      const msg = json(3, 100_000).subarray(0, 100_000);
      for (let i = 0; i < 3; i++) expect((await decompress(client, await compress(server, msg))).length).toBe(100_000);
      const bigger = Buffer.concat([msg, Buffer.from('x')]);
      expect((await decompressError(client, await compress(server, bigger))).closeCode).toBe(1009);
    });

    it('has no limit when maxPayload is 0', async () => {
      const client = mk({}, false, { maxPayload: 0 });
      expect((await decompress(client, bomb)).length).toBe(zeros);
    });
  });

  it('fails corrupt data with WS_ERR_INFLATE (1007), then fails every later call', async () => {
    const client = mk({}, false);
    const err = await decompressError(client, Buffer.from([0xff, 0xff, 0xff, 0xff]));
    expect(err).toBeInstanceOf(WebSocketError);
    expect(err.code).toBe('WS_ERR_INFLATE');
    expect(err.closeCode).toBe(1007);
    expect(err.message).toMatch(/invalid compressed data/);
    expect((await decompressError(client, Buffer.from([0x00]))).code).toBe('WS_ERR_INFLATE');
    // Compression is unaffected.
    const msg = json(1, 2000);
    expect(inflateAlone(await compress(client, msg)).equals(msg)).toBe(true);
  });

  it('fails a distance beyond the data so far (1007)', async () => {
    const server = mk({}, true);
    const client = mk({}, false);
    await compress(server, json(1, 3000)); // never delivered
    const second = await compress(server, json(1, 3000));
    expect((await decompressError(client, second)).code).toBe('WS_ERR_INFLATE');
  });

  it('close() fails pending and later calls and releases the zlib streams', async () => {
    const server = mk({}, true);
    const msg = json(2, 100_000);
    const results: string[] = [];
    server.compress(msg, (err) => results.push(err ? `1:${(err as WebSocketError).code}` : '1:ok'));
    server.compress(msg, (err) => results.push(err ? `2:${(err as WebSocketError).code}` : '2:ok'));
    server.decompress(Buffer.from([0x00]), true, (err) => results.push(err ? `3:${err.code}` : '3:ok'));
    // 100 KB is over syncMaxBytes, so both compressions are still pending here.
    expect(results.filter((r) => !r.startsWith('3:'))).toEqual([]);
    server.close();
    // close() fails them synchronously, in order (the 1-byte decompress may have finished already).
    expect(results.filter((r) => !r.startsWith('3:'))).toEqual(['1:WS_ERR_INTERNAL', '2:WS_ERR_INTERNAL']);
    expect(results).toHaveLength(3);
    expect(streams(server)).toEqual({ deflate: null, inflate: null });
    const later = await new Promise<Error | null>((resolve) => server.compress(msg, (err) => resolve(err)));
    expect((later as WebSocketError).code).toBe('WS_ERR_INTERNAL');
    expect(later!.message).toMatch(/closed/);
    expect((await decompressError(server, Buffer.from([0x00]))).code).toBe('WS_ERR_INTERNAL');
    await new Promise((r) => setTimeout(r, 20)); // no late callbacks or uncaught errors
    expect(results.length).toBe(3);
  });

  it('completes calls in order when small and large messages are mixed', async () => {
    const server = mk({}, true, { syncMaxBytes: Math.min(syncMaxBytes, 1000) });
    const client = mk({}, false, { syncMaxBytes: Math.min(syncMaxBytes, 1000) });
    const msgs = Array.from({ length: 40 }, (_, i) => json(i, i % 3 === 0 ? 20_000 : 300));
    const order: number[] = [];
    const compressed = await Promise.all(
      msgs.map(
        (m, i) =>
          new Promise<Buffer>((resolve, reject) =>
            server.compress(m, (err, out) => {
              order.push(i);
              if (err) reject(err);
              else resolve(out!);
            }),
          ),
      ),
    );
    expect(order).toEqual(msgs.map((_, i) => i));
    order.length = 0;
    const back = await Promise.all(
      compressed.map(
        (z, i) =>
          new Promise<Buffer>((resolve, reject) =>
            client.decompress(z, true, (err, out) => {
              order.push(i);
              if (err) reject(err);
              else resolve(out!);
            }),
          ),
      ),
    );
    expect(order).toEqual(msgs.map((_, i) => i));
    back.forEach((b, i) => expect(b.equals(msgs[i]!)).toBe(true));
  });

  it('lets a callback queue the next call re-entrantly', async () => {
    const server = mk({}, true);
    const client = mk({}, false);
    const msgs = Array.from({ length: 10 }, (_, i) => json(i, 2000));
    const outs: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      const next = (i: number): void => {
        if (i === msgs.length) return resolve();
        server.compress(msgs[i]!, (err, out) => {
          if (err) return reject(err);
          outs.push(out!);
          next(i + 1);
        });
      };
      next(0);
    });
    for (let i = 0; i < msgs.length; i++) expect((await decompress(client, outs[i]!)).equals(msgs[i]!)).toBe(true);
  });
});

describe('DeflateCodec sync and async paths', () => {
  it('has the sync path on this Node.js', () => {
    expect(DeflateCodec.syncSupported).toBe(true);
  });

  it('warms each stream on the thread pool, then calls back synchronously for small inputs and asynchronously for large ones', async () => {
    const server = codec({}, true, { syncMaxBytes: 1000 });
    // The first job of a stream runs on the pool, so zlib allocates its state there.
    let first = false;
    const warmed = new Promise<void>((resolve) =>
      server.compress(json(1, 500), () => {
        first = true;
        resolve();
      }),
    );
    expect(first).toBe(false);
    await warmed;
    let sync = false;
    server.compress(json(1, 500), () => (sync = true));
    expect(sync).toBe(true);
    let later = false;
    const done = new Promise<void>((resolve) =>
      server.compress(json(1, 5000), () => {
        later = true;
        resolve();
      }),
    );
    expect(later).toBe(false);
    await done;
  });

  it('produces the same bytes on both paths (they share one stream)', async () => {
    const a = codec({}, true, { syncMaxBytes: 64 * 1024 });
    const b = codec({}, true, { syncMaxBytes: 0 });
    const mixed = codec({}, true, { syncMaxBytes: 3000 });
    for (let i = 0; i < 10; i++) {
      const msg = json(i, i % 2 ? 2000 : 6000);
      const [x, y, z] = await Promise.all([compress(a, msg), compress(b, msg), compress(mixed, msg)]);
      expect(y.equals(x)).toBe(true);
      expect(z.equals(x)).toBe(true);
    }
  });

  it('runs async work through the limiter', async () => {
    const limiter = new ZlibLimiter(1);
    let release: () => void = () => {};
    limiter.run((done) => (release = done));
    const server = codec({}, true, { syncMaxBytes: 0, limiter });
    let finished = false;
    const p = compress(server, json(1, 1000)).then(() => (finished = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(finished).toBe(false);
    expect(limiter.pending).toBe(1);
    release();
    await p;
    expect(finished).toBe(true);
    expect(limiter.active).toBe(0);
  });

  it('close() while waiting for a limiter slot frees the slot when it comes', async () => {
    const limiter = new ZlibLimiter(1);
    let release: () => void = () => {};
    limiter.run((done) => (release = done));
    const server = codec({}, true, { syncMaxBytes: 0, limiter });
    let error: Error | null = null;
    server.compress(json(1, 1000), (err) => (error = err));
    server.close();
    expect((error as WebSocketError | null)?.code).toBe('WS_ERR_INTERNAL');
    release();
    expect(limiter.active).toBe(0);
    expect(limiter.pending).toBe(0);
  });

  it('creates zlib streams lazily, per direction', async () => {
    const server = codec({}, true);
    expect(streams(server)).toEqual({ deflate: null, inflate: null });
    await compress(server, json(1, 1000));
    expect(streams(server).deflate).not.toBeNull();
    expect(streams(server).inflate).toBeNull();
  });

  it('validates its options', () => {
    expect(() => codec({}, true, { level: 10 })).toThrow(RangeError);
    expect(() => codec({}, true, { memLevel: 0 })).toThrow(RangeError);
    expect(() => codec({ serverMaxWindowBits: 7 }, true)).toThrow(RangeError);
    expect(() => codec({ clientMaxWindowBits: 16 }, true)).toThrow(RangeError);
    expect(() => codec({}, true, { threshold: -1 })).toThrow(RangeError);
    expect(() => codec({}, true, { syncMaxBytes: -1 })).toThrow(RangeError);
    expect(codec({}, true, { threshold: 512 }).threshold).toBe(512);
  });
});

describe('window bits 8', () => {
  /** Data with repeats 100-500 bytes back: a 9-bit window could use some, an 8-bit one none past 256. */
  function farRepeats(seed: number): Buffer {
    const parts: Buffer[] = [];
    for (let i = 0; i < 8; i++) {
      const block = randomBlock(seed * 100 + i, 100 + ((seed * 37 + i * 53) % 400));
      parts.push(block, block);
    }
    return Buffer.concat(parts);
  }
  function randomBlock(seed: number, size: number): Buffer {
    const b = Buffer.alloc(size);
    let n = seed + 1;
    for (let i = 0; i < size; i++) {
      n = (n * 1103515245 + 12345) >>> 0;
      b[i] = 97 + ((n >>> 16) % 26);
    }
    return b;
  }
  const compressAll = async (c: DeflateCodec, msgs: Buffer[]): Promise<Buffer[]> => {
    const out: Buffer[] = [];
    for (const m of msgs) out.push(await compress(c, m));
    return out;
  };
  const asStream = (parts: Buffer[]) => Buffer.concat(parts.flatMap((p) => [p, TRAILER]));

  for (const [mode, syncMaxBytes] of MODES) {
    it(`never refers back more than 256 bytes when the peer asked for 8 (${mode})`, async () => {
      const server = codec({ serverMaxWindowBits: 8 }, true, { syncMaxBytes });
      const msgs = [farRepeats(1), farRepeats(2), farRepeats(1), json(1, 3000), json(1, 3000)];
      const parts = await compressAll(server, msgs);
      const { out, maxDistance } = inspectDeflate(asStream(parts));
      expect(out.equals(Buffer.concat(msgs))).toBe(true);
      expect(maxDistance).toBeGreaterThan(100); // it does use LZ77 matches...
      expect(maxDistance).toBeLessThanOrEqual(256); // ...within an 8-bit window, across messages too
      expect(inflateRawSync(asStream(parts), { windowBits: 8, finishFlush: zc.Z_SYNC_FLUSH }).equals(Buffer.concat(msgs))).toBe(
        true,
      );
      const client = codec({ serverMaxWindowBits: 8 }, false, { syncMaxBytes });
      for (let i = 0; i < msgs.length; i++) expect((await decompress(client, parts[i]!)).equals(msgs[i]!)).toBe(true);
    });
  }

  it('the test data does exercise distances over 256 with a 10-bit window (control)', async () => {
    const server = codec({ serverMaxWindowBits: 10 }, true);
    const parts = await compressAll(server, [farRepeats(1), farRepeats(2), farRepeats(1)]);
    expect(inspectDeflate(asStream(parts)).maxDistance).toBeGreaterThan(256);
  });

  it('holds for every level and memLevel: zlib 9-bit matches stay within 250 bytes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 3, max: 300 })), { minLength: 1, maxLength: 20 }),
        async (level, memLevel, shape) => {
          // Each element: a random run of `len` bytes, then a copy of `copy` bytes from `len` back.
          const parts: Buffer[] = [];
          shape.forEach(([len, copy], i) => {
            const b = randomBlock(i * 7 + len, len);
            parts.push(b, b.subarray(0, Math.min(copy, len)));
          });
          const msg = Buffer.concat(parts);
          const server = codec({ serverMaxWindowBits: 8 }, true, { level, memLevel });
          const out = await compressAll(server, [msg, msg]);
          server.close();
          const r = inspectDeflate(asStream(out));
          expect(r.out.equals(Buffer.concat([msg, msg]))).toBe(true);
          expect(r.maxDistance).toBeLessThanOrEqual(250);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('decompresses a peer that turned 8 into a full 9-bit window', async () => {
    const client = codec({ serverMaxWindowBits: 8 }, false);
    // ws passes windowBits 8 to zlib, which Node makes 9.
    const ws = new WsPerMessageDeflate({ isServer: true, threshold: 0 });
    ws.accept([{ server_max_window_bits: ['8'] }]);
    try {
      for (let i = 0; i < 4; i++) {
        const msg = farRepeats(i % 2);
        const z = await new Promise<Buffer>((res, rej) => ws.compress(msg, true, (e, o) => (e ? rej(e) : res(o!))));
        expect((await decompress(client, z)).equals(msg)).toBe(true);
      }
    } finally {
      ws.cleanup();
    }
    // A hand-made stream with a 300-byte distance (valid for 9 bits, not for 8) is accepted too.
    const block = randomBlock(9, 300);
    const nine = deflateRawSync(Buffer.concat([block, block]), { windowBits: 10, level: 9, finishFlush: zc.Z_SYNC_FLUSH });
    expect(inspectDeflate(nine).maxDistance).toBe(300);
    expect((await decompress(client, nine.subarray(0, -4))).equals(Buffer.concat([block, block]))).toBe(true);
  });
});

describe('memory', () => {
  it('1,000 codecs with context takeover: RSS after one message each', async () => {
    const before = process.memoryUsage();
    const codecs: DeflateCodec[] = [];
    for (let i = 0; i < 1000; i++) codecs.push(new DeflateCodec(DEFAULTS, true, options()));
    const idle = process.memoryUsage();
    const msg = json(5, 16 * 1024);
    for (const c of codecs) {
      const z = await compress(c, msg);
      // Params are symmetric, so a codec can read its own output.
      expect((await decompress(c, z)).length).toBe(msg.length);
    }
    const used = process.memoryUsage();
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    const idleDelta = idle.rss - before.rss;
    const delta = used.rss - before.rss;
    console.log(
      `RSS: 1,000 idle codecs +${mb(idleDelta)} MiB; after one 16 KiB message each +${mb(delta)} MiB ` +
        `(${(delta / 1000 / 1024).toFixed(0)} KiB per connection, deflate + inflate state)`,
    );
    for (const c of codecs) c.close();
    expect(idleDelta).toBeLessThan(50 * 1024 * 1024);
    // zlib's own state: ~256 KiB deflate (memLevel 8, 15 bits) + ~40 KiB inflate, partly untouched.
    expect(delta).toBeLessThan(600 * 1024 * 1024);
  });
});
