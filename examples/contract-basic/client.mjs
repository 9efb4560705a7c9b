// @ts-check
// Calls the notes API with full types (in TypeScript) and prints what happens.
// Run: node examples/contract-basic/client.mjs ws://127.0.0.1:8080/ws
import { connect } from '@junction/client';
import { bind, issuesOf } from '@junction/contract';
import { api } from './api.mjs';

const client = await connect({ url: process.argv[2] ?? 'ws://127.0.0.1:8080/ws', realm: 'realm1', reconnect: false });
const notes = bind(client, api);

// Typed events: subscribe first, then watch them arrive as notes are added.
const added = notes.notes.added.events();
await added.ready;

const first = await notes.notes.add({ text: 'buy milk' });
await notes.notes.add({ text: 'call Ann' });
console.log('added:', first);
for (let i = 0; i < 2; i++) console.log('event notes.added:', (await added.next()).value);
await added.return();

console.log('get 2:', await notes.notes.get({ id: 2 }));

// A declared error, typed: safe() never throws, `is()` narrows the details.
const missing = await notes.notes.get.safe({ id: 99 });
if (!missing.ok && missing.error.is(api.errors.NotFound)) console.log('not found:', missing.error.kwargs.id);

// Invalid input: the server answers wamp.error.invalid_argument with the issues by field.
try {
  await notes.notes.add({ text: '' });
} catch (error) {
  for (const issue of issuesOf(error)) console.log(`invalid ${issue.path.join('.')}: ${issue.message}`);
}

// A progressive procedure: iterate the progress, then read the final result.
const exporting = notes.notes.export.stream({});
for await (const { done, total } of exporting) console.log(`export ${done}/${total}`);
console.log('export result:', await exporting.result);

await client.close();
console.log('closed');
