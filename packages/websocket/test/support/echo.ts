/** An echo server on 127.0.0.1, port 0, for suites that talk to one shared server. */
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocketServerOptions } from '../../src/index.js';

/** Starts a server that echoes text as text and binary as binary; resolves once it listens. */
export async function startEchoServer(options: Omit<WebSocketServerOptions, 'port' | 'server' | 'noServer'> = {}): Promise<{ server: WebSocketServer; port: number }> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1', ...options });
  server.on('connection', (socket) => {
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.on('listening', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}
