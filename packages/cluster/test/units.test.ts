import { describe, expect, it } from 'vitest';
import { WampError } from '@junction/wamp';
import { Liveness, SCATTERED, clusterOptionsFromConfig, resolveClusterOptions, stableId } from '../src/index.js';
import type { NodeAnswer } from '../src/index.js';

describe('Liveness', () => {
  it('tracks nodes by heartbeat and expires silent ones', () => {
    const live = new Liveness('self', 1000, 250);
    expect(live.heard('self', 0)).toBe(false);
    expect(live.heard('a', 0)).toBe(true);
    expect(live.heard('a', 100)).toBe(false);
    expect(live.heard('b', 500)).toBe(true);
    expect(live.isAlive('self') && live.isAlive('a')).toBe(true);
    expect(live.isSuspect('a', 700)).toBe(true);
    expect(live.isSuspect('b', 700)).toBe(false);
    expect(live.expire(1050)).toEqual([]);
    expect(live.expire(1101)).toEqual(['a']);
    expect(live.nodes()).toEqual(['b']);
    expect(live.forget('b')).toBe(true);
    expect(live.size).toBe(0);
  });
});

describe('meta merges', () => {
  const ok = (args: unknown[]): NodeAnswer => ({ ok: true, args, kwargs: {} });
  const err = (uri: string): NodeAnswer => ({ ok: false, uri, args: ['no'] });

  it('sums counts and unions lists', () => {
    expect(SCATTERED['wamp.session.count']!.merge([ok([2]), ok([3])]).args).toEqual([5]);
    expect(SCATTERED['wamp.session.list']!.merge([ok([[1, 2]]), ok([[3]])]).args).toEqual([[1, 2, 3]]);
    expect(SCATTERED['wamp.subscription.list']!.merge([ok([{ exact: [1], prefix: [], wildcard: [] }]), ok([{ exact: [1, 2], prefix: [3], wildcard: [] }])]).args)
      .toEqual([{ exact: [1, 2], prefix: [3], wildcard: [] }]);
    expect(SCATTERED['wamp.subscription.match']!.merge([ok([null]), ok([null])]).args).toEqual([null]);
    expect(SCATTERED['wamp.subscription.lookup']!.merge([ok([null]), ok([7])]).args).toEqual([7]);
    expect(SCATTERED['wamp.subscription.count_subscribers']!.merge([err('wamp.error.no_such_subscription'), ok([2])]).args).toEqual([2]);
  });

  it('answers the first success, or the first error when no node has one', () => {
    expect(SCATTERED['wamp.session.get']!.merge([err('wamp.error.no_such_session'), ok([{ session: 9 }])]).args).toEqual([{ session: 9 }]);
    expect(() => SCATTERED['wamp.session.get']!.merge([err('wamp.error.no_such_session'), err('x.y')])).toThrow(WampError);
    try {
      SCATTERED['wamp.session.get']!.merge([err('wamp.error.no_such_session')]);
    } catch (error) {
      expect((error as WampError).uri).toBe('wamp.error.no_such_session');
    }
  });
});

describe('options and junction.config.json', () => {
  it('fills defaults and refuses bad values', () => {
    const resolved = resolveClusterOptions({ nats: { servers: 'nats://x:4222' } }, () => 'n1');
    expect(resolved).toMatchObject({ nodeId: 'n1', prefix: 'junction', heartbeatInterval: 1000, nodeTimeout: 3000, metaTimeout: 500 });
    expect(resolved.realms).toBeUndefined(); // every realm
    expect(resolveClusterOptions({ nats: { servers: 'x' }, realms: ['r1'] }, () => 'n').realms).toEqual(['r1']);
    expect(() => resolveClusterOptions({ nats: { servers: 'x' }, realms: 'r1' as never }, () => 'n')).toThrow(/realms/);
    expect(resolved.nats.servers).toEqual(['nats://x:4222']);
    expect(() => resolveClusterOptions({ nats: { servers: [] } }, () => 'n')).toThrow(/servers/);
    expect(() => resolveClusterOptions({ nats: { servers: 'x' }, prefix: 'a.b' }, () => 'n')).toThrow(/prefix/);
    expect(() => resolveClusterOptions({ nats: { servers: 'x' }, heartbeatInterval: 1000, nodeTimeout: 1500 }, () => 'n')).toThrow(/nodeTimeout/);
  });

  it('reads the cluster section, clustering every realm unless it lists some', () => {
    expect(clusterOptionsFromConfig({ realms: [{ name: 'r1' }, { name: 'r2' }] })).toBeUndefined();
    expect(clusterOptionsFromConfig({ realms: [{ name: 'r1' }], cluster: { nats: { servers: ['nats://a:4222'], credentials: '/etc/x.creds' } } }))
      .toEqual({ nats: { servers: ['nats://a:4222'], credentials: '/etc/x.creds' } });
    expect(clusterOptionsFromConfig({ realms: [{ name: 'r1' }, { name: 'r2' }], cluster: { nats: { servers: ['nats://a:4222'] }, realms: ['r2'] } }))
      .toEqual({ nats: { servers: ['nats://a:4222'] }, realms: ['r2'] });
  });
});

describe('stable IDs', () => {
  it('are the same for the same (realm, kind, match, uri) and valid WAMP IDs', () => {
    const id = stableId('realm1', 'sub', 'exact', 'a.b');
    expect(stableId('realm1', 'sub', 'exact', 'a.b')).toBe(id);
    expect(stableId('realm1', 'sub', 'prefix', 'a.b')).not.toBe(id);
    expect(stableId('realm1', 'reg', 'exact', 'a.b')).not.toBe(id);
    expect(Number.isSafeInteger(id) && id >= 1 && id <= 2 ** 53).toBe(true);
  });
});
