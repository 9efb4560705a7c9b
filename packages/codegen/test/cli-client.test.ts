/**
 * `junction call`, `publish` and `subscribe` as processes against a `junction router` process:
 * payloads from the command line, result printing, events between the commands, errors and exit
 * codes, serializers, --help. Procedures are registered by a client in the test process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, result, WampError, type Client } from '@junction/client';
import { run, start, startRouter, type RouterProcess } from './cli-support.js';

let router: RouterProcess;
let callee: Client;

beforeAll(async () => {
  router = await startRouter(['--port', '0']);
  callee = await connect({ url: router.url, realm: 'realm1', reconnect: false });
  await callee.register('com.example.echo', (args, kwargs) => result(args, kwargs));
  await callee.register('com.example.add', (args) => (args[0] as number) + (args[1] as number));
  await callee.register('com.example.nothing', () => undefined);
  await callee.register('com.example.fail', (args) => {
    throw new WampError('com.example.invalid_input', [`cannot use ${JSON.stringify(args[0])}`]);
  });
  await callee.register('com.example.count', async (args, _kwargs, ctx) => {
    for (let i = 1; i < (args[0] as number); i++) ctx.progress([i]);
    return args[0];
  });
  await callee.register('com.example.binary', () => new Uint8Array([1, 2, 3]));
  await callee.register('com.example.wait', (_args, _kwargs, ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve('interrupted'))));
});
afterAll(async () => {
  await callee?.close();
  await router?.stop();
});

const url = (): string[] => ['--url', router.url];

describe('junction call', () => {
  it('a JSON array is the positional arguments; a single result prints as itself', async () => {
    expect(await run(['call', 'com.example.add', '[1, 2]', ...url()])).toMatchObject({ code: 0, out: '3\n' });
  });

  it('a JSON object is the keyword arguments; a result with kwargs prints as {args, kwargs}', async () => {
    const r = await run(['call', 'com.example.echo', '{"name": "Ada"}', ...url()]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ args: [], kwargs: { name: 'Ada' } });
  });

  it('any other JSON value is the only argument', async () => {
    expect(await run(['call', 'com.example.echo', '"hello"', ...url()])).toMatchObject({ code: 0, out: '"hello"\n' });
    expect(await run(['call', 'com.example.echo', '-5', ...url()])).toMatchObject({ code: 0, out: '-5\n' });
  });

  it('--args and --kwargs are explicit; several results print as {args, kwargs}', async () => {
    const r = await run(['call', 'com.example.echo', '--args', '[1, "two"]', '--kwargs', '{"three": 3}', ...url()]);
    expect(JSON.parse(r.out)).toEqual({ args: [1, 'two'], kwargs: { three: 3 } });
    const two = await run(['call', 'com.example.echo', '[[1], {"a": null}]', ...url()]);
    expect(JSON.parse(two.out)).toEqual({ args: [[1], { a: null }], kwargs: {} });
  });

  it('no payload, no result', async () => {
    const r = await run(['call', 'com.example.nothing', ...url()]);
    expect(r).toMatchObject({ code: 0 });
    expect(JSON.parse(r.out)).toEqual({ args: [], kwargs: {} });
  });

  it('--progress prints each progressive result before the final one', async () => {
    const r = await run(['call', 'com.example.count', '[3]', '--progress', ...url()]);
    expect(r).toMatchObject({ code: 0, out: '1\n2\n3\n' });
  });

  it('binary results print as the WAMP JSON convention (NUL + base64)', async () => {
    const r = await run(['call', 'com.example.binary', ...url(), '--serializer', 'msgpack']);
    expect(JSON.parse(r.out)).toBe('\u0000AQID');
  });

  it('shows progress on stderr, and nothing with --quiet', async () => {
    const r = await run(['call', 'com.example.add', '[1, 1]', ...url(), '--serializer', 'json']);
    expect(r.err).toBe(`connecting to ${router.url} (realm realm1)...\n${r.err.split('\n')[1]}\n`);
    expect(r.err).toMatch(/joined as anonymous-\d+ \(role anonymous, json\)/);
    expect(await run(['call', 'com.example.add', '[1, 1]', ...url(), '-q'])).toMatchObject({ code: 0, out: '2\n', err: '' });
  });

  it('errors are one line with the URI and message, and exit 1', async () => {
    const missing = await run(['call', 'com.example.missing', ...url(), '-q']);
    expect(missing).toMatchObject({ code: 1, out: '' });
    expect(missing.err).toMatch(/^junction call: wamp\.error\.no_such_procedure: [^\n]*com\.example\.missing[^\n]*\n$/);
    const failed = await run(['call', 'com.example.fail', '[42]', ...url(), '-q']);
    expect(failed).toMatchObject({ code: 1, err: 'junction call: com.example.invalid_input: cannot use 42\n' });
    const timeout = await run(['call', 'com.example.wait', '--timeout', '200', ...url(), '-q']);
    expect(timeout.code).toBe(1);
    expect(timeout.err).toMatch(/^junction call: wamp\.error\.timeout/);
  });

  it('Ctrl-C cancels a pending call: exit 130', async () => {
    const pending = start(['call', 'com.example.wait', ...url()]);
    await pending.waitFor(/joined as/, 'err');
    const end = await pending.stop('SIGINT');
    expect(end.code).toBe(130);
    expect(end.err).toMatch(/junction call: canceled\n$/);
  });

  it('cannot connect: one line naming the URL', async () => {
    const r = await run(['call', 'com.example.add', '--url', 'ws://127.0.0.1:1/ws', '-q']);
    expect(r).toMatchObject({ code: 1, out: '' });
    expect(r.err).toMatch(/^junction call: cannot connect to ws:\/\/127\.0\.0\.1:1\/ws: [^\n]*ECONNREFUSED[^\n]*\n$/);
    const realm = await run(['call', 'com.example.add', ...url(), '--realm', 'nowhere', '-q']);
    expect(realm.err).toMatch(/^junction call: wamp\.error\.no_such_realm/);
  });

  it.each([
    [['call'], 'give the procedure URI'],
    [['call', 'com.x', '[1'], 'the payload is not valid JSON'],
    [['call', 'com.x', 'hello'], `quote strings, e.g. '"hello"'`],
    [['call', 'com.x', '--args', '{}'], '--args must be a JSON array'],
    [['call', 'com.x', '--kwargs', '[]'], '--kwargs must be a JSON object'],
    [['call', 'com.x', '[1]', '--args', '[1]'], 'give either [json] or --args/--kwargs, not both'],
    [['call', 'com.x', '[1]', 'extra'], 'unexpected argument "extra"'],
    [['call', 'com.x', '--bogus'], 'unknown option --bogus'],
    [['call', 'com.x', '--ticket', 't'], '--ticket needs --authid'],
    [['call', 'com.x', '--authid', 'joe'], '--authid needs --ticket, --secret or --private-key'],
    [['call', 'com.x', '--authid', 'joe', '--ticket', 't', '--secret', 's'], 'give one of --ticket, --secret and --private-key'],
    [['call', 'com.x', '--private-key', 'abc'], '--private-key must be 64 hex digits'],
    [['call', 'com.x', '--serializer', 'xml'], '--serializer must be json, msgpack or cbor'],
    [['call', 'com.x', '--url', 'http://x'], '--url must be a ws:// or wss:// URL'],
    [['call', 'com.x', '--timeout', '0'], '--timeout must be a positive number'],
    [['subscribe', 'com.x', '--match', 'regex'], '--match must be exact, prefix or wildcard'],
    [['subscribe', 'com.x', '--count', 'two'], '--count must be a positive integer'],
    [['publish'], 'give the topic URI'],
  ])('usage error: %j', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err.split('\n')).toHaveLength(2); // one line
    expect(r.err).toContain(message);
    expect(r.err).toMatch(new RegExp(`^junction ${args[0]}: .*\\(see junction ${args[0]} --help\\)\\n$`));
  });
});

describe('junction subscribe and publish', () => {
  it('subscribe prints the events that publish sends, one JSON line each, then --count ends it', async () => {
    const subscriber = start(['subscribe', 'com.example.news', '--count', '3', ...url()]);
    await subscriber.waitFor(/subscribed to com\.example\.news; waiting for 3 events/, 'err');
    for (const payload of ['["hello"]', '{"title": "hi", "n": 2}', '[1, 2]']) {
      const r = await run(['publish', 'com.example.news', payload, ...url()]);
      expect(r.code).toBe(0);
      expect(r.err).toMatch(/published to com\.example\.news \(publication \d+\)\n$/);
    }
    const end = await subscriber.exited;
    expect(end.code).toBe(0);
    expect(end.out.trimEnd().split('\n').map((line) => JSON.parse(line))).toEqual(['hello', { args: [], kwargs: { title: 'hi', n: 2 } }, { args: [1, 2], kwargs: {} }]);
  });

  it('--match prefix --details prints the topic and details; Ctrl-C ends it with 0', async () => {
    const subscriber = start(['subscribe', 'com.example.', '--match', 'prefix', '--details', ...url(), '--serializer', 'cbor']);
    await subscriber.waitFor(/subscribed to com\.example\. \(prefix\); Ctrl-C to stop/, 'err');
    expect((await run(['publish', 'com.example.room.1', '--args', '["a"]', '--kwargs', '{"k": 1}', ...url(), '--serializer', 'json'])).code).toBe(0);
    await subscriber.waitFor(/\n/);
    const end = await subscriber.stop('SIGINT');
    expect(end.code).toBe(0);
    const event = JSON.parse(end.out);
    expect(event).toMatchObject({ topic: 'com.example.room.1', args: ['a'], kwargs: { k: 1 }, details: { topic: 'com.example.room.1' } });
    expect(event.publication).toBeGreaterThan(0);
  });

  it('publish --no-acknowledge still delivers; --retain keeps the event for later subscribers', async () => {
    expect((await run(['publish', 'com.example.status', '"up"', '--retain', ...url(), '-q'])).code).toBe(0);
    const got = await new Promise<unknown[]>((resolve, reject) => {
      callee.subscribe('com.example.status', (args) => resolve(args), { getRetained: true }).catch(reject);
    });
    expect(got).toEqual(['up']);
    const subscriber = start(['subscribe', 'com.example.quiet', '--count', '1', ...url()]);
    await subscriber.waitFor(/subscribed to/, 'err');
    const sent = await run(['publish', 'com.example.quiet', '[true]', '--no-acknowledge', ...url()]);
    expect(sent.err).toMatch(/sent to com\.example\.quiet\n$/);
    expect((await subscriber.exited).out).toBe('true\n');
  });
});

describe('--help', () => {
  it.each([
    ['call', ['<uri> [json]', '--args JSON', '--kwargs JSON', '--timeout MS', '--progress']],
    ['publish', ['<uri> [json]', '--no-acknowledge', '--retain']],
    ['subscribe', ['<uri>', '--match POLICY', '--count N', '--details']],
  ])('junction %s --help lists its options and the connection options', async (command, options) => {
    const r = await run([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^usage: junction ${command} `));
    for (const option of [...options, '--url URL', '--realm REALM', '--authid ID', '--ticket TICKET', '--secret SECRET', '--private-key HEX', '--serializer NAME', '--ca FILE', 'ws://127.0.0.1:8080/ws', 'realm1']) {
      expect(r.out).toContain(option);
    }
    expect((await run([command, '-h'])).out).toBe(r.out);
  });

  it('junction --help lists every command', async () => {
    const r = await run(['--help']);
    for (const command of ['router', 'call', 'publish', 'subscribe', 'generate', 'docs']) expect(r.out).toMatch(new RegExp(`\\n  ${command} +\\S`));
  });
});
