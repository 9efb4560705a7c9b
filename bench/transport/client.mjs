// Benchmark client process. Forked by run.mjs with one JSON argument
// (see `params` in run.mjs). Protocol with the parent over IPC:
//   client -> { type: 'ready', ... }  after connecting and warming up
//   parent -> { type: 'go' }          (the parent has taken the server's CPU / memory mark)
//   client -> { type: 'result', ... } after the measured phase, fully drained
//   parent -> { type: 'exit' }
// Progress goes to the parent as { type: 'stage', stage } so that a hang can
// be pinned to a phase.

import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { ACK_EVERY, BatchWriter, DEFLATE_LEVEL, DEFLATE_OPTIONS, HOST, LengthPrefixedParser, MAX_PAYLOAD, RawDeflate, WINDOW, fatal, loadWsLike, makeJsonPool, reportCrashesToParent, payloadOfSize } from './common.mjs';

const p = JSON.parse(process.argv[2]);
const transport = p.transport;

function stage(s) {
  process.send({ type: 'stage', stage: s });
}

reportCrashesToParent();
process.on('disconnect', () => process.exit(0));

const fromParent = [];
let waiter = null;
process.on('message', (m) => {
  if (m.type === 'exit') process.exit(0);
  if (waiter) {
    const w = waiter;
    waiter = null;
    w(m);
  } else fromParent.push(m);
});
function nextParentMessage() {
  return fromParent.length ? Promise.resolve(fromParent.shift()) : new Promise((r) => (waiter = r));
}

// Wire-byte counting needs the client's net.Socket. Transports expose it
// (ws: ws._socket, junction: ws.socket); as a fallback every net.Socket that
// connects in this process is remembered.
const capturedSockets = [];
if (p.kind === 'deflate') {
  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (...args) {
    capturedSockets.push(this);
    return connect.apply(this, args);
  };
}

// ---------------------------------------------------------------------------
// Connections: { send(data), onmessage, close(): Promise, socket, socketSource }

async function makeConnector() {
  if (transport === 'raw') return connectRaw;
  const lib = await loadWsLike(transport);
  return (opts) => connectWsLike(lib, opts);
}

