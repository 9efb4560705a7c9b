import { createHash, createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, pbkdf2Sync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { anonymous, cryptosign, deriveWampcraKey as routerDeriveKey, selectAuthenticator, ticket, wampcra, type AuthHello, type Authenticator, type AuthStep } from '@junction/router';
import { cryptosignAuth, deriveWampcraKey, signWampcraChallenge, ticketAuth, wampcraAuth, type ClientAuth } from '../src/auth/index.js';
import { ed25519PublicKey, sha512 } from '../src/auth/ed25519-public-key.js';
import { fromHex, toBase64, toHex } from '../src/auth/encoding.js';

describe('encoding helpers', () => {
  it('base64 and hex agree with Buffer for every length 0..70', () => {
    for (let length = 0; length <= 70; length++) {
      const bytes = randomBytes(length);
      expect(toBase64(bytes)).toBe(bytes.toString('base64'));
      expect(toHex(bytes)).toBe(bytes.toString('hex'));
      expect(Buffer.from(fromHex(bytes.toString('hex').toUpperCase())).equals(bytes)).toBe(true);
    }
    expect(() => fromHex('abc')).toThrow(TypeError);
    expect(() => fromHex('zz')).toThrow(TypeError);
  });
});

describe('Ed25519 public key derivation (pure JS)', () => {
  it('SHA-512 matches node:crypto around the block boundaries', () => {
    for (const length of [0, 1, 32, 111, 112, 113, 127, 128, 129, 255, 256, 1000]) {
      const message = randomBytes(length);
      expect(toHex(sha512(message))).toBe(createHash('sha512').update(message).digest('hex'));
    }
  });

  it('matches node:crypto for random keys', () => {
    for (let i = 0; i < 20; i++) {
      const { publicKey, privateKey } = generateKeyPairSync('ed25519');
      const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(16);
      expect(toHex(ed25519PublicKey(seed))).toBe(publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex'));
    }
  });

  it('refuses a seed that is not 32 bytes', () => {
    expect(() => ed25519PublicKey(new Uint8Array(31))).toThrow(TypeError);
  });
});

// The spec's WAMP-Cryptosign test vectors without channel binding (rfc/text/advanced/ap_35_authentication_cryptosign.md).
const CRYPTOSIGN_VECTORS = [
  {
    privateKey: '4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510',
    challenge: 'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    signature: 'b32675b221f08593213737bef8240e7c15228b07028e19595294678c90d11c0cae80a357331bfc5cc9fb71081464e6e75013517c2cf067ad566a6b7b728e5d03ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  },
  {
    privateKey: 'd511fe78e23934b3dadb52fcd022974b80bd92bccc7c5cf404e46cc0a8a2f5cd',
    challenge: 'b26c1f87c13fc1da14997f1b5a71995dff8fbe0a62fae8473c7bdbd05bfb607d',
    signature: 'd4209ad10d5aff6bfbc009d7e924795de138a63515efc7afc6b01b7fe5201372190374886a70207b042294af5bd64ce725cd8dceb344e6d11c09d1aaaf4d660fb26c1f87c13fc1da14997f1b5a71995dff8fbe0a62fae8473c7bdbd05bfb607d',
  },
  {
    privateKey: '6e1fde9cf9e2359a87420b65a87dc0c66136e66945196ba2475990d8a0c3a25b',
    challenge: 'b05e6b8ad4d69abf74aa3be3c0ee40ae07d66e1895b9ab09285a2f1192d562d2',
    signature: '7beb282184baadd08f166f16dd683b39cab53816ed81e6955def951cb2ddad1ec184e206746fd82bda075af03711d3d5658fc84a76196b0fa8d1ebc92ef9f30bb05e6b8ad4d69abf74aa3be3c0ee40ae07d66e1895b9ab09285a2f1192d562d2',
  },
];

describe('cryptosignAuth', () => {
  it.each(CRYPTOSIGN_VECTORS)('reproduces the spec test vector for key $privateKey', async (vector) => {
    const auth = cryptosignAuth({ privateKey: vector.privateKey });
    const { signature } = await auth.onChallenge('cryptosign', { challenge: vector.challenge, channel_binding: null });
    expect(signature).toBe(vector.signature);
    // The announced public key is the one node:crypto derives from the same seed.
    const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(vector.privateKey, 'hex')]);
    const nodePublic = createPublicKey(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })).export({ format: 'der', type: 'spki' }).subarray(12).toString('hex');
    expect(auth.authextra).toEqual({ pubkey: nodePublic });
    expect(auth.publicKey).toBe(nodePublic);
    expect(auth.authmethods).toEqual(['cryptosign']);
  });

  it('accepts the seed as bytes and the 64-byte seed+public key form, and refuses bad keys', async () => {
    const vector = CRYPTOSIGN_VECTORS[1]!;
    const fromBytes = cryptosignAuth({ privateKey: fromHex(vector.privateKey), authid: 'dev1', authextra: { trustroot: null } });
    expect(fromBytes.authid).toBe('dev1');
    expect(fromBytes.authextra).toEqual({ trustroot: null, pubkey: fromBytes.publicKey });
    const full = cryptosignAuth({ privateKey: vector.privateKey + fromBytes.publicKey });
    expect((await full.onChallenge('cryptosign', { challenge: vector.challenge })).signature).toBe(vector.signature);
    expect(() => cryptosignAuth({ privateKey: vector.privateKey + '00'.repeat(32) })).toThrow(TypeError);
    expect(() => cryptosignAuth({ privateKey: 'abcd' })).toThrow(TypeError);
  });

  it('refuses other methods, malformed challenges and channel binding', async () => {
    const auth = cryptosignAuth({ privateKey: CRYPTOSIGN_VECTORS[0]!.privateKey });
    await expect(auth.onChallenge('wampcra', { challenge: 'ff'.repeat(32) })).rejects.toThrow(/cannot answer/);
    await expect(auth.onChallenge('cryptosign', { challenge: 'ff' })).rejects.toThrow(/32 bytes/);
    await expect(auth.onChallenge('cryptosign', { challenge: 'ff'.repeat(32), channel_binding: 'tls-unique' })).rejects.toThrow(/not supported/);
  });
});

