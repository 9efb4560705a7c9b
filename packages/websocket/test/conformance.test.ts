/**
 * RFC 6455 behaviour of our server, over real sockets, in the spirit of the Autobahn
 * testsuite categories 1-7, 9 (reduced sizes) and 10: a raw peer sends exact frames and
 * checks the echo, the close code and that the TCP connection ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from '../src/index.js';
import { Opcode } from '../src/constants.js';
import { startEchoServer } from './support/echo.js';
import { RawPeer, buildFrame } from './support/raw-peer.js';

let server: WebSocketServer;
let port: number;
const MAX_PAYLOAD = 1024 * 1024;

beforeAll(async () => {
  ({ server, port } = await startEchoServer({ perMessageDeflate: false, maxPayload: MAX_PAYLOAD }));
});

afterAll(async () => {
  await server.close();
});

async function expectFailure(peer: RawPeer, code: number): Promise<void> {
  expect((await peer.closeFrame()).code).toBe(code);
  await peer.socketClosed();
}

describe('1. framing', () => {
  it.each([0, 1, 125, 126, 127, 128, 65535, 65536, 200_000])('echoes text and binary of %i bytes', async (size) => {
    const peer = await RawPeer.connect(port);
    const text = 'x'.repeat(size);
    const binary = Buffer.alloc(size, 0xfe);
    peer.sendFrame(Opcode.Text, text);
    peer.sendFrame(Opcode.Binary, binary);
    const frames = await peer.waitFor((f) => f.length >= 2);
    expect(frames[0]!.opcode).toBe(Opcode.Text);
    expect(frames[0]!.payload.toString()).toBe(text);
    expect(frames[1]!.opcode).toBe(Opcode.Binary);
    expect(frames[1]!.payload.equals(binary)).toBe(true);
    peer.destroy();
  });

  it('handles a frame stream sent one byte at a time', async () => {
    const peer = await RawPeer.connect(port);
    const stream = Buffer.concat([buildFrame(Opcode.Text, Buffer.from('hello, bytewise world')), buildFrame(Opcode.Binary, Buffer.alloc(300, 7))]);
    for (const byte of stream) {
      peer.sendRaw(Buffer.from([byte]));
    }
    const frames = await peer.waitFor((f) => f.length >= 2);
    expect(frames[0]!.payload.toString()).toBe('hello, bytewise world');
    expect(frames[1]!.payload.length).toBe(300);
    peer.destroy();
  });

  it('fails an unmasked client frame with 1002', async () => {
    const peer = await RawPeer.connect(port);
    peer.sendFrame(Opcode.Text, 'not masked', { mask: false });
    await expectFailure(peer, 1002);
  });

  it('fails a 64-bit length with the top bit set with 1002', async () => {
    const peer = await RawPeer.connect(port);
    peer.sendRaw(Buffer.from([0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4]));
    await expectFailure(peer, 1002);
  });
});

describe('2. pings and pongs', () => {
  it('answers a ping with a pong carrying the same payload', async () => {
    const peer = await RawPeer.connect(port);
    peer.sendFrame(Opcode.Ping, 'hello');
    peer.sendFrame(Opcode.Ping, Buffer.alloc(125, 1));
    const frames = await peer.waitFor((f) => f.length >= 2);
    expect(frames.map((f) => f.opcode)).toEqual([Opcode.Pong, Opcode.Pong]);
    expect(frames[0]!.payload.toString()).toBe('hello');
    expect(frames[1]!.payload.length).toBe(125);
    peer.destroy();
  });

  it('answers ten pings in a row with ten pongs, in order', async () => {
    const peer = await RawPeer.connect(port);
    for (let i = 0; i < 10; i++) peer.sendFrame(Opcode.Ping, `ping ${i}`);
    const frames = await peer.waitFor((f) => f.length >= 10);
    expect(frames.map((f) => f.payload.toString())).toEqual(Array.from({ length: 10 }, (_, i) => `ping ${i}`));
    peer.destroy();
  });

  it('ignores an unsolicited pong', async () => {
    const peer = await RawPeer.connect(port);
    peer.sendFrame(Opcode.Pong, 'unsolicited');
    peer.sendFrame(Opcode.Text, 'after');
    const frames = await peer.waitFor((f) => f.length >= 1);
    expect(frames[0]!.payload.toString()).toBe('after');
    peer.destroy();
  });

  it('fails a ping of 126 bytes with 1002', async () => {
    const peer = await RawPeer.connect(port);
    peer.sendFrame(Opcode.Ping, Buffer.alloc(126));
    await expectFailure(peer, 1002);
  });

  it('fails a fragmented ping with 1002', async () => {
    const peer = await RawPeer.connect(port);
    peer.sendFrame(Opcode.Ping, 'a', { fin: false });
    await expectFailure(peer, 1002);
  });
});

describe('3. reserved bits', () => {
  it.each([0x40, 0x20, 0x10, 0x70])('fails RSV 0x%s without a negotiated extension, after echoing what came before', async (rsv) => {
    const peer = await RawPeer.connect(port);
    peer.sendFrame(Opcode.Text, 'before');
    peer.sendFrame(Opcode.Text, 'bad', { rsv });
    peer.sendFrame(Opcode.Text, 'after');
    expect((await peer.closeFrame()).code).toBe(1002);
    const texts = peer.dataFrames().map((f) => f.payload.toString());
    expect(texts).toEqual(['before']);
    await peer.socketClosed();
  });

  it('fails RSV bits on a ping with 1002', async () => {
    const peer = await RawPeer.connect(port);
    peer.sendFrame(Opcode.Ping, 'x', { rsv: 0x40 });
    await expectFailure(peer, 1002);
  });
});

describe('4. opcodes', () => {
  it.each([3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf])('fails reserved opcode %i with 1002', async (opcode) => {
    const peer = await RawPeer.connect(port);
    peer.sendFrame(opcode, 'payload');
    await expectFailure(peer, 1002);
  });
});

describe('5. fragmentation', () => {
  it('reassembles a fragmented text message', async () => {
    const peer = await RawPeer.connect(port);
    peer.sendFrame(Opcode.Text, 'frag', { fin: false });
    peer.sendFrame(Opcode.Continuation, 'men', { fin: false });
    peer.sendFrame(Opcode.Continuation, 'ted', { fin: true });
    const frames = await peer.waitFor((f) => f.length >= 1);
    expect(frames[0]!.payload.toString()).toBe('fragmented');
    peer.destroy();
  });

  it('answers a ping between fragments before the message ends', async () => {
    const peer = await RawPeer.connect(port);
    peer.sendFrame(Opcode.Text, 'one ', { fin: false });
    peer.sendFrame(Opcode.Ping, 'in between');
    peer.sendFrame(Opcode.Continuation, 'two', { fin: true });
    const frames = await peer.waitFor((f) => f.length >= 2);
    expect(frames[0]!.opcode).toBe(Opcode.Pong);
    expect(frames[1]!.payload.toString()).toBe('one two');
    peer.destroy();
  });

  it('reassembles a binary message of 1,000 one-byte fragments', async () => {
    const peer = await RawPeer.connect(port);
    peer.sendFrame(Opcode.Binary, Buffer.from([0]), { fin: false });
    for (let i = 1; i < 999; i++) peer.sendFrame(Opcode.Continuation, Buffer.from([i & 0xff]), { fin: false });
    peer.sendFrame(Opcode.Continuation, Buffer.from([999 & 0xff]), { fin: true });
    const frames = await peer.waitFor((f) => f.length >= 1);
    expect(frames[0]!.payload.length).toBe(1000);
    expect(frames[0]!.payload[500]).toBe(500 & 0xff);
    peer.destroy();
  });

  it('fails a continuation frame with no message in progress with 1002', async () => {
    const peer = await RawPeer.connect(port);
    peer.sendFrame(Opcode.Continuation, 'orphan');
    await expectFailure(peer, 1002);
  });

  it('fails a new text frame in the middle of a fragmented message with 1002', async () => {
    const peer = await RawPeer.connect(port);
    peer.sendFrame(Opcode.Text, 'start', { fin: false });
    peer.sendFrame(Opcode.Text, 'again');
    await expectFailure(peer, 1002);
  });
});

describe('6. UTF-8', () => {
  it('echoes valid multi-byte text', async () => {
    const peer = await RawPeer.connect(port);
    const text = 'κόσμε · 日本語 · 🎉 · \u{10FFFF}';
    peer.sendFrame(Opcode.Text, text);
    const frames = await peer.waitFor((f) => f.length >= 1);
    expect(frames[0]!.payload.toString()).toBe(text);
    peer.destroy();
  });

  it('accepts a code point split across fragments', async () => {
    const peer = await RawPeer.connect(port);
    const bytes = Buffer.from('🎉');
    peer.sendFrame(Opcode.Text, bytes.subarray(0, 1), { fin: false });
    peer.sendFrame(Opcode.Continuation, bytes.subarray(1, 3), { fin: false });
    peer.sendFrame(Opcode.Continuation, bytes.subarray(3), { fin: true });
    const frames = await peer.waitFor((f) => f.length >= 1);
    expect(frames[0]!.payload.toString()).toBe('🎉');
    peer.destroy();
  });

  it.each([
    ['a lone continuation byte', [0x80]],
    ['an overlong encoding', [0xc0, 0xaf]],
    ['a surrogate', [0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['byte 0xFF', [0xff]],
    ['a truncated sequence at the end', [0x61, 0xe2, 0x82]],
  ])('fails %s in a single frame with 1007', async (_name, bytes) => {
    const peer = await RawPeer.connect(port);
    peer.sendFrame(Opcode.Text, Buffer.from(bytes as number[]));
    await expectFailure(peer, 1007);
  });

  it('fails fast on the fragment that makes the text invalid, before the message ends', async () => {
    const peer = await RawPeer.connect(port);
    peer.sendFrame(Opcode.Text, 'valid start ', { fin: false });
    peer.sendFrame(Opcode.Continuation, Buffer.from([0xce, 0xba, 0xf4, 0x90]), { fin: false });
    // No final fragment is ever sent: the server must not wait for it.
    await expectFailure(peer, 1007);
  });

  it('fails invalid UTF-8 in the close reason with 1007', async () => {
    const peer = await RawPeer.connect(port);
    peer.sendFrame(Opcode.Close, Buffer.from([0x03, 0xe8, 0xff, 0xfe]));
    await expectFailure(peer, 1007);
  });
});

describe('7. closing handshake', () => {
  it('echoes a 1000 close and ends the TCP connection', async () => {
    const peer = await RawPeer.connect(port);
    const body = Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.from('bye')]);
    peer.sendFrame(Opcode.Close, body);
    expect((await peer.closeFrame()).code).toBe(1000);
    await peer.socketClosed();
  });

  it('answers an empty close with an empty close', async () => {
    const peer = await RawPeer.connect(port);
    peer.sendFrame(Opcode.Close, Buffer.alloc(0));
    const frames = await peer.waitFor((f) => f.some((x) => x.opcode === Opcode.Close));
    expect(frames.find((f) => f.opcode === Opcode.Close)!.payload.length).toBe(0);
    await peer.socketClosed();
  });

  it('ignores data after the close frame', async () => {
    const peer = await RawPeer.connect(port);
    peer.sendFrame(Opcode.Close, Buffer.from([0x03, 0xe8]));
    peer.sendFrame(Opcode.Text, 'too late');
    await peer.socketClosed();
    expect(peer.dataFrames()).toHaveLength(0);
  });

  it('fails a 1-byte close payload with 1002', async () => {
    const peer = await RawPeer.connect(port);
    peer.sendFrame(Opcode.Close, Buffer.from([0x03]));
    await expectFailure(peer, 1002);
  });

  it.each([0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535])('fails close code %i with 1002', async (code) => {
    const peer = await RawPeer.connect(port);
    const body = Buffer.alloc(2);
    body.writeUInt16BE(code);
    peer.sendFrame(Opcode.Close, body);
    await expectFailure(peer, 1002);
  });

  it.each([1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999])('echoes valid close code %i', async (code) => {
    const peer = await RawPeer.connect(port);
    const body = Buffer.alloc(2);
    body.writeUInt16BE(code);
    peer.sendFrame(Opcode.Close, body);
    expect((await peer.closeFrame()).code).toBe(code);
    await peer.socketClosed();
  });

  it('fails a 126-byte close frame with 1002', async () => {
    const peer = await RawPeer.connect(port);
    const body = Buffer.alloc(126, 0x61);
    body.writeUInt16BE(1000);
    peer.sendFrame(Opcode.Close, body);
    await expectFailure(peer, 1002);
  });
});

describe('9. limits and large messages (reduced sizes)', () => {
  it('echoes a 1 MiB text message in one frame and in 64 KiB fragments', async () => {
    const peer = await RawPeer.connect(port);
    const text = 'a'.repeat(MAX_PAYLOAD);
    peer.sendFrame(Opcode.Text, text);
    const chunk = 64 * 1024;
    for (let offset = 0; offset < MAX_PAYLOAD; offset += chunk) {
      const last = offset + chunk >= MAX_PAYLOAD;
      peer.sendFrame(offset === 0 ? Opcode.Text : Opcode.Continuation, text.slice(offset, offset + chunk), { fin: last });
    }
    const frames = await peer.waitFor((f) => f.length >= 2, 15000);
    expect(frames[0]!.payload.length).toBe(MAX_PAYLOAD);
    expect(frames[1]!.payload.toString()).toBe(text);
    peer.destroy();
  });

  it('fails a single frame over maxPayload with 1009 from its header alone', async () => {
    const peer = await RawPeer.connect(port);
    // Announce MAX_PAYLOAD + 1 bytes but send only the header and mask.
    const header = Buffer.from([0x82, 0xff, 0, 0, 0, 0, 0, 0x10, 0, 0x01, 1, 2, 3, 4]);
    peer.sendRaw(header);
    await expectFailure(peer, 1009);
  });

  it('fails a fragmented message whose sum passes maxPayload with 1009', async () => {
    const peer = await RawPeer.connect(port);
    const half = Buffer.alloc(MAX_PAYLOAD / 2 + 1);
    peer.sendFrame(Opcode.Binary, half, { fin: false });
    peer.sendFrame(Opcode.Continuation, half, { fin: true });
    await expectFailure(peer, 1009);
  });
});

describe('10. misc', () => {
  it('echoes a 64 KiB message written in uneven TCP chunks', async () => {
    const peer = await RawPeer.connect(port);
    const payload = Buffer.alloc(65536);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
    const all = buildFrame(Opcode.Binary, payload);
    for (let offset = 0, step = 1; offset < all.length; offset += step, step = (step * 7) % 5000 + 1) {
      peer.sendRaw(all.subarray(offset, offset + step));
    }
    const frames = await peer.waitFor((f) => f.length >= 1);
    expect(frames[0]!.payload.equals(payload)).toBe(true);
    peer.destroy();
  });
});
