// The WebSocket handshake as the router serves it: subprotocol choice, refusals, offer formats,
// the upgrade-request hook; then HELLO/WELCOME and realms.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HttpError, WebSocketServer } from '@junction/websocket';
import { Router } from '../src/index.js';
import { ROUTER_ROLES } from '@junction/wamp';
import { RawPeer, startRouter, until } from './support/raw-peer.js';

/** Sends an upgrade request by hand (any headers, repeated ones too) and reads the response head and body. */
function rawUpgrade(port: number, extraHeaders: string[]): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      data += chunk;
      const end = data.indexOf('\r\n\r\n');
      if (end >= 0 && data.startsWith('HTTP/1.1 101')) {
        socket.destroy();
        resolve({ status: 101, head: data.slice(0, end), body: '' });
      }
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const end = data.indexOf('\r\n\r\n');
      resolve({ status: Number(data.slice(9, 12)), head: data.slice(0, end), body: data.slice(end + 4) });
    });
    socket.write(
      ['GET /ws HTTP/1.1', `Host: 127.0.0.1:${port}`, 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13', ...extraHeaders, '', ''].join('\r\n'),
    );
  });
}

function chosenProtocol(head: string): string | undefined {
  return /^sec-websocket-protocol:\s*(.*)$/im.exec(head)?.[1]?.trim();
}

describe('router handshake', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it('accepts each serializer and answers in its format', async () => {
    const ctx = await startRouter();
    stop = ctx.stop;
    for (const name of ['json', 'msgpack', 'cbor'] as const) {
      const peer = await RawPeer.join(ctx.url, 'realm1', name);
      ctx.peers.push(peer);
      expect(peer.socket.protocol).toBe(`wamp.2.${name}`);
      const result = await peer.call('wamp.session.count');
      expect(result[0]).toBe(50);
      expect(result[3]).toEqual([ctx.router.realm('realm1')!.sessions.size]);
    }
  });

  it("follows the client's order of preference", async () => {
    const ctx = await startRouter();
    stop = ctx.stop;
    const a = await rawUpgrade(ctx.port, ['Sec-WebSocket-Protocol: wamp.2.json, wamp.2.msgpack']);
    expect(a.status).toBe(101);
    expect(chosenProtocol(a.head)).toBe('wamp.2.json');
    const b = await rawUpgrade(ctx.port, ['Sec-WebSocket-Protocol: wamp.2.cbor,wamp.2.json']);
    expect(chosenProtocol(b.head)).toBe('wamp.2.cbor');
  });

  it('accepts offer lists in any format: "a,b", "a, b", repeated headers, unknown entries', async () => {
    const ctx = await startRouter();
    stop = ctx.stop;
    const cases: [string[], string][] = [
      [['Sec-WebSocket-Protocol: foo,wamp.2.msgpack'], 'wamp.2.msgpack'],
      [['Sec-WebSocket-Protocol: foo, wamp.2.json'], 'wamp.2.json'],
      [['Sec-WebSocket-Protocol: foo', 'Sec-WebSocket-Protocol: wamp.2.cbor'], 'wamp.2.cbor'],
      [['Sec-WebSocket-Protocol: foo ,  bar,wamp.2.json'], 'wamp.2.json'],
    ];
    for (const [headers, expected] of cases) {
      const answer = await rawUpgrade(ctx.port, headers);
      expect(answer.status, headers.join(' | ')).toBe(101);
      expect(chosenProtocol(answer.head)).toBe(expected);
    }
  });

  it('refuses a client offering none of our subprotocols, or none at all, with a clear 400', async () => {
    const ctx = await startRouter();
    stop = ctx.stop;
    const other = await rawUpgrade(ctx.port, ['Sec-WebSocket-Protocol: mqtt, graphql-ws']);
    expect(other.status).toBe(400);
    expect(other.body).toContain('wamp.2.json');
    expect(other.body).toContain('mqtt');
    const none = await rawUpgrade(ctx.port, []);
    expect(none.status).toBe(400);
    expect(none.body).toMatch(/subprotocol is required/);
    expect(none.body).toContain('wamp.2.msgpack');
  });

  it('serves only the configured serializers', async () => {
    const ctx = await startRouter({ realms: [{ name: 'realm1' }], serializers: ['json'] });
    stop = ctx.stop;
    expect((await rawUpgrade(ctx.port, ['Sec-WebSocket-Protocol: wamp.2.msgpack'])).status).toBe(400);
    expect((await rawUpgrade(ctx.port, ['Sec-WebSocket-Protocol: wamp.2.msgpack, wamp.2.json'])).status).toBe(101);
  });

  it('runs authenticateUpgrade: an identity from the request welcomes directly; HttpError refuses', async () => {
    const ctx = await startRouter({
      realms: [{ name: 'realm1' }],
      authenticateUpgrade: (request) => {
        const cookie = request.headers.cookie ?? '';
        if (cookie.includes('session=alice')) return { authid: 'alice', authrole: 'user' };
        if (cookie.includes('session=bad')) throw new HttpError(401, 'Log in first');
        return null;
      },
    });
    stop = ctx.stop;
    const alice = await RawPeer.open(ctx.url, 'json', { headers: { cookie: 'session=alice' } });
    ctx.peers.push(alice);
    const welcome = await alice.hello('realm1');
    expect(welcome[0]).toBe(2);
    expect(welcome[2]).toMatchObject({ authid: 'alice', authrole: 'user', authmethod: 'cookie' });

    const anon = await RawPeer.open(ctx.url, 'json');
    ctx.peers.push(anon);
    expect((await anon.hello('realm1'))[2]).toMatchObject({ authmethod: 'anonymous', authrole: 'anonymous' });

    const refused = new WebSocket(ctx.url, ['wamp.2.json'], { headers: { cookie: 'session=bad' } });
    refused.on('error', () => {});
    const status = await new Promise<number>((resolve) =>
      refused.on('unexpected-response', (req, res) => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      }),
    );
    expect(status).toBe(401);
  });
  it('passes webSocket options through: origins refuse foreign browsers; the heartbeat drops dead connections', async () => {
    const ctx = await startRouter({ realms: [{ name: 'realm1' }], webSocket: { origins: ['https://app.example'], heartbeat: { interval: 100, timeout: 100 } } });
    stop = ctx.stop;
    expect((await rawUpgrade(ctx.port, ['Sec-WebSocket-Protocol: wamp.2.json', 'Origin: https://evil.example'])).status).toBe(403);
    expect((await rawUpgrade(ctx.port, ['Sec-WebSocket-Protocol: wamp.2.json', 'Origin: https://app.example'])).status).toBe(101);
    const alive = await RawPeer.join(ctx.url);
    const dead = await RawPeer.join(ctx.url);
    ctx.peers.push(alive, dead);
    // A peer whose socket stops reading answers no pings: the router drops it and the session leaves.
    (dead.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const realm = ctx.router.realm('realm1')!;
    await until(() => !realm.sessions.has(dead.sessionId), 3000, 'the silent session to be dropped');
    expect(realm.sessions.has(alive.sessionId)).toBe(true);
    expect((await alive.call('wamp.session.count'))[3]).toEqual([1]);
  });
});

