/**
 * Authentication and authorization end to end over real sockets on 127.0.0.1: our client (Node
 * entry) and raw `ws` peers against a Router configured with every authenticator, roles and an
 * authorizer.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HttpError } from '@junction/websocket';
import { connect, cryptosignAuth, ticketAuth, wampcraAuth, type Client } from '@junction/client';
import { Router, anonymous, cryptosign, deriveWampcraKey, readBearerToken, readCookie, ticket, upgradeRequestAuth, wampcra } from '../src/index.js';

const device = generateKeyPairSync('ed25519');
const deviceSeed = device.privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(16);
const devicePublic = device.publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex');

let router: Router;
let url: string;
const clients: Client[] = [];

beforeAll(async () => {
  router = new Router({
    authenticateUpgrade: (request) => {
      const sid = readCookie(request.headers, 'sid') ?? readBearerToken(request.headers);
      if (sid === undefined) return null;
      if (sid === 'alice-session') return { authid: 'alice', authrole: 'user' };
      throw new HttpError(401, 'unknown session');
    },
    realms: [{
      name: 'realm1',
      authenticators: [
        upgradeRequestAuth(),
        ticket({ principals: { joe: { ticket: 'joe-ticket', role: 'user' }, ghost: { ticket: 'boo', role: 'no-such-role' } } }),
        wampcra({ principals: { salty: { secret: deriveWampcraKey('pw', 'pepper', 100, 32), salt: 'pepper', iterations: 100, keylen: 32, role: 'backend' } } }),
        cryptosign({ principals: { device1: { authorizedKeys: [devicePublic], role: 'backend' } } }),
        anonymous(),
      ],
      roles: [
        { name: 'user', permissions: [{ uri: 'com.example.', match: 'prefix', allow: { call: true, subscribe: true } }] },
        { name: 'backend', permissions: [{ uri: 'com.example.', match: 'prefix', allow: { register: true, call: true, publish: true } }] },
        { name: 'anonymous', permissions: [{ uri: 'com.example.public.', match: 'prefix', allow: { call: true } }] },
      ],
      authorizer: (session, uri, action) => !(action === 'call' && uri === 'com.example.joe_only' && session.authid !== 'joe'),
    }],
  });
  ({ url } = await router.listen({ port: 0, host: '127.0.0.1' }));
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await router.close();
});

async function open(options: Parameters<typeof connect>[0]): Promise<Client> {
  const client = await connect({ reconnect: false, ...options });
  clients.push(client);
  return client;
}

/** A raw WAMP-over-JSON exchange: HELLO, then the first message back (WELCOME, ABORT or CHALLENGE). */
async function rawHello(headers: Record<string, string>, details: Record<string, unknown> = {}): Promise<unknown[]> {
  const socket = new WebSocket(url, ['wamp.2.json'], { headers });
  try {
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      socket.once('error', reject);
    });
    socket.send(JSON.stringify([1, 'realm1', { roles: { caller: {}, subscriber: {} }, ...details }]));
    const [data] = await new Promise<[WebSocket.RawData]>((resolve) => socket.once('message', (d) => resolve([d])));
    return JSON.parse(data.toString()) as unknown[];
  } finally {
    socket.terminate();
  }
}

