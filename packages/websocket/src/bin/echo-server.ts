#!/usr/bin/env node
/**
 * Echo server for conformance tools and interop tests: echoes every message on every path,
 * text as text and binary as binary. Usage: echo-server --port N [--host H] [--no-deflate] [--max-payload BYTES]
 */
import { WebSocketServer } from '../index.js';

function parseArgs(argv: string[]): { port: number; host: string; deflate: boolean; maxPayload: number } {
  const args = { port: 9001, host: '127.0.0.1', deflate: true, maxPayload: 64 * 1024 * 1024 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = (): string => {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value`);
      return value;
    };
    if (arg === '--port') args.port = Number(next());
    else if (arg === '--host') args.host = next();
    else if (arg === '--no-deflate') args.deflate = false;
    else if (arg === '--max-payload') args.maxPayload = Number(next());
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write('Usage: echo-server --port N [--host 127.0.0.1] [--no-deflate] [--max-payload BYTES]\n');
      process.exit(0);
    } else throw new Error(`Unknown argument: ${arg}`);
  }
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) throw new Error('--port must be 0-65535');
  if (!(args.maxPayload > 0)) throw new Error('--max-payload must be positive');
  return args;
}

let args;
try {
  args = parseArgs(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`echo-server: ${(err as Error).message}\n`);
  process.exit(2);
}

const server = new WebSocketServer({
  port: args.port,
  host: args.host,
  perMessageDeflate: args.deflate ? { threshold: 0 } : false,
  maxPayload: args.maxPayload,
  maxBufferedAmount: Infinity,
});
server.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  socket.on('error', () => {
    // The close that follows says enough; an echo server has nobody to tell.
  });
});
server.on('listening', () => {
  const address = server.address();
  process.stdout.write(`echo server listening on ws://${args.host}:${address?.port}/ (permessage-deflate ${args.deflate ? 'on' : 'off'})\n`);
});
server.on('error', (err) => {
  process.stderr.write(`echo-server: ${err.message}\n`);
  process.exit(1);
});
const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
