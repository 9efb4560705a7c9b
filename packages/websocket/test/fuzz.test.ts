/**
 * Hostile input over real sockets: random bytes and mutated frames after the handshake must
 * end in a close (or a dropped connection) for that client only, never an exception, an
 * unhandled rejection or harm to the other clients. Vitest fails the run on any uncaught error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { WebSocket, WebSocketServer } from '../src/index.js';
import { startEchoServer } from './support/echo.js';
import { RawPeer, buildFrame } from './support/raw-peer.js';

let server: WebSocketServer;
let port: number;
let bystander: WebSocket;

beforeAll(async () => {
  ({ server, port } = await startEchoServer({ perMessageDeflate: { threshold: 0 }, maxPayload: 64 * 1024, closeTimeout: 200 }));
  bystander = new WebSocket(`ws://127.0.0.1:${port}/`);
  await new Promise<void>((resolve) => bystander.on('open', () => resolve()));
});

afterAll(async () => {
  bystander.close();
  await server.close();
});

async function bystanderStillServed(): Promise<void> {
  const reply = new Promise<string>((resolve) => bystander.once('message', (d) => resolve(d.toString())));
  bystander.send('still here?');
  expect(await reply).toBe('still here?');
}

describe('fuzzing live connections', () => {
  it('random bytes after the handshake', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { minLength: 1, maxLength: 6 }), async (chunks) => {
        const peer = await RawPeer.connect(port, { headers: { 'Sec-WebSocket-Extensions': 'permessage-deflate' } });
        for (const chunk of chunks) peer.sendRaw(Buffer.from(chunk));
        // Either the server is still waiting for more bytes, or it closed: both are fine.
        await new Promise((resolve) => setTimeout(resolve, 5));
        peer.destroy();
      }),
      { numRuns: 60 },
    );
    await bystanderStillServed();
  });

  it('frames with random headers, flags and (compressed-looking) payloads', async () => {
    const frame = fc.record({
      opcode: fc.integer({ min: 0, max: 15 }),
      fin: fc.boolean(),
      rsv: fc.constantFrom(0, 0x40, 0x20, 0x10),
      mask: fc.boolean(),
      payload: fc.uint8Array({ maxLength: 200 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 8 }), async (frames) => {
        const peer = await RawPeer.connect(port, { headers: { 'Sec-WebSocket-Extensions': 'permessage-deflate' } });
        for (const f of frames) peer.sendRaw(buildFrame(f.opcode, Buffer.from(f.payload), f));
        await new Promise((resolve) => setTimeout(resolve, 5));
        peer.destroy();
      }),
      { numRuns: 80 },
    );
    await bystanderStillServed();
  });

  it('garbage instead of an HTTP request', async () => {
    const net = await import('node:net');
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 500 }), async (bytes) => {
        const socket = net.connect(port, '127.0.0.1');
        socket.on('error', () => {});
        socket.write(Buffer.from(bytes));
        await new Promise((resolve) => setTimeout(resolve, 5));
        socket.destroy();
      }),
      { numRuns: 40 },
    );
    await bystanderStillServed();
  });
});