describe('HELLO and WELCOME', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it('WELCOME carries a random session ID, the roles and the identity', async () => {
    const ctx = await startRouter();
    stop = ctx.stop;
    const a = await RawPeer.open(ctx.url);
    const b = await RawPeer.open(ctx.url);
    ctx.peers.push(a, b);
    const wa = await a.hello('realm1');
    const wb = await b.hello('realm1');
    expect(wa[0]).toBe(2);
    expect(Number.isInteger(wa[1]) && (wa[1] as number) >= 1 && (wa[1] as number) <= 2 ** 53).toBe(true);
    expect(wa[1]).not.toBe(wb[1]);
    const details = wa[2] as Record<string, unknown>;
    expect(details.roles).toEqual(ROUTER_ROLES);
    expect(details).toMatchObject({ realm: 'realm1', authrole: 'anonymous', authmethod: 'anonymous', authprovider: 'static' });
    expect(typeof details.authid).toBe('string');
    expect((details.roles as { broker: { features: object } }).broker.features).toBeTypeOf('object');
    expect((details.roles as { dealer: { features: object } }).dealer.features).toBeTypeOf('object');
  });

  it('ABORTs a HELLO for an unknown realm with wamp.error.no_such_realm', async () => {
    const ctx = await startRouter();
    stop = ctx.stop;
    const peer = await RawPeer.open(ctx.url);
    ctx.peers.push(peer);
    const abort = await peer.hello('nope');
    expect(abort[0]).toBe(3);
    expect(abort[2]).toBe('wamp.error.no_such_realm');
    expect((abort[1] as { message: string }).message).toContain('nope');
    expect((await peer.closed).code).toBe(1000);
  });

  it('creates realms on first use with autoCreateRealms', async () => {
    const ctx = await startRouter({ autoCreateRealms: true });
    stop = ctx.stop;
    expect(ctx.router.realm('dev.realm')).toBeUndefined();
    const peer = await RawPeer.join(ctx.url, 'dev.realm');
    ctx.peers.push(peer);
    expect(ctx.router.realm('dev.realm')!.sessions.size).toBe(1);
    const bad = await RawPeer.open(ctx.url);
    ctx.peers.push(bad);
    expect((await bad.hello('not a uri'))[2]).toBe('wamp.error.no_such_realm');
  });

  it('ABORTs with wamp.error.no_auth_method when no authenticator fits', async () => {
    const ctx = await startRouter();
    stop = ctx.stop;
    const peer = await RawPeer.open(ctx.url);
    ctx.peers.push(peer);
    const abort = await peer.hello('realm1', { authmethods: ['ticket'], authid: 'joe' });
    expect(abort[0]).toBe(3);
    expect(abort[2]).toBe('wamp.error.no_auth_method');
  });

  it('refuses sessions past maxSessionsPerRealm with junction.error.limit_exceeded, and admits again after one leaves', async () => {
    const ctx = await startRouter({ realms: [{ name: 'realm1', limits: { maxSessionsPerRealm: 2 } }] });
    stop = ctx.stop;
    const a = await RawPeer.join(ctx.url);
    const b = await RawPeer.join(ctx.url);
    const c = await RawPeer.open(ctx.url);
    ctx.peers.push(a, b, c);
    const abort = await c.hello('realm1');
    expect(abort[0]).toBe(3);
    expect(abort[2]).toBe('junction.error.limit_exceeded');
    a.send([6, {}, 'wamp.close.normal']);
    await a.next((m) => m[0] === 6);
    await a.closed;
    const d = await RawPeer.join(ctx.url);
    ctx.peers.push(d);
    expect(d.sessionId).toBeGreaterThan(0);
  });

  it('closes a connection that sends no HELLO within establishTimeout', async () => {
    const ctx = await startRouter({ realms: [{ name: 'realm1' }], establishTimeout: 100 });
    stop = ctx.stop;
    const idle = await RawPeer.open(ctx.url);
    ctx.peers.push(idle);
    const closed = await idle.closed;
    expect(closed.code).toBe(1000);
    expect(closed.reason).toMatch(/HELLO/);
  });
});

