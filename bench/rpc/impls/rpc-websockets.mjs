// rpc-websockets 10: JSON-RPC 2.0 over `ws`; server.register('add', ...) and client.call('add', [a, b]).

import { Client, Server } from 'rpc-websockets';
import { HOST } from '../common.mjs';

export async function serve() {
  const server = new Server({ host: HOST, port: 0 });
  server.register('add', ([a, b]) => a + b);
  await new Promise((resolve) => server.once('listening', resolve));
  return { port: server.wss.address().port };
}

export async function connect(port) {
  const client = new Client(`ws://${HOST}:${port}/`, { autoconnect: true, reconnect: false });
  await new Promise((resolve, reject) => {
    client.once('open', resolve);
    client.once('error', reject);
  });
  return {
    call: (a, b) => client.call('add', [a, b]),
    close: () =>
      new Promise((resolve) => {
        client.once('close', () => resolve());
        client.close();
      }),
  };
}
