// The in-process link, and router sessions over it driven by a hand-written peer.
import { afterEach, describe, expect, it } from 'vitest';
import type { MessageTransport, TransportCloseInfo, WampMessage } from '@junction/wamp';
import { Router, createLocalLink } from '../src/index.js';
import { RawPeer, isType, startRouter } from './support/raw-peer.js';

describe('createLocalLink', () => {
  it('passes the very same arrays, in order, on a microtask', async () => {
    const { router, client } = createLocalLink();
    const got: unknown[] = [];
    router.onmessage = (m) => got.push(m);
    const message: WampMessage = [48, 1, {}, 'com.x', [1], { a: 1 }];
    client.send(message);
    client.send([48, 2, {}, 'com.y']);
    expect(got).toEqual([]); // not re-entrant: nothing delivered synchronously
    await Promise.resolve();
    expect(got[0]).toBe(message);
    expect((got[1] as unknown[])[1]).toBe(2);
    expect(router.serializer).toBe('local');
    expect(router.bufferedAmount).toBe(0);
  });

  it('a send from inside onmessage is delivered later, not nested', async () => {
    const { router, client } = createLocalLink();
    const log: string[] = [];
    router.onmessage = (m) => {
      log.push(`router got ${(m as number[])[1]}`);
      router.send([50, (m as number[])[1]!, {}]);
      log.push(`router done ${(m as number[])[1]}`);
    };
    client.onmessage = (m) => log.push(`client got ${(m as number[])[1]}`);
    client.send([48, 1, {}, 'a']);
    client.send([48, 2, {}, 'a']);
    await new Promise((r) => setTimeout(r, 0));
    expect(log).toEqual(['router got 1', 'router done 1', 'router got 2', 'router done 2', 'client got 1', 'client got 2']);
  });

  it('close reaches both ends once, after the messages already sent; later sends are dropped', async () => {
    const { router, client } = createLocalLink();
    const events: string[] = [];
    const watch = (name: string, end: MessageTransport) => {
      end.onmessage = (m) => events.push(`${name} message ${(m as unknown[])[0]}`);
      end.onclose = (info: TransportCloseInfo) => events.push(`${name} close ${info.code} ${info.reason}`);
    };
    watch('router', router);
    watch('client', client);
    router.send([6, {}, 'wamp.close.goodbye_and_out']);
    router.close(1000, 'done');
    router.close(1001, 'again');
    client.send([16, 1, {}, 'late']);
    router.send([36, 1, 1, {}]);
    await new Promise((r) => setTimeout(r, 0));
    expect(events).toEqual(['client message 6', 'client close 1000 done', 'router close 1000 done']);
  });
});

describe('router sessions over a local link', () => {
  let router: Router | undefined;
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    await router?.close();
    stop = undefined;
    router = undefined;
  });

  function peerOver(transport: MessageTransport): { next: () => Promise<unknown[]>; send: (m: unknown[]) => void; closed: Promise<TransportCloseInfo> } {
    const inbox: unknown[][] = [];
    const waiters: ((m: unknown[]) => void)[] = [];
    transport.onmessage = (m) => {
      const w = waiters.shift();
      if (w) w(m as unknown[]);
      else inbox.push(m as unknown[]);
    };
    const closed = new Promise<TransportCloseInfo>((resolve) => (transport.onclose = resolve));
    return {
      next: () => (inbox.length > 0 ? Promise.resolve(inbox.shift()!) : new Promise((r) => waiters.push(r))),
      send: (m) => transport.send(m as WampMessage),
      closed,
    };
  }

  it('connectLocal welcomes with the given identity, without authentication or authorization', async () => {
    router = new Router({ realms: [{ name: 'realm1', roles: [{ name: 'user', permissions: [] }] }], log: () => {} });
    const peer = peerOver(router.connectLocal({ authid: 'backend', authrole: 'service', authextra: { x: 1 } }));
    peer.send([1, 'realm1', { roles: { caller: {}, callee: {} } }]);
    const welcome = await peer.next();
    expect(welcome[0]).toBe(2);
    expect(welcome[2]).toMatchObject({ authid: 'backend', authrole: 'service', authmethod: 'trusted', authprovider: 'router', authextra: { x: 1 } });
    // Role "service" has no permissions, but embedded sessions are trusted.
    peer.send([64, 1, {}, 'com.backend.proc']);
    expect((await peer.next())[0]).toBe(65);
    peer.send([48, 2, {}, 'wamp.session.count']);
    expect(await peer.next()).toEqual([50, 2, {}, [1]]);
    peer.send([6, {}, 'wamp.close.normal']);
    expect(await peer.next()).toEqual([6, {}, 'wamp.close.goodbye_and_out']);
    expect((await peer.closed).code).toBe(1000);
  });

  it('an embedded callee serves a remote caller; remote events reach an embedded subscriber', async () => {
    const ctx = await startRouter();
    stop = ctx.stop;
    const local = peerOver(ctx.router.connectLocal());
    local.send([1, 'realm1', { roles: { callee: {}, subscriber: {} } }]);
    expect((await local.next())[0]).toBe(2);
    local.send([64, 1, {}, 'com.local.add']);
    expect((await local.next())[0]).toBe(65);
    local.send([32, 2, {}, 'com.local.topic']);
    expect((await local.next())[0]).toBe(33);
    const remote = await RawPeer.join(ctx.url, 'realm1', 'msgpack');
    ctx.peers.push(remote);
    const id = remote.nextId();
    remote.send([48, id, {}, 'com.local.add', [2, 3]]);
    const invocation = await local.next();
    expect(invocation[0]).toBe(68);
    expect(invocation[4]).toEqual([2, 3]);
    local.send([70, invocation[1], {}, [5]]);
    expect(await remote.next(isType(50))).toEqual([50, id, {}, [5]]);
    remote.send([16, remote.nextId(), {}, 'com.local.topic', ['hi']]);
    const event = await local.next();
    expect(event[0]).toBe(36);
    expect(event[4]).toEqual(['hi']);
  });

  it('router.close() says GOODBYE to embedded sessions too', async () => {
    router = new Router({ realms: [{ name: 'realm1' }], log: () => {} });
    const peer = peerOver(router.connectLocal());
    peer.send([1, 'realm1', {}]);
    await peer.next();
    const closing = router.close();
    expect(await peer.next()).toEqual([6, { message: 'the router is shutting down' }, 'wamp.close.system_shutdown']);
    peer.send([6, {}, 'wamp.close.goodbye_and_out']);
    await closing;
    await peer.closed;
    expect(() => router!.connectLocal()).toThrow(/closed/);
  });
});
