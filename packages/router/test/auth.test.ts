import { createHmac, generateKeyPairSync, pbkdf2Sync, sign as nodeSign, type KeyObject } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import nacl from 'tweetnacl';
import { sign as wampyCraSign, deriveKey as wampyDeriveKey } from 'wampy/wampcra.js';
import { sign as wampyCryptosign } from 'wampy/cryptosign.js';
import {
  anonymous, cryptosign, deriveWampcraKey, readBearerToken, readCookie, selectAuthenticator, ticket, upgradeRequestAuth, wampcra,
  type AuthHello, type AuthStep, type Authenticator,
} from '../src/auth/index.js';

const require = createRequire(import.meta.url);
// Autobahn|JS's own signing code (crypto-js, tweetnacl): the cross-check for what it sends.
const autobahnCra = require('autobahn/lib/auth/cra.js') as { sign(key: string, challenge: string): string; derive_key(secret: string, salt: string, iterations?: number, keylen?: number): string };
const autobahnCryptosign = require('autobahn/lib/auth/cryptosign.js') as { sign_challenge(pkey: nacl.SignKeyPair, extra: { challenge: string }): string; public_key(pkey: nacl.SignKeyPair): string };

let nextSession = 1000;
function hello(details: Record<string, unknown>, transportAuth: unknown = undefined): AuthHello {
  return { realm: 'realm1', details, transportAuth, sessionId: nextSession++ };
}

type Challenge = Extract<AuthStep, { kind: 'challenge' }>;
async function challenge(authenticator: Authenticator, h: AuthHello): Promise<Challenge> {
  const step = await authenticator.hello(h);
  if (step.kind !== 'challenge') throw new Error(`expected a challenge, got ${JSON.stringify(step)}`);
  return step;
}

function expectAbort(step: AuthStep, reason: string): void {
  expect(step.kind).toBe('abort');
  if (step.kind === 'abort') {
    expect(step.reason).toBe(reason);
    expect(step.message.length).toBeGreaterThan(0);
  }
}

function expectWelcome(step: AuthStep, identity: Record<string, unknown>): void {
  expect(step).toEqual({ kind: 'welcome', identity: expect.objectContaining(identity) });
}

describe('selectAuthenticator', () => {
  const anon = anonymous();
  const tick = ticket({ principals: {} });
  const cra = wampcra({ principals: {} });
  const cookie = upgradeRequestAuth();

  it('defaults to anonymous when authmethods is absent or empty', () => {
    expect(selectAuthenticator([tick, anon], undefined)).toBe(anon);
    expect(selectAuthenticator([tick, anon], [])).toBe(anon);
    expect(selectAuthenticator([tick], undefined)).toBeNull();
  });

  it("follows the client's order, not the realm's", () => {
    expect(selectAuthenticator([tick, cra], ['wampcra', 'ticket'])).toBe(cra);
    expect(selectAuthenticator([tick, cra], ['ticket', 'wampcra'])).toBe(tick);
    expect(selectAuthenticator([tick, cra], ['cryptosign', 'ticket'])).toBe(tick);
  });

  it('returns null when nothing fits or authmethods is malformed', () => {
    expect(selectAuthenticator([tick], ['cryptosign'])).toBeNull();
    expect(selectAuthenticator([tick], 'ticket')).toBeNull();
    expect(selectAuthenticator([tick], [42, 'ticket'])).toBeNull();
    expect(selectAuthenticator([], ['anonymous'])).toBeNull();
  });

  it('uses the upgrade-request identity for cookie and anonymous offers only when there is one', () => {
    const identity = { authid: 'alice', authrole: 'user' };
    expect(selectAuthenticator([cookie, anon], undefined, identity)).toBe(cookie);
    expect(selectAuthenticator([cookie, anon], ['cookie'], identity)).toBe(cookie);
    expect(selectAuthenticator([cookie, anon], undefined, null)).toBe(anon);
    expect(selectAuthenticator([cookie, anon], ['cookie', 'anonymous'], undefined)).toBe(anon);
    expect(selectAuthenticator([cookie, tick], ['cookie'], null)).toBeNull();
    // A client that asks for ticket explicitly gets ticket, cookie or not.
    expect(selectAuthenticator([cookie, tick], ['ticket'], identity)).toBe(tick);
    expect(selectAuthenticator([upgradeRequestAuth({ answerAnonymous: false }), anon], undefined, identity)).toBe(anon);
  });
});

