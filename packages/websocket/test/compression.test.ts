/**
 * permessage-deflate end to end, in the spirit of Autobahn categories 12 and 13: our client and
 * server with each parameter combination, compressed frames from a raw peer, and the limits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import zlib from 'node:zlib';
import { WebSocket, WebSocketServer, type PerMessageDeflateOptions } from '../src/index.js';
import { Opcode } from '../src/constants.js';
import { startEchoServer } from './support/echo.js';
import { RawPeer } from './support/raw-peer.js';

const MAX_PAYLOAD = 1024 * 1024;
let server: WebSocketServer;
let port: number;

beforeAll(async () => {
  ({ server, port } = await startEchoServer({ perMessageDeflate: { threshold: 0 }, maxPayload: MAX_PAYLOAD }));
});

afterAll(async () => {
  await server.close();
});

/** Inflates one message as sent on the wire (tail restored, no final block expected). */
function inflate(payload: Buffer): Buffer {
  return zlib.inflateRawSync(Buffer.concat([payload, Buffer.from([0, 0, 0xff, 0xff])]), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
}

/** Deflate-raw with a sync flush and the 00 00 ff ff tail removed, as RFC 7692 §7.2.1 sends it. */
function compress(data: Buffer): Buffer {
  const out = zlib.deflateRawSync(data, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return out.subarray(0, out.length - 4);
}

function messages(count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => {
    const size = [0, 1, 100, 1000, 16 * 1024, 128 * 1024][i % 6]!;
    const text = JSON.stringify(Array.from({ length: Math.ceil(size / 40) }, (_, j) => ({ id: j, name: `item-${i}-${j}` })));
    return Buffer.from(text.slice(0, size));
  });
}

async function roundTrip(options: PerMessageDeflateOptions, serverOptions?: PerMessageDeflateOptions): Promise<{ extensions: string; ok: boolean }> {
  let target = port;
  let extra: WebSocketServer | null = null;
  if (serverOptions) {
    ({ server: extra, port: target } = await startEchoServer({ perMessageDeflate: { threshold: 0, ...serverOptions } }));
  }
  const ws = new WebSocket(`ws://127.0.0.1:${target}/`, [], { perMessageDeflate: { threshold: 0, ...options } });
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => resolve());
    ws.on('error', reject);
  });
  const sent = messages(24);
  const received: Buffer[] = [];
  const done = new Promise<void>((resolve) => {
    ws.on('message', (data) => {
      received.push(Buffer.from(data));
      if (received.length === sent.length) resolve();
    });
  });
  for (const message of sent) ws.send(message.toString());
  await done;
  const ok = received.every((data, i) => data.equals(sent[i]!));
  const extensions = ws.extensions;
  ws.close();
  await new Promise<void>((resolve) => ws.on('close', () => resolve()));
  await extra?.close();
  return { extensions, ok };
}

describe('12/13. our client and server with each parameter combination', () => {
  it('negotiates permessage-deflate by default and round-trips messages of many sizes', async () => {
    const { extensions, ok } = await roundTrip({});
    expect(extensions).toContain('permessage-deflate');
    expect(ok).toBe(true);
  });

  it.each([
    [{ clientNoContextTakeover: true }, undefined, 'client_no_context_takeover'],
    [{ serverNoContextTakeover: true }, undefined, 'server_no_context_takeover'],
    [{ clientNoContextTakeover: true, serverNoContextTakeover: true }, undefined, 'server_no_context_takeover'],
    [{ serverMaxWindowBits: 9 }, undefined, 'server_max_window_bits=9'],
    [{ serverMaxWindowBits: 15 }, undefined, 'server_max_window_bits=15'],
    [{ clientMaxWindowBits: 9 }, undefined, 'client_max_window_bits=9'],
    [{ clientMaxWindowBits: 12, serverMaxWindowBits: 10 }, undefined, 'server_max_window_bits=10'],
    [{}, { serverNoContextTakeover: true }, 'server_no_context_takeover'],
    [{}, { serverMaxWindowBits: 11 }, 'server_max_window_bits=11'],
    [{}, { clientMaxWindowBits: 10 }, 'client_max_window_bits=10'],
    [{ serverMaxWindowBits: 8 }, undefined, 'server_max_window_bits'],
    [{ clientMaxWindowBits: 8 }, undefined, 'client_max_window_bits'],
  ] as Array<[PerMessageDeflateOptions, PerMessageDeflateOptions | undefined, string]>)('client %j, server %j', async (client, serverOptions, expected) => {
    const { extensions, ok } = await roundTrip(client, serverOptions);
    expect(extensions).toContain(expected);
    expect(ok).toBe(true);
  });

  it('leaves compression off when either side disables it', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, [], { perMessageDeflate: false });
    await new Promise<void>((resolve) => ws.on('open', () => resolve()));
    expect(ws.extensions).toBe('');
    ws.close();
  });
});

