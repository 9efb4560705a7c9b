import { describe, expect, it } from 'vitest';
import type { EventMessage } from '@junction/wamp';
import { setup } from './broker-support.js';

const EVENT = 36;

describe('Broker: subscribe and publish', () => {
  it('delivers an exact-topic event and acknowledges with the same publication ID', () => {
    const { peer, subscribe, publish } = setup();
    const sub = peer(1);
    const pub = peer(2);
    const id = subscribe(sub, 'com.app.topic');
    const request = publish(pub, 'com.app.topic', { acknowledge: true }, ['hi'], { n: 1 });
    const event = sub.events()[0]!;
    expect(event).toEqual([EVENT, id, expect.any(Number), {}, ['hi'], { n: 1 }]);
    expect(pub.last()).toEqual([17, request, event[2]]);
  });

  it('sends no PUBLISHED without acknowledge, and omits absent args and kwargs', () => {
    const { peer, subscribe, publish } = setup();
    const sub = peer(1);
    const pub = peer(2);
    const id = subscribe(sub, 'a.b');
    publish(pub, 'a.b');
    publish(pub, 'a.b', {}, [1]);
    publish(pub, 'a.b', {}, undefined, { k: 2 });
    expect(pub.sent).toEqual([]);
    const events = sub.events();
    expect(events.map((e) => e.length)).toEqual([4, 5, 6]);
    expect(events[0]![1]).toBe(id);
    expect(events[1]![4]).toEqual([1]);
    expect(events[2]!.slice(4)).toEqual([[], { k: 2 }]);
  });

  it('draws a fresh publication ID for every publication', () => {
    const { peer, subscribe, publish } = setup();
    const sub = peer(1);
    subscribe(sub, 'a.b');
    for (let i = 0; i < 20; i++) publish(peer(2), 'a.b');
    const ids = new Set(sub.events().map((e) => e[2]));
    expect(ids.size).toBe(20);
    for (const id of ids) expect(Number.isInteger(id) && id >= 1 && id <= 2 ** 53).toBe(true);
  });

  it('shares one subscription (and ID) among sessions; a repeated SUBSCRIBE returns the same ID', () => {
    const { broker, peer, subscribe, publish } = setup({ maxSubscriptionsPerSession: 1 });
    const a = peer(1);
    const b = peer(2);
    const idA = subscribe(a, 'x.y');
    const idB = subscribe(b, 'x.y');
    expect(idB).toBe(idA);
    // Same session again: same ID, not counted against the limit, no double delivery.
    expect(subscribe(a, 'x.y')).toBe(idA);
    expect(broker.subscriptions.size).toBe(1);
    publish(peer(3), 'x.y', {}, [1]);
    expect(a.events()).toHaveLength(1);
    expect(b.events()).toHaveLength(1);
    // The same pattern under another policy is another subscription.
    const c = peer(4);
    const prefixId = subscribe(c, 'x.y', { match: 'prefix' });
    expect(prefixId).not.toBe(idA);
  });

  it('hands every subscriber of a subscription the same EVENT array and the same cache object', () => {
    const { peer, subscribe, publish } = setup();
    const subs = [peer(1), peer(2), peer(3)];
    for (const s of subs) subscribe(s, 'com.fan.out');
    const other = peer(4);
    subscribe(other, 'com.fan', { match: 'prefix' });
    publish(peer(9), 'com.fan.out', {}, ['x']);
    const deliveries = subs.map((s) => s.sent.find((d) => d.message[0] === EVENT)!);
    expect(deliveries[0]!.cache).toBeDefined();
    for (const d of deliveries) {
      expect(d.message).toBe(deliveries[0]!.message);
      expect(d.cache).toBe(deliveries[0]!.cache);
    }
    // Another subscription gets its own EVENT (another Subscription ID) and its own cache.
    const patternDelivery = other.sent.find((d) => d.message[0] === EVENT)!;
    expect(patternDelivery.cache).not.toBe(deliveries[0]!.cache);
    expect(patternDelivery.message[1]).not.toBe(deliveries[0]!.message[1]);
  });

  it('excludes the publisher by default, includes it with exclude_me: false', () => {
    const { peer, subscribe, publish } = setup();
    const me = peer(1);
    const other = peer(2);
    subscribe(me, 't.x');
    subscribe(other, 't.x');
    publish(me, 't.x', {}, ['first']);
    expect(me.events()).toHaveLength(0);
    expect(other.events()).toHaveLength(1);
    publish(me, 't.x', { exclude_me: false }, ['second']);
    expect(me.events().map((e) => e[4])).toEqual([['second']]);
    expect(other.events()).toHaveLength(2);
  });

  it('skips closed peers and keeps delivering when one peer throws', () => {
    const { realm, peer, subscribe, publish } = setup();
    const closed = peer(1);
    const throwing = peer(2);
    const fine = peer(3);
    for (const p of [closed, throwing, fine]) subscribe(p, 't.x');
    closed.open = false;
    throwing.send = () => {
      throw new Error('boom');
    };
    publish(peer(4), 't.x');
    expect(closed.events()).toHaveLength(0);
    expect(fine.events()).toHaveLength(1);
    expect(realm.logs.some((l) => l.level === 'error' && l.message.includes('session 2'))).toBe(true);
  });
});

