import { describe, expect, it } from 'vitest';
import { covers, mayOverlap, outranks, patternRef } from '../src/authorization/pattern-cover.js';
import { ACTIONS, Permissions, RealmAuthorizer, type Action, type AuthorizationDecision, type RoleConfig } from '../src/authorization.js';

const all = { call: true, register: true, publish: true, subscribe: true };
const none = { call: false, register: false, publish: false, subscribe: false };

const roles: RoleConfig[] = [
  {
    name: 'user',
    permissions: [
      { uri: 'com.example.', match: 'prefix', allow: { call: true, subscribe: true } },
      { uri: 'com.example.admin.', match: 'prefix', allow: {} },
      { uri: 'com.example.admin.status', allow: { call: true } },
      { uri: 'com.example.admin.statusx', match: 'prefix', allow: { publish: true } },
      { uri: 'com.example.public.', match: 'prefix', allow: { publish: true, subscribe: true } },
      { uri: 'com.example.public.news', allow: { subscribe: true } },
      { uri: 'room..chat', match: 'wildcard', allow: { publish: true, subscribe: true } },
      { uri: 'room..', match: 'wildcard', allow: { subscribe: true } },
      { uri: 'room.lobby.', match: 'wildcard', allow: { call: true } },
      { uri: '..secret.', match: 'wildcard', allow: {} },
      { uri: 'room...', match: 'wildcard', allow: { register: true } },
    ],
  },
  { name: 'admin', permissions: [{ uri: '', match: 'prefix', allow: all, disclose: { caller: true, publisher: true } }] },
  { name: 'backend', permissions: [{ uri: 'com.example.', match: 'prefix', allow: { register: true, publish: true }, disclose: { caller: false } }] },
  { name: 'nobody', permissions: [] },
];

describe('Permissions', () => {
  const permissions = new Permissions(roles);
  const allowed = (role: string, uri: string) => ACTIONS.filter((a) => permissions.allows(role, uri, a));

  it.each([
    // [uri, actions the user role has]
    ['com.example.add', ['call', 'subscribe']],
    ['com.example', []], // the prefix is 'com.example.' with the dot
    ['com.examples.add', []],
    ['com.example.admin.kill', []], // longer prefix with nothing allowed wins over the shorter one
    ['com.example.admin.', []],
    ['com.example.admin.status', ['call']], // exact beats the prefixes
    ['com.example.admin.status.detail', []],
    ['com.example.admin.statusx', ['publish']], // a prefix may equal the whole URI
    ['com.example.admin.statusxy', ['publish']],
    ['com.example.public.weather', ['publish', 'subscribe']],
    ['com.example.public.news', ['subscribe']],
    ['com.example.public.news.sport', ['publish', 'subscribe']],
    ['org.other.thing', []],
  ] as Array<[string, Action[]]>)('prefix and exact: user on %s', (uri, expected) => {
    expect(allowed('user', uri)).toEqual(expected);
  });

  it.each([
    ['room.42.chat', ['publish', 'subscribe']], // room..chat beats room.. (literal in the 3rd place)
    ['room.42.video', ['subscribe']],
    ['room.lobby.chat', ['call']], // room.lobby. beats room..chat: the first difference (2nd place) is a literal
    ['room.lobby.x', ['call']],
    ['room.42', []], // wildcards match a fixed number of components
    ['room.42.chat.extra', ['register']], // room... has four components
    ['a.b.secret.c', []],
    ['room.b.secret.c', ['register']], // room... (literal first) beats ..secret.
    ['a.b.c.d.e', []],
  ] as Array<[string, Action[]]>)('wildcards: user on %s', (uri, expected) => {
    expect(allowed('user', uri)).toEqual(expected);
  });

  it('prefers any prefix over a wildcard and an exact URI over both', () => {
    const p = new Permissions([
      {
        name: 'r',
        permissions: [
          { uri: 'a.b.c', match: 'wildcard', allow: { call: true } },
          { uri: 'a.', match: 'prefix', allow: { publish: true } },
          { uri: '..c', match: 'wildcard', allow: { subscribe: true } },
          { uri: 'x.y.z', allow: { register: true } },
          { uri: 'x.', match: 'prefix', allow: { call: true } },
          { uri: 'x.y.z', match: 'wildcard', allow: { publish: true } },
        ],
      },
    ]);
    expect(ACTIONS.filter((a) => p.allows('r', 'a.b.c', a))).toEqual(['publish']);
    expect(ACTIONS.filter((a) => p.allows('r', 'q.b.c', a))).toEqual(['subscribe']);
    expect(ACTIONS.filter((a) => p.allows('r', 'x.y.z', a))).toEqual(['register']);
  });

  it('an empty prefix matches every URI', () => {
    for (const uri of ['a', 'wamp.session.kill', 'com.example.x.y.z']) expect(allowed('admin', uri)).toEqual(ACTIONS);
  });

  it('an unknown role or a role without permissions may do nothing', () => {
    expect(permissions.hasRole('user')).toBe(true);
    expect(permissions.hasRole('ghost')).toBe(false);
    expect(permissions.hasRole('nobody')).toBe(true);
    for (const role of ['ghost', 'nobody', '']) for (const uri of ['com.example.add', 'a']) expect(allowed(role, uri)).toEqual([]);
  });

  it('reports forced disclosure from the deciding permission', () => {
    expect(permissions.discloses('admin', 'com.example.add', 'call')).toBe(true);
    expect(permissions.discloses('admin', 'com.example.add', 'publish')).toBe(true);
    expect(permissions.discloses('admin', 'com.example.add', 'subscribe')).toBe(false);
    expect(permissions.discloses('backend', 'com.example.add', 'call')).toBe(false);
    expect(permissions.discloses('user', 'com.example.add', 'call')).toBe(false);
    expect(permissions.discloses('ghost', 'com.example.add', 'call')).toBe(false);
  });

  it('refuses malformed configuration with a message naming the role and URI', () => {
    const bad = (permission: unknown) => () => new Permissions([{ name: 'r', permissions: [permission as never] }]);
    expect(bad({ uri: 'a b', allow: none })).toThrow(/role "r", permission "a b"/);
    expect(bad({ uri: 'a..b', allow: none })).toThrow(/not a valid exact/);
    expect(bad({ uri: 'a', match: 'regex', allow: none })).toThrow(/match must be/);
    expect(bad({ uri: 'a', allow: { cal: true } })).toThrow(/unknown action "cal"/);
    expect(bad({ uri: 42, allow: none })).toThrow(TypeError);
    expect(() => new Permissions([{ name: 'r', permissions: [{ uri: 'a', allow: all }, { uri: 'a', allow: none }] }])).toThrow(/twice/);
    expect(() => new Permissions([{ name: 'r', permissions: [] }, { name: 'r', permissions: [] }])).toThrow(/configured twice/);
    expect(() => new Permissions([{ name: '', permissions: [] }])).toThrow(/non-empty name/);
    // The same URI under different match policies is fine.
    expect(() => new Permissions([{ name: 'r', permissions: [{ uri: 'a', allow: all }, { uri: 'a', match: 'prefix', allow: none }] }])).not.toThrow();
  });
});

