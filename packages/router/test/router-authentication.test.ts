// Authentication through the router session over real sockets, with a raw peer computing the
// answers by hand (node:crypto): ticket, wampcra (plain and salted), cryptosign, failures.
import { createHmac, generateKeyPairSync, pbkdf2Sync, sign as nodeSign } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { anonymous, cryptosign, deriveWampcraKey, ticket, wampcra } from '../src/index.js';
import { RawPeer, startRouter } from './support/raw-peer.js';

type Ctx = Awaited<ReturnType<typeof startRouter>>;

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const publicHex = publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex');

async function start(): Promise<Ctx> {
  return startRouter({
    realms: [
      {
        name: 'realm1',
        authenticators: [
          ticket({ principals: { joe: { ticket: 'secret!', role: 'user' } } }),
          wampcra({ principals: { peter: { secret: 'cra-secret', role: 'user' }, salty: { secret: deriveWampcraKey('salted', 'pepper', 100, 32), role: 'admin', salt: 'pepper', iterations: 100, keylen: 32 } } }),
          cryptosign({ principals: { alice: { authorizedKeys: [publicHex], role: 'admin' } } }),
          anonymous(),
        ],
        roles: [
          { name: 'user', permissions: [{ uri: 'wamp.session.', match: 'prefix', allow: { call: true } }] },
          { name: 'admin', permissions: [{ uri: '', match: 'prefix', allow: { call: true } }] },
          { name: 'anonymous', permissions: [] },
        ],
      },
    ],
  });
}

function craSign(key: string, challenge: string): string {
  return createHmac('sha256', Buffer.from(key, 'utf8')).update(Buffer.from(challenge, 'utf8')).digest('base64');
}

describe('authentication over the wire', () => {
  let ctx: Ctx | undefined;
  afterEach(async () => {
    await ctx?.stop();
    ctx = undefined;
  });

  async function open(serializer: 'json' | 'msgpack' | 'cbor' = 'json'): Promise<RawPeer> {
    const peer = await RawPeer.open(ctx!.url, serializer);
    ctx!.peers.push(peer);
    return peer;
  }

  it('ticket: CHALLENGE, AUTHENTICATE, WELCOME with the identity; a wrong ticket ABORTs', async () => {
    ctx = await start();
    const peer = await open('msgpack');
    const challenge = await peer.hello('realm1', { authmethods: ['ticket'], authid: 'joe' });
    expect(challenge).toEqual([4, 'ticket', {}]);
    peer.send([5, 'secret!', {}]);
    const welcome = await peer.next();
    expect(welcome[0]).toBe(2);
    expect(welcome[2]).toMatchObject({ authid: 'joe', authrole: 'user', authmethod: 'ticket', authprovider: 'static' });
    expect((await peer.call('wamp.session.count'))[0]).toBe(50);

    const wrong = await open();
    await wrong.hello('realm1', { authmethods: ['ticket'], authid: 'joe' });
    wrong.send([5, 'guess', {}]);
    const abort = await wrong.next();
    expect(abort[0]).toBe(3);
    expect(abort[2]).toBe('wamp.error.authentication_failed');
    expect(JSON.stringify(abort)).not.toContain('secret!');
    await wrong.closed;

    const unknown = await open();
    const noSuch = await unknown.hello('realm1', { authmethods: ['ticket'], authid: 'nobody' });
    expect(noSuch[0]).toBe(3);
    expect(noSuch[2]).toBe('wamp.error.no_such_principal');
  });

  it('wampcra: plain and salted secrets', async () => {
    ctx = await start();
    const plain = await open('cbor');
    const c1 = await plain.hello('realm1', { authmethods: ['wampcra'], authid: 'peter' });
    expect(c1[0]).toBe(4);
    expect(c1[1]).toBe('wampcra');
    const text1 = (c1[2] as { challenge: string }).challenge;
    expect(JSON.parse(text1)).toMatchObject({ authid: 'peter', authrole: 'user', authmethod: 'wampcra' });
    plain.send([5, craSign('cra-secret', text1), {}]);
    expect((await plain.next())[2]).toMatchObject({ authid: 'peter', authrole: 'user', authmethod: 'wampcra' });

    const salted = await open();
    const c2 = await salted.hello('realm1', { authmethods: ['wampcra'], authid: 'salty' });
    const extra = c2[2] as { challenge: string; salt: string; iterations: number; keylen: number };
    expect(extra).toMatchObject({ salt: 'pepper', iterations: 100, keylen: 32 });
    // The client derives the key from its password, as Autobahn and wampy do.
    const key = pbkdf2Sync('salted', extra.salt, extra.iterations, extra.keylen, 'sha256').toString('base64');
    salted.send([5, craSign(key, extra.challenge), {}]);
    const welcome = await salted.next();
    expect(welcome[0]).toBe(2);
    expect(welcome[2]).toMatchObject({ authid: 'salty', authrole: 'admin' });

    const bad = await open();
    const c3 = await bad.hello('realm1', { authmethods: ['wampcra'], authid: 'peter' });
    bad.send([5, craSign('wrong', (c3[2] as { challenge: string }).challenge), {}]);
    expect((await bad.next())[2]).toBe('wamp.error.authentication_failed');
  });

  it('cryptosign: signs the challenge with Ed25519', async () => {
    ctx = await start();
    const peer = await open('msgpack');
    const challenge = await peer.hello('realm1', { authmethods: ['cryptosign'], authid: 'alice', authextra: { pubkey: publicHex } });
    expect(challenge[0]).toBe(4);
    expect(challenge[1]).toBe('cryptosign');
    const hex = (challenge[2] as { challenge: string }).challenge;
    const signature = nodeSign(null, Buffer.from(hex, 'hex'), privateKey).toString('hex');
    peer.send([5, signature + hex, {}]);
    const welcome = await peer.next();
    expect(welcome[0]).toBe(2);
    expect(welcome[2]).toMatchObject({ authid: 'alice', authrole: 'admin', authmethod: 'cryptosign' });

    const forger = await open();
    const c2 = await forger.hello('realm1', { authmethods: ['cryptosign'], authid: 'alice', authextra: { pubkey: publicHex } });
    forger.send([5, 'ab'.repeat(64) + (c2[2] as { challenge: string }).challenge, {}]);
    expect((await forger.next())[2]).toBe('wamp.error.authentication_failed');
  });

  it('falls back along the client\'s authmethods; anonymous gets its own role', async () => {
    ctx = await start();
    const peer = await open();
    const welcome = await peer.hello('realm1', { authmethods: ['scram', 'anonymous'] });
    expect(welcome[0]).toBe(2);
    expect(welcome[2]).toMatchObject({ authmethod: 'anonymous', authrole: 'anonymous' });
    // The anonymous role has no permissions.
    expect((await peer.call('wamp.session.count'))[4]).toBe('wamp.error.not_authorized');
  });
});
