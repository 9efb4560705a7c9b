// socket.io 4: `socket.emitWithAck('add', a, b)` answered by an ack callback, and for the
// fan-out case a room broadcast (`io.to(room).emit`). Both sides use the WebSocket transport
// only (no HTTP long-polling upgrade dance) and socket.io's default parser (JSON text frames).

import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { io } from 'socket.io-client';
import { HOST } from '../common.mjs';

const ROOM = 'subscribers';

async function listen(setup) {
  const http = createServer();
  const server = new Server(http, { transports: ['websocket'], serveClient: false, perMessageDeflate: false, maxHttpBufferSize: 1e6 });
  server.on('connection', setup(server));
  await new Promise((resolve) => http.listen(0, HOST, resolve));
  return { port: http.address().port };
}

function open(port) {
  const socket = io(`http://${HOST}:${port}`, { transports: ['websocket'], reconnection: false, forceNew: true, perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

const closeSocket = (socket) =>
  new Promise((resolve) => {
    if (!socket.connected) return resolve();
    socket.once('disconnect', () => resolve());
    socket.disconnect();
  });

export function serve() {
  return listen(() => (socket) => {
    socket.on('add', (a, b, ack) => ack(a + b));
  });
}

export async function connect(port) {
  const socket = await open(port);
  return {
    call: (a, b) => socket.emitWithAck('add', a, b),
    close: () => closeSocket(socket),
  };
}

// fan-out: subscribers join the room on connect (a query flag tells them from the publisher)
export function serveFanout() {
  return listen((server) => (socket) => {
    if (socket.handshake.query.role === 'subscriber') socket.join(ROOM);
    else socket.on('pub', (seq, ts) => server.to(ROOM).emit('ev', seq, ts));
  });
}

export async function subscribe(port, _options, onEvent) {
  const socket = io(`http://${HOST}:${port}`, { transports: ['websocket'], reconnection: false, forceNew: true, query: { role: 'subscriber' } });
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  socket.on('ev', onEvent);
  // the server joins the room in its connection handler, before any event of ours can be sent
  return { close: () => closeSocket(socket) };
}

export async function publisher(port) {
  const socket = await open(port);
  return {
    publish: (seq, ts) => socket.emit('pub', seq, ts),
    close: () => closeSocket(socket),
  };
}