describe('anonymous', () => {
  it('welcomes with the configured role and an authid the client cannot choose', async () => {
    const h = hello({ authid: 'admin' });
    expectWelcome(await anonymous().hello(h), { authid: `anonymous-${h.sessionId}`, authrole: 'anonymous', authmethod: 'anonymous' });
    expectWelcome(await anonymous({ authrole: 'guest' }).hello(hello({})), { authrole: 'guest' });
  });
});

describe('ticket', () => {
  const auth = ticket({ principals: { joe: { ticket: 'secret!!!', role: 'user' } } });

  it('challenges a known authid with an empty extra and welcomes the right ticket', async () => {
    const h = hello({ authmethods: ['ticket'], authid: 'joe' });
    const step = await challenge(auth, h);
    expect(step.method).toBe('ticket');
    expect(step.extra).toEqual({});
    expectWelcome(await auth.authenticate(h, step.state, 'secret!!!', {}), { authid: 'joe', authrole: 'user', authmethod: 'ticket', authprovider: 'static' });
  });

  it('fails a wrong ticket, also one that is a prefix or an extension of the right one', async () => {
    for (const wrong of ['secret', 'secret!!!!', '', 'SECRET!!!']) {
      const h = hello({ authid: 'joe' });
      const step = await challenge(auth, h);
      const result = await auth.authenticate(h, step.state, wrong, {});
      expectAbort(result, 'wamp.error.authentication_failed');
      if (result.kind === 'abort') expect(result.message).not.toContain('secret!!!');
    }
  });

  it('aborts an unknown or missing authid with no_such_principal', async () => {
    expectAbort(await auth.hello(hello({ authid: 'mallory' })), 'wamp.error.no_such_principal');
    expectAbort(await auth.hello(hello({})), 'wamp.error.no_such_principal');
  });

  it('refuses misconfigured principals at construction', () => {
    expect(() => ticket({ principals: { joe: { ticket: 5, role: 'user' } as never } })).toThrow(/principal "joe"/);
  });

  it('answers each challenge once', async () => {
    const h = hello({ authid: 'joe' });
    const step = await challenge(auth, h);
    expect((await auth.authenticate(h, step.state, 'secret!!!', {})).kind).toBe('welcome');
    expectAbort(await auth.authenticate(h, step.state, 'secret!!!', {}), 'wamp.error.authentication_failed');
  });

  it('refuses an answer after the challenge timeout', async () => {
    const slow = ticket({ principals: { joe: { ticket: 't', role: 'user' } }, challengeTimeout: 1 });
    const h = hello({ authid: 'joe' });
    const step = await challenge(slow, h);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expectAbort(await slow.authenticate(h, step.state, 't', {}), 'wamp.error.authentication_failed');
  });

  it('asks a verify hook, which may rename the authid; null and throws fail', async () => {
    const seen: unknown[] = [];
    const dynamic = ticket({
      verify: async (authid, value) => {
        seen.push([authid, value]);
        if (value === 'boom') throw new Error('database down: password=hunter2');
        return value === 'jwt-ok' ? { authrole: 'admin', authid: authid.toUpperCase(), authextra: { plan: 'pro' } } : null;
      },
    });
    const h = hello({ authid: 'joe' });
    const step = await challenge(dynamic, h);
    expectWelcome(await dynamic.authenticate(h, step.state, 'jwt-ok', {}), { authid: 'JOE', authrole: 'admin', authprovider: 'dynamic', authextra: { plan: 'pro' } });
    for (const bad of ['nope', 'boom']) {
      const h2 = hello({ authid: 'joe' });
      const step2 = await challenge(dynamic, h2);
      const result = await dynamic.authenticate(h2, step2.state, bad, {});
      expectAbort(result, 'wamp.error.authentication_failed');
      if (result.kind === 'abort') expect(result.message).not.toContain('hunter2');
    }
    expect(seen).toEqual([['joe', 'jwt-ok'], ['joe', 'nope'], ['joe', 'boom']]);
  });
});

/** What a wampcra client computes, written here with node:crypto only. */
function craSignature(key: string, challengeText: string): string {
  return createHmac('sha256', Buffer.from(key, 'utf8')).update(Buffer.from(challengeText, 'utf8')).digest('base64');
}

