// An event is encoded once per serializer, not once per subscriber (the broker's shared cache,
// used by the WebSocket transport); the bytes on the wire decode to the same event for everyone.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cborSerializer, jsonSerializer, msgpackSerializer } from '@junction/wamp';
import { RawPeer, isType, startRouter } from './support/raw-peer.js';

describe('event encoding', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await stop?.();
    stop = undefined;
  });

  it('encodes one EVENT once per serializer for many subscribers', async () => {
    const ctx = await startRouter();
    stop = ctx.stop;
    const subscribers: RawPeer[] = [];
    for (const name of ['json', 'json', 'json', 'msgpack', 'msgpack', 'cbor'] as const) {
      const peer = await RawPeer.join(ctx.url, 'realm1', name);
      ctx.peers.push(peer);
      expect((await peer.subscribe('com.fanout'))[0]).toBe(33);
      subscribers.push(peer);
    }
    const publisher = await RawPeer.join(ctx.url, 'realm1', 'json');
    ctx.peers.push(publisher);
    const encoders = [jsonSerializer, msgpackSerializer, cborSerializer].map((s) => vi.spyOn(s, 'encode'));
    publisher.send([16, publisher.nextId(), {}, 'com.fanout', [{ n: 2 ** 40 }], { k: 'v' }]);
    const events = await Promise.all(subscribers.map((s) => s.next(isType(36))));
    for (const event of events) expect(event.slice(3)).toEqual([{}, [{ n: 2 ** 40 }], { k: 'v' }]);
    const eventEncodes = encoders.map((spy) => spy.mock.calls.filter(([m]) => m[0] === 36).length);
    expect(eventEncodes).toEqual([1, 1, 1]);
  });
});
