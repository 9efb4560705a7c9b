// tRPC 11 over WebSocket: a `ws` server with applyWSSHandler, the client with createWSClient +
// wsLink and `client.add.query({ a, b })`. Default encoder (JSON), no transformer.
// wsLink sends the requests queued in the same tick as one batch, after `await sleep(0)`, i.e. a
// setTimeout(0) (>= 1 ms in Node) per flush: this is tRPC's latency floor for one call at a time.

import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import { initTRPC } from '@trpc/server';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { WebSocket, WebSocketServer } from 'ws';
import { HOST } from '../common.mjs';

const t = initTRPC.create();
const appRouter = t.router({
  add: t.procedure.input((v) => v).query(({ input }) => input.a + input.b),
});

export async function serve() {
  const wss = new WebSocketServer({ host: HOST, port: 0, perMessageDeflate: false });
  applyWSSHandler({ wss, router: appRouter });
  await new Promise((resolve) => wss.once('listening', resolve));
  return { port: wss.address().port };
}

export async function connect(port) {
  let opened;
  const ready = new Promise((resolve) => (opened = resolve));
  const wsClient = createWSClient({ url: `ws://${HOST}:${port}/`, WebSocket, onOpen: () => opened(), retryDelayMs: () => 1e9 });
  const client = createTRPCClient({ links: [wsLink({ client: wsClient })] });
  await ready;
  return {
    call: (a, b) => client.add.query({ a, b }),
    close: async () => wsClient.close(),
  };
}
