// @ts-check
// The Junction client calls the procedure Autobahn|Python registered, through the typed `text`
// contract: the call is checked at compile time, the declared error is recognised.
// Run: node examples/interop/junction-caller.mjs ws://127.0.0.1:8080/ws
import { connect } from '@junction/client';
import { bind } from '@junction/contract';
import { text } from './contract.mjs';

const client = await connect({ url: process.argv[2] ?? 'ws://127.0.0.1:8080/ws', realm: 'realm1', reconnect: false });
const api = bind(client, text);

const slug = await api.slugify({ title: 'Hello, WAMP World!' }); // typed string
console.log('slugify:', slug);

const empty = await api.slugify.safe({ title: ' ?! ' });
if (!empty.ok && empty.error.is(text.errors.Empty)) console.log('declared error:', empty.error.uri, empty.error.args[0]);

await client.close();
console.log('closed');
