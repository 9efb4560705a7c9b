/** Runs examples/node-rpc as a user would: the development router, the callee and the caller as three processes. */
import { afterEach, describe, expect, it } from 'vitest';
import { exampleDir, startDevRouter, startNode, stopAll } from './examples-support.js';

const dir = exampleDir('node-rpc');

afterEach(stopAll);

describe('examples/node-rpc', () => {
  it('the caller reaches the callee through the standalone router; everything stops cleanly on SIGINT', async () => {
    const { router, url } = await startDevRouter();
    const callee = startNode(`${dir}callee.mjs`, [url]);
    await callee.waitFor(/^callee ready$/m);

    const caller = startNode(`${dir}caller.mjs`, [url]);
    expect(await caller.exited(), caller.stderr()).toBe(0);
    expect(caller.stdout()).toBe(
      [
        'add: 5',
        'greet: Hello, Ada! { length: 3 }',
        'countdown: 3',
        'countdown: 2',
        'countdown: 1',
        'countdown result: liftoff',
        'divide failed: com.example.error.division_by_zero cannot divide by zero { dividend: 1 }',
        'missing: wamp.error.no_such_procedure',
        'closed',
        '',
      ].join('\n'),
    );
    // Each call really ran in the callee process.
    expect(callee.stdout()).toBe(
      ['callee ready', 'callee: add(2, 3)', 'callee: greet(Ada)', 'callee: countdown(3)', 'callee: divide(1, 0)', ''].join('\n'),
    );

    callee.child.kill('SIGINT');
    expect(await callee.exited()).toBe(0);
    expect(callee.stdout()).toMatch(/callee closed\n$/);
    router.child.kill('SIGINT');
    expect(await router.exited()).toBe(0);
    expect(caller.stderr() + callee.stderr() + router.stderr()).toBe('');
  });
});
