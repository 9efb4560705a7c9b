// Server process for the deflate RSS benchmark: an echo server (ours or ws) that reports its
// memory on request over IPC. Run with --expose-gc so reports are taken after a full GC.
const impl = process.argv[2];
let server;
if (impl === 'junction') {
  const { WebSocketServer } = await import('../../packages/websocket/dist/index.js');
  server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: { level: 1, threshold: 0 } });
} else {
  const { WebSocketServer } = await import('ws');
  server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: { zlibDeflateOptions: { level: 1 }, threshold: 0 } });
}
server.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  socket.on('error', () => {});
});
server.on('listening', () => process.send({ type: 'port', port: server.address().port }));
process.on('message', async (msg) => {
  if (msg.type === 'memory') {
    for (let i = 0; i < 3; i++) {
      global.gc?.();
      await new Promise((r) => setTimeout(r, 50));
    }
    const m = process.memoryUsage();
    process.send({ type: 'memory', rss: m.rss, heapUsed: m.heapUsed, external: m.external, clients: server.clients.size });
  } else if (msg.type === 'exit') {
    process.exit(0);
  }
});
