// @ts-check
// Autobahn|JS (npm `autobahn`, here on Node) calls the typed Junction procedure as it calls any
// WAMP procedure: the input as keyword arguments, the result as a plain value.
// Run: node examples/interop/autobahn-caller.mjs ws://127.0.0.1:8080/ws
import { createRequire } from 'node:module';

/** Autobahn|JS: CommonJS without type declarations. */
const autobahn = createRequire(import.meta.url)('autobahn');

const connection = new autobahn.Connection({
  url: process.argv[2] ?? 'ws://127.0.0.1:8080/ws',
  realm: 'realm1',
  serializers: [new autobahn.serializer.JSONSerializer()],
  max_retries: 0,
});

/** @param {any} session an autobahn.Session */
async function run(session) {
  const quote = await session.call('com.example.shop.quote', [], { item: 'apple', quantity: 3 });
  console.log('quote:', quote);
  try {
    await session.call('com.example.shop.quote', [], { item: 'pear', quantity: 5 });
  } catch (/** @type {any} */ e) {
    console.log('declared error:', e.error, e.args[0], e.kwargs); // an autobahn.Error
  }
  try {
    await session.call('com.example.shop.quote', [], { item: 'apple', quantity: 0 });
  } catch (/** @type {any} */ e) {
    console.log('invalid input:', e.error, e.kwargs.issues.map((/** @type {any} */ i) => `${i.path.join('.')}: ${i.message}`));
  }
}

connection.onopen = (/** @type {any} */ session) => {
  run(session).then(
    () => connection.close(),
    (error) => {
      console.error(error);
      process.exitCode = 1;
      connection.close();
    },
  );
};
connection.onclose = (/** @type {string} */ reason) => {
  console.log('closed:', reason);
  return true; // do not reconnect
};
connection.open();
