/**
 * `junction router` with a `cluster` section: two router processes joined by a real nats-server
 * (JetStream on, store in a scratch directory). An event published on one reaches a subscriber
 * on the other; a procedure registered on one is callable through the other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { connect, type Client } from '@junction/client';
import { run, scratch, start, startRouter, type RouterProcess } from './cli-support.js';

const NATS_SERVER = '/usr/sbin/nats-server';
const files = scratch();
let nats: ChildProcess | undefined;
const routers: RouterProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nats-server did not listen on ${port}`);
}

beforeAll(async () => {
  if (!existsSync(NATS_SERVER)) throw new Error(`${NATS_SERVER} is missing (Debian package nats-server)`);
  const port = await freePort();
  nats = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', path.join(files.dir, 'jetstream')], { stdio: 'ignore' });
  await waitForPort(port);
  const config = files.write('junction.config.json', {
    listeners: [{ port: 0 }],
    realms: [{ name: 'realm1' }],
    cluster: { nats: { servers: [`nats://127.0.0.1:${port}`] }, heartbeatInterval: 250, nodeTimeout: 1000, prefix: 'clitest' },
  });
  // The same file for both nodes; each gets a random node ID.
  for (let i = 0; i < 2; i++) {
    const router = await startRouter(['--config', config]);
    routers.push(router);
    await router.waitFor(/cluster node \S+: connected/, 'err');
  }
});

afterAll(async () => {
  for (const router of routers) {
    const end = await router.stop('SIGTERM');
    expect(end.code).toBe(0);
  }
  nats?.kill('SIGTERM');
  files.remove();
});

describe('junction router with a cluster config', () => {
  it('events and calls cross the nodes', async () => {
    const [a, b] = routers as [RouterProcess, RouterProcess];
    const subscriber = start(['subscribe', 'com.example.news', '--count', '1', '--url', a.url]);
    await subscriber.waitFor(/subscribed to/, 'err');
    let callee: Client | undefined;
    try {
      // Subscriptions need no directory; a short retry covers the other node's start-up.
      for (let i = 0; i < 20 && subscriber.out() === ''; i++) {
        expect((await run(['publish', 'com.example.news', '["across"]', '--url', b.url, '-q'])).code).toBe(0);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await subscriber.exited).out).toBe('"across"\n');

      callee = await connect({ url: a.url, realm: 'realm1', reconnect: false });
      await callee.register('com.example.where', () => 'node a');
      let answer = await run(['call', 'com.example.where', '--url', b.url, '-q']);
      for (let i = 0; i < 20 && answer.code !== 0; i++) {
        await new Promise((r) => setTimeout(r, 100)); // the directory is eventually consistent
        answer = await run(['call', 'com.example.where', '--url', b.url, '-q']);
      }
      expect(answer).toMatchObject({ code: 0, out: '"node a"\n' });
    } finally {
      await subscriber.stop();
      await callee?.close();
    }
  });
});
