// @ts-check
// A router with the notes API implemented inside it (an embedded session).
// Run: node examples/contract-basic/server.mjs [port]   (after `npm install`, which builds the packages)
import { Router } from '@junction/router';
import { bind, implement } from '@junction/contract';
import { api } from './api.mjs';

const router = new Router({ realms: [{ name: 'realm1' }] });
const { url } = await router.listen({ port: Number(process.argv[2] ?? 8080), host: '127.0.0.1' });

const realm = router.realm('realm1');
if (realm === undefined) throw new Error('no realm1');
const session = await realm.session({ authid: 'notes-service' });
const notes = bind(session, api); // to publish notes.added, typed and validated
/** @type {Map<number, { id: number, text: string }>} */
const store = new Map();

await implement(session, api, {
  'notes.add': async ({ text }) => {
    const note = { id: store.size + 1, text };
    store.set(note.id, note);
    await notes.notes.added.publish(note);
    return note;
  },
  'notes.get': ({ id }) => {
    const note = store.get(id);
    if (note === undefined) throw api.errors.NotFound.create({ id }, `no note ${id}`);
    return note;
  },
  'notes.export': async ({ format }, ctx) => {
    /** @type {string[]} */
    const lines = [];
    for (const note of store.values()) {
      if (ctx.signal.aborted) break;
      lines.push(format === 'json' ? JSON.stringify(note) : `${note.id}. ${note.text}`);
      ctx.progress({ done: lines.length, total: store.size });
      await new Promise((resolve) => setImmediate(resolve));
    }
    return { count: lines.length, body: lines.join('\n') };
  },
});

console.log(`Router listening on ${url}`);
process.on('SIGINT', () => router.close().then(() => process.exit(0)));
process.on('SIGTERM', () => router.close().then(() => process.exit(0)));
