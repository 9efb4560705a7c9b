// Shared pieces of the transport benchmark: constants, transport loading,
// the length-prefixed framing of the `raw` transport, and the deterministic
// JSON corpus of the deflate case. Imported by run.mjs, server.mjs and client.mjs.

import zlib from 'node:zlib';

export const HOST = '127.0.0.1';
export const MAX_PAYLOAD = 64 * 1024 * 1024;
/** Messages in flight for the echo / upload / deflate cases. */
export const WINDOW = 64;
/** Upload case: the server sends one cumulative ack per ACK_EVERY messages. */
export const ACK_EVERY = 16;
export const TRANSPORTS = ['junction', 'ws', 'raw'];
/**
 * What junction processes import: run.mjs points this at a private copy of
 * packages/websocket/dist taken when the run starts (so a rebuild during the
 * run cannot mix builds or catch a half-written dist); by default the package.
 */
export const junctionModule = () => process.env.JUNCTION_BENCH_MODULE || '@junction/websocket';

/** zlib level 1 on both sides, compress every message (threshold 0). */
export const DEFLATE_LEVEL = 1;
export const DEFLATE_OPTIONS = {
  ws: { zlibDeflateOptions: { level: DEFLATE_LEVEL }, threshold: 0 },
  junction: { level: DEFLATE_LEVEL, threshold: 0 },
};

/**
 * Loads the WebSocket / WebSocketServer classes of a ws-like transport.
 * Returns { WebSocket, WebSocketServer, socketOf(ws) }.
 */
export async function loadWsLike(name) {
  if (name === 'ws') {
    const mod = await import('ws');
    const WebSocket = mod.WebSocket ?? mod.default;
    const WebSocketServer = mod.WebSocketServer ?? mod.default.Server;
    return { WebSocket, WebSocketServer, socketOf: (ws) => ws._socket ?? null };
  }
  if (name === 'junction') {
    const mod = await import(junctionModule());
    if (typeof mod.WebSocketServer !== 'function' || typeof mod.WebSocket !== 'function') {
      throw new Error(`@junction/websocket does not export WebSocketServer and WebSocket (exports: ${Object.keys(mod).join(', ')})`);
    }
    return { WebSocket: mod.WebSocket, WebSocketServer: mod.WebSocketServer, socketOf: (ws) => ws.socket ?? null };
  }
  throw new Error(`not a ws-like transport: ${name}`);
}

/** Why junction cannot run right now, or null when it can. */
export async function junctionUnavailable() {
  try {
    await loadWsLike('junction');
    return null;
  } catch (err) {
    return String(err?.message ?? err).split('\n')[0];
  }
}

// ---------------------------------------------------------------------------
// raw transport: every message is a 4-byte big-endian length + payload.

export function header(length) {
  const h = Buffer.allocUnsafe(4);
  h.writeUInt32BE(length, 0);
  return h;
}

/**
 * Incremental parser of length-prefixed messages. Messages that lie inside
 * one chunk are zero-copy subarrays; a message spanning chunks is copied
 * exactly once, into a buffer of its own size, when its last byte arrives.
 */
export class LengthPrefixedParser {
  constructor(onMessage) {
    this.onMessage = onMessage;
    this.chunks = []; // pending bytes of an incomplete message
    this.buffered = 0;
    this.need = 4; // total bytes (header included) of the pending message, or 4 while its header is incomplete
  }

  push(chunk) {
    if (this.buffered === 0) return this.parse(chunk);
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.need === 4 && this.buffered >= 4) {
      const h = this.take(4, false);
      this.need = 4 + h.readUInt32BE(0);
    }
    if (this.buffered < this.need) return;
    const msg = this.take(this.need, true);
    this.need = 4;
    this.onMessage(msg.subarray(4));
    const rest = this.chunks;
    this.chunks = [];
    this.buffered = 0;
    for (const r of rest) this.push(r);
  }

  /** Copies the first n pending bytes; with consume, drops them from the pending chunks. */
  take(n, consume) {
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    let i = 0;
    while (off < n) {
      const c = this.chunks[i];
      const k = Math.min(c.length, n - off);
      c.copy(out, off, 0, k);
      off += k;
      if (consume) {
        if (k === c.length) i++;
        else this.chunks[i] = c.subarray(k);
      } else i++;
    }
    if (consume) {
      this.chunks.splice(0, i);
      this.buffered -= n;
    }
    return out;
  }

  parse(buf) {
    const len = buf.length;
    let off = 0;
    while (len - off >= 4) {
      const n = buf.readUInt32BE(off);
      if (len - off - 4 < n) break;
      this.onMessage(buf.subarray(off + 4, off + 4 + n));
      off += 4 + n;
    }
    if (off < len) {
      const rest = buf.subarray(off);
      this.chunks.push(rest);
      this.buffered = rest.length;
      this.need = rest.length >= 4 ? 4 + rest.readUInt32BE(0) : 4;
    }
  }
}

const CONCAT_LIMIT = 64 * 1024;