describe('Broker: re-entrancy', () => {
  it('a subscriber that leaves while an event is delivered (slow consumer dropped) does not disturb the others', () => {
    const { broker, peer, subscribe, publish } = setup();
    const peers = [peer(1), peer(2), peer(3), peer(4)];
    for (const p of peers) {
      subscribe(p, 'a.b');
      subscribe(p, 'a', { match: 'prefix' });
    }
    const leaving = peers[1]!;
    leaving.send = () => {
      leaving.open = false;
      broker.detach(leaving); // what the realm does when the transport drops it
    };
    publish(peer(9), 'a.b', {}, [1]);
    for (const p of [peers[0]!, peers[2]!, peers[3]!]) expect(p.events()).toHaveLength(2);
    expect(broker.subscriptions.countOf(leaving)).toBe(0);
    expect([...broker.subscriptions.values()].every((s) => s.subscribers.size === 3)).toBe(true);
  });
});

describe('Broker: pattern-based subscriptions', () => {
  it('prefix matching follows the spec examples and reports the concrete topic', () => {
    const { peer, subscribe, publish } = setup();
    const sub = peer(1);
    const id = subscribe(sub, 'com.myapp.topic.emergency', { match: 'prefix' });
    const topics = [
      'com.myapp.topic.emergency.11',
      'com.myapp.topic.emergency-low',
      'com.myapp.topic.emergency.category.severe',
      'com.myapp.topic.emergency',
      'com.myapp.topic.emerge',
    ];
    for (const t of topics) publish(peer(2), t);
    const events = sub.events();
    expect(events.map((e) => e[3].topic)).toEqual(topics.slice(0, 4));
    expect(events.every((e) => e[1] === id)).toBe(true);
  });

  it('wildcard matching follows the spec examples', () => {
    const { peer, subscribe, publish } = setup();
    const sub = peer(1);
    subscribe(sub, 'com.myapp..userevent', { match: 'wildcard' });
    const good = ['com.myapp.foo.userevent', 'com.myapp.bar.userevent', 'com.myapp.a12.userevent'];
    const bad = ['com.myapp.foo.userevent.bar', 'com.myapp.foo.user', 'com.myapp2.foo.userevent'];
    for (const t of [...good, ...bad]) publish(peer(2), t);
    expect(sub.events().map((e) => e[3].topic)).toEqual(good);
  });

  it('delivers an event once per matching subscription, with one publication ID', () => {
    const { peer, subscribe, publish } = setup();
    const sub = peer(1);
    const exact = subscribe(sub, 'a.b.c');
    const prefix = subscribe(sub, 'a.b', { match: 'prefix' });
    const wildcard = subscribe(sub, 'a..c', { match: 'wildcard' });
    subscribe(sub, 'a..d', { match: 'wildcard' });
    publish(peer(2), 'a.b.c', {}, [42]);
    const events = sub.events();
    expect(events.map((e) => e[1]).sort()).toEqual([exact, prefix, wildcard].sort());
    expect(new Set(events.map((e) => e[2])).size).toBe(1);
    // Exact subscribers get no topic; pattern subscribers do.
    expect(events.find((e) => e[1] === exact)![3]).toEqual({});
    expect(events.find((e) => e[1] === wildcard)![3]).toEqual({ topic: 'a.b.c' });
  });
});

