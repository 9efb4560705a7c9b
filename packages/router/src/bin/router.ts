#!/usr/bin/env node
/**
 * The development router: `npm run router -- --port N [--host H]`. Realm `realm1`, open to
 * anonymous clients (every action allowed), every serializer, at ws://HOST:PORT/ws. Default
 * limits, except the request rate: a million a second, so local load tests measure the router,
 * not the limit.
 */
import { Router } from '../router.js';

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: router [--port N] [--host HOST]   (defaults: --port 8080 --host 127.0.0.1)\n`);
  process.exit(2);
}

let port = 8080;
let host = '127.0.0.1';
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i]!;
  const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
  const value = (): string => inline ?? argv[++i] ?? usage(`${name} needs a value`);
  if (name === '--port' || name === '-p') {
    const text = value();
    port = Number(text);
    if (!Number.isInteger(port) || port < 0 || port > 65535) usage(`invalid port: ${text}`);
  } else if (name === '--host') {
    host = value();
  } else if (name === '--help' || name === '-h') {
    usage('Junction development router');
  } else {
    usage(`unknown option: ${arg}`);
  }
}

const router = new Router({ realms: [{ name: 'realm1' }], limits: { maxMessagesPerSecond: 1_000_000 } });
try {
  const { url } = await router.listen({ port, host, path: '/ws' });
  process.stdout.write(`Router listening on ${url}\n`);
} catch (err) {
  process.stderr.write(`router: cannot listen on ${host}:${port}: ${(err as Error).message}\n`);
  process.exit(1);
}

let stopping = false;
const stop = (): void => {
  if (stopping) process.exit(1); // a second signal: stop now
  stopping = true;
  router.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
