import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { setup } from './broker-support.js';

const ids = [1, 2, 3, 4, 5, 6];
const authids = ['ann', 'bob', 'cid'];
const authroles = ['staff', 'manager'];

describe('Broker properties', () => {
  it('black/whitelisting and exclude_me deliver exactly to the subscribers the spec rules admit', () => {
    const list = <T>(items: T[]) => fc.option(fc.subarray(items), { nil: undefined });
    fc.assert(
      fc.property(
        fc.record({
          eligible: list(ids), exclude: list(ids),
          eligible_authid: list(authids), exclude_authid: list(authids),
          eligible_authrole: list(authroles), exclude_authrole: list(authroles),
          exclude_me: fc.option(fc.boolean(), { nil: undefined }),
        }),
        fc.constantFrom(...ids),
        (options, publisherId) => {
          const { peer, subscribe, publish } = setup();
          const peers = ids.map((id) => peer(id, authids[id % 3], authroles[id % 2]));
          for (const p of peers) subscribe(p, 'a.b');
          const clean = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
          publish(peers[publisherId - 1]!, 'a.b', clean);
          const got = peers.filter((p) => p.events().length > 0).map((p) => p.id);
          const expected = peers.filter((p) =>
            (options.eligible === undefined || options.eligible.includes(p.id)) &&
            (options.exclude === undefined || !options.exclude.includes(p.id)) &&
            (options.eligible_authid === undefined || options.eligible_authid.includes(p.authid)) &&
            (options.exclude_authid === undefined || !options.exclude_authid.includes(p.authid)) &&
            (options.eligible_authrole === undefined || options.eligible_authrole.includes(p.authrole)) &&
            (options.exclude_authrole === undefined || !options.exclude_authrole.includes(p.authrole)) &&
            !(p.id === publisherId && options.exclude_me !== false),
          ).map((p) => p.id);
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('any option values never make the broker throw, and every request gets at most one reply', () => {
    const value = fc.oneof(fc.boolean(), fc.integer(), fc.string(), fc.constant(null), fc.array(fc.oneof(fc.integer(), fc.string())), fc.dictionary(fc.string(), fc.integer()));
    const keys = ['match', 'get_retained', 'acknowledge', 'exclude_me', 'disclose_me', 'retain', 'eligible', 'exclude', 'eligible_authid', 'exclude_authid', 'eligible_authrole', 'exclude_authrole'];
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keys), value), fc.string({ maxLength: 12 }), (options, topic) => {
        const { broker, peer } = setup();
        const p = peer(1);
        broker.subscribe(p, [32, 1, options, topic]);
        expect(p.sent).toHaveLength(1);
        expect([8, 33]).toContain(p.sent[0]!.message[0]);
        p.clear();
        broker.publish(p, [16, 2, options, topic, [1]]);
        const replies = p.sent.filter((s) => s.message[0] === 8 || s.message[0] === 17);
        expect(replies.length).toBe(options.acknowledge === true ? 1 : 0);
      }),
      { numRuns: 300 },
    );
  });
});
