// What an add-on (a cluster) sees of a router's life: its realms, realms added at run time, and
// closing with `beforeClose` hooks and the `close` event.
import { afterEach, describe, expect, it } from 'vitest';
import type { Realm } from '../src/index.js';
import { RawPeer, isType, startRouter } from './support/raw-peer.js';

let stop: (() => Promise<void>) | undefined;

afterEach(async () => {
  await stop?.();
  stop = undefined;
});

describe('realms', () => {
  it('lists its realms and announces each one added later, before its first session joins', async () => {
    const ctx = await startRouter({ realms: [{ name: 'realm1' }, { name: 'realm2' }], autoCreateRealms: true });
    stop = ctx.stop;
    expect(ctx.router.realms().map((r) => r.name)).toEqual(['realm1', 'realm2']);
    const announced: Array<{ name: string; sessions: number }> = [];
    ctx.router.on('realm', (realm: Realm) => void announced.push({ name: realm.name, sessions: realm.sessions.size }));

    const added = ctx.router.addRealm({ name: 'added' });
    expect(announced).toEqual([{ name: 'added', sessions: 0 }]);
    expect(ctx.router.realms()).toContain(added);

    const peer = await RawPeer.join(ctx.url, 'on.first.hello');
    ctx.peers.push(peer);
    expect(announced).toEqual([{ name: 'added', sessions: 0 }, { name: 'on.first.hello', sessions: 0 }]);
    expect(ctx.router.realms().map((r) => r.name)).toEqual(['realm1', 'realm2', 'added', 'on.first.hello']);
    expect(ctx.router.realm('on.first.hello')!.sessions.size).toBe(1);
    // Joining an existing realm announces nothing.
    ctx.peers.push(await RawPeer.join(ctx.url, 'on.first.hello'));
    expect(announced).toHaveLength(2);
  });

  it('keeps a realm whose listener throws, and logs the failure', async () => {
    const logged: string[] = [];
    const ctx = await startRouter({ autoCreateRealms: true, log: (level, message) => void logged.push(`${level}: ${message}`) });
    stop = ctx.stop;
    ctx.router.on('realm', () => {
      throw new Error('listener bug');
    });
    const peer = await RawPeer.join(ctx.url, 'still.works');
    ctx.peers.push(peer);
    expect(ctx.router.realm('still.works')!.sessions.size).toBe(1);
    expect(logged.some((line) => line.startsWith('error: a "realm" listener failed'))).toBe(true);
  });
});

describe('close', () => {
  it('runs beforeClose hooks first, refusing new sessions meanwhile, then says goodbye and emits close', async () => {
    const logged: string[] = [];
    const ctx = await startRouter({ realms: [{ name: 'realm1' }], log: (level, message) => void logged.push(`${level}: ${message}`) });
    const router = ctx.router;
    const peer = await RawPeer.join(ctx.url);
    ctx.peers.push(peer);
    const steps: string[] = [];
    let release!: () => void;
    router.beforeClose(() => new Promise<void>((resolve) => {
      steps.push('hook');
      release = resolve;
    }));
    router.beforeClose(() => {
      throw new Error('hook bug');
    });
    const removed = router.beforeClose(() => void steps.push('removed hook'));
    removed();
    router.on('close', () => void steps.push('close event'));

    const closing = router.close();
    expect(router.close()).toBe(closing);
    expect(steps).toEqual(['hook']);
    // While the hook runs: the session has no GOODBYE yet, and a new session is refused.
    const late = await RawPeer.open(ctx.url).catch(() => undefined);
    if (late !== undefined) {
      ctx.peers.push(late);
      const answer = await late.hello('realm1').catch(() => undefined);
      expect(answer === undefined || answer[0] === 3).toBe(true); // ABORT or no answer at all
    }
    expect(peer.pending.some(isType(6))).toBe(false);

    release();
    const goodbye = await peer.next(isType(6));
    expect(goodbye[2]).toBe('wamp.close.system_shutdown');
    peer.send([6, {}, 'wamp.close.goodbye_and_out']);
    await closing;
    expect(steps).toEqual(['hook', 'close event']);
    expect(logged.some((line) => line.startsWith('error: a beforeClose hook failed'))).toBe(true);
  });

  it('without hooks, tells sessions goodbye at once', async () => {
    const ctx = await startRouter();
    const peer = await RawPeer.join(ctx.url);
    ctx.peers.push(peer);
    let closed = false;
    ctx.router.on('close', () => void (closed = true));
    const closing = ctx.router.close();
    expect((await peer.next(isType(6)))[2]).toBe('wamp.close.system_shutdown');
    peer.send([6, {}, 'wamp.close.goodbye_and_out']);
    await closing;
    expect(closed).toBe(true);
  });
});