describe('wampcra', () => {
  const auth = wampcra({
    principals: {
      peter: { secret: 'secret1', role: 'user' },
      salty: { secret: deriveWampcraKey('password', 'salt123', 100, 32), role: 'admin', salt: 'salt123', iterations: 100, keylen: 32 },
    },
    authprovider: 'userdb',
  });

  it('sends the spec challenge: JSON with authid, authrole, authmethod, authprovider, nonce, timestamp, session', async () => {
    const h = hello({ authmethods: ['wampcra'], authid: 'peter' });
    const step = await challenge(auth, h);
    expect(step.method).toBe('wampcra');
    expect(Object.keys(step.extra)).toEqual(['challenge']);
    const parsed = JSON.parse(step.extra['challenge'] as string);
    expect(parsed).toEqual({ authid: 'peter', authrole: 'user', authmethod: 'wampcra', authprovider: 'userdb', nonce: expect.any(String), timestamp: expect.any(String), session: h.sessionId });
    expect(new Date(parsed.timestamp).toISOString()).toBe(parsed.timestamp);
    expect(parsed.nonce.length).toBeGreaterThanOrEqual(16);
    // Two challenges never repeat.
    expect((await challenge(auth, hello({ authid: 'peter' }))).extra['challenge']).not.toBe(step.extra['challenge']);
  });

  it('accepts the HMAC computed with node:crypto, Autobahn|JS and wampy', async () => {
    const signers: Array<(c: string) => string | Promise<string>> = [
      (c) => craSignature('secret1', c),
      (c) => autobahnCra.sign('secret1', c),
      (c) => wampyCraSign('secret1')('wampcra', { challenge: c }) as Promise<string>,
    ];
    for (const signer of signers) {
      const h = hello({ authid: 'peter' });
      const step = await challenge(auth, h);
      const signature = await signer(step.extra['challenge'] as string);
      expectWelcome(await auth.authenticate(h, step.state, signature, {}), { authid: 'peter', authrole: 'user', authmethod: 'wampcra', authprovider: 'userdb' });
    }
  });

  it("accepts what Autobahn|Python's AuthWampCra computes, salted and not", async () => {
    // Debian's python3-autobahn, run as a subprocess: the answers to two of our challenges.
    const script = [
      'import json, sys',
      'from autobahn.wamp.auth import AuthWampCra',
      'from autobahn.wamp.types import Challenge',
      "items = json.load(sys.stdin)",
      "print(json.dumps([AuthWampCra(authid=i['authid'], secret=i['secret']).on_challenge(None, Challenge('wampcra', i['extra'])) for i in items]))",
    ].join('\n');
    const hp = hello({ authid: 'peter' });
    const sp = await challenge(auth, hp);
    const hs = hello({ authid: 'salty' });
    const ss = await challenge(auth, hs);
    const input = JSON.stringify([{ authid: 'peter', secret: 'secret1', extra: sp.extra }, { authid: 'salty', secret: 'password', extra: ss.extra }]);
    const [peterSignature, saltySignature] = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { input, encoding: 'utf8' })) as [string, string];
    expectWelcome(await auth.authenticate(hp, sp.state, peterSignature, {}), { authid: 'peter' });
    expectWelcome(await auth.authenticate(hs, ss.state, saltySignature, {}), { authid: 'salty' });
  });

  it('salts: sends salt, iterations and keylen, and accepts the signature with the PBKDF2 key', async () => {
    const h = hello({ authid: 'salty' });
    const step = await challenge(auth, h);
    expect(step.extra).toEqual({ challenge: expect.any(String), salt: 'salt123', iterations: 100, keylen: 32 });
    const key = pbkdf2Sync('password', 'salt123', 100, 32, 'sha256').toString('base64');
    expect(autobahnCra.derive_key('password', 'salt123', 100, 32)).toBe(key);
    expect(await wampyDeriveKey('password', 'salt123', 100, 32)).toBe(key);
    expectWelcome(await auth.authenticate(h, step.state, craSignature(key, step.extra['challenge'] as string), {}), { authid: 'salty', authrole: 'admin' });
    // Signing with the bare password instead of the derived key fails.
    const h2 = hello({ authid: 'salty' });
    const step2 = await challenge(auth, h2);
    expectAbort(await auth.authenticate(h2, step2.state, craSignature('password', step2.extra['challenge'] as string), {}), 'wamp.error.authentication_failed');
  });

  it('deriveWampcraKey matches Autobahn|JS derive_key and defaults to 1000 iterations, 32 bytes', () => {
    expect(deriveWampcraKey('secret', 'salt123')).toBe(autobahnCra.derive_key('secret', 'salt123'));
    expect(deriveWampcraKey('päss', 'sält', 10, 16)).toBe(pbkdf2Sync(Buffer.from('päss'), Buffer.from('sält'), 10, 16, 'sha256').toString('base64'));
    expect(deriveWampcraKey('secret', 'salt123', 1000, 32)).toBe('MDS8Yxpu4J/vkHJ8dNEgqECYsI0uRDh2oZ5eN0vYPvo=');
  });

  it('fails a wrong secret, garbage, and a signature made for another session', async () => {
    const h = hello({ authid: 'peter' });
    const step = await challenge(auth, h);
    expectAbort(await auth.authenticate(h, step.state, craSignature('secret2', step.extra['challenge'] as string), {}), 'wamp.error.authentication_failed');
    for (const garbage of ['', 'not base64!', 'AAAA']) {
      const hx = hello({ authid: 'peter' });
      const sx = await challenge(auth, hx);
      expectAbort(await auth.authenticate(hx, sx.state, garbage, {}), 'wamp.error.authentication_failed');
    }
    // Replay: a valid answer to session A's challenge, presented on session B.
    const ha = hello({ authid: 'peter' });
    const sa = await challenge(auth, ha);
    const hb = hello({ authid: 'peter' });
    const sb = await challenge(auth, hb);
    expectAbort(await auth.authenticate(hb, sb.state, craSignature('secret1', sa.extra['challenge'] as string), {}), 'wamp.error.authentication_failed');
  });

  it('answers each challenge once', async () => {
    const h = hello({ authid: 'peter' });
    const step = await challenge(auth, h);
    const signature = craSignature('secret1', step.extra['challenge'] as string);
    expect((await auth.authenticate(h, step.state, signature, {})).kind).toBe('welcome');
    expectAbort(await auth.authenticate(h, step.state, signature, {}), 'wamp.error.authentication_failed');
  });

  it('aborts an unknown or missing authid with no_such_principal', async () => {
    expectAbort(await auth.hello(hello({ authid: 'nobody' })), 'wamp.error.no_such_principal');
    expectAbort(await auth.hello(hello({ authmethods: ['wampcra'] })), 'wamp.error.no_such_principal');
  });

  it('refuses misconfigured principals: at construction, or as a lookup result', async () => {
    expect(() => wampcra({ principals: { a: { secret: 'k', role: 'r', salt: '' } } })).toThrow(/principal "a"/);
    expect(() => wampcra({ principals: { a: { secret: 'k', role: 'r', salt: 's', iterations: 0 } } })).toThrow(TypeError);
    expect(() => wampcra({ principals: { a: { role: 'r' } as never } })).toThrow(TypeError);
    const dynamic = wampcra({ lookup: () => ({ secret: 'k', role: 'r', salt: '' }) });
    expectAbort(await dynamic.hello(hello({ authid: 'a' })), 'wamp.error.authentication_failed');
  });

  it('looks principals up with a hook; a throwing hook fails secure', async () => {
    const dynamic = wampcra({
      lookup: async (authid) => {
        if (authid === 'boom') throw new Error('db down');
        return authid === 'ann' ? { secret: 's3', role: 'user', authid: 'ann@example.com' } : null;
      },
    });
    const h = hello({ authid: 'ann' });
    const step = await challenge(dynamic, h);
    expect(JSON.parse(step.extra['challenge'] as string)).toMatchObject({ authid: 'ann@example.com', authprovider: 'dynamic' });
    expectWelcome(await dynamic.authenticate(h, step.state, craSignature('s3', step.extra['challenge'] as string), {}), { authid: 'ann@example.com', authprovider: 'dynamic' });
    expectAbort(await dynamic.hello(hello({ authid: 'bob' })), 'wamp.error.no_such_principal');
    expectAbort(await dynamic.hello(hello({ authid: 'boom' })), 'wamp.error.authentication_failed');
  });
});