describe('authentication over WebSocket', () => {
  it('ticket, salted wampcra and cryptosign log in; WELCOME carries the identity', async () => {
    const identities: unknown[] = [];
    for (const auth of [ticketAuth({ authid: 'joe', ticket: 'joe-ticket' }), wampcraAuth({ authid: 'salty', secret: 'pw' }), cryptosignAuth({ privateKey: deviceSeed })]) {
      const client = await open({ url, realm: 'realm1', auth });
      const { authid, authrole, authmethod, authprovider } = client.welcome as Record<string, unknown>;
      identities.push({ authid, authrole, authmethod, authprovider });
    }
    expect(identities).toEqual([
      { authid: 'joe', authrole: 'user', authmethod: 'ticket', authprovider: 'static' },
      { authid: 'salty', authrole: 'backend', authmethod: 'wampcra', authprovider: 'static' },
      { authid: 'device1', authrole: 'backend', authmethod: 'cryptosign', authprovider: 'static' },
    ]);
  });

  it('wrong credentials ABORT with the spec URIs', async () => {
    await expect(open({ url, realm: 'realm1', auth: ticketAuth({ authid: 'joe', ticket: 'nope' }) })).rejects.toMatchObject({ uri: 'wamp.error.authentication_failed' });
    await expect(open({ url, realm: 'realm1', auth: ticketAuth({ authid: 'jim', ticket: 'x' }) })).rejects.toMatchObject({ uri: 'wamp.error.no_such_principal' });
    await expect(open({ url, realm: 'realm1', auth: wampcraAuth({ authid: 'salty', secret: 'wrong' }) })).rejects.toMatchObject({ uri: 'wamp.error.authentication_failed' });
    await expect(open({ url, realm: 'realm1', auth: ticketAuth({ authid: 'ghost', ticket: 'boo' }) })).rejects.toMatchObject({ uri: 'wamp.error.no_such_role' });
  });

  it('the upgrade hook: a cookie or bearer token logs in without a challenge, a bad one gets HTTP 401', async () => {
    const withCookie = await rawHello({ cookie: 'theme=dark; sid=alice-session' });
    expect(withCookie[0]).toBe(2);
    expect(withCookie[2]).toMatchObject({ authid: 'alice', authrole: 'user', authmethod: 'cookie', authprovider: 'http' });
    expect((await rawHello({ authorization: 'Bearer alice-session' }, { authmethods: ['cookie'] }))[2]).toMatchObject({ authid: 'alice' });
    const anonymousHello = await rawHello({});
    expect(anonymousHello[2]).toMatchObject({ authrole: 'anonymous', authmethod: 'anonymous' });
    // Asking for ticket explicitly gets ticket, cookie or not.
    expect(await rawHello({ cookie: 'sid=alice-session' }, { authmethods: ['ticket'], authid: 'joe' })).toEqual([4, 'ticket', {}]);
    await expect(rawHello({ cookie: 'sid=forged' })).rejects.toThrow('HTTP 401');
  });
});

describe('authorization over WebSocket', () => {
  it('roles and the authorizer allow and deny with not_authorized', async () => {
    const backend = await open({ url, realm: 'realm1', auth: cryptosignAuth({ privateKey: deviceSeed }) });
    await backend.register('com.example.add', (args) => (args[0] as number) + (args[1] as number));
    await backend.register('com.example.joe_only', () => 'hi joe');
    await backend.register('com.example.public.time', () => 42);
    await expect(backend.register('org.other.add', () => 0)).rejects.toMatchObject({ uri: 'wamp.error.not_authorized' });

    const joe = await open({ url, realm: 'realm1', auth: ticketAuth({ authid: 'joe', ticket: 'joe-ticket' }) });
    expect((await joe.call('com.example.add', [2, 3])).args).toEqual([5]);
    expect((await joe.call('com.example.joe_only')).args).toEqual(['hi joe']);
    await expect(joe.register('com.example.mine', () => 0)).rejects.toMatchObject({ uri: 'wamp.error.not_authorized' });
    await expect(joe.publish('com.example.news', [], {}, { acknowledge: true })).rejects.toMatchObject({ uri: 'wamp.error.not_authorized' });

    const guest = await open({ url, realm: 'realm1' });
    expect((await guest.call('com.example.public.time')).args).toEqual([42]);
    await expect(guest.call('com.example.add', [1, 1])).rejects.toMatchObject({ uri: 'wamp.error.not_authorized' });
    await expect(guest.call('com.example.joe_only')).rejects.toMatchObject({ uri: 'wamp.error.not_authorized' });

    // A prefix subscription that would reach URIs the role may not subscribe to is refused.
    const backendSub = backend.subscribe('com.example.', () => undefined, { match: 'prefix' });
    await expect(backendSub).rejects.toMatchObject({ uri: 'wamp.error.not_authorized' });
    await joe.subscribe('com.example.', () => undefined, { match: 'prefix' });
  });

  it('a hung authorizer refuses with authorization_failed after authorizerTimeout, and the session goes on', async () => {
    const hungRouter = new Router({
      realms: [{ name: 'realm1', authorizer: (_s, uri) => (uri === 'com.example.hang' ? new Promise<boolean>(() => {}) : true), authorizerTimeout: 100 }],
    });
    const { url: hungUrl } = await hungRouter.listen({ port: 0, host: '127.0.0.1' });
    try {
      const client = await open({ url: hungUrl, realm: 'realm1' });
      const started = Date.now();
      await expect(client.subscribe('com.example.hang', () => undefined)).rejects.toMatchObject({ uri: 'wamp.error.authorization_failed' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(90);
      // The session goes on: its next request is answered as usual.
      await client.subscribe('com.example.fine', () => undefined);
      await client.close();
    } finally {
      await hungRouter.close();
    }
  });
});
