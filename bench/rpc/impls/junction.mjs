// Junction: @junction/router with @junction/client callers. `options.serializer` picks the one
// subprotocol the client offers (json, msgpack, cbor). add(a, b) is registered by an embedded
// session inside the router process (like the handler of every other server here), or, with
// `options.remoteCallee`, by a @junction/client in a process of its own (callee.mjs), which adds
// the router's second hop.
//
// The realm raises maxMessagesPerSecond: the default (10,000 per session) would refuse calls of
// the one caller connection past that rate, and this benchmark measures the router, not its limiter.

import { HOST, PROCEDURE, REALM, TOPIC } from '../common.mjs';
import { loadJunction } from './junction-modules.mjs';

const { router: routerPackage, client: clientPackage } = await loadJunction();
const { Router } = routerPackage;
const connectClient = clientPackage.connect;

export const BENCH_LIMITS = { maxMessagesPerSecond: 1e9 };

const add = (args) => args[0] + args[1];

async function listen() {
  const router = new Router({
    realms: [{ name: REALM, limits: BENCH_LIMITS }],
    log: (level, message, detail) => {
      if (level === 'error') console.error(message, detail ?? '');
    },
  });
  const { port } = await router.listen({ port: 0, host: HOST, path: '/ws' });
  return { router, port };
}

export async function serve({ remoteCallee }) {
  const { router, port } = await listen();
  if (!remoteCallee) {
    const session = await router.realm(REALM).session({ authid: 'bench', authrole: 'trusted' });
    await session.register(PROCEDURE, add);
  }
  return { port };
}

function open(port, serializer) {
  return connectClient({ url: `ws://${HOST}:${port}/ws`, realm: REALM, serializers: [serializer], reconnect: false });
}

export async function callee(port, { serializer }) {
  const client = await open(port, serializer);
  await client.register(PROCEDURE, add);
}

export async function connect(port, { serializer }) {
  const client = await open(port, serializer);
  return {
    call: async (a, b) => (await client.call(PROCEDURE, [a, b])).args[0],
    close: () => client.close(),
  };
}

export async function serveFanout() {
  const { port } = await listen();
  return { port };
}

export async function subscribe(port, { serializer }, onEvent) {
  const client = await open(port, serializer);
  await client.subscribe(TOPIC, (args) => onEvent(args[0], args[1]));
  return { close: () => client.close() };
}

export async function publisher(port, { serializer }) {
  const client = await open(port, serializer);
  return {
    // not acknowledged: fire and forget, like socket.io's emit
    publish: (seq, ts) => void client.publish(TOPIC, [seq, ts]),
    close: () => client.close(),
  };
}