function ed25519(): { publicHex: string; privateKey: KeyObject; seed: Buffer } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicHex = publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(16);
  return { publicHex, privateKey, seed };
}

describe('cryptosign', () => {
  const alice = ed25519();
  const aliceSecondKey = ed25519();
  const bob = ed25519();
  const stranger = ed25519();
  const auth = cryptosign({
    principals: {
      alice: { authorizedKeys: [alice.publicHex, aliceSecondKey.publicHex.toUpperCase()], role: 'user' },
      bob: { authorizedKeys: [bob.publicHex], role: 'admin' },
    },
  });

  const signWithNode = (key: KeyObject, challengeHex: string) => nodeSign(null, Buffer.from(challengeHex, 'hex'), key).toString('hex');

  it('challenges with 32 random bytes and accepts signature + challenge (96 bytes) and a bare signature', async () => {
    for (const form of ['full', 'bare'] as const) {
      const h = hello({ authmethods: ['cryptosign'], authid: 'alice', authextra: { pubkey: alice.publicHex, channel_binding: null } });
      const step = await challenge(auth, h);
      expect(step.method).toBe('cryptosign');
      expect(step.extra).toEqual({ challenge: expect.stringMatching(/^[0-9a-f]{64}$/), channel_binding: null });
      const c = step.extra['challenge'] as string;
      const signature = signWithNode(alice.privateKey, c) + (form === 'full' ? c : '');
      expectWelcome(await auth.authenticate(h, step.state, signature, {}), { authid: 'alice', authrole: 'user', authmethod: 'cryptosign', authprovider: 'static' });
    }
  });

  it('accepts what Autobahn|JS and wampy (tweetnacl) send', async () => {
    const pair = nacl.sign.keyPair.fromSeed(new Uint8Array(bob.seed));
    expect(autobahnCryptosign.public_key(pair)).toBe(bob.publicHex);
    const h1 = hello({ authid: 'bob', authextra: { pubkey: bob.publicHex } });
    const s1 = await challenge(auth, h1);
    expectWelcome(await auth.authenticate(h1, s1.state, autobahnCryptosign.sign_challenge(pair, { challenge: s1.extra['challenge'] as string }), {}), { authid: 'bob', authrole: 'admin' });
    const h2 = hello({ authid: 'bob', authextra: { pubkey: bob.publicHex } });
    const s2 = await challenge(auth, h2);
    const wampySignature = await wampyCryptosign(bob.seed.toString('hex'))('cryptosign', { challenge: s2.extra['challenge'] as string });
    expectWelcome(await auth.authenticate(h2, s2.state, wampySignature as string, {}), { authid: 'bob' });
  });

  it('finds the principal by public key when the client sends no authid, case-insensitively', async () => {
    const h = hello({ authextra: { pubkey: aliceSecondKey.publicHex.toUpperCase() } });
    const step = await challenge(auth, h);
    expectWelcome(await auth.authenticate(h, step.state, signWithNode(aliceSecondKey.privateKey, step.extra['challenge'] as string), {}), { authid: 'alice' });
  });

  it('fails a signature by another key, a tampered challenge echo, and garbage', async () => {
    const h = hello({ authid: 'alice', authextra: { pubkey: alice.publicHex } });
    const step = await challenge(auth, h);
    const c = step.extra['challenge'] as string;
    expectAbort(await auth.authenticate(h, step.state, signWithNode(stranger.privateKey, c) + c, {}), 'wamp.error.authentication_failed');
    const cases = [
      (cc: string) => signWithNode(alice.privateKey, cc) + 'ff'.repeat(32), // signature fine, echoed challenge wrong
      (cc: string) => signWithNode(alice.privateKey, cc).slice(0, 126),
      () => 'zz'.repeat(96),
      () => '',
    ];
    for (const make of cases) {
      const hx = hello({ authid: 'alice', authextra: { pubkey: alice.publicHex } });
      const sx = await challenge(auth, hx);
      expectAbort(await auth.authenticate(hx, sx.state, make(sx.extra['challenge'] as string), {}), 'wamp.error.authentication_failed');
    }
  });

  it('refuses a replayed answer (same challenge state, or another session)', async () => {
    const ha = hello({ authid: 'alice', authextra: { pubkey: alice.publicHex } });
    const sa = await challenge(auth, ha);
    const answer = signWithNode(alice.privateKey, sa.extra['challenge'] as string) + (sa.extra['challenge'] as string);
    expect((await auth.authenticate(ha, sa.state, answer, {})).kind).toBe('welcome');
    expectAbort(await auth.authenticate(ha, sa.state, answer, {}), 'wamp.error.authentication_failed');
    const hb = hello({ authid: 'alice', authextra: { pubkey: alice.publicHex } });
    const sb = await challenge(auth, hb);
    expectAbort(await auth.authenticate(hb, sb.state, answer, {}), 'wamp.error.authentication_failed');
  });

  it('aborts unknown principals and keys at HELLO', async () => {
    expectAbort(await auth.hello(hello({ authid: 'carol', authextra: { pubkey: alice.publicHex } })), 'wamp.error.no_such_principal');
    expectAbort(await auth.hello(hello({ authextra: { pubkey: stranger.publicHex } })), 'wamp.error.no_such_principal');
    // Bob's key is known, but not as alice's.
    expectAbort(await auth.hello(hello({ authid: 'alice', authextra: { pubkey: bob.publicHex } })), 'wamp.error.authentication_failed');
    expectAbort(await auth.hello(hello({ authid: 'alice' })), 'wamp.error.authentication_failed');
    expectAbort(await auth.hello(hello({ authid: 'alice', authextra: { pubkey: 'abc' } })), 'wamp.error.authentication_failed');
  });

  it('refuses misconfigured principals at construction', () => {
    expect(() => cryptosign({ principals: { a: { authorizedKeys: ['abcd'], role: 'r' } } })).toThrow(/principal "a"/);
    expect(() => cryptosign({ principals: { a: { authorizedKeys: alice.publicHex as never, role: 'r' } } })).toThrow(TypeError);
    expect(() => cryptosign({ principals: { a: { authorizedKeys: [alice.publicHex], role: 'r' }, b: { authorizedKeys: [alice.publicHex.toUpperCase()], role: 'r' } } })).toThrow(/"a" and "b"/);
  });

  it('asks a lookup hook with the public key; the authid defaults to the key', async () => {
    const dynamic = cryptosign({ lookup: (pubkey, authid) => (pubkey === bob.publicHex ? { authrole: 'device', ...(authid ? { authid } : {}) } : null) });
    const h = hello({ authextra: { pubkey: bob.publicHex } });
    const step = await challenge(dynamic, h);
    expectWelcome(await dynamic.authenticate(h, step.state, signWithNode(bob.privateKey, step.extra['challenge'] as string), {}), { authid: bob.publicHex, authrole: 'device', authprovider: 'dynamic' });
    expectAbort(await dynamic.hello(hello({ authextra: { pubkey: alice.publicHex } })), 'wamp.error.no_such_principal');
    const throwing = cryptosign({ lookup: () => { throw new Error('down'); } });
    expectAbort(await throwing.hello(hello({ authextra: { pubkey: alice.publicHex } })), 'wamp.error.authentication_failed');
  });
});

