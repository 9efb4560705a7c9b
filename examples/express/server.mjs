// @ts-check
// An existing web server with Junction on the same port: HTTP routes as before, WAMP at /ws.
// Run: node examples/express/server.mjs [port]
import http from 'node:http';
import express from 'express';
import { Router } from '@junction/router';

let greetings = 0;
/** The service both doors open onto: the HTTP route and the WAMP procedure share it (and its state). */
const greet = (/** @type {string} */ name) => ({ greeting: `Hello, ${name}!`, count: ++greetings });

// The existing Express app, untouched by Junction.
const app = express();
app.get('/api/greet', (req, res) => {
  res.json(greet(typeof req.query.name === 'string' ? req.query.name : 'stranger'));
});
app.use((req, res) => {
  res.status(404).json({ error: `no route for ${req.method} ${req.path}` });
});
const server = http.createServer(app); // or `app.listen(port)`, which returns the same kind of http.Server

// Junction shares the server: upgrades to /ws are WAMP sessions; every other request stays with the app.
const router = new Router({ realms: [{ name: 'realm1' }] });
router.attach(server, { path: '/ws' });
const realm = router.realm('realm1');
if (realm === undefined) throw new Error('no realm1');
const session = await realm.session({ authid: 'web-app' });
await session.register('com.example.greet', (args, kwargs) => greet(String(kwargs.name ?? args[0] ?? 'stranger')));

server.listen(Number(process.argv[2] ?? 8080), '127.0.0.1', () => {
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  console.log(`HTTP on http://127.0.0.1:${address.port}/ and WAMP on ws://127.0.0.1:${address.port}/ws`);
});

const stop = async () => {
  await router.close(); // says GOODBYE to every session; the HTTP server keeps running
  server.close(() => {
    console.log('stopped');
    process.exit(0);
  });
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