describe('wampcraAuth', () => {
  const challenge = JSON.stringify({ authid: 'peter', authrole: 'user', authmethod: 'wampcra', authprovider: 'static', nonce: 'n', timestamp: '2024-01-01T00:00:00.000Z', session: 1 });

  it('signs with HMAC-SHA256 as node:crypto computes it', async () => {
    const auth = wampcraAuth({ authid: 'peter', secret: 'sëcret' });
    expect(auth.authmethods).toEqual(['wampcra']);
    expect(auth.authid).toBe('peter');
    const { signature } = await auth.onChallenge('wampcra', { challenge });
    expect(signature).toBe(createHmac('sha256', Buffer.from('sëcret')).update(challenge).digest('base64'));
  });

  it('derives the PBKDF2 key when the challenge has a salt (defaults 1000 iterations, 32 bytes)', async () => {
    const auth = wampcraAuth({ authid: 'peter', secret: 'password' });
    const key = pbkdf2Sync('password', 'salt123', 50, 16, 'sha256').toString('base64');
    expect((await auth.onChallenge('wampcra', { challenge, salt: 'salt123', iterations: 50, keylen: 16 })).signature).toBe(createHmac('sha256', key).update(challenge).digest('base64'));
    const defaultKey = pbkdf2Sync('password', 'salt123', 1000, 32, 'sha256').toString('base64');
    expect((await auth.onChallenge('wampcra', { challenge, salt: 'salt123' })).signature).toBe(createHmac('sha256', defaultKey).update(challenge).digest('base64'));
    expect(await deriveWampcraKey('password', 'salt123', 50, 16)).toBe(key);
    expect(await deriveWampcraKey('password', 'salt123')).toBe(routerDeriveKey('password', 'salt123'));
    expect(await signWampcraChallenge('k', 'c')).toBe(createHmac('sha256', 'k').update('c').digest('base64'));
  });

  it('refuses unreasonable PBKDF2 parameters and malformed challenges', async () => {
    const auth = wampcraAuth({ authid: 'peter', secret: 'password' });
    await expect(auth.onChallenge('wampcra', { challenge, salt: 's', iterations: 1e9, keylen: 32 })).rejects.toThrow(RangeError);
    await expect(auth.onChallenge('wampcra', { challenge, salt: 's', iterations: 10, keylen: 0 })).rejects.toThrow(RangeError);
    await expect(auth.onChallenge('wampcra', { challenge, salt: 5 })).rejects.toThrow(TypeError);
    await expect(auth.onChallenge('wampcra', {})).rejects.toThrow(/challenge/);
    await expect(auth.onChallenge('ticket', { challenge })).rejects.toThrow(/cannot answer/);
  });
});

describe('ticketAuth', () => {
  it('answers with the ticket, or a fresh one from a function each time', async () => {
    expect(await ticketAuth({ authid: 'joe', ticket: 't1' }).onChallenge('ticket', {})).toEqual({ signature: 't1' });
    let n = 0;
    const auth = ticketAuth({ authid: 'joe', ticket: async () => `token-${++n}` });
    expect(auth).toMatchObject({ authmethods: ['ticket'], authid: 'joe' });
    expect((await auth.onChallenge('ticket', {})).signature).toBe('token-1');
    expect((await auth.onChallenge('ticket', {})).signature).toBe('token-2');
    await expect(auth.onChallenge('wampcra', {})).rejects.toThrow(/cannot answer/);
  });
});

/**
 * The router side of the handshake, in-process: select the authenticator from what the client
 * would put in HELLO, then CHALLENGE -> onChallenge -> AUTHENTICATE, as the router session does.
 */
