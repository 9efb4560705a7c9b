/**
 * The auth responders in Chromium (Debian's, headless, via playwright-core): bundled for the
 * browser by esbuild (which fails on any Node built-in), loaded into a page served from
 * 127.0.0.1 (a secure context, so WebCrypto is there), and answering challenges made by the
 * router's authenticators in this Node process.
 */
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cryptosign, deriveWampcraKey, ticket, wampcra, type AuthHello, type Authenticator, type AuthStep } from '@junction/router';

const chromiumPath = process.env.JUNCTION_CHROMIUM ?? '/usr/bin/chromium';

let browser: Browser;
let page: Page;
let server: http.Server;

beforeAll(async () => {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('../src/auth/index.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'JunctionAuth',
    platform: 'browser',
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]!.text;
  server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', connection: 'close' });
    res.end(`<!doctype html><meta charset="utf-8"><title>auth</title><script>${script}</script>`);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'], timeout: 60_000 });
  page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { timeout: 30_000 });
}, 90_000);

afterAll(async () => {
  await Promise.race([browser?.close(), new Promise((resolve) => setTimeout(resolve, 10_000))]);
  server?.closeAllConnections?.();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
}, 30_000);

type Spec = { kind: 'ticket'; authid: string; ticket: string } | { kind: 'wampcra'; authid: string; secret: string } | { kind: 'cryptosign'; authid?: string; privateKey: string };

/** Builds the responder in the page; returns what it would put in HELLO. */
async function browserHello(spec: Spec): Promise<Record<string, unknown>> {
  return page.evaluate((s) => {
    const lib = (globalThis as any).JunctionAuth;
    const auth = s.kind === 'ticket' ? lib.ticketAuth(s) : s.kind === 'wampcra' ? lib.wampcraAuth(s) : lib.cryptosignAuth(s);
    (globalThis as any).currentAuth = auth;
    return { authmethods: auth.authmethods, ...(auth.authid !== undefined ? { authid: auth.authid } : {}), ...(auth.authextra ? { authextra: auth.authextra } : {}) };
  }, spec);
}

async function browserAnswer(method: string, extra: Record<string, unknown>): Promise<string> {
  return page.evaluate(async ([m, e]) => (await (globalThis as any).currentAuth.onChallenge(m, e)).signature as string, [method, extra] as const);
}

let sessionId = 1;
async function roundTrip(authenticator: Authenticator, spec: Spec): Promise<AuthStep> {
  const details = await browserHello(spec);
  const hello: AuthHello = { realm: 'realm1', details, transportAuth: undefined, sessionId: sessionId++ };
  const step = await authenticator.hello(hello);
  if (step.kind !== 'challenge') return step;
  return authenticator.authenticate(hello, step.state, await browserAnswer(step.method, step.extra), {});
}

describe('auth responders in Chromium', () => {
  it('reproduce the spec cryptosign vector and node:crypto HMAC', async () => {
    const results = await page.evaluate(async () => {
      const lib = (globalThis as any).JunctionAuth;
      const cs = lib.cryptosignAuth({ privateKey: '4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510' });
      const signature = (await cs.onChallenge('cryptosign', { challenge: 'ff'.repeat(32) })).signature;
      const cra = (await lib.wampcraAuth({ authid: 'a', secret: 'sëcret' }).onChallenge('wampcra', { challenge: 'the challenge' })).signature;
      return { signature, pubkey: cs.publicKey, cra, derived: await lib.deriveWampcraKey('secret', 'salt123') };
    });
    expect(results.signature).toBe('b32675b221f08593213737bef8240e7c15228b07028e19595294678c90d11c0cae80a357331bfc5cc9fb71081464e6e75013517c2cf067ad566a6b7b728e5d03' + 'ff'.repeat(32));
    expect(results.cra).toBe(createHmac('sha256', Buffer.from('sëcret')).update('the challenge').digest('base64'));
    expect(results.derived).toBe(deriveWampcraKey('secret', 'salt123'));
  });

  it('authenticate against the router authenticators: ticket, wampcra (salted and not), cryptosign', async () => {
    const key = generateKeyPairSync('ed25519');
    const seed = key.privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(16).toString('hex');
    const pub = key.publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex');
    const tickets = ticket({ principals: { joe: { ticket: 'joe-ticket', role: 'user' } } });
    const cra = wampcra({
      principals: {
        peter: { secret: 'peter-secret', role: 'user' },
        salty: { secret: deriveWampcraKey('pw', 'pepper', 200, 32), salt: 'pepper', iterations: 200, keylen: 32, role: 'admin' },
      },
    });
    const signer = cryptosign({ principals: { device1: { authorizedKeys: [pub], role: 'device' } } });
    expect(await roundTrip(tickets, { kind: 'ticket', authid: 'joe', ticket: 'joe-ticket' })).toMatchObject({ kind: 'welcome', identity: { authid: 'joe' } });
    expect(await roundTrip(cra, { kind: 'wampcra', authid: 'peter', secret: 'peter-secret' })).toMatchObject({ kind: 'welcome', identity: { authid: 'peter' } });
    expect(await roundTrip(cra, { kind: 'wampcra', authid: 'salty', secret: 'pw' })).toMatchObject({ kind: 'welcome', identity: { authid: 'salty', authrole: 'admin' } });
    expect(await roundTrip(cra, { kind: 'wampcra', authid: 'salty', secret: 'wrong' })).toMatchObject({ kind: 'abort', reason: 'wamp.error.authentication_failed' });
    expect(await roundTrip(signer, { kind: 'cryptosign', privateKey: seed })).toMatchObject({ kind: 'welcome', identity: { authid: 'device1', authmethod: 'cryptosign' } });
  });
});