describe('compressed frames from a raw peer', () => {
  const offer = { 'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits' };

  it('inflates a single compressed frame and a fragmented compressed message', async () => {
    // No context takeover from the server, so each reply inflates on its own.
    const peer = await RawPeer.connect(port, { headers: { 'Sec-WebSocket-Extensions': 'permessage-deflate; server_no_context_takeover' } });
    expect(peer.response.headers['sec-websocket-extensions']).toContain('server_no_context_takeover');
    const text = Buffer.from('Hello, compressed world! '.repeat(40));
    const body = compress(text);
    peer.sendFrame(Opcode.Text, body, { rsv: 0x40 });
    const third = Math.floor(body.length / 3);
    peer.sendFrame(Opcode.Text, body.subarray(0, third), { rsv: 0x40, fin: false });
    peer.sendFrame(Opcode.Ping, 'between');
    peer.sendFrame(Opcode.Continuation, body.subarray(third, 2 * third), { fin: false });
    peer.sendFrame(Opcode.Continuation, body.subarray(2 * third), { fin: true });
    const frames = await peer.waitFor((f) => f.filter((x) => x.opcode === Opcode.Text).length >= 2);
    const texts = frames.filter((f) => f.opcode === Opcode.Text);
    // The server's replies are compressed too: RSV1 on them, and they inflate back to the text.
    for (const frame of texts) {
      expect(frame.rsv).toBe(0x40);
      expect(inflate(frame.payload).equals(text)).toBe(true);
    }
    expect(frames.some((f) => f.opcode === Opcode.Pong)).toBe(true);
    peer.destroy();
  });

  it('accepts an uncompressed message (RSV1 clear) on a deflate connection', async () => {
    const peer = await RawPeer.connect(port, { headers: offer });
    peer.sendFrame(Opcode.Text, 'plain');
    const frames = await peer.waitFor((f) => f.length >= 1);
    expect(frames[0]!.rsv).toBe(0x40);
    expect(inflate(frames[0]!.payload).toString()).toBe('plain');
    peer.destroy();
  });

  it('fails RSV1 on a continuation frame with 1002', async () => {
    const peer = await RawPeer.connect(port, { headers: offer });
    const body = compress(Buffer.from('abcdef'.repeat(10)));
    peer.sendFrame(Opcode.Text, body.subarray(0, 3), { rsv: 0x40, fin: false });
    peer.sendFrame(Opcode.Continuation, body.subarray(3), { rsv: 0x40 });
    expect((await peer.closeFrame()).code).toBe(1002);
  });

  it('fails corrupt deflate data with a close frame and drops the connection', async () => {
    const peer = await RawPeer.connect(port, { headers: offer });
    peer.sendFrame(Opcode.Binary, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x12]), { rsv: 0x40 });
    const { code } = await peer.closeFrame();
    expect([1002, 1007]).toContain(code);
    await peer.socketClosed();
  });

  it('stops a decompression bomb at maxPayload with 1009', async () => {
    const peer = await RawPeer.connect(port, { headers: offer });
    // 64 MiB of zeros deflate to about 64 KiB: 64 times the 1 MiB limit.
    const bomb = compress(Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(MAX_PAYLOAD);
    const before = process.memoryUsage().arrayBuffers;
    peer.sendFrame(Opcode.Binary, bomb, { rsv: 0x40 });
    expect((await peer.closeFrame()).code).toBe(1009);
    await peer.socketClosed();
    // Allocations stayed near the limit, nowhere near the 64 MiB the bomb expands to.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
  });

  it('counts a fragmented bomb across frames', async () => {
    const peer = await RawPeer.connect(port, { headers: offer });
    const bomb = compress(Buffer.alloc(8 * 1024 * 1024));
    const half = Math.floor(bomb.length / 2);
    peer.sendFrame(Opcode.Binary, bomb.subarray(0, half), { rsv: 0x40, fin: false });
    peer.sendFrame(Opcode.Continuation, bomb.subarray(half), { fin: true });
    expect((await peer.closeFrame()).code).toBe(1009);
  });

  it('fails compressed text that inflates to invalid UTF-8 with 1007', async () => {
    const peer = await RawPeer.connect(port, { headers: offer });
    peer.sendFrame(Opcode.Text, compress(Buffer.from([0x61, 0xc0, 0xaf, 0x62])), { rsv: 0x40 });
    expect((await peer.closeFrame()).code).toBe(1007);
  });
});