let nextSession = 1;
async function handshake(authenticators: Authenticator[], auth: ClientAuth, tamper?: (signature: string) => string): Promise<AuthStep> {
  const details: Record<string, unknown> = { authmethods: auth.authmethods };
  if (auth.authid !== undefined) details['authid'] = auth.authid;
  if (auth.authextra !== undefined) details['authextra'] = auth.authextra;
  const hello: AuthHello = { realm: 'realm1', details, transportAuth: undefined, sessionId: nextSession++ };
  const authenticator = selectAuthenticator(authenticators, details['authmethods']);
  if (authenticator === null) return { kind: 'abort', reason: 'wamp.error.no_auth_method', message: 'no method' };
  const step = await authenticator.hello(hello);
  if (step.kind !== 'challenge') return step;
  const answer = await auth.onChallenge(step.method, step.extra);
  return authenticator.authenticate(hello, step.state, tamper ? tamper(answer.signature) : answer.signature, answer.extra ?? {});
}

describe('client responders against the router authenticators', () => {
  const device = generateKeyPairSync('ed25519');
  const deviceSeed = device.privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(16);
  const devicePublic = device.publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex');
  const other = generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(16);
  const realm: Authenticator[] = [
    ticket({ principals: { joe: { ticket: 'joe-ticket', role: 'user' } } }),
    wampcra({
      principals: {
        peter: { secret: 'peter-secret', role: 'user' },
        salty: { secret: routerDeriveKey('salty-password', 'pepper', 500, 32), salt: 'pepper', iterations: 500, keylen: 32, role: 'admin' },
      },
    }),
    cryptosign({ principals: { device1: { authorizedKeys: [devicePublic], role: 'device' } } }),
    anonymous(),
  ];

  it('ticket', async () => {
    expect(await handshake(realm, ticketAuth({ authid: 'joe', ticket: 'joe-ticket' }))).toMatchObject({ kind: 'welcome', identity: { authid: 'joe', authrole: 'user', authmethod: 'ticket' } });
    expect(await handshake(realm, ticketAuth({ authid: 'joe', ticket: 'wrong' }))).toMatchObject({ kind: 'abort', reason: 'wamp.error.authentication_failed' });
    expect(await handshake(realm, ticketAuth({ authid: 'jim', ticket: 'joe-ticket' }))).toMatchObject({ kind: 'abort', reason: 'wamp.error.no_such_principal' });
  });

  it('wampcra without and with salt', async () => {
    expect(await handshake(realm, wampcraAuth({ authid: 'peter', secret: 'peter-secret' }))).toMatchObject({ kind: 'welcome', identity: { authid: 'peter', authmethod: 'wampcra' } });
    expect(await handshake(realm, wampcraAuth({ authid: 'salty', secret: 'salty-password' }))).toMatchObject({ kind: 'welcome', identity: { authid: 'salty', authrole: 'admin' } });
    expect(await handshake(realm, wampcraAuth({ authid: 'peter', secret: 'peter-secreT' }))).toMatchObject({ kind: 'abort', reason: 'wamp.error.authentication_failed' });
    expect(await handshake(realm, wampcraAuth({ authid: 'salty', secret: 'wrong' }))).toMatchObject({ kind: 'abort', reason: 'wamp.error.authentication_failed' });
    expect(await handshake(realm, wampcraAuth({ authid: 'nobody', secret: 'x' }))).toMatchObject({ kind: 'abort', reason: 'wamp.error.no_such_principal' });
  });

  it('cryptosign with a node:crypto key, with and without authid', async () => {
    expect(await handshake(realm, cryptosignAuth({ authid: 'device1', privateKey: deviceSeed }))).toMatchObject({ kind: 'welcome', identity: { authid: 'device1', authrole: 'device', authmethod: 'cryptosign' } });
    expect(await handshake(realm, cryptosignAuth({ privateKey: toHex(deviceSeed) }))).toMatchObject({ kind: 'welcome', identity: { authid: 'device1' } });
    expect(await handshake(realm, cryptosignAuth({ privateKey: other }))).toMatchObject({ kind: 'abort', reason: 'wamp.error.no_such_principal' });
    expect(await handshake(realm, cryptosignAuth({ authid: 'device1', privateKey: other }))).toMatchObject({ kind: 'abort', reason: 'wamp.error.authentication_failed' });
    // A flipped bit in the signature fails.
    const flip = (s: string) => (s[0] === '0' ? '1' : '0') + s.slice(1);
    expect(await handshake(realm, cryptosignAuth({ authid: 'device1', privateKey: deviceSeed }), flip)).toMatchObject({ kind: 'abort', reason: 'wamp.error.authentication_failed' });
  });

  it('a client that offers several methods gets the first the realm has', async () => {
    const multi: ClientAuth = { authmethods: ['scram', 'ticket'], authid: 'joe', onChallenge: async () => ({ signature: 'joe-ticket' }) };
    expect(await handshake(realm, multi)).toMatchObject({ kind: 'welcome', identity: { authmethod: 'ticket' } });
    expect(await handshake([anonymous()], ticketAuth({ authid: 'joe', ticket: 'x' }))).toMatchObject({ kind: 'abort', reason: 'wamp.error.no_auth_method' });
  });
});
