/**
 * Big client frames are built in recycled slabs (src/node/send-slab.ts). These tests check that
 * recycling never changes bytes that still wait to be written, and that slabs go back to the pool.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { WebSocket, WebSocketServer } from '../src/index.js';
import { SLAB_SIZE, pooledSlabCount, retireSlab, slabWriteStarted, slabWritten, takeSlab, type SlabOwner } from '../src/node/send-slab.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A payload whose every byte depends on its index and on `seed`, so two payloads never look alike. */
function pattern(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed * 17 + (i >>> 8)) & 0xff;
  return b;
}

const digest = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** A server that answers every message with the SHA-256 of its bytes; `pauseFirst` holds reading back for that long. */
async function hashServer(pauseFirstMs = 0): Promise<string> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
  server.on('connection', (socket) => {
    if (pauseFirstMs > 0) {
      socket.socket!.pause();
      setTimeout(() => socket.socket!.resume(), pauseFirstMs);
    }
    socket.on('message', (data) => socket.send(digest(data)));
  });
  await new Promise<void>((resolve) => server.on('listening', resolve));
  cleanups.push(() => server.close());
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

async function open(url: string): Promise<WebSocket> {
  const client = new WebSocket(url, [], { perMessageDeflate: false });
  cleanups.push(() => client.terminate());
  await new Promise<void>((resolve, reject) => {
    client.on('open', resolve);
    client.on('error', reject);
  });
  return client;
}

/** Sends every payload at once and resolves with the digests the server answered, in order. */
async function sendAll(client: WebSocket, payloads: Buffer[]): Promise<string[]> {
  const answers: string[] = [];
  const done = new Promise<void>((resolve, reject) => {
    client.on('message', (data) => {
      answers.push(data.toString());
      if (answers.length === payloads.length) resolve();
    });
    client.on('close', () => reject(new Error('closed early')));
  });
  for (const p of payloads) client.send(p);
  await done;
  return answers;
}

describe('client frames built in recycled slabs', () => {
  it('delivers many big messages intact, across slab boundaries and with a frame bigger than a slab', async () => {
    const client = await open(await hashServer());
    const sizes = [5000, 1024 * 1024, 700_000, 1024 * 1024 + 3, 64 * 1024, SLAB_SIZE + 1000, 3 * 1024 * 1024, 4096, 200_000];
    const payloads: Buffer[] = [];
    for (let round = 0; round < 3; round++) sizes.forEach((size, i) => payloads.push(pattern(size, round * 100 + i)));
    const copies = payloads.map((p) => Buffer.from(p));
    const answers = await sendAll(client, payloads);
    expect(answers).toEqual(payloads.map(digest));
    // The caller's bytes were never touched (masking writes into the slab).
    payloads.forEach((p, i) => expect(p.equals(copies[i]!)).toBe(true));
  });

  it('does not reuse a slab while its bytes wait behind a peer that does not read', async () => {
    // The server reads nothing for a while: the client's writes stay queued, and every new frame
    // must land in memory no queued frame uses.
    const client = await open(await hashServer(300));
    const payloads = Array.from({ length: 24 }, (_, i) => pattern(1024 * 1024, i));
    const answers = await sendAll(client, payloads);
    expect(answers).toEqual(payloads.map(digest));
  });

  it('holds no slab once its writes are done, and takes one again for the next big frame', async () => {
    const client = await open(await hashServer());
    const slabOf = (): unknown => (client as unknown as { slab: unknown }).slab;
    const payloads = Array.from({ length: 8 }, (_, i) => pattern(1024 * 1024, i));
    const answers = sendAll(client, payloads);
    expect(slabOf()).not.toBeNull(); // the frames were built in a slab, synchronously
    expect(await answers).toEqual(payloads.map(digest));
    // Every write completed before the server could answer the last message: the idle socket gave its slab back.
    expect(slabOf()).toBeNull();
  });
});

describe('slab bookkeeping', () => {
  it('returns a slab only when its writes completed and the owner moved on or went idle', () => {
    const owner: SlabOwner = { slab: null };
    const slab = takeSlab(owner);
    expect(owner.slab).toBe(slab);
    const pooled = pooledSlabCount();

    slab.inBatch = true;
    slab.used = 1000;
    slabWriteStarted(slab);
    slabWriteStarted(slab);
    slabWritten(slab);
    expect(owner.slab).toBe(slab); // one write still pending
    expect(pooledSlabCount()).toBe(pooled);
    slabWritten(slab);
    // Idle: nothing pending, nothing batched: back to the pool, reset.
    expect(owner.slab).toBe(null);
    expect(pooledSlabCount()).toBe(pooled + 1);
    expect(slab.used).toBe(0);

    const next = takeSlab(owner);
    expect(next).toBe(slab);
    next.inBatch = true;
    slabWriteStarted(next);
    retireSlab(next); // the owner moves on while a write is pending
    expect(owner.slab).toBe(null);
    expect(pooledSlabCount()).toBe(pooled);
    slabWritten(next);
    expect(pooledSlabCount()).toBe(pooled + 1);
  });

  it('keeps as many free slabs as were in use at once (not a fixed 16), so a steady sender stops allocating', () => {
    const before = pooledSlabCount();
    const owners: SlabOwner[] = Array.from({ length: 24 }, () => ({ slab: null }));
    const slabs = owners.map((o) => takeSlab(o));
    for (const slab of slabs) retireSlab(slab);
    expect(pooledSlabCount()).toBe(Math.max(before, 24));
    // The next burst of the same size is served from the pool: the very same slabs.
    const again = owners.map((o) => takeSlab(o));
    expect(new Set(again).size).toBe(24);
    expect(again.every((s) => slabs.includes(s) || before > 24)).toBe(true);
    for (const slab of again) retireSlab(slab);
  });

  it('fits four masked 1 MiB frames (payload + 14-byte header + 7 bytes of alignment) in one slab', () => {
    expect(SLAB_SIZE).toBeGreaterThanOrEqual(4 * (1024 * 1024 + 14 + 7));
  });
});
