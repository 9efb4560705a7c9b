/**
 * Runs examples/interop as a user would: the Junction server, Autobahn|JS calling its typed
 * procedure, and Autobahn|Python serving a procedure that the Junction client calls through a
 * contract, each a separate process.
 *
 * The Python half needs /usr/bin/python3 with python3-autobahn: missing -> skipped with a printed
 * reason; under CI=true -> failure (test/support/peers.ts of @junction/websocket).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectPythonAutobahn, pythonPath, requirePeer } from '../../websocket/test/support/peers.js';
import { exampleDir, start, startNode, stopAll, type RunningProcess } from './examples-support.js';

const dir = exampleDir('interop');
const python = detectPythonAutobahn();
const runPython = requirePeer('autobahn-python', python.available, python.reason);

let server: RunningProcess;
let url: string;

beforeEach(async () => {
  server = startNode(`${dir}server.mjs`, ['0']);
  url = (await server.waitFor(/^Router listening on (ws:\/\/127\.0\.0\.1:\d+\/ws)$/m))[1]!;
});
afterEach(async () => {
  server.child.kill('SIGINT');
  const code = await server.exited().finally(stopAll);
  expect(code).toBe(0);
});

describe('examples/interop', () => {
  it('Autobahn|JS calls the typed Junction procedure with kwargs and gets its result, declared error and validation issues', async () => {
    const caller = startNode(`${dir}autobahn-caller.mjs`, [url]);
    expect(await caller.exited(), caller.stderr()).toBe(0);
    expect(caller.stdout()).toBe(
      [
        "quote: { item: 'apple', quantity: 3, total: 1.5 }",
        "declared error: com.example.shop.error.out_of_stock only 2 pear left { item: 'pear', left: 2 }",
        "invalid input: wamp.error.invalid_argument [ 'quantity: Too small: expected number to be >0' ]",
        'closed: closed',
        '',
      ].join('\n'),
    );
  });

  it.skipIf(!runPython)('the Junction client calls the procedure Autobahn|Python registered, through the typed contract', async () => {
    const callee = start(pythonPath, [`${dir}python_callee.py`, url], 'python_callee.py');
    await callee.waitFor(/^python callee ready$/m, 20_000);

    const caller = startNode(`${dir}junction-caller.mjs`, [url]);
    expect(await caller.exited(), caller.stderr()).toBe(0);
    expect(caller.stdout()).toBe(
      ['slugify: hello-wamp-world', 'declared error: com.example.text.error.empty nothing to slugify', 'closed', ''].join('\n'),
    );
    // The calls really ran in Python (Autobahn's own log lines, timestamped, are left out).
    await callee.waitFor(/^python: slugify\(' \?! '\)$/m);
    const own = callee.stdout().split('\n').filter((line) => line.startsWith('python'));
    expect(own).toEqual(['python callee ready', "python: slugify('Hello, WAMP World!')", "python: slugify(' ?! ')"]);

    callee.child.kill('SIGTERM'); // ApplicationRunner leaves the session and stops its loop
    expect(await callee.exited()).toBe(0);
    expect(callee.stdout()).toMatch(/python callee closed\n$/);
  });
});