describe('Broker: publisher identification and black/whitelisting', () => {
  it('disclose_me puts the publisher, its authid and authrole in the details', () => {
    const { peer, subscribe, publish } = setup();
    const sub = peer(1);
    subscribe(sub, 'a.b');
    subscribe(sub, 'a', { match: 'prefix' });
    publish(peer(7, 'alice', 'admin'), 'a.b', { disclose_me: true });
    const details = sub.events().map((e) => e[3]);
    expect(details).toContainEqual({ publisher: 7, publisher_authid: 'alice', publisher_authrole: 'admin' });
    expect(details).toContainEqual({ publisher: 7, publisher_authid: 'alice', publisher_authrole: 'admin', topic: 'a.b' });
    publish(peer(7, 'alice', 'admin'), 'a.b', { disclose_me: false });
    expect(sub.events().slice(2).map((e) => e[3].publisher)).toEqual([undefined, undefined]);
  });

  it('applies every eligible and exclude list together', () => {
    const { peer, subscribe, publish } = setup();
    const peers = [peer(1, 'ann', 'staff'), peer(2, 'bob', 'staff'), peer(3, 'cid', 'manager'), peer(4, 'dan', 'manager')];
    for (const p of peers) subscribe(p, 'customer.1');
    const receivers = (options: Record<string, unknown>) => {
      for (const p of peers) p.clear();
      publish(peer(99), 'customer.1', options);
      return peers.filter((p) => p.events().length > 0).map((p) => p.id);
    };
    expect(receivers({})).toEqual([1, 2, 3, 4]);
    expect(receivers({ eligible: [1, 3, 77] })).toEqual([1, 3]);
    expect(receivers({ exclude: [2] })).toEqual([1, 3, 4]);
    // The spec's example: eligible and exclude both present.
    expect(receivers({ eligible: [1, 2, 3], exclude: [1] })).toEqual([2, 3]);
    expect(receivers({ eligible_authid: ['ann', 'dan'] })).toEqual([1, 4]);
    expect(receivers({ exclude_authid: ['ann'] })).toEqual([2, 3, 4]);
    expect(receivers({ eligible_authrole: ['manager'] })).toEqual([3, 4]);
    expect(receivers({ exclude_authrole: ['manager'] })).toEqual([1, 2]);
    expect(receivers({ eligible_authrole: ['manager'], exclude_authid: ['cid'] })).toEqual([4]);
    expect(receivers({ eligible: [] })).toEqual([]);
    // Long lists (a Set inside) behave the same.
    const many = Array.from({ length: 50 }, (_, i) => i + 100);
    expect(receivers({ exclude: [...many, 3] })).toEqual([1, 2, 4]);
    expect(receivers({ eligible_authid: [...many.map(String), 'bob'] })).toEqual([2]);
  });

  it('the publisher can whitelist itself only together with exclude_me: false', () => {
    const { peer, subscribe, publish } = setup();
    const me = peer(5);
    subscribe(me, 'a.b');
    publish(me, 'a.b', { eligible: [5] });
    expect(me.events()).toHaveLength(0);
    publish(me, 'a.b', { eligible: [5], exclude_me: false });
    expect(me.events()).toHaveLength(1);
  });
});

