/**
 * Authentication end to end through the CLI: a `junction router` config with ticket, wampcra
 * (plain and salted), cryptosign principals and an upgrade-request token table, and the client
 * commands' --authid/--ticket/--secret/--private-key/--bearer/--cookie options.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { deriveWampcraKey } from '@junction/router';
import { run, scratch, startRouter, type RouterProcess } from './cli-support.js';

const files = scratch();
let router: RouterProcess;
const device = generateKeyPairSync('ed25519');
const publicKey = device.publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex');
const seed = device.privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(16).toString('hex');

beforeAll(async () => {
  const config = files.write('junction.config.json', {
    listeners: [{ port: 0 }],
    upgradeAuth: { cookie: 'sid', bearer: true, tokens: { 'token-alice': { authid: 'alice', authrole: 'admin' } } },
    realms: [
      {
        name: 'realm1',
        authentication: {
          ticket: { joe: { ticket: 'joe-secret', role: 'user' } },
          wampcra: {
            peter: { secret: 'peter-secret', role: 'user' },
            salty: { secret: deriveWampcraKey('password', 'salt123', 100, 32), salt: 'salt123', iterations: 100, keylen: 32, role: 'admin' },
          },
          cryptosign: { device1: { authorizedKeys: [publicKey], role: 'device' } },
        },
        roles: [
          { name: 'user', permissions: [{ uri: 'com.example.', match: 'prefix', allow: { call: true } }] },
          { name: 'device', permissions: [] },
          { name: 'admin', permissions: [{ uri: '', match: 'prefix', allow: { call: true, register: true, publish: true, subscribe: true } }] },
        ],
      },
    ],
  });
  router = await startRouter(['--config', config]);
});
afterAll(async () => {
  await router?.stop();
  files.remove();
});

/** Joins with `auth`, calls wamp.session.count and returns the joined line and the outcome. */
async function join(...auth: string[]): Promise<{ code: number | null; joined: string | undefined; out: string; err: string }> {
  const r = await run(['call', 'wamp.session.count', '--url', router.url, ...auth]);
  return { code: r.code, joined: /joined as (.*)\n/.exec(r.err)?.[1], out: r.out, err: r.err };
}

describe('client authentication options against a configured router', () => {
  it('--authid --ticket', async () => {
    const r = await join('--authid', 'joe', '--ticket', 'joe-secret');
    expect(r.joined).toMatch(/^joe \(role user, /);
    expect(r.err).toMatch(/^junction call: wamp\.error\.not_authorized/m); // user may call com.example.* only
  });

  it('--authid --secret (wampcra, plain and salted)', async () => {
    expect((await join('--authid', 'peter', '--secret', 'peter-secret')).joined).toMatch(/^peter \(role user, /);
    const salted = await join('--authid', 'salty', '--secret', 'password');
    expect(salted.joined).toMatch(/^salty \(role admin, /);
    expect(salted).toMatchObject({ code: 0, out: '1\n' });
    const wrong = await join('--authid', 'peter', '--secret', 'nope');
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/^junction call: wamp\.error\.authentication_failed/m);
  });

  it('--private-key (cryptosign), with or without --authid', async () => {
    expect((await join('--private-key', seed)).joined).toMatch(/^device1 \(role device, /);
    expect((await join('--authid', 'device1', '--private-key', seed)).joined).toMatch(/^device1 \(role device, /);
    const other = generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(16).toString('hex');
    const unknown = await join('--private-key', other);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/^junction call: wamp\.error\.(no_such_principal|authentication_failed)/m);
  });

  it('--bearer and --cookie log in through the upgrade-request token table', async () => {
    const bearer = await join('--bearer', 'token-alice');
    expect(bearer.joined).toMatch(/^alice \(role admin, /);
    expect(bearer).toMatchObject({ code: 0, out: '1\n' });
    expect((await join('--cookie', 'sid=token-alice')).joined).toMatch(/^alice \(role admin, /);
    const unknown = await join('--bearer', 'stolen');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/^junction call: cannot connect to .*401/m);
  });

  it('anonymous is refused when the realm does not allow it', async () => {
    const r = await join();
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^junction call: wamp\.error\.no_auth_method/m);
  });
});
