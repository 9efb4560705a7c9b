// The broker through the real router over real sockets: raw WAMP clients (ws + our serializers)
// on 127.0.0.1, one subscriber per serializer on one shared subscription.
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { serializerByName } from '@junction/wamp';
import type { SerializerName, WampMessage } from '@junction/wamp';
import { Router } from '../src/router.js';

interface RawClient {
  sessionId: number;
  send(message: unknown[]): void;
  /** The next received message that `match` accepts (earlier non-matching ones are skipped). */
  next(match: (message: WampMessage) => boolean): Promise<WampMessage>;
  close(): void;
}

async function connect(url: string, name: SerializerName): Promise<RawClient> {
  const serializer = serializerByName(name)!;
  const socket = new WebSocket(url, [serializer.protocol]);
  const inbox: WampMessage[] = [];
  const waiters: { match: (m: WampMessage) => boolean; resolve: (m: WampMessage) => void }[] = [];
  socket.on('message', (data: Buffer, isBinary: boolean) => {
    const message = serializer.decode(isBinary ? new Uint8Array(data) : data.toString('utf8')) as WampMessage;
    const index = waiters.findIndex((w) => w.match(message));
    if (index >= 0) waiters.splice(index, 1)[0]!.resolve(message);
    else inbox.push(message);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const client: RawClient = {
    sessionId: 0,
    send(message) {
      const bytes = serializer.encode(message);
      socket.send(serializer.binary ? bytes : Buffer.from(bytes).toString('utf8'));
    },
    next(match) {
      const index = inbox.findIndex(match);
      if (index >= 0) return Promise.resolve(inbox.splice(index, 1)[0]!);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    close() {
      socket.close();
    },
  };
  client.send([1, 'realm1', { roles: { subscriber: { features: { pattern_based_subscription: true } }, publisher: {}, caller: {} } }]);
  const welcome = await client.next((m) => m[0] === 2 || m[0] === 3);
  expect(welcome[0]).toBe(2);
  client.sessionId = welcome[1] as number;
  return client;
}

const type = (code: number, request?: number) => (m: WampMessage) => m[0] === code && (request === undefined || m[1] === request);

describe('Broker over real sockets', () => {
  let router: Router | undefined;
  const clients: RawClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await router?.close();
    router = undefined;
  });

  async function start(): Promise<string> {
    router = new Router({ realms: [{ name: 'realm1' }], log: () => {} });
    const { url } = await router.listen({ port: 0, host: '127.0.0.1' });
    return url;
  }

  it('delivers one publication to JSON, MessagePack and CBOR subscribers of one prefix subscription', async () => {
    const url = await start();
    const subscribers = await Promise.all((['json', 'msgpack', 'cbor'] as const).map((s) => connect(url, s)));
    const publisher = await connect(url, 'json');
    clients.push(...subscribers, publisher);
    const ids: number[] = [];
    for (const s of subscribers) {
      s.send([32, 1, { match: 'prefix' }, 'com.sock']);
      ids.push((await s.next(type(33, 1)))[2] as number);
    }
    expect(new Set(ids).size).toBe(1);

    publisher.send([16, 7, { acknowledge: true, disclose_me: true }, 'com.sock.temp', [21.5, 'x', 2 ** 53], { big: 2 ** 40 }]);
    const published = await publisher.next(type(17, 7));
    for (const s of subscribers) {
      const event = await s.next(type(36));
      expect(event).toEqual([36, ids[0], published[2], {
        topic: 'com.sock.temp', publisher: publisher.sessionId, publisher_authid: expect.any(String), publisher_authrole: expect.any(String),
      }, [21.5, 'x', 2 ** 53], { big: 2 ** 40 }]);
    }
  });

  it('encodes an event once per serializer, however many subscribers use it', async () => {
    const url = await start();
    const subscribers = await Promise.all([connect(url, 'json'), connect(url, 'json'), connect(url, 'json'), connect(url, 'msgpack'), connect(url, 'msgpack')]);
    const publisher = await connect(url, 'cbor');
    clients.push(...subscribers, publisher);
    for (const s of subscribers) {
      s.send([32, 1, {}, 'com.fan']);
      await s.next(type(33, 1));
    }
    const json = vi.spyOn(serializerByName('json')!, 'encode');
    const msgpack = vi.spyOn(serializerByName('msgpack')!, 'encode');
    try {
      publisher.send([16, 2, { acknowledge: true }, 'com.fan', ['hello']]);
      await publisher.next(type(17, 2));
      for (const s of subscribers) expect((await s.next(type(36)))[4]).toEqual(['hello']);
      const events = (spy: typeof json) => spy.mock.calls.filter(([m]) => m[0] === 36).length;
      expect(events(json)).toBe(1);
      expect(events(msgpack)).toBe(1);
    } finally {
      json.mockRestore();
      msgpack.mockRestore();
    }
  });

  it('answers errors, retains events and serves the subscription meta API', async () => {
    const url = await start();
    const a = await connect(url, 'msgpack');
    const b = await connect(url, 'json');
    clients.push(a, b);

    a.send([32, 1, { match: 'fuzzy' }, 'x.y']);
    expect((await a.next(type(8)))).toEqual([8, 32, 1, {}, 'wamp.error.invalid_argument', [expect.any(String)]]);
    a.send([34, 2, 99]);
    expect((await a.next(type(8))).slice(0, 5)).toEqual([8, 34, 2, {}, 'wamp.error.no_such_subscription']);
    b.send([16, 3, { acknowledge: true }, 'bad..topic']);
    expect((await b.next(type(8))).slice(0, 5)).toEqual([8, 16, 3, {}, 'wamp.error.invalid_uri']);

    b.send([16, 4, { acknowledge: true, retain: true }, 'state.door', ['open']]);
    await b.next(type(17, 4));
    a.send([32, 5, { get_retained: true }, 'state.door']);
    const subscription = (await a.next(type(33, 5)))[2] as number;
    const retained = await a.next(type(36));
    expect(retained.slice(1)).toEqual([subscription, expect.any(Number), { retained: true }, ['open']]);

    b.send([48, 6, {}, 'wamp.subscription.count_subscribers', [subscription]]);
    expect(await b.next(type(50, 6))).toEqual([50, 6, {}, [1]]);
    b.send([48, 7, {}, 'wamp.subscription.get', [424242]]);
    expect((await b.next(type(8))).slice(0, 5)).toEqual([8, 48, 7, {}, 'wamp.error.no_such_subscription']);

    // A leaving subscriber's subscription is deleted (the meta API sees it go).
    b.send([32, 8, {}, 'wamp.subscription.on_delete']);
    await b.next(type(33, 8));
    a.close();
    const onDelete = await b.next(type(36));
    expect(onDelete[4]).toEqual([a.sessionId, subscription]);
    b.send([48, 9, {}, 'wamp.subscription.lookup', ['state.door']]);
    expect(await b.next(type(50, 9))).toEqual([50, 9, {}, [null]]);
  });
});
