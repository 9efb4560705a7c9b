// @ts-check
// The callee process: joins a router, registers procedures and serves calls until stopped.
// Run: node examples/node-rpc/callee.mjs ws://127.0.0.1:8080/ws
import { connect, result, WampError } from '@junction/client';

// Reconnects are on by default: if the router restarts, the procedures are registered again.
const client = await connect({ url: process.argv[2] ?? 'ws://127.0.0.1:8080/ws', realm: 'realm1' });

await client.register('com.example.add', ([a, b]) => {
  console.log(`callee: add(${a}, ${b})`);
  return Number(a) + Number(b);
});

// Keyword arguments in, a result with args and kwargs out.
await client.register('com.example.greet', (_args, { name }) => {
  console.log(`callee: greet(${name})`);
  return result([`Hello, ${name}!`], { length: String(name).length });
});

// Application errors travel as WAMP ERRORs with a URI, args and kwargs.
await client.register('com.example.divide', ([a, b]) => {
  console.log(`callee: divide(${a}, ${b})`);
  if (b === 0) throw new WampError('com.example.error.division_by_zero', ['cannot divide by zero'], { dividend: a });
  return Number(a) / Number(b);
});

// Progressive results: sent while the call runs, if the caller asked for them.
await client.register('com.example.countdown', async ([from], _kwargs, ctx) => {
  console.log(`callee: countdown(${from})`);
  for (let n = Number(from); n > 0 && !ctx.signal.aborted; n--) {
    ctx.progress([n]);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return 'liftoff';
});

console.log('callee ready');

const stop = async () => {
  await client.close(); // GOODBYE: the router drops the registrations at once
  console.log('callee closed');
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
