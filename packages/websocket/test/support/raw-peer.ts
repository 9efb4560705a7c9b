/**
 * A hand-driven WebSocket client over a raw TCP socket: it sends exactly the bytes a test asks
 * for (broken frames included) and records what the server answers, frame by frame.
 */
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { FrameParser } from '../../src/frame-parser.js';
import { Opcode } from '../../src/constants.js';

export interface RawFrame {
  fin: boolean;
  rsv: number;
  opcode: number;
  payload: Buffer;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends a raw HTTP request head and reads the response head (and what body arrives before close). */
export function rawHttp(port: number, head: string, waitForClose = true): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end === -1) return reject(new Error(`No HTTP response head in: ${JSON.stringify(text)}`));
      const lines = text.slice(0, end).split('\r\n');
      const status = Number(lines[0]!.split(' ')[1]);
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status, headers, body: text.slice(end + 4) });
    };
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      if (!waitForClose && Buffer.concat(chunks).includes('\r\n\r\n')) finish();
    });
    socket.on('close', finish);
    socket.on('error', () => finish());
    socket.write(head, 'latin1');
  });
}

/** The head of a valid upgrade request, with overrides (a null value drops a header). */
export function upgradeHead(options: { path?: string; method?: string; version?: string; headers?: Record<string, string | null> } = {}): string {
  const headers: Record<string, string | null> = {
    Host: '127.0.0.1',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    'Sec-WebSocket-Version': '13',
    ...options.headers,
  };
  let head = `${options.method ?? 'GET'} ${options.path ?? '/'} HTTP/${options.version ?? '1.1'}\r\n`;
  for (const [name, value] of Object.entries(headers)) if (value !== null) head += `${name}: ${value}\r\n`;
  return `${head}\r\n`;
}

/** A connected raw client past the handshake. */
export class RawPeer {
  readonly frames: RawFrame[] = [];
  closed = false;
  parseError: Error | null = null;
  private waiters: Array<() => void> = [];
  private readonly parser: FrameParser;

  constructor(readonly socket: net.Socket, readonly response: RawResponse) {
    this.parser = new FrameParser(
      { expectMasked: false, allowedRsv: 0x40, maxPayload: 1 << 30 },
      {
        onFrame: (fin, rsv, opcode, payload) => {
          this.frames.push({ fin, rsv, opcode, payload: Buffer.from(payload) });
          this.wake();
        },
        onError: (error) => {
          this.parseError = error;
          this.wake();
        },
      },
    );
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  /** Completes a handshake on a fresh socket; `extensions` is offered verbatim. */
  static connect(port: number, options: { path?: string; headers?: Record<string, string | null> } = {}): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      let buffered = Buffer.alloc(0);
      const onData = (chunk: Buffer): void => {
        buffered = Buffer.concat([buffered, chunk]);
        const end = buffered.indexOf('\r\n\r\n');
        if (end === -1) return;
        socket.removeListener('data', onData);
        const headText = buffered.subarray(0, end).toString('latin1');
        const lines = headText.split('\r\n');
        const headers: Record<string, string> = {};
        for (const line of lines.slice(1)) {
          const colon = line.indexOf(':');
          headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        const status = Number(lines[0]!.split(' ')[1]);
        if (status !== 101) {
          socket.destroy();
          reject(new Error(`Handshake refused: ${lines[0]}`));
          return;
        }
        const peer = new RawPeer(socket, { status, headers, body: '' });
        socket.on('data', (data: Buffer) => peer.parser.push(Buffer.from(data)));
        const rest = buffered.subarray(end + 4);
        if (rest.length > 0) peer.parser.push(Buffer.from(rest));
        resolve(peer);
      };
      socket.on('data', onData);
      socket.on('error', reject);
      socket.on('close', () => reject(new Error('Connection closed during the handshake')));
      socket.write(upgradeHead(options), 'latin1');
    });
  }

  /** Sends one frame, masked unless told otherwise. */
  sendFrame(opcode: number, payload: Buffer | string, options: { fin?: boolean; rsv?: number; mask?: boolean } = {}): void {
    const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
    this.socket.write(buildFrame(opcode, data, options));
  }

  sendRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Waits until `predicate` holds over the received frames (or the socket closed), then returns the frames. */
  async waitFor(predicate: (frames: RawFrame[]) => boolean, timeoutMs = 5000): Promise<RawFrame[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.frames)) {
      if (this.closed || this.parseError) break;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`Timed out; frames so far: ${JSON.stringify(this.frames.map((f) => [f.opcode, f.payload.length]))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.frames;
  }

  /** Waits for the server's close frame and returns its code (1005 when empty) and reason. */
  async closeFrame(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    const frames = await this.waitFor((all) => all.some((f) => f.opcode === Opcode.Close), timeoutMs);
    const frame = frames.find((f) => f.opcode === Opcode.Close);
    if (!frame) throw new Error(`No close frame; socket closed=${this.closed}, frames: ${JSON.stringify(frames.map((f) => f.opcode))}`);
    if (frame.payload.length === 0) return { code: 1005, reason: '' };
    return { code: frame.payload.readUInt16BE(0), reason: frame.payload.subarray(2).toString() };
  }

  /** Resolves once the server dropped the TCP connection. */
  async socketClosed(timeoutMs = 5000): Promise<void> {
    await this.waitFor(() => false, timeoutMs).catch((err: Error) => {
      if (!this.closed) throw err;
    });
    if (!this.closed) throw new Error('socket still open');
  }

  /** Data frames received, as [opcode, payload] pairs. */
  dataFrames(): RawFrame[] {
    return this.frames.filter((f) => f.opcode < 8);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/**
 * Builds a frame byte by byte with no validation at all, so tests can send what a
 * correct encoder refuses to make (oversized control frames, reserved opcodes...).
 */
export function buildFrame(opcode: number, payload: Buffer, options: { fin?: boolean; rsv?: number; mask?: boolean } = {}): Buffer {
  const length = payload.length;
  const masked = options.mask !== false;
  const extended = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const header = Buffer.alloc(2 + extended + (masked ? 4 : 0));
  header[0] = ((options.fin ?? true) ? 0x80 : 0) | (options.rsv ?? 0) | opcode;
  header[1] = (masked ? 0x80 : 0) | (extended === 0 ? length : extended === 2 ? 126 : 127);
  if (extended === 2) header.writeUInt16BE(length, 2);
  else if (extended === 8) header.writeBigUInt64BE(BigInt(length), 2);
  if (!masked) return Buffer.concat([header, payload]);
  const key = randomBytes(4);
  key.copy(header, header.length - 4);
  const body = Buffer.alloc(length);
  for (let i = 0; i < length; i++) body[i] = payload[i]! ^ key[i & 3]!;
  return Buffer.concat([header, body]);
}
