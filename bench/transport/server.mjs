// Benchmark server process. Forked by run.mjs with one JSON argument:
//   { transport: 'junction' | 'ws' | 'raw', mode: 'echo' | 'ack', deflate: boolean }
// Sends { type: 'listening', port } over IPC, then answers IPC requests:
//   { type: 'cpu' }  -> { type: 'cpu', cpu: process.cpuUsage(), faults (page faults so far), connections }
//   { type: 'mem' }  -> { type: 'mem', mem: process.memoryUsage(), connections } (after gc when --expose-gc)
//   { type: 'exit' } -> exits
//
// Modes (identical logic for every transport):
//   echo: every message is sent back unchanged (binary stays binary, text stays text).
//   ack:  nothing is echoed; after every ACK_EVERY-th message of a connection the
//         server sends one 4-byte big-endian binary message holding the number of
//         messages received so far on that connection (cumulative ack). This makes
//         the upload case one-directional: the return path carries 4 bytes per
//         ACK_EVERY messages.

import net from 'node:net';
import v8 from 'node:v8';
import { ACK_EVERY, BatchWriter, DEFLATE_LEVEL, DEFLATE_OPTIONS, HOST, LengthPrefixedParser, MAX_PAYLOAD, RawDeflate, loadWsLike, fatal, reportCrashesToParent } from './common.mjs';

const cfg = JSON.parse(process.argv[2]);
let connections = 0;

function ackMessage(n) {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

async function startWsLike() {
  const { WebSocketServer } = await loadWsLike(cfg.transport);
  const wss = new WebSocketServer({
    port: 0,
    host: HOST,
    perMessageDeflate: cfg.deflate ? DEFLATE_OPTIONS[cfg.transport] : false,
    maxPayload: MAX_PAYLOAD,
  });
  wss.on('error', (err) => fatal('server error', err));
  wss.on('connection', (socket) => {
    connections++;
    socket.on('error', () => {}); // a client being killed is not a server failure
    socket.on('close', () => connections--);
    if (cfg.mode === 'ack') {
      let n = 0;
      socket.on('message', () => {
        if (++n % ACK_EVERY === 0) socket.send(ackMessage(n), { binary: true });
      });
    } else {
      socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
    }
  });
  await new Promise((resolve) => wss.on('listening', resolve));
  return wss.address().port;
}

async function startRaw() {
  const server = net.createServer({ noDelay: true }, (socket) => {
    connections++;
    socket.setNoDelay(true);
    socket.on('error', () => {});
    socket.on('close', () => connections--);
    const out = new BatchWriter(socket);
    let onMessage;
    if (cfg.mode === 'ack') {
      let n = 0;
      onMessage = () => {
        if (++n % ACK_EVERY === 0) out.message(ackMessage(n));
      };
      // ack mode is never combined with deflate; a compressed upload would also inflate here.
    } else if (cfg.deflate) {
      const z = new RawDeflate(DEFLATE_LEVEL);
      socket.on('close', () => z.close());
      onMessage = (payload) => z.decompress(payload, (plain) => z.compress(plain, (packed) => out.message(packed)));
    } else {
      onMessage = (payload) => out.message(payload);
    }
    const parser = new LengthPrefixedParser(onMessage);
    socket.on('data', (chunk) => {
      parser.push(chunk);
      out.flush(); // everything produced by this chunk leaves in one write
    });
  });
  server.on('error', (err) => fatal('server error', err));
  await new Promise((resolve) => server.listen(0, HOST, resolve));
  return server.address().port;
}


reportCrashesToParent();

process.on('message', (msg) => {
  if (msg.type === 'cpu') {
    const ru = process.resourceUsage();
    process.send({ type: 'cpu', cpu: process.cpuUsage(), faults: ru.minorPageFault + ru.majorPageFault, connections });
  } else if (msg.type === 'mem') {
    const collect = () => {
      if (globalThis.gc) {
        globalThis.gc();
        globalThis.gc();
      }
    };
    collect();
    setTimeout(() => {
      collect();
      setTimeout(() => {
        collect();
        process.send({ type: 'mem', mem: process.memoryUsage(), spaces: v8.getHeapSpaceStatistics().map((x) => [x.space_name, x.space_size, x.space_used_size]), connections });
      }, 100);
    }, 100);
  } else if (msg.type === 'exit') {
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));

const port = cfg.transport === 'raw' ? await startRaw() : await startWsLike();
process.send({ type: 'listening', port });
