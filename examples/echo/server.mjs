// A WebSocket echo server with a subprotocol and a heartbeat.
// Run: node examples/echo/server.mjs [port]   (after `npm install`, which builds the packages)
import { WebSocketServer } from '@junction/websocket';

const server = new WebSocketServer({
  port: Number(process.argv[2] ?? 8080),
  host: '127.0.0.1',
  protocols: ['echo.v1'],
  heartbeat: { interval: 30_000 },
});

server.on('connection', (socket, request) => {
  console.log(`connected: ${request.socket.remoteAddress}, protocol "${socket.protocol}", extensions "${socket.extensions}"`);
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  socket.on('close', (code, reason) => console.log(`closed: ${code} ${reason}`));
});
server.on('listening', () => console.log(`listening on ws://127.0.0.1:${server.address().port}/`));
process.on('SIGINT', () => server.close().then(() => process.exit(0)));
