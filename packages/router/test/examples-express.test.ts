/** Runs examples/express as a user would: the web server (with the router attached) and the client as two processes. */
import { afterEach, describe, expect, it } from 'vitest';
import { exampleDir, startNode, stopAll } from './examples-support.js';

const dir = exampleDir('express');

afterEach(stopAll);

describe('examples/express', () => {
  it('serves an HTTP route and a WAMP procedure on one port, sharing state, and stops cleanly on SIGINT', async () => {
    const server = startNode(`${dir}server.mjs`, ['0']);
    // One port for both: the WAMP URL repeats the HTTP port (\2).
    const [, base] = await server.waitFor(/^HTTP on (http:\/\/127\.0\.0\.1:(\d+))\/ and WAMP on ws:\/\/127\.0\.0\.1:\2\/ws$/m);

    const client = startNode(`${dir}client.mjs`, [base!]);
    expect(await client.exited(), client.stderr()).toBe(0);
    expect(client.stdout()).toBe(
      [
        "HTTP GET /api/greet: 200 { greeting: 'Hello, Ada!', count: 1 }",
        "WAMP call com.example.greet: { greeting: 'Hello, Grace!', count: 2 }",
        "HTTP GET /nowhere: 404 { error: 'no route for GET /nowhere' }",
        '',
      ].join('\n'),
    );

    server.child.kill('SIGINT');
    expect(await server.exited()).toBe(0);
    expect(server.stdout()).toMatch(/\nstopped\n$/);
    expect(client.stderr() + server.stderr()).toBe('');
  });
});