const alice = { id: 1, authid: 'alice', authrole: 'user' };

describe('RealmAuthorizer', () => {
  it('development mode (no roles): everything allowed, every role exists, synchronously', () => {
    const realm = new RealmAuthorizer();
    expect(realm.developmentMode).toBe(true);
    expect(realm.permissions).toBeNull();
    expect(realm.hasRole('anything')).toBe(true);
    expect(realm.authorize({ id: 1, authid: 'x', authrole: 'ghost' }, 'wamp.session.kill', 'call', {})).toEqual({ allowed: true });
    expect(realm.discloses('ghost', 'a', 'call')).toBe(false);
  });

  it('an empty role list is not development mode: nothing is allowed', () => {
    const realm = new RealmAuthorizer({ roles: [] });
    expect(realm.developmentMode).toBe(false);
    expect(realm.hasRole('anonymous')).toBe(false);
    expect(realm.authorize(alice, 'a', 'call')).toMatchObject({ allowed: false, error: 'wamp.error.not_authorized' });
  });

  it('static roles decide synchronously when there is no authorizer', () => {
    const realm = new RealmAuthorizer({ roles });
    expect(realm.authorize(alice, 'com.example.add', 'call')).toEqual({ allowed: true });
    const denied = realm.authorize(alice, 'com.example.add', 'register') as AuthorizationDecision;
    expect(denied).toEqual({ allowed: false, error: 'wamp.error.not_authorized', message: expect.stringContaining('register "com.example.add"') });
    expect(realm.discloses('admin', 'x', 'call')).toBe(true);
  });

  it('runs the authorizer only after the roles allowed, with the session, uri, action and options', async () => {
    const calls: unknown[] = [];
    const realm = new RealmAuthorizer({
      roles,
      authorizer: (session, uri, action, options) => {
        calls.push([session.authid, uri, action, options]);
        return uri !== 'com.example.forbidden';
      },
    });
    expect(realm.authorize(alice, 'com.example.add', 'call', { timeout: 5 })).toEqual({ allowed: true });
    expect(realm.authorize(alice, 'com.example.forbidden', 'call')).toMatchObject({ allowed: false, error: 'wamp.error.not_authorized' });
    // Denied by the roles: the authorizer is not asked.
    expect(realm.authorize(alice, 'com.example.add', 'register')).toMatchObject({ allowed: false, error: 'wamp.error.not_authorized' });
    expect(calls).toEqual([['alice', 'com.example.add', 'call', { timeout: 5 }], ['alice', 'com.example.forbidden', 'call', {}]]);
  });

  it('refuses with authorization_failed when an async authorizer does not answer within authorizerTimeout', async () => {
    let asked = 0;
    const realm = new RealmAuthorizer({
      authorizerTimeout: 50,
      authorizer: (_s, uri) => {
        asked++;
        return uri === 'a.hang' ? new Promise<boolean>(() => {}) : new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 5));
      },
    });
    const started = Date.now();
    const hung = await realm.authorize(alice, 'a.hang', 'subscribe');
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(hung).toEqual({ allowed: false, error: 'wamp.error.authorization_failed', message: expect.stringContaining('did not answer within 50 ms') });
    // An answer inside the time is kept.
    expect(await realm.authorize(alice, 'a.quick', 'subscribe')).toEqual({ allowed: true });
    expect(asked).toBe(2);
  });

  it('refuses an authorizerTimeout that is not a positive number', () => {
    expect(() => new RealmAuthorizer({ authorizerTimeout: 0 })).toThrow(RangeError);
    expect(() => new RealmAuthorizer({ authorizerTimeout: Number.NaN })).toThrow(RangeError);
  });

  it('awaits an async authorizer; throws, rejections and non-booleans fail with authorization_failed', async () => {
    const answers: Record<string, () => unknown> = {
      'a.yes': async () => true,
      'a.no': async () => false,
      'a.reject': async () => { throw new Error('db down'); },
      'a.throw': () => { throw new Error('bug'); },
      'a.weird': async () => 'yes',
      'a.undefined': () => undefined,
    };
    const realm = new RealmAuthorizer({ authorizer: (_s, uri) => answers[uri]!() as boolean | Promise<boolean> });
    expect(await realm.authorize(alice, 'a.yes', 'publish')).toEqual({ allowed: true });
    expect(await realm.authorize(alice, 'a.no', 'publish')).toMatchObject({ allowed: false, error: 'wamp.error.not_authorized' });
    for (const uri of ['a.reject', 'a.throw', 'a.weird', 'a.undefined']) {
      const decision = await realm.authorize(alice, uri, 'publish');
      expect(decision).toMatchObject({ allowed: false, error: 'wamp.error.authorization_failed' });
      if (!decision.allowed) expect(decision.message).not.toMatch(/db down|bug/);
    }
  });
});

