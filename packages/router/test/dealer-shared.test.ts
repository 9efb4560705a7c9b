import { MessageType } from '@junction/wamp';
import { describe, expect, it } from 'vitest';
import { FakePeer, call, makeDealer, register, type DealerFixture } from './dealer-support.js';

const { INVOCATION, UNREGISTER, YIELD } = MessageType;

/** Makes `count` calls to `uri` and returns which callee got each (by index in `callees`), answering each at once. */
function distribution(fixture: DealerFixture, callees: FakePeer[], uri: string, count: number): number[] {
  const caller = new FakePeer();
  const order: number[] = [];
  for (let i = 0; i < count; i++) {
    call(fixture.dealer, caller, uri);
    const receivers = callees.map((peer) => peer.take());
    const hit = receivers.findIndex((sent) => sent.length > 0);
    expect(receivers.filter((sent) => sent.length > 0)).toHaveLength(1);
    const message = receivers[hit]![0]!;
    expect(message[0]).toBe(INVOCATION);
    fixture.dealer.yield(callees[hit]!, [YIELD, message[1] as number, {}]);
    order.push(hit);
  }
  expect(caller.take()).toHaveLength(count);
  return order;
}

function shared(invoke: string, count = 3): { fixture: DealerFixture; callees: FakePeer[]; registration: number } {
  const fixture = makeDealer();
  const callees = Array.from({ length: count }, () => new FakePeer());
  const ids = callees.map((peer) => register(fixture.dealer, peer, 'com.example.work', { invoke }));
  expect(new Set(ids).size).toBe(1); // one registration, several callees
  return { fixture, callees, registration: ids[0]! };
}

describe('Dealer: shared registrations', () => {
  it('roundrobin cycles through the callees in registration order', () => {
    const { fixture, callees } = shared('roundrobin');
    expect(distribution(fixture, callees, 'com.example.work', 7)).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });

  it('roundrobin keeps its place when a callee leaves or joins', () => {
    const { fixture, callees, registration } = shared('roundrobin');
    expect(distribution(fixture, callees, 'com.example.work', 2)).toEqual([0, 1]);
    // Callee 0 (already served) leaves: next is still callee 2, then 1.
    fixture.dealer.unregister(callees[0]!, [UNREGISTER, 999, registration]);
    callees[0]!.take();
    expect(distribution(fixture, callees, 'com.example.work', 3)).toEqual([2, 1, 2]);
    const late = new FakePeer();
    register(fixture.dealer, late, 'com.example.work', { invoke: 'roundrobin' });
    expect(distribution(fixture, [...callees, late], 'com.example.work', 3)).toEqual([3, 1, 2]);
  });

  it('first always calls the earliest callee, then the next one when it leaves', () => {
    const { fixture, callees } = shared('first');
    expect(distribution(fixture, callees, 'com.example.work', 4)).toEqual([0, 0, 0, 0]);
    callees[0]!.open = false;
    fixture.dealer.detach(callees[0]!);
    expect(distribution(fixture, callees, 'com.example.work', 2)).toEqual([1, 1]);
  });

  it('last always calls the latest callee, then the one before when it leaves', () => {
    const { fixture, callees } = shared('last');
    expect(distribution(fixture, callees, 'com.example.work', 4)).toEqual([2, 2, 2, 2]);
    callees[2]!.open = false;
    fixture.dealer.detach(callees[2]!);
    expect(distribution(fixture, callees, 'com.example.work', 2)).toEqual([1, 1]);
  });

  it('random reaches every callee and not in a fixed cycle', () => {
    const { fixture, callees } = shared('random');
    const order = distribution(fixture, callees, 'com.example.work', 300);
    const counts = [0, 0, 0];
    for (const index of order) counts[index]!++;
    // Each has probability 1/3; missing one in 300 calls has odds of about 3 * (2/3)^300.
    for (const count of counts) expect(count).toBeGreaterThan(30);
    const cyclic = order.every((index, i) => index === i % 3);
    expect(cyclic).toBe(false);
  });

  it('single registration: one callee, calls go to it', () => {
    const fixture = makeDealer();
    const callee = new FakePeer();
    register(fixture.dealer, callee, 'com.example.work');
    expect(distribution(fixture, [callee], 'com.example.work', 3)).toEqual([0, 0, 0]);
  });
});
