// Talks to the three nodes started by start.mjs: a callee on node 1, a caller on node 3, a
// subscriber on node 2 and a publisher on node 1. Each client lists every node, so it moves to
// another one if its node goes away (try killing a router while this runs).
import { connect } from '@junction/client';

const nodes = ['ws://127.0.0.1:8081/ws', 'ws://127.0.0.1:8082/ws', 'ws://127.0.0.1:8083/ws'];
const on = (first) => connect({ urls: [nodes[first], ...nodes.filter((_, i) => i !== first)], realm: 'realm1' });

const callee = await on(0);
await callee.register('example.add', (args) => args[0] + args[1]);
const subscriber = await on(1);
await subscriber.subscribe('example.tick', (args) => console.log('node 2 subscriber got tick', args[0]));
const caller = await on(2);
const publisher = await on(0);

await new Promise((r) => setTimeout(r, 200)); // the registration reaches every node's directory
console.log('2 + 3 =', (await caller.call('example.add', [2, 3])).args[0], '(called on node 3, served on node 1)');
const sessions = (await caller.call('wamp.session.count')).args[0];
console.log('sessions in the cluster:', sessions);

let tick = 0;
const timer = setInterval(async () => {
  await publisher.publish('example.tick', [++tick]).catch(() => {});
  const sum = await caller.call('example.add', [tick, tick]).catch((e) => `error ${e.uri ?? e.message}`);
  console.log(`tick ${tick}: add(${tick}, ${tick}) = ${typeof sum === 'string' ? sum : sum.args[0]}`);
}, 1000);
process.on('SIGINT', async () => {
  clearInterval(timer);
  await Promise.allSettled([callee, subscriber, caller, publisher].map((c) => c.close()));
  process.exit(0);
});