describe('pattern subscriptions and registrations (Permissions.allowsPattern)', () => {
  const permissions = new Permissions(roles);
  const sub = (role: string, uri: string, match: 'exact' | 'prefix' | 'wildcard') => permissions.allowsPattern(role, uri, match, 'subscribe');

  it.each([
    // [pattern, match, may the user role subscribe]
    ['com.example.', 'prefix', false], // would receive com.example.admin.* events, which user may not subscribe to
    ['com.example.public.', 'prefix', true], // the exact com.example.public.news inside allows subscribe too
    ['com.example.public.weather.', 'prefix', true],
    ['com.example.public.new', 'prefix', true],
    ['com.example.admin.', 'prefix', false],
    ['com.', 'prefix', false], // no permission covers com.
    ['', 'prefix', false],
    ['com.example.add', 'exact', true],
    ['com.example.admin.x', 'exact', false],
    ['room..chat', 'wildcard', false], // room.lobby.chat is decided by room.lobby., which denies subscribe
    ['room..', 'wildcard', false], // room.lobby. decides room.lobby.* and does not allow subscribe
    ['room.42.', 'wildcard', true],
    ['room.lobby.', 'wildcard', false],
    ['room.42.chat', 'wildcard', true], // no empty component: an exact URI
    ['..chat', 'wildcard', false], // no permission covers a leading wildcard
  ] as Array<[string, 'exact' | 'prefix' | 'wildcard', boolean]>)('user subscribing to %s (%s)', (pattern, match, expected) => {
    expect(sub('user', pattern, match)).toBe(expected);
  });

  it('an exact permission inside a prefix decides its own URI', () => {
    const p = new Permissions([
      { name: 'r', permissions: [
        { uri: 'com.example.public.', match: 'prefix', allow: { subscribe: true } },
        { uri: 'com.example.public.news', allow: { subscribe: true } },
      ] },
      { name: 's', permissions: [
        { uri: 'com.example.public.', match: 'prefix', allow: { subscribe: true } },
        { uri: 'com.example.public.news', allow: { call: true } },
      ] },
    ]);
    expect(p.allowsPattern('r', 'com.example.public.', 'prefix', 'subscribe')).toBe(true);
    expect(p.allowsPattern('s', 'com.example.public.', 'prefix', 'subscribe')).toBe(false);
    expect(p.allowsPattern('s', 'com.example.public.w', 'prefix', 'subscribe')).toBe(true);
    expect(p.allowsPattern('s', 'com.example.public.news.', 'prefix', 'subscribe')).toBe(true);
  });

  it('lets a broader allow win over narrower patterns that it outranks', () => {
    const p = new Permissions([
      { name: 'r', permissions: [
        { uri: '', match: 'prefix', allow: {} },
        { uri: 'a.', match: 'prefix', allow: { register: true } },
        { uri: 'a..x', match: 'wildcard', allow: {} }, // any prefix outranks a wildcard
        { uri: 'b.', match: 'prefix', allow: {} },
        { uri: 'b..', match: 'wildcard', allow: { register: true } },
        { uri: 'b.c.', match: 'wildcard', allow: {} },
        { uri: 'c.', match: 'prefix', allow: { register: true } },
        { uri: 'c.d', allow: {} },
      ] },
    ]);
    const reg = (uri: string, match: 'prefix' | 'wildcard') => p.allowsPattern('r', uri, match, 'register');
    expect(reg('a.', 'prefix')).toBe(true);
    expect(reg('a..x', 'wildcard')).toBe(true); // covered by the prefix a.
    expect(reg('b..', 'wildcard')).toBe(false); // b.' prefix outranks every wildcard and denies
    expect(reg('c.', 'prefix')).toBe(false); // the exact c.d denies
    expect(reg('c.e', 'prefix')).toBe(true);
    expect(reg('c.d', 'prefix')).toBe(false); // c.d itself
    expect(p.allowsPattern('ghost', 'a.', 'prefix', 'register')).toBe(false);
  });

  it('wildcards: the more literal wildcard outranks, else the pattern is refused', () => {
    const p = new Permissions([
      { name: 'r', permissions: [
        { uri: 'x..', match: 'wildcard', allow: { subscribe: true } },
        { uri: 'x..secret', match: 'wildcard', allow: {} },
        { uri: '..', match: 'wildcard', allow: {} },
      ] },
    ]);
    expect(p.allowsPattern('r', 'x..', 'wildcard', 'subscribe')).toBe(false); // x..secret inside
    expect(p.allowsPattern('r', 'x..public', 'wildcard', 'subscribe')).toBe(true);
    expect(p.allowsPattern('r', 'x.y.', 'wildcard', 'subscribe')).toBe(false); // x.y.secret inside
    expect(p.allowsPattern('r', 'x.', 'prefix', 'subscribe')).toBe(false); // no prefix covers it
  });

  it('RealmAuthorizer applies it when options.match is prefix or wildcard', () => {
    const realm = new RealmAuthorizer({ roles });
    expect(realm.authorize(alice, 'com.example.', 'subscribe', {})).toEqual({ allowed: true }); // as an exact URI
    expect(realm.authorize(alice, 'com.example.', 'subscribe', { match: 'prefix' })).toMatchObject({ allowed: false, error: 'wamp.error.not_authorized' });
    expect(realm.authorize(alice, 'com.example.public.weather.', 'subscribe', { match: 'prefix' })).toEqual({ allowed: true });
    expect(realm.authorize(alice, 'room..', 'subscribe', { match: 'wildcard' })).toMatchObject({ allowed: false });
    expect(new RealmAuthorizer().authorize(alice, '', 'subscribe', { match: 'prefix' })).toEqual({ allowed: true });
  });
});

