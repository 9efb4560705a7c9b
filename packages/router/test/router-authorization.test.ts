// Authorization as the session applies it, over real sockets: roles, the async authorizer, message order.
import { afterEach, describe, expect, it } from 'vitest';
import type { RouterOptions, RoleConfig, Authorizer } from '../src/index.js';
import { RawPeer, isType, startRouter } from './support/raw-peer.js';

type Ctx = Awaited<ReturnType<typeof startRouter>>;

const roles: RoleConfig[] = [
  {
    name: 'user',
    permissions: [
      { uri: 'com.public.', match: 'prefix', allow: { call: true, register: true, publish: true, subscribe: true } },
      { uri: 'wamp.session.count', allow: { call: true } },
    ],
  },
  { name: 'admin', permissions: [{ uri: '', match: 'prefix', allow: { call: true, register: true, publish: true, subscribe: true } }] },
];

function options(authorizer?: Authorizer): RouterOptions {
  return {
    realms: [{ name: 'realm1', roles, ...(authorizer ? { authorizer } : {}) }],
    authenticateUpgrade: (request) => {
      const who = String(request.headers['x-who'] ?? 'someone/user').split('/');
      return { authid: who[0]!, authrole: who[1]! };
    },
  };
}

async function joinAs(ctx: Ctx, who: string): Promise<RawPeer> {
  const peer = await RawPeer.open(ctx.url, 'json', { headers: { 'x-who': who } });
  ctx.peers.push(peer);
  expect((await peer.hello('realm1'))[0]).toBe(2);
  return peer;
}