/**
 * Collects outgoing buffers and writes them once per tick: everything
 * produced while one 'data' chunk is handled leaves in one write (small
 * totals are concatenated into one Buffer, large ones are corked and handed
 * to writev without copying).
 */
export class BatchWriter {
  constructor(socket) {
    this.socket = socket;
    this.parts = [];
    this.bytes = 0;
    this.scheduled = false;
  }

  /** Queues one length-prefixed message. */
  message(payload) {
    this.push(header(payload.length));
    if (payload.length) this.push(payload);
  }

  push(buf) {
    this.parts.push(buf);
    this.bytes += buf.length;
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(flushBatch, this);
    }
  }

  flush() {
    this.scheduled = false;
    const { parts, bytes, socket } = this;
    if (parts.length === 0 || socket.destroyed) return;
    this.parts = [];
    this.bytes = 0;
    if (parts.length === 1) {
      socket.write(parts[0]);
    } else if (bytes <= CONCAT_LIMIT) {
      socket.write(Buffer.concat(parts, bytes));
    } else {
      socket.cork();
      for (const p of parts) socket.write(p);
      socket.uncork();
    }
  }
}

function flushBatch(writer) {
  if (writer.scheduled) writer.flush();
}

const TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/**
 * Per-connection permessage-deflate-equivalent for the raw transport:
 * one raw deflate and one raw inflate stream per side with context
 * takeover, Z_SYNC_FLUSH per message, the 00 00 ff ff tail stripped on the
 * wire and re-fed on inflate (RFC 7692 section 7.2.1/7.2.2), calls in
 * message order. Same zlib work as a permessage-deflate implementation,
 * without any WebSocket framing.
 *
 * Being the ceiling, it runs zlib synchronously on the calling thread (no
 * thread-pool round trip per call) by driving the stream's native handle
 * the way node's own zlib.*Sync() functions do (`_handle.writeSync` and
 * `_writeState`, Node internals). If those internals are missing it falls
 * back to the public async API (write + flush(Z_SYNC_FLUSH)), as ws does.
 * RAW_ZLIB_MODE tells which one is in use.
 */
export class RawDeflate {
  constructor(level) {
    const d = zlib.createDeflateRaw({ level });
    const i = zlib.createInflateRaw();
    if (RAW_ZLIB_MODE === 'sync') {
      this.deflate = new SyncZlib(d, true);
      this.inflate = new SyncZlib(i, false);
    } else {
      this.deflate = new ZlibQueue(d, true);
      this.inflate = new ZlibQueue(i, false);
    }
  }
  compress(buf, cb) {
    this.deflate.run(buf, cb);
  }
  decompress(buf, cb) {
    this.inflate.run(buf, cb);
  }
  close() {
    this.deflate.stream.close();
    this.inflate.stream.close();
  }
}

const OUT_CHUNK = 64 * 1024;
let syncOut = null; // shared output area: sync calls cannot interleave

class SyncZlib {
  constructor(stream, isDeflate) {
    this.stream = stream;
    this.isDeflate = isDeflate;
    this.handle = stream._handle;
    this.state = stream._writeState;
    this.error = null;
    stream.on('error', (err) => {
      this.error = err;
    });
  }

  /** Feeds `input` with Z_SYNC_FLUSH and returns all output it produces. */
  process(input, parts) {
    const { handle, state } = this;
    syncOut ??= Buffer.allocUnsafeSlow(OUT_CHUNK);
    let inOff = 0;
    let availIn = input.length;
    for (;;) {
      handle.writeSync(zlib.constants.Z_SYNC_FLUSH, input, inOff, availIn, syncOut, 0, OUT_CHUNK);
      if (this.error) throw this.error;
      const availOut = state[0];
      const availInAfter = state[1];
      const have = OUT_CHUNK - availOut;
      if (have > 0) parts.push(Buffer.from(syncOut.subarray(0, have)));
      inOff += availIn - availInAfter;
      availIn = availInAfter;
      if (availOut !== 0) return; // zlib stopped with room to spare: input consumed and flushed
    }
  }

  run(input, cb) {
    const parts = [];
    this.process(input, parts);
    if (!this.isDeflate) this.process(TRAILER, parts);
    let res = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    if (this.isDeflate) res = res.subarray(0, res.length - 4);
    cb(res);
  }
}

function probeSyncZlib() {
  try {
    const d = zlib.createDeflateRaw({ level: 1 });
    const i = zlib.createInflateRaw();
    if (typeof d._handle?.writeSync !== 'function' || !(d._writeState instanceof Uint32Array)) return 'async';
    const sd = new SyncZlib(d, true);
    const si = new SyncZlib(i, false);
    let ok = true;
    for (let k = 0; k < 3 && ok; k++) {
      const src = Buffer.from(`{"probe":${k},"text":"${'abc'.repeat(2000 + k)}"}`);
      sd.run(src, (packed) => si.run(packed, (plain) => (ok = plain.equals(src))));
    }
    d.close();
    i.close();
    return ok ? 'sync' : 'async';
  } catch {
    return 'async';
  }
}