describe('pattern set relations', () => {
  const P = patternRef;
  it('covers', () => {
    expect(covers(P('a.', 'prefix'), P('a.b.', 'prefix'))).toBe(true);
    expect(covers(P('a.b', 'prefix'), P('a.', 'prefix'))).toBe(false);
    expect(covers(P('a.', 'prefix'), P('a.b..d', 'wildcard'))).toBe(true);
    expect(covers(P('a.b.', 'prefix'), P('a.b..d', 'wildcard'))).toBe(true);
    expect(covers(P('a.b.c', 'prefix'), P('a.b..d', 'wildcard'))).toBe(false);
    expect(covers(P('', 'prefix'), P('..d', 'wildcard'))).toBe(true);
    expect(covers(P('a', 'prefix'), P('..d', 'wildcard'))).toBe(false);
    expect(covers(P('a..', 'wildcard'), P('a.b.', 'wildcard'))).toBe(true);
    expect(covers(P('a.b.', 'wildcard'), P('a..', 'wildcard'))).toBe(false);
    expect(covers(P('a..', 'wildcard'), P('a...', 'wildcard'))).toBe(false);
    expect(covers(P('a..', 'wildcard'), P('a.', 'prefix'))).toBe(false);
    expect(covers(P('a.b', 'exact'), P('a.b', 'prefix'))).toBe(false);
  });

  it('mayOverlap', () => {
    expect(mayOverlap(P('a.b.c', 'exact'), P('a.b', 'prefix'))).toBe(true);
    expect(mayOverlap(P('a.c', 'exact'), P('a.b', 'prefix'))).toBe(false);
    expect(mayOverlap(P('a.b.c.', 'prefix'), P('a.', 'prefix'))).toBe(true);
    expect(mayOverlap(P('a.', 'prefix'), P('a.b.c.', 'prefix'))).toBe(true);
    expect(mayOverlap(P('b.', 'prefix'), P('a.', 'prefix'))).toBe(false);
    expect(mayOverlap(P('a..', 'wildcard'), P('a.b.c', 'prefix'))).toBe(true); // a.b.c itself, a.b.cd
    expect(mayOverlap(P('a..', 'wildcard'), P('a.b.c.', 'prefix'))).toBe(false); // four or more components
    expect(mayOverlap(P('a.x.', 'wildcard'), P('a.b', 'prefix'))).toBe(false);
    expect(mayOverlap(P('a.bc.', 'wildcard'), P('a.b', 'prefix'))).toBe(true); // a.bc.z
    expect(mayOverlap(P('a.b.c', 'exact'), P('a..c', 'wildcard'))).toBe(true);
    expect(mayOverlap(P('a.b.d', 'exact'), P('a..c', 'wildcard'))).toBe(false);
    expect(mayOverlap(P('a.b', 'prefix'), P('a..c', 'wildcard'))).toBe(true);
    expect(mayOverlap(P('b.', 'prefix'), P('a..c', 'wildcard'))).toBe(false);
    expect(mayOverlap(P('.b.', 'wildcard'), P('a..c', 'wildcard'))).toBe(true);
    expect(mayOverlap(P('.b.d', 'wildcard'), P('a..c', 'wildcard'))).toBe(false);
    expect(mayOverlap(P('..', 'wildcard'), P('a..c.', 'wildcard'))).toBe(false);
  });

  it('outranks', () => {
    expect(outranks(P('a.b', 'exact'), P('a.', 'prefix'))).toBe(true);
    expect(outranks(P('a.', 'prefix'), P('a.b', 'exact'))).toBe(false);
    expect(outranks(P('a.b', 'prefix'), P('a.', 'prefix'))).toBe(true);
    expect(outranks(P('a.', 'prefix'), P('a.b', 'prefix'))).toBe(false);
    expect(outranks(P('', 'prefix'), P('a.b.c', 'wildcard'))).toBe(true);
    expect(outranks(P('a.b.', 'wildcard'), P('a..c', 'wildcard'))).toBe(true);
    expect(outranks(P('a..c', 'wildcard'), P('a.b.', 'wildcard'))).toBe(false);
    expect(outranks(P('a..', 'wildcard'), P('a..', 'wildcard'))).toBe(false);
    expect(outranks(P('a..', 'wildcard'), P('a.', 'prefix'))).toBe(false);
  });
});

describe('options.match only matters for subscribe and register', () => {
  it('a CALL or PUBLISH carrying a match option is judged as an exact URI', () => {
    const realm = new RealmAuthorizer({ roles });
    expect(realm.authorize(alice, 'com.example.add', 'call', { match: 'prefix' })).toEqual({ allowed: true });
    expect(realm.authorize(alice, 'com.example.add', 'subscribe', { match: 'prefix' })).toMatchObject({ allowed: true });
    expect(realm.authorize(alice, 'com.example.', 'call', { match: 'prefix' })).toEqual({ allowed: true });
    expect(realm.authorize(alice, 'com.example.', 'subscribe', { match: 'prefix' })).toMatchObject({ allowed: false });
  });
});