describe('upgradeRequestAuth', () => {
  it('welcomes the identity the upgrade hook found, without a challenge', async () => {
    const auth = upgradeRequestAuth();
    expect(auth.method).toBe('cookie');
    expectWelcome(await auth.hello(hello({}, { authid: 'alice', authrole: 'user', authextra: { team: 'a' } })), { authid: 'alice', authrole: 'user', authmethod: 'cookie', authprovider: 'http', authextra: { team: 'a' } });
    expectWelcome(await upgradeRequestAuth({ method: 'bearer', authprovider: 'jwt' }).hello(hello({}, { authid: 'x', authrole: 'r', authprovider: 'sso' })), { authmethod: 'bearer', authprovider: 'sso' });
  });

  it('aborts when there is no identity (the session skips it in selection anyway)', async () => {
    for (const bad of [undefined, null, 'alice', { authid: 'alice' }, { authid: 1, authrole: 'user' }]) {
      expectAbort(await upgradeRequestAuth().hello(hello({}, bad)), 'wamp.error.authentication_failed');
    }
  });

  it('readCookie and readBearerToken parse request headers', () => {
    expect(readCookie({ cookie: 'a=1; session=abc%20def; b=2' }, 'session')).toBe('abc def');
    expect(readCookie({ cookie: ['x=1', 'session="q"'] }, 'session')).toBe('q');
    expect(readCookie({ cookie: 'sessionid=1' }, 'session')).toBeUndefined();
    expect(readCookie({}, 'session')).toBeUndefined();
    expect(readBearerToken({ authorization: 'Bearer abc.def.ghi' })).toBe('abc.def.ghi');
    expect(readBearerToken({ authorization: 'bearer  tok ' })).toBe('tok');
    expect(readBearerToken({ authorization: 'Basic dXNlcjpwYXNz' })).toBeUndefined();
    expect(readBearerToken({})).toBeUndefined();
  });
});
