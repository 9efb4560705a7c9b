/**
 * A TCP proxy that sees write boundaries: it runs in a worker thread (its own event loop), so
 * while the client writes on the main thread the proxy reads concurrently, and one TCP chunk
 * it reads stands for (at most) one socket write of the client. It parses the client->server
 * byte stream into WebSocket frames (after the HTTP upgrade) and records, per chunk, the WAMP
 * message types of the frames that end in it (JSON text frames are decoded; binary frames are
 * recorded as -1).
 *
 * An in-process proxy could not tell: it only reads after the client's synchronous writes are
 * done, and the kernel hands it everything at once. (`countingProxy` of the websocket interop
 * suites counts bytes only, which says nothing about writes.)
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

/** One TCP chunk the proxy read from the client, after the upgrade request. */
export interface WireChunk {
  /** Bytes in the chunk. */
  bytes: number;
  /** WAMP message type of each frame that ends in this chunk (-1: binary or undecodable, -2: control frame). */
  frames: number[];
}

/** What the proxy saw on one client connection. */
export interface WireConnection {
  chunks: WireChunk[];
}

/** The worker: plain JavaScript, run with `eval`. */
const WORKER_SOURCE = String.raw`
const net = require('node:net');
const { parentPort, workerData } = require('node:worker_threads');
const connections = [];
const sockets = new Set();

function parser(record) {
  let head = true;
  let buf = Buffer.alloc(0);
  return (chunk) => {
    const entry = { bytes: chunk.length, frames: [] };
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    if (head) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      head = false;
      buf = buf.subarray(end + 4);
      entry.bytes = buf.length;
      if (buf.length === 0) return;
    }
    for (;;) {
      if (buf.length < 2) break;
      const opcode = buf[0] & 0x0f;
      const masked = (buf[1] & 0x80) !== 0;
      let len = buf[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        if (buf.length < 4) break;
        len = buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (buf.length < 10) break;
        len = Number(buf.readBigUInt64BE(2));
        off = 10;
      }
      const maskAt = off;
      if (masked) off += 4;
      if (buf.length < off + len) break;
      let type = -1;
      if (opcode >= 8) type = -2;
      else if (opcode === 1) {
        const payload = Buffer.from(buf.subarray(off, off + len));
        if (masked) for (let i = 0; i < payload.length; i++) payload[i] ^= buf[maskAt + (i & 3)];
        try {
          const message = JSON.parse(payload.toString('utf8'));
          if (Array.isArray(message) && typeof message[0] === 'number') type = message[0];
        } catch {}
      }
      entry.frames.push(type);
      buf = buf.subarray(off + len);
    }
    record.chunks.push(entry);
  };
}

const server = net.createServer({ noDelay: true }, (client) => {
  const upstream = net.connect({ port: workerData.targetPort, host: '127.0.0.1', noDelay: true });
  const record = { chunks: [] };
  connections.push(record);
  sockets.add(client).add(upstream);
  const parse = parser(record);
  client.on('data', (chunk) => {
    try { parse(chunk); } catch {}
    upstream.write(chunk);
  });
  upstream.on('data', (chunk) => client.write(chunk));
  const kill = () => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream); };
  client.on('error', kill).on('close', kill);
  upstream.on('error', kill).on('close', kill);
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ kind: 'listening', port: server.address().port }));
parentPort.on('message', (request) => {
  if (request.kind === 'stats') parentPort.postMessage({ kind: 'stats', id: request.id, connections });
  else if (request.kind === 'drop') {
    for (const s of sockets) s.destroy();
    sockets.clear();
    parentPort.postMessage({ kind: 'dropped', id: request.id });
  } else if (request.kind === 'close') {
    for (const s of sockets) s.destroy();
    server.close(() => parentPort.postMessage({ kind: 'closed', id: request.id }));
  }
});
`;

/** A write-observing proxy in front of `127.0.0.1:targetPort`. */
export interface WireProxy {
  /** The proxy's port on 127.0.0.1. */
  port: number;
  /** What the proxy saw so far, one entry per client connection, in order of arrival. */
  stats(): Promise<WireConnection[]>;
  /** Destroys every proxied connection (both sides), as a network failure would. */
  drop(): Promise<void>;
  /** Stops the proxy and its worker. */
  close(): Promise<void>;
}

/** Starts a {@link WireProxy} in a worker thread. */
export async function startWireProxy(targetPort: number): Promise<WireProxy> {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { targetPort } });
  worker.unref();
  let nextId = 1;
  const waiting = new Map<number, (value: any) => void>();
  const [first] = (await once(worker, 'message')) as [{ kind: string; port: number }];
  worker.on('message', (reply: { id?: number }) => {
    const resolve = reply.id === undefined ? undefined : waiting.get(reply.id);
    if (resolve === undefined) return;
    waiting.delete(reply.id!);
    resolve(reply);
  });
  const ask = (kind: string): Promise<any> =>
    new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      worker.postMessage({ kind, id });
    });
  return {
    port: first.port,
    stats: async () => ((await ask('stats')) as { connections: WireConnection[] }).connections,
    drop: async () => {
      await ask('drop');
    },
    close: async () => {
      await ask('close');
      await worker.terminate();
    },
  };
}
