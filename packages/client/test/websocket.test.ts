/**
 * Our client over real sockets (127.0.0.1, port 0) against a tiny test-only WAMP responder: both
 * transports (the Node one over @junction/websocket, the browser one driven by
 * @junction/websocket's WHATWG-compatible class), all three serializers, subprotocol negotiation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from '@junction/websocket';
import { connect as connectBrowser, type Client, type WebSocketConstructor } from '../src/index.js';
import { connect as connectNode } from '../src/node.js';
import { startResponder, type Responder } from './support/responder.js';

let responder: Responder;
const clients: Client[] = [];

beforeAll(async () => {
  responder = await startResponder();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await responder.close();
});

const NodeWebSocketAsBrowser = WebSocket as unknown as WebSocketConstructor;

type Entry = 'node' | 'browser';

async function open(entry: Entry, serializers?: ('json' | 'msgpack' | 'cbor')[], url = responder.url, extra: Record<string, unknown> = {}): Promise<Client> {
  const options = { url, realm: 'realm1', reconnect: { initialDelay: 5, maxDelay: 20 }, ...(serializers ? { serializers } : {}), ...extra };
  const client = entry === 'node' ? await connectNode(options) : await connectBrowser({ ...options, webSocket: NodeWebSocketAsBrowser });
  clients.push(client);
  return client;
}

describe.each(['node', 'browser'] as const)('%s transport', (entry) => {
  it.each(['json', 'msgpack', 'cbor'] as const)('negotiates %s and calls, with args, kwargs, errors and progress', async (name) => {
    const client = await open(entry, [name]);
    expect(client.serializer).toBe(name);
    expect(responder.accepted.at(-1)).toBe(name);
    await expect(client.call('com.add', [2, 3])).resolves.toMatchObject({ args: [5] });
    const big = 2 ** 53 - 1;
    const bytes = new Uint8Array([0, 1, 2, 255]);
    const echoed = await client.call('com.echo', ['text', big, -big, 1.5, null, bytes], { nested: { list: [1, 'two'] } });
    expect(echoed.args.slice(0, 5)).toEqual(['text', big, -big, 1.5, null]);
    expect(new Uint8Array(echoed.args[5] as Uint8Array)).toEqual(bytes);
    expect(echoed.kwargs).toEqual({ nested: { list: [1, 'two'] } });
    await expect(client.call('com.fail')).rejects.toMatchObject({ uri: 'com.example.failed', args: ['it failed'], kwargs: { code: 42 } });
    const progress: unknown[] = [];
    await expect(client.call('com.progress', [3], undefined, { onProgress: (r) => progress.push(r.args[0]) })).resolves.toMatchObject({ args: ['done'] });
    expect(progress).toEqual([1, 2, 3]);
    await client.close();
  });

  it('serves a registered procedure and receives events from another client', async () => {
    const callee = await open(entry, ['json']);
    const caller = await open(entry, ['cbor']);
    await callee.register(`com.mul.${entry}`, (args, kwargs, ctx) => (args[0] as number) * (kwargs.by as number) + (ctx.caller === caller.sessionId ? 0 : 1000));
    await expect(caller.call(`com.mul.${entry}`, [6], { by: 7 })).resolves.toMatchObject({ args: [42] });
    const received: unknown[] = [];
    const got = new Promise<void>((resolve) => {
      void callee.subscribe(`com.news.${entry}`, (args) => {
        received.push(args[0]);
        resolve();
      });
    });
    await new Promise((r) => setTimeout(r, 20));
    await caller.publish(`com.news.${entry}`, ['hello'], undefined, { acknowledge: true });
    await got;
    expect(received).toEqual(['hello']);
  });
});

describe('negotiation and connection handling', () => {
  it('offers every serializer by default and takes the one the server prefers', async () => {
    const jsonOnly = await startResponder(['json']);
    try {
      const client = await open('node', undefined, jsonOnly.url);
      expect(client.serializer).toBe('json');
      await client.close();
      const full = await open('node');
      expect(full.serializer).toBe('msgpack'); // first in @junction/wamp's order, which the responder mounts in
      await full.close();
    } finally {
      await jsonOnly.close();
    }
  });

  it('fails the first connection clearly when the server speaks none of our serializers', async () => {
    const jsonOnly = await startResponder(['json']);
    try {
      await expect(connectNode({ url: jsonOnly.url, realm: 'realm1', serializers: ['cbor'], reconnect: false })).rejects.toThrow(/failed|handshake|400/i);
      await expect(connectBrowser({ url: jsonOnly.url, realm: 'realm1', serializers: ['cbor'], reconnect: false, webSocket: NodeWebSocketAsBrowser })).rejects.toThrow(/failed/);
    } finally {
      await jsonOnly.close();
    }
  });

  it('refuses a server that accepts the WebSocket without choosing a WAMP subprotocol', async () => {
    const plain = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    plain.on('connection', (socket) => socket.on('error', () => {}));
    await new Promise<void>((resolve) => plain.on('listening', () => resolve()));
    const url = `ws://127.0.0.1:${(plain.address() as AddressInfo).port}/`;
    try {
      await expect(connectNode({ url, realm: 'realm1', reconnect: false })).rejects.toThrow('chose no WAMP subprotocol');
      await expect(connectBrowser({ url, realm: 'realm1', reconnect: false, webSocket: NodeWebSocketAsBrowser })).rejects.toThrow('chose no WAMP subprotocol');
    } finally {
      await plain.close();
    }
  });

  it('tries `urls` in turn: a dead first URL, then the live one', async () => {
    const dead = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((resolve) => dead.on('listening', () => resolve()));
    const deadUrl = `ws://127.0.0.1:${(dead.address() as AddressInfo).port}/ws`;
    await dead.close();
    const client = await connectNode({ urls: [deadUrl, responder.url], realm: 'realm1', reconnect: { initialDelay: 1, maxRetries: 3 } });
    clients.push(client);
    expect(client.isOpen).toBe(true);
    await expect(client.call('com.add', [1, 2])).resolves.toMatchObject({ args: [3] });
  });

  it('reconnects to the same URL after the connection drops and restores its registration', async () => {
    const callee = await open('node', ['msgpack']);
    await callee.register('com.restored', () => 'back');
    const caller = await open('node', ['json']);
    const reopened = new Promise((resolve) => callee.once('open', resolve));
    const before = callee.sessionId;
    for (const peer of responder.peers) if (peer.session === before) peer.socket.terminate();
    await reopened;
    expect(callee.sessionId).not.toBe(before);
    await expect(caller.call('com.restored')).resolves.toMatchObject({ args: ['back'] });
  });

  it('messages produced in one tick reach the server in one TCP write', async () => {
    const client = await open('node', ['msgpack']);
    const peer = [...responder.peers].find((p) => p.session === client.sessionId)!;
    await client.call('com.add', [1, 1]);
    const readsBefore = peer.reads;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => client.call('com.add', [i, 1])));
    expect(results.map((r) => r.args[0])).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(peer.reads - readsBefore).toBe(1);
  });
});
