import { describe, expect, it } from 'vitest';
import { WampError } from '@junction/wamp';
import { Broker } from '../src/broker.js';
import { FakeRealm, setup } from './broker-support.js';
import type { FakePeer } from './broker-support.js';

/** The meta events a watcher got, as [topic, args]. */
function metaEvents(watcher: FakePeer): [string, unknown[]][] {
  return watcher.events().map((e) => [e[3].topic as string, e[4] as unknown[]]);
}

function watch(subscribe: (p: FakePeer, topic: string, options?: Record<string, unknown>) => number, watcher: FakePeer): void {
  subscribe(watcher, 'wamp.subscription.', { match: 'prefix' });
}

async function rejects(promise: Promise<unknown> | unknown, uri: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(WampError);
    expect((error as WampError).uri).toBe(uri);
    return;
  }
  throw new Error(`expected ${uri}`);
}

describe('Broker: subscription meta events', () => {
  it('fires on_create then on_subscribe for the first subscriber, on_subscribe for the next', () => {
    const { peer, subscribe } = setup();
    const watcher = peer(100);
    watch(subscribe, watcher);
    expect(watcher.events()).toHaveLength(0); // subscribing to a wamp.* topic makes no meta events
    const a = peer(1);
    const b = peer(2);
    const id = subscribe(a, 'com.app.t', { match: 'prefix' });
    subscribe(b, 'com.app.t', { match: 'prefix' });
    subscribe(b, 'com.app.t', { match: 'prefix' }); // again: nothing new
    const events = metaEvents(watcher);
    expect(events).toEqual([
      ['wamp.subscription.on_create', [1, { id, created: expect.any(String), uri: 'com.app.t', match: 'prefix' }]],
      ['wamp.subscription.on_subscribe', [1, id]],
      ['wamp.subscription.on_subscribe', [2, id]],
    ]);
    const created = (events[0]![1][1] as { created: string }).created;
    expect(new Date(created).toISOString()).toBe(created);
  });

  it('fires on_unsubscribe, then on_delete for the last subscriber, on UNSUBSCRIBE and on detach', () => {
    const { broker, peer, subscribe } = setup();
    const watcher = peer(100);
    watch(subscribe, watcher);
    const a = peer(1);
    const b = peer(2);
    const id = subscribe(a, 'x.y');
    subscribe(b, 'x.y');
    watcher.clear();
    broker.unsubscribe(a, [34, 9, id]);
    broker.detach(b);
    expect(metaEvents(watcher)).toEqual([
      ['wamp.subscription.on_unsubscribe', [1, id]],
      ['wamp.subscription.on_unsubscribe', [2, id]],
      ['wamp.subscription.on_delete', [2, id]],
    ]);
  });

  it('makes no meta events for subscriptions to wamp.* topics (no loops)', () => {
    const { broker, peer, subscribe } = setup();
    const watcher = peer(100);
    watch(subscribe, watcher);
    const other = peer(1);
    const id = subscribe(other, 'wamp.subscription.on_create');
    broker.unsubscribe(other, [34, 1, id]);
    subscribe(other, 'wamp.session.on_join');
    broker.detach(other);
    broker.detach(watcher);
    expect(watcher.events()).toHaveLength(0);
    expect(broker.subscriptions.size).toBe(0);
  });
});

describe('Broker: subscription meta procedures', () => {
  it('registers all six procedures with the dealer', () => {
    const { realm } = setup();
    expect([...realm.procedures.keys()].sort()).toEqual([
      'wamp.subscription.count_subscribers',
      'wamp.subscription.get',
      'wamp.subscription.list',
      'wamp.subscription.list_subscribers',
      'wamp.subscription.lookup',
      'wamp.subscription.match',
    ]);
  });

  it('registers a microtask later when the realm builds its dealer after its broker', async () => {
    const realm = new FakeRealm();
    const dealer = realm.dealer;
    (realm as { dealer: unknown }).dealer = undefined;
    new Broker(realm);
    realm.dealer = dealer;
    expect(realm.procedures.size).toBe(0);
    await Promise.resolve();
    expect(realm.procedures.size).toBe(6);
  });

  it('list, lookup, match, get, list_subscribers and count_subscribers report the table', async () => {
    const { realm, peer, subscribe } = setup();
    const a = peer(1);
    const b = peer(2);
    const exact = subscribe(a, 'a.b.c');
    subscribe(b, 'a.b.c');
    const prefix = subscribe(a, 'a.b', { match: 'prefix' });
    const wildcard = subscribe(b, 'a..c', { match: 'wildcard' });
    subscribe(b, 'z..', { match: 'wildcard' });
    const caller = peer(3);

    const list = (await realm.call(caller, 'wamp.subscription.list')).args![0] as Record<string, number[]>;
    expect(list.exact).toEqual([exact]);
    expect(list.prefix).toEqual([prefix]);
    expect(list.wildcard).toHaveLength(2);
    expect(list.wildcard).toContain(wildcard);

    expect((await realm.call(caller, 'wamp.subscription.lookup', ['a.b.c'])).args).toEqual([exact]);
    expect((await realm.call(caller, 'wamp.subscription.lookup', ['a.b', { match: 'prefix' }])).args).toEqual([prefix]);
    expect((await realm.call(caller, 'wamp.subscription.lookup', ['a.b'])).args).toEqual([null]);

    const matched = (await realm.call(caller, 'wamp.subscription.match', ['a.b.c'])).args![0] as number[];
    expect([...matched].sort()).toEqual([exact, prefix, wildcard].sort());
    expect((await realm.call(caller, 'wamp.subscription.match', ['q.r'])).args).toEqual([null]);

    const details = (await realm.call(caller, 'wamp.subscription.get', [wildcard])).args![0];
    expect(details).toEqual({ id: wildcard, created: expect.any(String), uri: 'a..c', match: 'wildcard' });

    const subscribers = (await realm.call(caller, 'wamp.subscription.list_subscribers', [exact])).args![0] as number[];
    expect([...subscribers].sort()).toEqual([1, 2]);
    expect((await realm.call(caller, 'wamp.subscription.count_subscribers', [exact])).args).toEqual([2]);
    expect((await realm.call(caller, 'wamp.subscription.count_subscribers', [prefix])).args).toEqual([1]);
  });

  it('answers unknown subscriptions and bad arguments with the spec error URIs', async () => {
    const { realm, peer } = setup();
    const caller = peer(1);
    for (const uri of ['wamp.subscription.get', 'wamp.subscription.list_subscribers', 'wamp.subscription.count_subscribers']) {
      await rejects(realm.call(caller, uri, [424242]), 'wamp.error.no_such_subscription');
      await rejects(realm.call(caller, uri, ['x']), 'wamp.error.invalid_argument');
      await rejects(realm.call(caller, uri, []), 'wamp.error.invalid_argument');
    }
    await rejects(realm.call(caller, 'wamp.subscription.lookup', []), 'wamp.error.invalid_argument');
    await rejects(realm.call(caller, 'wamp.subscription.lookup', ['a.b', { match: 'fuzzy' }]), 'wamp.error.invalid_argument');
    await rejects(realm.call(caller, 'wamp.subscription.lookup', ['a.b', 'prefix']), 'wamp.error.invalid_argument');
    await rejects(realm.call(caller, 'wamp.subscription.match', [7]), 'wamp.error.invalid_argument');
  });
});