describe('authorization', () => {
  let ctx: Ctx | undefined;
  afterEach(async () => {
    await ctx?.stop();
    ctx = undefined;
  });

  it('denies what the role does not allow with wamp.error.not_authorized, and lets the rest through', async () => {
    ctx = await startRouter(options());
    const user = await joinAs(ctx, 'joe/user');
    const denied = await user.call('com.private.secret');
    expect(denied[0]).toBe(8);
    expect(denied[4]).toBe('wamp.error.not_authorized');
    expect(String((denied[5] as string[])[0])).toContain('com.private.secret');
    expect((await user.call('com.public.nothing'))[4]).toBe('wamp.error.no_such_procedure');
    expect((await user.call('wamp.session.count'))[0]).toBe(50);
    expect((await user.call('wamp.session.list'))[4]).toBe('wamp.error.not_authorized');
    expect((await user.register('com.private.proc'))[4]).toBe('wamp.error.not_authorized');
    expect((await user.subscribe('com.private.topic'))[4]).toBe('wamp.error.not_authorized');
    expect((await user.publishAck('com.private.topic'))[4]).toBe('wamp.error.not_authorized');
    expect((await user.register('com.public.proc'))[0]).toBe(65);
  });

  it('drops a denied PUBLISH without acknowledge silently (no event, no error)', async () => {
    ctx = await startRouter(options());
    const admin = await joinAs(ctx, 'root/admin');
    const user = await joinAs(ctx, 'joe/user');
    await admin.subscribe('com.private.topic');
    user.send([16, user.nextId(), {}, 'com.private.topic', ['leak']]);
    // A later, allowed publication arrives; the denied one never did.
    expect((await admin.publishAck('com.private.topic', ['ok'], { exclude_me: false }))[0]).toBe(17);
    const event = await admin.next(isType(36));
    expect(event[4]).toEqual(['ok']);
    expect(user.pending.filter(isType(8))).toEqual([]);
  });

  it('asks the async authorizer and keeps each session\'s message order', async () => {
    const asked: string[] = [];
    ctx = await startRouter(
      options(async (session, uri, action) => {
        asked.push(`${session.authid} ${action} ${uri}`);
        if (uri === 'com.public.slow') await new Promise((r) => setTimeout(r, 50));
        return uri !== 'com.public.refused';
      }),
    );
    const callee = await joinAs(ctx, 'svc/admin');
    const caller = await joinAs(ctx, 'joe/user');
    expect((await callee.register('com.public.slow'))[0]).toBe(65);
    expect((await callee.register('com.public.fast'))[0]).toBe(65);
    caller.send([48, 101, {}, 'com.public.slow', ['first']]);
    caller.send([48, 102, {}, 'com.public.fast', ['second']]);
    caller.send([48, 103, {}, 'com.public.refused', ['third']]);
    const first = await callee.next(isType(68));
    const second = await callee.next(isType(68));
    expect(first[4]).toEqual(['first']);
    expect(second[4]).toEqual(['second']);
    const refused = await caller.next((m) => m[0] === 8 && m[2] === 103);
    expect(refused[4]).toBe('wamp.error.not_authorized');
    expect(asked).toContain('joe call com.public.slow');
    // Answers go back in order too, and the authorizer is not asked about YIELDs.
    callee.send([70, first[1], {}, ['r1']]);
    callee.send([70, second[1], {}, ['r2']]);
    expect((await caller.next((m) => m[0] === 50 && m[1] === 101))[3]).toEqual(['r1']);
    expect((await caller.next((m) => m[0] === 50 && m[1] === 102))[3]).toEqual(['r2']);
  });

  it('a callee whose own request waits for the authorizer still answers other sessions\' calls at once', async () => {
    const never = new Promise<boolean>(() => {});
    ctx = await startRouter(options((_session, uri) => (uri === 'com.public.hung' ? never : true)));
    const callee = await joinAs(ctx, 'svc/admin');
    const caller = await joinAs(ctx, 'joe/user');
    expect((await callee.register('com.public.add'))[0]).toBe(65);
    caller.send([48, 7, {}, 'com.public.add', [1, 2]]);
    const invocation = await callee.next(isType(68));
    // The callee's own CALL hangs in the authorizer; its YIELD (and ERROR) must not wait behind it.
    callee.send([48, callee.nextId(), {}, 'com.public.hung']);
    callee.send([70, invocation[1], {}, [3]]);
    expect((await caller.next((m) => m[0] === 50 && m[1] === 7, 2000))[3]).toEqual([3]);
    caller.send([48, 8, {}, 'com.public.add', [2, 2]]);
    const second = await callee.next(isType(68));
    callee.send([8, 68, second[1], {}, 'com.example.no', ['nope']]);
    expect((await caller.next((m) => m[0] === 8 && m[2] === 8, 2000))[4]).toBe('com.example.no');
  });

  it('bounds the messages waiting behind an authorization: past one second\'s worth the session is aborted', async () => {
    const never = new Promise<boolean>(() => {});
    ctx = await startRouter({ ...options((_session, uri) => (uri === 'com.public.x' ? never : true)), limits: { maxMessagesPerSecond: 50 } });
    const user = await joinAs(ctx, 'joe/user');
    const other = await joinAs(ctx, 'ann/user');
    user.send([48, 1, {}, 'com.public.x']);
    // CANCELs are not rate-limited; they queue behind the hung CALL (they must follow it).
    for (let i = 0; i < 60; i++) user.send([49, 1, {}]);
    const abort = await user.next(isType(3));
    expect(abort[2]).toBe('junction.error.limit_exceeded');
    await user.closed;
    expect((await other.call('wamp.session.count'))[0]).toBe(50);
  });

  it('applies the disclosure a permission forces, whatever the client asked (also after an async authorizer)', async () => {
    const disclosing: RoleConfig[] = [
      { name: 'svc', permissions: [{ uri: '', match: 'prefix', allow: { register: true, subscribe: true } }] },
      {
        name: 'user',
        permissions: [
          { uri: 'com.audit.', match: 'prefix', allow: { call: true, publish: true }, disclose: { caller: true, publisher: true } },
          { uri: 'com.plain.', match: 'prefix', allow: { call: true } },
        ],
      },
    ];
    for (const authorizer of [undefined, async () => true]) {
      ctx = await startRouter({ ...options(authorizer), realms: [{ name: 'realm1', roles: disclosing, ...(authorizer ? { authorizer } : {}) }] });
      const svc = await joinAs(ctx, 'svc/svc');
      const user = await joinAs(ctx, 'joe/user');
      expect((await svc.register('com.audit.op'))[0]).toBe(65);
      expect((await svc.register('com.plain.op'))[0]).toBe(65);
      expect((await svc.subscribe('com.audit.log'))[0]).toBe(33);
      user.send([48, 1, {}, 'com.audit.op']);
      const audited = await svc.next(isType(68));
      expect(audited[3]).toMatchObject({ caller: user.sessionId, caller_authid: 'joe', caller_authrole: 'user' });
      user.send([48, 2, {}, 'com.plain.op']);
      const plain = await svc.next(isType(68));
      expect((plain[3] as Record<string, unknown>).caller).toBeUndefined();
      user.send([16, 3, {}, 'com.audit.log', ['x']]);
      const event = await svc.next(isType(36));
      expect(event[3]).toMatchObject({ publisher: user.sessionId, publisher_authid: 'joe', publisher_authrole: 'user' });
      await ctx.stop();
      ctx = undefined;
    }
  });

  it('answers wamp.error.authorization_failed when the authorizer throws or rejects; never asks for what roles deny', async () => {
    const asked: string[] = [];
    ctx = await startRouter(
      options((_session, uri) => {
        asked.push(uri);
        if (uri === 'com.public.throws') throw new Error('db down');
        if (uri === 'com.public.rejects') return Promise.reject(new Error('db down'));
        return true;
      }),
    );
    const user = await joinAs(ctx, 'joe/user');
    expect((await user.call('com.public.throws'))[4]).toBe('wamp.error.authorization_failed');
    expect((await user.call('com.public.rejects'))[4]).toBe('wamp.error.authorization_failed');
    expect((await user.call('com.private.x'))[4]).toBe('wamp.error.not_authorized');
    expect(asked).not.toContain('com.private.x');
  });
});
