// Baseline: `ws` 8 server and client with hand-written JSON messages,
//   request {"id":1,"method":"add","params":[a,b]} -> reply {"id":1,"result":a+b}
// One text frame per message, no batching, a Map of pending calls. This is what an
// application writes when it uses no RPC library at all.

import { WebSocket, WebSocketServer } from 'ws';
import { HOST } from '../common.mjs';

const methods = { add: (a, b) => a + b };

export async function serve() {
  const wss = new WebSocketServer({ host: HOST, port: 0, perMessageDeflate: false });
  wss.on('connection', (socket) => {
    socket.on('error', () => {});
    socket.on('message', (data) => {
      const req = JSON.parse(data.toString());
      const fn = methods[req.method];
      const reply = fn ? { id: req.id, result: fn(...req.params) } : { id: req.id, error: `no method ${req.method}` };
      socket.send(JSON.stringify(reply));
    });
  });
  await new Promise((resolve) => wss.once('listening', resolve));
  return { port: wss.address().port };
}

export async function connect(port) {
  const ws = new WebSocket(`ws://${HOST}:${port}/`, { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const pending = new Map();
  let nextId = 1;
  ws.on('message', (data) => {
    const reply = JSON.parse(data.toString());
    const p = pending.get(reply.id);
    pending.delete(reply.id);
    if (reply.error !== undefined) p.reject(new Error(reply.error));
    else p.resolve(reply.result);
  });
  return {
    call(a, b) {
      const id = nextId++;
      ws.send(JSON.stringify({ id, method: 'add', params: [a, b] }));
      return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
    },
    close: () =>
      new Promise((resolve) => {
        ws.once('close', resolve);
        ws.close();
      }),
  };
}
