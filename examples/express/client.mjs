// @ts-check
// Uses both doors of the server: an HTTP request and a WAMP call, on the same port.
// Run: node examples/express/client.mjs http://127.0.0.1:8080
import { connect } from '@junction/client';

const base = process.argv[2] ?? 'http://127.0.0.1:8080';

const response = await fetch(`${base}/api/greet?name=Ada`);
console.log('HTTP GET /api/greet:', response.status, await response.json());

const client = await connect({ url: `${base.replace(/^http/, 'ws')}/ws`, realm: 'realm1', reconnect: false });
const { args } = await client.call('com.example.greet', [], { name: 'Grace' });
console.log('WAMP call com.example.greet:', args[0]);
await client.close();

const missing = await fetch(`${base}/nowhere`);
console.log('HTTP GET /nowhere:', missing.status, await missing.json());
