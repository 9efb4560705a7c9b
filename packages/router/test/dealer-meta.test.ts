import { ErrorUri, MessageType, type WampMessage } from '@junction/wamp';
import { describe, expect, it } from 'vitest';
import { FakePeer, call, makeDealer, register } from './dealer-support.js';
import type { Dealer } from '../src/dealer.js';

const { CALL, ERROR, RESULT, UNREGISTER } = MessageType;

/** Calls a meta procedure and returns its RESULT args (or the ERROR message). */
function meta(dealer: Dealer, uri: string, args?: unknown[]): { result?: unknown[]; error?: WampMessage } {
  const caller = new FakePeer();
  const request = call(dealer, caller, uri, {}, args);
  const reply = caller.one();
  if (reply[0] === RESULT) {
    expect(reply[1]).toBe(request);
    return { result: reply[3] };
  }
  expect(reply.slice(0, 3)).toEqual([ERROR, CALL, request]);
  return { error: reply };
}

describe('Dealer: registration meta procedures', () => {
  it('list, lookup, match, get, list_callees, count_callees', () => {
    const { dealer } = makeDealer();
    const a = new FakePeer();
    const b = new FakePeer();
    const exact = register(dealer, a, 'com.example.add');
    const prefix = register(dealer, a, 'com.example', { match: 'prefix' });
    const wildcard = register(dealer, b, 'com..add', { match: 'wildcard', invoke: 'random' });
    register(dealer, a, 'com..add', { match: 'wildcard', invoke: 'random' });

    expect(meta(dealer, 'wamp.registration.list').result).toEqual([{ exact: [exact], prefix: [prefix], wildcard: [wildcard] }]);

    expect(meta(dealer, 'wamp.registration.lookup', ['com.example.add']).result).toEqual([exact]);
    expect(meta(dealer, 'wamp.registration.lookup', ['com.example', { match: 'prefix' }]).result).toEqual([prefix]);
    expect(meta(dealer, 'wamp.registration.lookup', ['com..add', { match: 'wildcard' }]).result).toEqual([wildcard]);
    expect(meta(dealer, 'wamp.registration.lookup', ['com.example.sub']).result).toEqual([null]);

    expect(meta(dealer, 'wamp.registration.match', ['com.example.add']).result).toEqual([exact]);
    expect(meta(dealer, 'wamp.registration.match', ['com.example.sub']).result).toEqual([prefix]);
    expect(meta(dealer, 'wamp.registration.match', ['com.other.add']).result).toEqual([wildcard]);
    expect(meta(dealer, 'wamp.registration.match', ['org.other']).result).toEqual([null]);

    const details = meta(dealer, 'wamp.registration.get', [wildcard]).result![0] as Record<string, unknown>;
    expect(details).toEqual({ id: wildcard, created: expect.any(String), uri: 'com..add', match: 'wildcard', invoke: 'random' });
    expect(Number.isNaN(Date.parse(details.created as string))).toBe(false);

    expect(meta(dealer, 'wamp.registration.list_callees', [wildcard]).result).toEqual([[b.id, a.id]]);
    expect(meta(dealer, 'wamp.registration.count_callees', [wildcard]).result).toEqual([2]);
    expect(meta(dealer, 'wamp.registration.count_callees', [exact]).result).toEqual([1]);
  });

  it('answers no_such_registration and invalid_argument', () => {
    const { dealer } = makeDealer();
    for (const uri of ['wamp.registration.get', 'wamp.registration.list_callees', 'wamp.registration.count_callees']) {
      expect(meta(dealer, uri, [424242]).error?.[4]).toBe(ErrorUri.NO_SUCH_REGISTRATION);
      expect(meta(dealer, uri, ['not an id']).error?.[4]).toBe(ErrorUri.INVALID_ARGUMENT);
      expect(meta(dealer, uri).error?.[4]).toBe(ErrorUri.INVALID_ARGUMENT);
    }
    expect(meta(dealer, 'wamp.registration.lookup').error?.[4]).toBe(ErrorUri.INVALID_ARGUMENT);
    expect(meta(dealer, 'wamp.registration.lookup', ['a.b', { match: 'fuzzy' }]).error?.[4]).toBe(ErrorUri.INVALID_ARGUMENT);
    expect(meta(dealer, 'wamp.registration.lookup', ['a.b', 'exact']).error?.[4]).toBe(ErrorUri.INVALID_ARGUMENT);
    expect(meta(dealer, 'wamp.registration.match', [7]).error?.[4]).toBe(ErrorUri.INVALID_ARGUMENT);
  });
});

describe('Dealer: registration meta events', () => {
  it('on_create then on_register; on_unregister then on_delete for the last callee', () => {
    const { dealer, events } = makeDealer();
    const a = new FakePeer();
    const b = new FakePeer();
    const id = register(dealer, a, 'com.example.work', { invoke: 'first' });
    expect(events).toEqual([
      { topic: 'wamp.registration.on_create', args: [a.id, { id, created: expect.any(String), uri: 'com.example.work', match: 'exact', invoke: 'first' }] },
      { topic: 'wamp.registration.on_register', args: [a.id, id] },
    ]);
    events.length = 0;
    register(dealer, b, 'com.example.work', { invoke: 'first' });
    expect(events).toEqual([{ topic: 'wamp.registration.on_register', args: [b.id, id] }]);
    events.length = 0;
    dealer.unregister(a, [UNREGISTER, 77, id]);
    expect(events).toEqual([{ topic: 'wamp.registration.on_unregister', args: [a.id, id] }]);
    events.length = 0;
    dealer.unregister(b, [UNREGISTER, 78, id]);
    expect(events).toEqual([
      { topic: 'wamp.registration.on_unregister', args: [b.id, id] },
      { topic: 'wamp.registration.on_delete', args: [b.id, id] },
    ]);
    events.length = 0;
    a.take();
    b.take();
    // Refused registrations publish nothing.
    register(dealer, a, 'com.example.single');
    events.length = 0;
    dealer.register(b, [MessageType.REGISTER, 79, {}, 'com.example.single']);
    expect(b.one()[4]).toBe(ErrorUri.PROCEDURE_ALREADY_EXISTS);
    expect(events).toEqual([]);
  });
});
