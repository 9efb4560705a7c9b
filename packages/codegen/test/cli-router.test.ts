/**
 * `junction router` as a process: the development router, a config with two realms, ticket
 * authentication, permissions and limits, a TLS listener, bad config files, signals and --help.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as routerModule from '@junction/router';
import * as websocketModule from '@junction/websocket';
import { checkConfig } from '../src/config/load.js';
import { routerOptionsFromConfig } from '../src/config/router-setup.js';
import { fixtures, packageDir, run, scratch, start, startRouter, type RouterProcess } from './cli-support.js';

const files = scratch();
afterAll(() => files.remove());

describe('junction router without a config', () => {
  it('warns, serves realm1 to anonymous clients on the port it prints, and stops cleanly on SIGINT', async () => {
    const router = await startRouter(['--port', '0']);
    try {
      expect(router.err()).toMatch(/warning: no --config: development router with realm realm1 open to anonymous clients/);
      const port = Number(/^ws:\/\/127\.0\.0\.1:(\d+)\/ws$/.exec(router.url)?.[1]);
      expect(port).toBeGreaterThan(0);
      expect(router.out()).toBe(`listening on ${router.url} (realms: realm1)\n`);
      const count = await run(['call', 'wamp.session.count', '--url', router.url]);
      expect(count).toMatchObject({ code: 0, out: '1\n' });
    } finally {
      const end = await router.stop('SIGINT');
      expect(end.code).toBe(0);
      expect(end.err).toMatch(/SIGINT: shutting down\n.*stopped\n$/);
    }
  });

  it('stops on SIGTERM too, and says GOODBYE to its sessions first', async () => {
    const router = await startRouter(['--port', '0', '--host', '127.0.0.1']);
    const subscriber = start(['subscribe', 'com.example.news', '--url', router.url]);
    await subscriber.waitFor(/subscribed to com\.example\.news/, 'err');
    expect((await router.stop('SIGTERM')).code).toBe(0);
    const end = await subscriber.exited;
    expect(end.code).toBe(1);
    expect(end.err).toContain('junction subscribe: connection lost: wamp.close.system_shutdown');
  });

  it('reports a port in use in one line with exit 1', async () => {
    const first = await startRouter(['--port', '0']);
    try {
      const port = new URL(first.url).port;
      const second = await run(['router', '--port', port]);
      expect(second.code).toBe(1);
      expect(second.err).toMatch(new RegExp(`junction router: cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use\\n$`));
    } finally {
      await first.stop();
    }
  });
});

describe('junction router --config', () => {
  let router: RouterProcess;
  let config: string;

  beforeAll(async () => {
    config = files.write('junction.config.json', {
      listeners: [{ host: '127.0.0.1', port: 0, path: '/wamp' }],
      realms: [
        {
          name: 'com.example.office',
          authentication: { ticket: { joe: { ticket: 'joe-secret', role: 'user' } } },
          roles: [
            {
              name: 'user',
              permissions: [
                { uri: 'com.example.', match: 'prefix', allow: { call: true, register: true, publish: true, subscribe: true } },
                { uri: 'com.example.secret.', match: 'prefix', allow: {} },
              ],
            },
          ],
        },
        { name: 'realm2', authentication: { anonymous: { role: 'guest' } }, limits: { maxSessionsPerRealm: 1 } },
      ],
      limits: { maxMessageSize: 65536 },
      serializers: ['json', 'msgpack'],
      compression: { level: 3, threshold: 256 },
    });
    router = await startRouter(['--config', config]);
  });
  afterAll(async () => {
    expect((await router.stop()).code).toBe(0);
  });

  it('prints the listener with its path and realms, and no development warning', () => {
    expect(router.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/wamp$/);
    expect(router.out()).toContain('(realms: com.example.office, realm2)');
    expect(router.err()).not.toContain('warning');
  });

  it('authenticates with ticket and refuses anonymous clients and wrong tickets', async () => {
    const anonymous = await run(['call', 'com.example.x', '--url', router.url, '--realm', 'com.example.office']);
    expect(anonymous.code).toBe(1);
    expect(anonymous.err).toMatch(/^junction call: wamp\.error\.no_auth_method/m);
    const wrong = await run(['call', 'com.example.x', '--url', router.url, '--realm', 'com.example.office', '--authid', 'joe', '--ticket', 'nope']);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/^junction call: wamp\.error\.authentication_failed/m);
    const right = await run(['call', 'com.example.x', '--url', router.url, '--realm', 'com.example.office', '--authid', 'joe', '--ticket', 'joe-secret']);
    expect(right.err).toMatch(/joined as joe \(role user, (json|msgpack)\)/);
    expect(right.err).toMatch(/^junction call: wamp\.error\.no_such_procedure/m); // allowed, but nobody registered it
  });

  it('applies the roles: what they deny gets wamp.error.not_authorized', async () => {
    const auth = ['--url', router.url, '--realm', 'com.example.office', '--authid', 'joe', '--ticket', 'joe-secret'];
    const secret = await run(['publish', 'com.example.secret.plans', '["x"]', ...auth]);
    expect(secret.code).toBe(1);
    expect(secret.err).toMatch(/^junction publish: wamp\.error\.not_authorized/m);
    const meta = await run(['call', 'wamp.session.count', ...auth]);
    expect(meta.code).toBe(1);
    expect(meta.err).toMatch(/^junction call: wamp\.error\.not_authorized/m);
    const subscribe = await run(['subscribe', 'com.example.secret.plans', ...auth]);
    expect(subscribe.code).toBe(1);
    expect(subscribe.err).toMatch(/^junction subscribe: wamp\.error\.not_authorized/m);
    const allowed = await run(['publish', 'com.example.news', '["x"]', ...auth]);
    expect(allowed.code).toBe(0);
    expect(allowed.err).toMatch(/published to com\.example\.news \(publication \d+\)/);
  });

  it('applies the realm limits and the serializer list', async () => {
    const holder = start(['subscribe', 'com.example.news', '--url', router.url, '--realm', 'realm2']);
    try {
      await holder.waitFor(/joined as anonymous-\d+ \(role guest, msgpack\)/, 'err');
      const second = await run(['publish', 'com.example.news', '["x"]', '--url', router.url, '--realm', 'realm2']);
      expect(second.code).toBe(1);
      expect(second.err).toMatch(/^junction publish: junction\.error\.limit_exceeded/m);
    } finally {
      expect((await holder.stop()).code).toBe(0);
    }
    const cbor = await run(['call', 'wamp.session.count', '--url', router.url, '--realm', 'realm2', '--serializer', 'cbor']);
    expect(cbor.code).toBe(1);
    expect(cbor.err).toMatch(/^junction call: cannot connect to .*400/m);
  });

  it('--port replaces the port of the only listener', async () => {
    const other = await startRouter(['--config', config, '--port', '0', '--host', '127.0.0.1']);
    try {
      expect(other.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/wamp$/);
      expect(other.url).not.toBe(router.url);
    } finally {
      await other.stop();
    }
  });
});

describe('junction router with a TLS listener', () => {
  it('serves wss:// next to ws://, and clients trust it with --ca', async () => {
    const config = files.write('tls.json', {
      listeners: [
        { port: 0 },
        { host: '127.0.0.1', port: 0, tls: { cert: path.join(fixtures, 'localhost-cert.pem'), key: path.join(fixtures, 'localhost-key.pem') } },
      ],
      realms: [{ name: 'realm1' }],
    });
    const router = await startRouter(['--config', config], 2);
    try {
      expect(router.urls[0]).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws$/);
      expect(router.urls[1]).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/ws$/);
      const secure = await run(['call', 'wamp.session.count', '--url', router.urls[1]!, '--ca', path.join(fixtures, 'localhost-cert.pem')]);
      expect(secure).toMatchObject({ code: 0, out: '1\n' });
      const untrusted = await run(['call', 'wamp.session.count', '--url', router.urls[1]!]);
      expect(untrusted.code).toBe(1);
      expect(untrusted.err).toMatch(/^junction call: cannot connect to wss:.*(self.signed|certificate)/im);
    } finally {
      expect((await router.stop('SIGTERM')).code).toBe(0);
    }
  });

  it('finds TLS files relative to the config file', async () => {
    const dir = path.relative(files.dir, fixtures);
    const config = files.write('tls-relative.json', { listeners: [{ port: 0, tls: { cert: `${dir}/localhost-cert.pem`, key: `${dir}/localhost-key.pem` } }], realms: [{ name: 'realm1' }] });
    const router = await startRouter(['--config', config]);
    await router.stop();
    expect(router.url).toMatch(/^wss:/);
  });
});

describe('junction router refuses a bad config in one line', () => {
  const realm = { name: 'realm1' };
  const cases: [string, unknown, string][] = [
    ['not JSON', '{\n  "realms": [\n    { "name": "realm1" },\n  ]\n}', 'not valid JSON: .* at line 4, column 3'],
    ['an unknown top-level field', { realm: [realm] }, 'realm: unknown field \\(did you mean "realms"\\?\\)'],
    ['no realm', { realms: [] }, 'realms: must list at least one realm'],
    ['a port that is a string', { listeners: [{ port: '80' }], realms: [realm] }, 'listeners\\[0\\]\\.port: must be an integer from 0 to 65535 \\(got "80"\\)'],
    ['a path without a slash', { listeners: [{ path: 'ws' }], realms: [realm] }, 'listeners\\[0\\]\\.path: must start with "/"'],
    ['a TLS listener without key', { listeners: [{ tls: { cert: 'c.pem' } }], realms: [realm] }, 'listeners\\[0\\]\\.tls\\.key: is required'],
    ['a missing TLS file', { listeners: [{ port: 0, tls: { cert: 'nope.pem', key: 'nope.pem' } }], realms: [realm] }, 'listeners\\[0\\]\\.tls\\.cert: cannot read .*nope\\.pem \\(ENOENT\\)'],
    ['a realm twice', { realms: [realm, realm] }, 'realms\\[1\\]\\.name: realm "realm1" is configured twice'],
    ['a realm name that is not a URI', { realms: [{ name: 'my realm' }] }, 'realms\\[0\\]\\.name: must be a URI'],
    ['a bad match policy', { realms: [{ name: 'r', roles: [{ name: 'u', permissions: [{ uri: 'a', match: 'regex', allow: {} }] }] }] }, 'realms\\[0\\]\\.roles\\[0\\]\\.permissions\\[0\\]\\.match: must be "exact", "prefix" or "wildcard" \\(got "regex"\\)'],
    ['an unknown action', { realms: [{ name: 'r', roles: [{ name: 'u', permissions: [{ uri: 'a', allow: { invoke: true } }] }] }] }, 'realms\\[0\\]\\.roles\\[0\\]\\.permissions\\[0\\]\\.allow\\.invoke: unknown field'],
    ['a bad URI pattern', { realms: [{ name: 'r', roles: [{ name: 'u', permissions: [{ uri: 'com..x', allow: {} }] }] }] }, 'realms\\[0\\]\\.roles: .*com\\.\\.x.*not a valid exact URI pattern'],
    ['a principal with an undefined role', { realms: [{ name: 'r', authentication: { ticket: { joe: { ticket: 't', role: 'admin' } } }, roles: [{ name: 'user', permissions: [] }] }] }, 'realms\\[0\\]\\.authentication\\.ticket\\.joe\\.role: role "admin" is not defined in this realm\'s roles \\("user"\\)'],
    ['a ticket principal without ticket', { realms: [{ name: 'r', authentication: { ticket: { joe: { role: 'user' } } } }] }, 'realms\\[0\\]\\.authentication\\.ticket\\.joe\\.ticket: is required'],
    ['a bad cryptosign key', { realms: [{ name: 'r', authentication: { cryptosign: { dev: { authorizedKeys: ['xyz'], role: 'd' } } } }] }, 'realms\\[0\\]\\.authentication\\.cryptosign\\.dev\\.authorizedKeys\\[0\\]: must be an Ed25519 public key as 64 hex digits'],
    ['an authentication with no method', { realms: [{ name: 'r', authentication: { upgrade: false } }] }, 'realms\\[0\\]\\.authentication: allows no method'],
    ['an unknown limit', { realms: [realm], limits: { maxFoo: 1 } }, 'limits\\.maxFoo: unknown field'],
    ['a negative realm limit', { realms: [{ name: 'r', limits: { maxMessageSize: -1 } }] }, 'realms\\[0\\]\\.limits\\.maxMessageSize: must be an integer at least 1 \\(got -1\\)'],
    ['an unknown serializer', { realms: [realm], serializers: ['xml'] }, 'serializers\\[0\\]: must be "msgpack", "cbor" or "json" \\(got "xml"\\)'],
    ['a compression level out of range', { realms: [realm], compression: { level: 12 } }, 'compression\\.level: must be an integer from 0 to 9 \\(got 12\\)'],
    ['an upgradeAuth without a source', { realms: [realm], upgradeAuth: { tokens: {} } }, 'upgradeAuth: needs "cookie"'],
    ['a cluster without nats', { realms: [realm], cluster: {} }, 'cluster\\.nats: is required'],
    ['a cluster realm that does not exist', { realms: [realm], cluster: { nats: { servers: ['nats://127.0.0.1:4222'] }, realms: ['other'] } }, 'cluster\\.realms\\[0\\]: realm "other" is not in the config\'s realms'],
    ['cluster timings that do not fit', { realms: [realm], cluster: { nats: { servers: 'nats://127.0.0.1:4222' }, heartbeatInterval: 1000, nodeTimeout: 1500 } }, 'cluster\\.nodeTimeout: must be at least 2 heartbeat intervals'],
  ];

  it.each(cases)('%s', async (_name, content, expected) => {
    const file = files.write('bad.json', content);
    const r = await run(['router', '--config', 'bad.json'], { cwd: path.dirname(file) });
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(new RegExp(`^junction router: bad\\.json: ${expected}[^\\n]*\\n$`));
  });

  it('a missing file', async () => {
    const r = await run(['router', '--config', 'nowhere.json'], { cwd: files.dir });
    expect(r).toMatchObject({ code: 1, err: 'junction router: nowhere.json: no such file\n' });
  });

  it('--port with several listeners', async () => {
    files.write('two.json', { listeners: [{ port: 0 }, { port: 0 }], realms: [realm] });
    const r = await run(['router', '--config', 'two.json', '--port', '0'], { cwd: files.dir });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^junction router: --port and --host need a config with one listener \(two\.json has 2\)/);
  });
});

describe('docs/cli.md', () => {
  it('its full config example is valid, and so is the smallest one', () => {
    const doc = readFileSync(path.join(packageDir, '../../docs/cli.md'), 'utf8');
    const example = /### Full example\n\n```json\n([^]*?)\n```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const config = checkConfig(JSON.parse(example!), '/etc/junction/junction.config.json');
    expect(config.listeners[1]!.tls).toEqual({ cert: '/etc/junction/certs/router.pem', key: '/etc/junction/certs/router-key.pem' });
    expect(config.realms.map((r) => r.name)).toEqual(['realm1', 'sandbox']);
    expect(config.realms[1]!.authentication!.anonymous).toEqual({ role: 'anonymous' });
    expect(config.cluster).toMatchObject({ realms: ['realm1'], nats: { credentials: '/etc/junction/router.creds' } });
    // The router accepts what the checker let through (principals, permissions, options).
    const options = routerOptionsFromConfig(config, { router: routerModule, websocket: websocketModule }, 'cli.md', () => {});
    const router = new routerModule.Router(options);
    expect(router.realm('realm1')!.authenticators.map((a) => a.method)).toEqual(['cookie', 'ticket', 'wampcra', 'cryptosign', 'anonymous']);
    expect(router.realm('realm1')!.authorizer.permissions!.allows('user', 'com.example.admin.x', 'call')).toBe(false);
    const smallest = /The smallest useful file: `([^`]+)`/.exec(doc)?.[1];
    expect(checkConfig(JSON.parse(smallest!), '/x/junction.config.json').listeners).toEqual([{ host: '127.0.0.1', port: 8080, path: '/ws' }]);
  });
});

describe('junction router --help and usage errors', () => {
  it('--help describes the options', async () => {
    const r = await run(['router', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^usage: junction router \[--config FILE\] \[--port N\] \[--host HOST\]/);
    for (const option of ['--config FILE', '--port N', '--host HOST', '--verbose']) expect(r.out).toContain(option);
  });

  it('a bad --port is one line and exit 1', async () => {
    const r = await run(['router', '--port', 'eighty']);
    expect(r).toMatchObject({ code: 1, err: 'junction router: --port must be a number from 0 to 65535 (got "eighty") (see junction router --help)\n' });
  });
});