export const RAW_ZLIB_MODE = probeSyncZlib();

class ZlibQueue {
  constructor(stream, isDeflate) {
    this.stream = stream;
    this.isDeflate = isDeflate;
    this.queue = [];
    this.busy = false;
    this.out = [];
    this.outBytes = 0;
    stream.on('data', (c) => {
      this.out.push(c);
      this.outBytes += c.length;
    });
    stream.on('error', (err) => {
      throw err;
    });
  }

  run(input, cb) {
    this.queue.push(input, cb);
    if (!this.busy) this.next();
  }

  next() {
    if (this.queue.length === 0) {
      this.busy = false;
      return;
    }
    this.busy = true;
    const input = this.queue.shift();
    const cb = this.queue.shift();
    this.stream.write(input);
    if (!this.isDeflate) this.stream.write(TRAILER);
    this.stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
      let res = this.out.length === 1 ? this.out[0] : Buffer.concat(this.out, this.outBytes);
      this.out = [];
      this.outBytes = 0;
      if (this.isDeflate) res = res.subarray(0, res.length - 4);
      cb(res);
      this.next();
    });
  }
}

// ---------------------------------------------------------------------------
// Deterministic "realistic" JSON: API-style pages of user records with
// repeated keys, mixed types and nested objects, exactly `size` bytes.

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Ken', 'Dennis', 'Margaret', 'Linus', 'Radia', 'Donald', 'Frances', 'John', 'Leslie', 'Niklaus', 'Tim'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Thompson', 'Ritchie', 'Hamilton', 'Torvalds', 'Perlman', 'Knuth', 'Allen', 'McCarthy', 'Lamport', 'Wirth', 'Berners-Lee'];
const CITIES = ['Berlin', 'Lisbon', 'Osaka', 'Toronto', 'Nairobi', 'Austin', 'Bergen', 'Porto Alegre', 'Wellington', 'Kraków'];
const TAGS = ['admin', 'beta', 'billing', 'ops', 'support', 'trial', 'vip', 'eu', 'us', 'apac', 'legacy', 'sso'];
const PLANS = ['free', 'team', 'business', 'enterprise'];
const HEX = '0123456789abcdef';

export function makeJsonDoc(seed, size) {
  const rnd = mulberry32(seed * 2654435761 + 1);
  const pick = (arr) => arr[Math.floor(rnd() * arr.length)];
  const hex = (n) => Array.from({ length: n }, () => HEX[Math.floor(rnd() * 16)]).join('');
  const items = [];
  let id = 100000 + seed * 1000;
  const doc = { page: seed, pageSize: 0, total: 0, items, cursor: '' };
  const budget = size - 120;
  while (true) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const item = {
      id: id++,
      uuid: `${hex(8)}-${hex(4)}-4${hex(3)}-${hex(4)}-${hex(12)}`,
      name: `${first} ${last}`,
      email: `${first}.${last}@example.com`.toLowerCase(),
      active: rnd() < 0.8,
      plan: pick(PLANS),
      score: Math.round(rnd() * 10000) / 100,
      tags: Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick(TAGS)),
      address: { city: pick(CITIES), zip: String(10000 + Math.floor(rnd() * 89999)) },
      createdAt: new Date(Date.UTC(2020, 0, 1) + Math.floor(rnd() * 1.5e11)).toISOString(),
      lastLogin: rnd() < 0.3 ? null : new Date(Date.UTC(2024, 0, 1) + Math.floor(rnd() * 3e10)).toISOString(),
    };
    items.push(item);
    if (JSON.stringify(doc).length > budget) {
      items.pop();
      break;
    }
  }
  doc.pageSize = items.length;
  doc.total = items.length * 40;
  const base = Buffer.byteLength(JSON.stringify(doc));
  const pad = size - base;
  if (pad < 0) throw new Error('json doc overflow');
  let cursor = '';
  while (cursor.length < pad) cursor += hex(1);
  doc.cursor = cursor;
  const text = JSON.stringify(doc);
  if (Buffer.byteLength(text) !== size) throw new Error(`json doc is ${Buffer.byteLength(text)} bytes, wanted ${size}`);
  return text;
}

/** A pool of distinct documents, cycled so context takeover can't just replay the previous message. */
export function makeJsonPool(count, size) {
  return Array.from({ length: count }, (_, i) => makeJsonDoc(i + 1, size));
}

export function payloadOfSize(size) {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + 7) & 0xff;
  return b;
}

/** Reports a fatal error of a child process to the bench runner over IPC, then exits. */
export function fatal(what, err) {
  try {
    process.send?.({ type: 'fatal', error: `${what}: ${err?.stack ?? err}` });
  } finally {
    setTimeout(() => process.exit(1), 50);
  }
}

/** Turns uncaught exceptions and rejections of a child process into fatal reports. */
export function reportCrashesToParent() {
  process.on('uncaughtException', (err) => fatal('uncaughtException', err));
  process.on('unhandledRejection', (err) => fatal('unhandledRejection', err));
}