describe('Broker: invalid input', () => {
  it('rejects bad SUBSCRIBE topics and options with the right error URIs', () => {
    const { broker, peer } = setup();
    const p = peer(1);
    const cases: [Record<string, unknown>, string, string][] = [
      [{}, 'a..b', 'wamp.error.invalid_uri'],
      [{}, 'a b', 'wamp.error.invalid_uri'],
      [{ match: 'exact' }, 'a.', 'wamp.error.invalid_uri'],
      [{ match: 'wildcard' }, 'a#.b', 'wamp.error.invalid_uri'],
      [{ match: 'fuzzy' }, 'a.b', 'wamp.error.invalid_argument'],
      [{ match: 3 }, 'a.b', 'wamp.error.invalid_argument'],
      [{ get_retained: 'yes' }, 'a.b', 'wamp.error.invalid_argument'],
    ];
    let request = 100;
    for (const [options, topic, uri] of cases) {
      broker.subscribe(p, [32, ++request, options, topic]);
      const reply = p.last();
      expect(reply.slice(0, 5)).toEqual([8, 32, request, {}, uri]);
      expect(typeof (reply[5] as unknown[])[0]).toBe('string');
    }
    expect(broker.subscriptions.size).toBe(0);
    // Patterns with empty components are fine for prefix and wildcard.
    broker.subscribe(p, [32, 1, { match: 'wildcard' }, 'a..b']);
    broker.subscribe(p, [32, 2, { match: 'prefix' }, 'a.']);
    expect(p.ofType(33)).toHaveLength(2);
  });

  it('rejects bad PUBLISH topics and options with an ERROR only when acknowledge is set', () => {
    const { broker, peer, subscribe, publish } = setup();
    const sub = peer(1);
    subscribe(sub, 'wamp', { match: 'prefix' });
    subscribe(sub, 'a', { match: 'prefix' });
    sub.clear(); // the subscription meta events of the line above
    const p = peer(2);
    const cases: [Record<string, unknown>, string, string][] = [
      [{}, 'a..b', 'wamp.error.invalid_uri'],
      [{}, 'a.b c', 'wamp.error.invalid_uri'],
      [{}, 'wamp.session.on_join', 'wamp.error.invalid_uri'],
      [{ exclude: 'x' }, 'a.b', 'wamp.error.invalid_argument'],
      [{ exclude: [1.5] }, 'a.b', 'wamp.error.invalid_argument'],
      [{ eligible_authid: [1] }, 'a.b', 'wamp.error.invalid_argument'],
      [{ exclude_me: 'no' }, 'a.b', 'wamp.error.invalid_argument'],
      [{ retain: 1 }, 'a.b', 'wamp.error.invalid_argument'],
    ];
    for (const [options, topic, uri] of cases) {
      publish(p, topic, options);
      expect(p.sent).toHaveLength(0);
      const request = publish(p, topic, { ...options, acknowledge: true });
      expect(p.last().slice(0, 5)).toEqual([8, 16, request, {}, uri]);
      p.clear();
    }
    expect(sub.events()).toHaveLength(0);
    // Null values count as absent (msgpack clients send nil for unset options).
    const request = publish(p, 'a.b', { acknowledge: true, exclude_me: null, eligible: null });
    expect(p.last()).toEqual([17, request, expect.any(Number)]);
    expect(sub.events()).toHaveLength(1);
    void broker;
  });

  it('limits subscriptions per session', () => {
    const { peer, subscribe, broker } = setup({ maxSubscriptionsPerSession: 2 });
    const p = peer(1);
    const first = subscribe(p, 'a.one');
    subscribe(p, 'a.two');
    broker.subscribe(p, [32, 50, {}, 'a.three']);
    expect(p.last().slice(0, 5)).toEqual([8, 32, 50, {}, 'junction.error.limit_exceeded']);
    // Other sessions are not affected, and unsubscribing makes room.
    expect(() => subscribe(peer(2), 'a.three')).not.toThrow();
    broker.unsubscribe(p, [34, 51, first]);
    expect(() => subscribe(p, 'a.three')).not.toThrow();
  });
});

describe('Broker: unsubscribe and detach', () => {
  it('unsubscribes, and deletes the subscription when its last subscriber leaves', () => {
    const { broker, peer, subscribe, publish } = setup();
    const a = peer(1);
    const b = peer(2);
    const id = subscribe(a, 'a.b');
    subscribe(b, 'a.b');
    broker.unsubscribe(a, [34, 10, id]);
    expect(a.last()).toEqual([35, 10]);
    publish(peer(3), 'a.b');
    expect(a.events()).toHaveLength(0);
    expect(b.events()).toHaveLength(1);
    expect(broker.subscriptions.get(id)).toBeDefined();
    broker.unsubscribe(b, [34, 11, id]);
    expect(broker.subscriptions.get(id)).toBeUndefined();
    expect(broker.subscriptions.size).toBe(0);
  });

  it('answers no_such_subscription for unknown IDs and for another session\'s subscription', () => {
    const { broker, peer, subscribe } = setup();
    const a = peer(1);
    const b = peer(2);
    const id = subscribe(a, 'a.b');
    broker.unsubscribe(b, [34, 5, id]);
    expect(b.last().slice(0, 5)).toEqual([8, 34, 5, {}, 'wamp.error.no_such_subscription']);
    broker.unsubscribe(a, [34, 6, 12345]);
    expect(a.last().slice(0, 5)).toEqual([8, 34, 6, {}, 'wamp.error.no_such_subscription']);
    broker.unsubscribe(a, [34, 7, id]);
    broker.unsubscribe(a, [34, 8, id]);
    expect(a.last().slice(0, 5)).toEqual([8, 34, 8, {}, 'wamp.error.no_such_subscription']);
  });

  it('detach drops every subscription of the session and nothing else', () => {
    const { broker, peer, subscribe, publish } = setup({ maxSubscriptionsPerSession: 3 });
    const a = peer(1);
    const b = peer(2);
    subscribe(a, 'a.b');
    subscribe(a, 'a', { match: 'prefix' });
    subscribe(a, '.b', { match: 'wildcard' });
    const shared = subscribe(b, 'a.b');
    broker.detach(a);
    expect(broker.subscriptions.size).toBe(1);
    expect(broker.subscriptions.countOf(a)).toBe(0);
    publish(peer(3), 'a.b');
    expect(a.events()).toHaveLength(0);
    expect(b.events().map((e) => e[1])).toEqual([shared]);
    // Its per-session count is gone too: it could subscribe three times again.
    broker.detach(a);
    for (const t of ['x.1', 'x.2', 'x.3']) subscribe(a, t);
  });
});

