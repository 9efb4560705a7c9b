// @ts-check
// The caller process: joins the same router, calls the callee's procedures, prints and exits.
// Run: node examples/node-rpc/caller.mjs ws://127.0.0.1:8080/ws
import { connect, WampError } from '@junction/client';

const client = await connect({ url: process.argv[2] ?? 'ws://127.0.0.1:8080/ws', realm: 'realm1', reconnect: false });

const sum = await client.call('com.example.add', [2, 3]);
console.log('add:', sum.args[0]);

const greeting = await client.call('com.example.greet', [], { name: 'Ada' });
console.log('greet:', greeting.args[0], greeting.kwargs);

const final = await client.call('com.example.countdown', [3], {}, {
  onProgress: (progress) => console.log('countdown:', progress.args[0]),
});
console.log('countdown result:', final.args[0]);

try {
  await client.call('com.example.divide', [1, 0]);
} catch (error) {
  if (!(error instanceof WampError)) throw error;
  console.log('divide failed:', error.uri, error.args[0], error.kwargs);
}

try {
  await client.call('com.example.missing', [], {}, { timeout: 1000 });
} catch (error) {
  if (!(error instanceof WampError)) throw error;
  console.log('missing:', error.uri);
}

await client.close();
console.log('closed');
