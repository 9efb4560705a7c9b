/**
 * Interop: Autobahn|JS (npm `autobahn`, no contract, no zod) against a typed implementation, over
 * wamp.2.json and wamp.2.msgpack: it calls with kwargs and gets the result as its single value,
 * sees invalid input as `wamp.error.invalid_argument` with the issues in kwargs, receives declared
 * errors with their details, and publishes/receives topic payloads as `args[0]`.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Router } from '@junction/router';
import { bind, implement, type Implementation } from '../src/index.js';
import { api as contract } from './support/api.js';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const autobahn: any = require('autobahn');
require('autobahn/lib/log.js').warn = () => {};

let router: Router;
let url: string;
let served: Implementation;

beforeAll(async () => {
  router = new Router({ realms: [{ name: 'realm1' }] });
  ({ url } = await router.listen({ port: 0, host: '127.0.0.1' }));
  served = await implement(router.realm('realm1')!, contract, {
    'math.add': ({ a, b }) => a + b,
    'math.sum': ({ values }, ctx) => {
      values.forEach((v, i) => ctx.progress({ done: i + 1, partial: v }));
      return { total: values.reduce((x, y) => x + y, 0), count: values.length };
    },
    'users.get': ({ id }) => {
      throw contract.errors.NotFound.create({ id });
    },
    'users.create': (u) => ({ ...u, id: 'u1' }),
    ping: () => 'pong' as const,
    'system.whoami': () => ({}),
    'system.broken': () => 0,
    'system.crash': () => undefined,
    'system.wait': () => true,
  });
});

afterAll(async () => {
  await served.close();
  await router.close();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function connectAutobahn(serializer: 'json' | 'msgpack'): Promise<{ session: any; close: () => void }> {
  return new Promise((resolve, reject) => {
    const s = autobahn.serializer;
    const connection = new autobahn.Connection({
      url,
      realm: 'realm1',
      serializers: [serializer === 'json' ? new s.JSONSerializer() : new s.MsgpackSerializer()],
      max_retries: 0,
      retry_if_unreachable: false,
    });
    let joined = false;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    connection.onopen = (session: any) => {
      joined = true;
      resolve({ session, close: () => connection.close() });
    };
    connection.onclose = (reason: string) => {
      if (!joined) reject(new Error(`Autobahn|JS could not join: ${reason}`));
      return true;
    };
    connection.open();
  });
}

describe.each(['json', 'msgpack'] as const)('Autobahn|JS over wamp.2.%s', (serializer) => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let peer: { session: any; close: () => void };
  beforeAll(async () => {
    peer = await connectAutobahn(serializer);
  });
  afterAll(() => peer.close());

  it('calls a typed procedure with kwargs and gets the result as its value', async () => {
    expect(await peer.session.call(contract.procedures['math.add'].uri, [], { a: 2, b: 40 })).toBe(42);
    expect(await peer.session.call(contract.procedures['math.add'].uri, [{ a: 1 }])).toBe(1);
  });

  it('gets progressive results as their single value, like the result', async () => {
    const progress: unknown[] = [];
    const result = await peer.session.call(contract.procedures['math.sum'].uri, [], { values: [4, 5] }, { receive_progress: true }).then(
      (r: unknown) => r,
      undefined,
      // One positional value and no kwargs: Autobahn|JS hands over the value itself.
      (p: unknown) => progress.push(p),
    );
    expect(progress).toEqual([
      { done: 1, partial: 4 },
      { done: 2, partial: 5 },
    ]);
    expect(result).toEqual({ total: 9, count: 2 });
  });

  it('sees invalid input and declared errors with their details in kwargs', async () => {
    const invalid = await peer.session.call(contract.procedures['math.add'].uri, [], { a: 'x' }).catch((e: unknown) => e);
    expect(invalid.error).toBe('wamp.error.invalid_argument');
    expect(invalid.kwargs.issues).toEqual([{ path: ['a'], code: 'invalid_type', message: 'Invalid input: expected number, received string' }]);
    const missing = await peer.session.call(contract.procedures['users.get'].uri, [], { id: 'u9' }).catch((e: unknown) => e);
    expect(missing.error).toBe('com.example.api.error.not_found');
    expect(missing.args).toEqual(['No such user.']);
    expect(missing.kwargs).toEqual({ id: 'u9' });
  });

  it('receives typed publications as args[0]; its kwargs-only publications reach typed subscribers', async () => {
    const embedded = bind(served.session, contract, { validate: true });
    const got = new Promise<unknown>((resolve) => {
      void peer.session.subscribe(contract.topics['chat.message'].uri, (args: unknown[]) => resolve(args[0])).then(() =>
        embedded.chat.message.publish({ from: 'junction', text: 'hi' }),
      );
    });
    expect(await got).toEqual({ from: 'junction', text: 'hi' });

    const events = embedded.chat.message.events();
    await events.ready;
    await peer.session.publish(contract.topics['chat.message'].uri, [], { from: 'autobahn', text: 'hello' }, { acknowledge: true });
    expect((await events.next()).value).toEqual({ from: 'autobahn', text: 'hello' });
    await events.return();
  });
});