describe('Broker: router publications', () => {
  it('publishInternal delivers with no publisher, to exact and pattern subscribers, with lists applied', () => {
    const { broker, peer, subscribe } = setup();
    const a = peer(1);
    const b = peer(2);
    subscribe(a, 'wamp.session.on_join');
    subscribe(b, 'wamp.session', { match: 'prefix' });
    broker.publishInternal('wamp.session.on_join', [{ session: 9 }]);
    expect(a.events()[0]!.slice(3)).toEqual([{}, [{ session: 9 }]]);
    expect(b.events()[0]![3]).toEqual({ topic: 'wamp.session.on_join' });
    broker.publishInternal('wamp.session.on_join', [1], undefined, { exclude: [2] });
    expect(a.events()).toHaveLength(2);
    expect(b.events()).toHaveLength(1);
  });

  it('publishInternal logs instead of throwing on a bad topic or options', () => {
    const { broker, realm } = setup();
    expect(() => broker.publishInternal('bad..topic')).not.toThrow();
    expect(() => broker.publishInternal('a.b', [], {}, { exclude: 'x' })).not.toThrow();
    expect(realm.logs.filter((l) => l.level === 'error')).toHaveLength(2);
  });
});

describe('Broker: event retention', () => {
  it('sends the latest retained event after SUBSCRIBED to subscribers that ask for it', () => {
    const { broker, peer, subscribe, publish } = setup();
    const pub = peer(1, 'sensor');
    publish(pub, 'dc.temp', { retain: true }, [20]);
    publish(pub, 'dc.temp', { retain: true, disclose_me: true }, [21], { unit: 'C' });
    publish(pub, 'dc.temp', {}, [22]); // not retained: the retained one stays
    const late = peer(2);
    const id = subscribe(late, 'dc.temp', { get_retained: true });
    expect(late.sent.map((s) => s.message[0])).toEqual([33, EVENT]);
    const event = late.events()[0]!;
    expect(event[1]).toBe(id);
    expect(event[3]).toEqual({ retained: true, publisher: 1, publisher_authid: 'sensor', publisher_authrole: 'anonymous' });
    expect(event.slice(4)).toEqual([[21], { unit: 'C' }]);
    // Without get_retained: nothing.
    const plain = peer(3);
    subscribe(plain, 'dc.temp');
    expect(plain.events()).toHaveLength(0);
    // Live events never carry `retained`.
    publish(pub, 'dc.temp', {}, [23]);
    expect(late.events()[1]![3]).toEqual({});
    expect(broker.retained.size).toBe(1);
  });

  it('keeps the publication ID of the retained event, and the retained flag in its own details only', () => {
    const { peer, subscribe, publish } = setup();
    const watcher = peer(5);
    subscribe(watcher, 'r.t');
    publish(peer(1), 'r.t', { retain: true }, [1]);
    const live = watcher.events()[0]!;
    const late = peer(2);
    subscribe(late, 'r.t', { get_retained: true });
    expect(late.events()[0]![2]).toBe(live[2]);
    expect(live[3]).toEqual({});
  });

  it('gives pattern subscriptions the retained events of every matching topic, with their topics', () => {
    const { peer, subscribe, publish } = setup();
    const pub = peer(1);
    publish(pub, 'room.1.state', { retain: true }, ['one']);
    publish(pub, 'room.2.state', { retain: true }, ['two']);
    publish(pub, 'hall.1.state', { retain: true }, ['hall']);
    const w = peer(2);
    subscribe(w, 'room..state', { match: 'wildcard', get_retained: true });
    expect(w.events().map((e) => [e[3], e[4]])).toEqual([
      [{ topic: 'room.1.state', retained: true }, ['one']],
      [{ topic: 'room.2.state', retained: true }, ['two']],
    ]);
    const p = peer(3);
    subscribe(p, 'hall', { match: 'prefix', get_retained: true });
    expect(p.events().map((e) => e[4])).toEqual([['hall']]);
  });

  it('never sends a retained event to a subscriber that would not have received it', () => {
    const { peer, subscribe, publish } = setup();
    const pub = peer(1);
    publish(pub, 'a.b', { retain: true, eligible_authrole: ['admin'] });
    const guest = peer(2, 'g', 'guest');
    const admin = peer(3, 'a', 'admin');
    subscribe(guest, 'a.b', { get_retained: true });
    subscribe(admin, 'a.b', { get_retained: true });
    expect(guest.events()).toHaveLength(0);
    expect(admin.events()).toHaveLength(1);
    // The publisher excluded itself (default exclude_me), so it gets nothing either.
    subscribe(pub, 'a.b', { get_retained: true });
    expect(pub.events()).toHaveLength(0);
  });

  it('retained events survive their publisher leaving', () => {
    const { broker, peer, subscribe, publish } = setup();
    const pub = peer(1);
    publish(pub, 'a.b', { retain: true }, ['kept']);
    broker.detach(pub);
    const sub = peer(2);
    subscribe(sub, 'a.b', { get_retained: true });
    expect(sub.events()[0]![4]).toEqual(['kept']);
  });

  it('bounds retention by topic count, dropping the least recently published topic', () => {
    const { broker, peer, subscribe, publish } = setup({}, { retention: { maxRetainedTopics: 2 } });
    const pub = peer(1);
    publish(pub, 't.1', { retain: true }, [1]);
    publish(pub, 't.2', { retain: true }, [2]);
    publish(pub, 't.1', { retain: true }, [11]); // t.1 is now the most recent
    publish(pub, 't.3', { retain: true }, [3]); // evicts t.2
    expect(broker.retained.size).toBe(2);
    const sub = peer(2);
    subscribe(sub, 't', { match: 'prefix', get_retained: true });
    expect(sub.events().map((e) => e[4])).toEqual([[11], [3]]);
  });

  it('bounds retention by estimated bytes; an event too large clears the older retained one', () => {
    const { broker, realm, peer, subscribe, publish } = setup({}, { retention: { maxRetainedBytes: 4096 } });
    const pub = peer(1);
    publish(pub, 'big.a', { retain: true }, ['x'.repeat(1000)]);
    publish(pub, 'big.b', { retain: true }, ['x'.repeat(1000)]);
    publish(pub, 'big.c', { retain: true }, ['x'.repeat(1000)]); // over 4096 estimated: evicts big.a
    expect(broker.retained.get('big.a')).toBeUndefined();
    expect(broker.retained.estimatedBytes).toBeLessThanOrEqual(4096);
    publish(pub, 'big.b', { retain: true }, ['x'.repeat(5000)]); // alone larger than the bound
    expect(broker.retained.get('big.b')).toBeUndefined();
    expect(realm.logs.some((l) => l.message.includes('too large to retain'))).toBe(true);
    const sub = peer(2);
    subscribe(sub, 'big.b', { get_retained: true });
    expect(sub.events()).toHaveLength(0);
  });
});

describe('Broker: ERROR details', () => {
  it('errors carry a readable message as their first argument', () => {
    const { broker, peer } = setup();
    const p = peer(1);
    broker.subscribe(p, [32, 1, { match: 'nope' }, 'a.b']);
    const args = p.last()[5] as string[];
    expect(args[0]).toContain('"nope"');
    broker.publish(p, [16, 2, { acknowledge: true }, 'x'.repeat(500) + ' y']);
    expect((p.last()[5] as string[])[0]!.length).toBeLessThan(200);
  });
});

// Keep the EventMessage import meaningful for readers: events are plain arrays.
export type { EventMessage };