describe('attach', () => {
  it('shares an HTTP server: WAMP on /ws, plain requests stay with the server, which outlives router.close()', async () => {
    const server = http.createServer((_req, res) => res.end('hello http'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const router = new Router({ realms: [{ name: 'realm1' }], log: () => {}, goodbyeTimeout: 200 });
    try {
      router.attach(server, { path: '/ws' });
      const peer = await RawPeer.join(`ws://127.0.0.1:${port}/ws`, 'realm1', 'cbor');
      expect((await peer.call('wamp.session.count'))[3]).toEqual([1]);
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('hello http');
      const closing = router.close();
      expect((await peer.next())[2]).toBe('wamp.close.system_shutdown');
      peer.send([6, {}, 'wamp.close.goodbye_and_out']);
      await closing;
      await peer.closed;
      expect(server.listening).toBe(true);
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('hello http');
    } finally {
      await router.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('mounts on an existing WebSocketServer next to its other protocols', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    wss.mount('echo', (socket) => socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary })));
    const router = new Router({ realms: [{ name: 'realm1' }], log: () => {}, goodbyeTimeout: 200 });
    try {
      router.attach(wss);
      const url = `ws://127.0.0.1:${wss.address()!.port}/`;
      const peer = await RawPeer.join(url, 'realm1', 'msgpack');
      expect((await peer.call('wamp.session.count'))[3]).toEqual([1]);
      const echo = new WebSocket(url, ['echo']);
      await new Promise((resolve) => echo.once('open', resolve));
      echo.send('ping');
      expect(String(await new Promise((resolve) => echo.once('message', resolve)))).toBe('ping');
      echo.close();
      peer.close();
    } finally {
      await router.close();
      await wss.close();
    }
  });
});