function connectWsLike({ WebSocket, socketOf }, { deflate }) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${HOST}:${p.port}/`, [], {
      perMessageDeflate: deflate ? DEFLATE_OPTIONS[transport] : false,
      maxPayload: MAX_PAYLOAD,
    });
    let open = false;
    let closed = false;
    const conn = {
      onmessage: null,
      socket: null,
      socketSource: null,
      send: (data) => ws.send(data),
      close: () =>
        new Promise((res) => {
          if (closed) return res();
          ws.once('close', () => res());
          ws.close();
        }),
    };
    ws.on('message', (data, isBinary) => conn.onmessage(data, isBinary));
    ws.on('close', (code, reason) => {
      closed = true;
      if (!open) reject(new Error(`closed before open: ${code} ${reason}`));
    });
    ws.on('error', (err) => {
      if (!open) reject(err);
      else fatal('client websocket error', err);
    });
    ws.on('open', () => {
      open = true;
      conn.socket = socketOf(ws);
      conn.socketSource = conn.socket ? 'api' : 'captured';
      if (!conn.socket) conn.socket = capturedSockets.at(-1) ?? null;
      resolve(conn);
    });
  });
}

const HELLO = Buffer.from('hello');

/**
 * raw: TCP + 4-byte length prefix. With `hello`, open = TCP connect plus one
 * echoed message (standing in for the HTTP Upgrade round trip).
 */
function connectRaw({ deflate, hello }) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port: p.port, host: HOST, noDelay: true });
    socket.setNoDelay(true);
    const out = new BatchWriter(socket);
    const z = deflate ? new RawDeflate(DEFLATE_LEVEL) : null;
    let open = false;
    const conn = {
      onmessage: null,
      socket,
      socketSource: 'api',
      send(data) {
        const buf = typeof data === 'string' ? Buffer.from(data) : data;
        if (z) z.compress(buf, (packed) => out.message(packed));
        else out.message(buf);
      },
      close: () =>
        new Promise((res) => {
          if (socket.destroyed) return res();
          socket.once('close', () => res());
          out.flush();
          socket.end();
        }),
    };
    const deliver = z ? (payload) => z.decompress(payload, (plain) => conn.onmessage(plain, true)) : (payload) => conn.onmessage(payload, true);
    const parser = new LengthPrefixedParser((payload) => deliver(payload));
    socket.on('data', (chunk) => {
      parser.push(chunk);
      out.flush();
    });
    socket.on('close', () => z?.close());
    socket.on('error', (err) => {
      if (!open) reject(err);
      else fatal('client socket error', err);
    });
    socket.on('connect', () => {
      if (!hello) {
        open = true;
        return resolve(conn);
      }
      conn.onmessage = () => {
        conn.onmessage = null;
        open = true;
        resolve(conn);
      };
      out.message(HELLO);
    });
  });
}

// ---------------------------------------------------------------------------

const nowNs = () => process.hrtime.bigint();

function pageFaults() {
  const ru = process.resourceUsage();
  return ru.minorPageFault + ru.majorPageFault;
}

function cpuMicros(start) {
  const d = process.cpuUsage(start);
  return d.user + d.system;
}

/**
 * Keeps WINDOW messages in flight on an echo connection. Either `count`
 * messages, or until `untilMs` (performance.now()) is reached; always drains.
 */
function pipelineEcho(conn, payloadFor, expectedLength, { count, untilMs, verify }) {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let recv = 0;
    let stopped = false;
    const canSend = count !== undefined ? () => sent < count : () => !stopped;
    const t0 = nowNs();
    conn.onmessage = (data) => {
      const expected = expectedLength(recv);
      if (data?.length !== expected) {
        return reject(new Error(`echo reply ${recv}: got ${describe(data)}, expected ${expected} bytes`));
      }
      if (verify && recv < 2) {
        const sentPayload = payloadFor(recv);
        const want = typeof sentPayload === 'string' ? Buffer.from(sentPayload) : sentPayload;
        if (!Buffer.from(data).equals(want)) return reject(new Error(`echo reply ${recv}: content differs from what was sent`));
      }
      recv++;
      if (untilMs !== undefined && !stopped && performance.now() >= untilMs) stopped = true;
      if (canSend()) conn.send(payloadFor(sent++));
      else if (recv === sent) resolve({ count: recv, elapsedNs: Number(nowNs() - t0) });
    };
    for (let i = 0; i < WINDOW && canSend(); i++) conn.send(payloadFor(sent++));
  });
}

function describe(data) {
  if (data == null) return String(data);
  if (Buffer.isBuffer(data)) return `Buffer(${data.length})`;
  if (typeof data === 'string') return `string(${data.length})`;
  return `${data.constructor?.name}(${data.length ?? data.byteLength})`;
}

/** Upload: WINDOW unacknowledged messages at most; the server acks cumulatively every ACK_EVERY messages. */
const upload = { sent: 0, acked: 0 };
function pipelineUpload(conn, payload, { count, untilMs }) {
  return new Promise((resolve, reject) => {
    const s0 = upload.sent;
    let stopped = false;
    // stop only on an ack boundary so that the last message is acknowledged
    const canSend = count !== undefined ? () => upload.sent - s0 < count : () => !stopped || upload.sent % ACK_EVERY !== 0;
    const t0 = nowNs();
    const pump = () => {
      while (upload.sent - upload.acked < WINDOW && canSend()) {
        conn.send(payload);
        upload.sent++;
      }
    };
    conn.onmessage = (data) => {
      if (data?.length !== 4) return reject(new Error(`ack: got ${describe(data)}, expected 4 bytes`));
      const n = data.readUInt32BE(0);
      if (n !== upload.acked + ACK_EVERY) return reject(new Error(`ack ${n} after ${upload.acked}: acks must advance by ${ACK_EVERY}`));
      upload.acked = n;
      if (untilMs !== undefined && !stopped && performance.now() >= untilMs) stopped = true;
      pump();
      if (!canSend() && upload.acked === upload.sent) resolve({ count: upload.sent - s0, elapsedNs: Number(nowNs() - t0) });
    };
    pump();
  });
}

function percentile(sorted, q) {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

async function measured(fn) {
  process.send({ type: 'ready' });
  const go = await nextParentMessage();
  if (go.type !== 'go') throw new Error(`expected go, got ${go.type}`);
  stage('measure');
  const cpu0 = process.cpuUsage();
  const faults0 = pageFaults();
  const res = await fn();
  res.clientCpuUs = cpuMicros(cpu0);
  res.clientFaults = pageFaults() - faults0;
  process.send({ type: 'result', ...res });
}

// ---------------------------------------------------------------------------

const connect = await makeConnector();

switch (p.kind) {
  case 'latency': {
    stage('connect');
    const conn = await connect({ deflate: false });
    const payload = payloadOfSize(p.size);
    const rt = (n, samples) =>
      new Promise((resolve, reject) => {
        let i = 0;
        let t0;
        conn.onmessage = (data) => {
          const t1 = nowNs();
          if (data?.length !== p.size) return reject(new Error(`latency reply: got ${describe(data)}, expected ${p.size} bytes`));
          if (samples) samples[i] = Number(t1 - t0) / 1000;
          if (++i === n) return resolve();
          t0 = nowNs();
          conn.send(payload);
        };
        t0 = nowNs();
        conn.send(payload);
      });
    stage('warmup');
    await rt(p.warmup, null);
    await measured(async () => {
      const samples = new Float64Array(p.count);
      await rt(p.count, samples);
      const sorted = Array.from(samples).sort((a, b) => a - b);
      return {
        count: p.count,
        p50: percentile(sorted, 0.5),
        p99: percentile(sorted, 0.99),
        mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
        max: sorted.at(-1),
      };
    });
    break;
  }

  case 'echo':
  case 'deflate': {
    stage('connect');
    const deflate = p.kind === 'deflate';
    const conn = await connect({ deflate });
    let payloadFor;
    let expectedLength;
    if (deflate) {
      const pool = makeJsonPool(p.poolSize, p.size);
      payloadFor = (i) => pool[i % pool.length];
      expectedLength = () => p.size; // every document is exactly p.size UTF-8 bytes
    } else {
      const payload = payloadOfSize(p.size);
      payloadFor = () => payload;
      expectedLength = () => p.size;
    }
    stage('warmup');
    const warm = await pipelineEcho(conn, payloadFor, expectedLength, { untilMs: performance.now() + p.warmMs, verify: true });
    if (deflate && !conn.socket) throw new Error('no client socket to count wire bytes on');
    await measured(async () => {
      const r0 = conn.socket?.bytesRead ?? 0;
      const w0 = conn.socket?.bytesWritten ?? 0;
      // Time-bound, not a count from the warm-up rate: the warm-up runs slower (JIT, TCP windows
      // opening), so counts from it gave windows of a quarter of the time asked for.
      const r = await pipelineEcho(conn, payloadFor, expectedLength, { untilMs: performance.now() + p.measureMs });
      if (deflate) {
        r.wireUpPerMsg = (conn.socket.bytesWritten - w0) / r.count;
        r.wireDownPerMsg = (conn.socket.bytesRead - r0) / r.count;
        r.socketSource = conn.socketSource;
      }
      r.warmCount = warm.count;
      return r;
    });
    break;
  }

  case 'upload': {
    stage('connect');
    const conn = await connect({ deflate: false });
    const payload = payloadOfSize(p.size);
    stage('warmup');
    const warm = await pipelineUpload(conn, payload, { untilMs: performance.now() + p.warmMs });
    await measured(async () => {
      const r = await pipelineUpload(conn, payload, { untilMs: performance.now() + p.measureMs });
      r.warmCount = warm.count;
      return r;
    });
    break;
  }

  case 'handshake': {
    const cycle = async () => {
      const c = await connect({ deflate: false, hello: true });
      await c.close();
    };
    const run = async (total) => {
      let started = 0;
      const worker = async () => {
        while (started < total) {
          started++;
          await cycle();
        }
      };
      const t0 = nowNs();
      await Promise.all(Array.from({ length: Math.min(p.concurrency, total) }, worker));
      return { count: total, elapsedNs: Number(nowNs() - t0) };
    };
    stage('warmup');
    await run(p.warmup);
    await measured(() => run(p.total));
    break;
  }

  case 'idle': {
    const keep = [];
    const open = async (n) => {
      let started = 0;
      const worker = async () => {
        while (started < n) {
          started++;
          keep.push(await connect({ deflate: false, hello: true }));
        }
      };
      await Promise.all(Array.from({ length: Math.min(p.concurrency, n) }, worker));
    };
    if (p.warmup) {
      // open and close some connections first so the server's code paths and
      // lazily created state exist before the baseline is taken
      stage('warmup');
      await open(p.warmup);
      await Promise.all(keep.splice(0).map((c) => c.close()));
    }
    await measured(async () => {
      const t0 = nowNs();
      await open(p.count);
      return { count: keep.length, elapsedNs: Number(nowNs() - t0) };
    });
    // keep the connections open until the parent has measured and says exit
    await new Promise(() => {});
    break;
  }

  default:
    throw new Error(`unknown kind ${p.kind}`);
}
