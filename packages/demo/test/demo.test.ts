/**
 * The demo server without a browser: the page's files and the docs over HTTP, the contract over
 * a Node client (validation issues, permissions, chat, cancelled jobs, metrics), the generated
 * client module being current, and `npm start` (dist/server.js) as a child process.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, WampError, type Client } from '@junction/client';
import { bind, issuesOf, type BoundApi } from '@junction/contract';
import { api } from '../src/contract.js';
import { startDemo, type Demo } from '../src/demo.js';
import { GENERATED_FILE, generatedClientSource, webDir } from '../src/page.js';

const quietLog = (level: string, message: string, detail?: unknown): void => {
  if (level === 'error') console.warn(`[router ${level}] ${message}`, detail ?? '');
};

describe('the generated client module', () => {
  it('web/api.generated.ts is what `junction generate` makes of the contract (run `npm run generate -w @junction/demo` after changing it)', () => {
    expect(readFileSync(`${webDir}${GENERATED_FILE}`, 'utf8')).toBe(generatedClientSource());
  });
});

describe('the demo server', () => {
  let demo: Demo;
  let client: Client;
  let remote: BoundApi<typeof api>;

  beforeAll(async () => {
    demo = await startDemo({ port: 0, log: quietLog });
    client = await connect({ url: demo.wsUrl, realm: 'realm1', reconnect: false });
    remote = bind(client, api);
  });

  afterAll(async () => {
    await client?.close();
    await demo?.close();
  });

  it('serves the page, its script and styles with a strict CSP, and 404/405 otherwise', async () => {
    const page = await fetch(demo.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(await page.text()).toContain('<script type="module" src="/app.js"></script>');
    const script = await fetch(new URL('/app.js', demo.url));
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await script.text()).length).toBe(demo.page.scriptBytes);
    expect((await fetch(new URL('/style.css', demo.url))).headers.get('content-type')).toMatch(/^text\/css/);
    expect((await fetch(new URL('/nope', demo.url))).status).toBe(404);
    expect((await fetch(demo.url, { method: 'POST' })).status).toBe(405);
  });

  it('bundles the page with the generated client: no zod, no Node built-ins', () => {
    const inputs = demo.page.inputs;
    expect(inputs.some((p) => p.endsWith('web/api.generated.ts'))).toBe(true);
    expect(inputs.some((p) => p.includes('packages/client/dist/index.js'))).toBe(true);
    expect(inputs.filter((p) => p.includes('node_modules/zod/') || p.includes('packages/contract/'))).toEqual([]);
    expect(inputs.filter((p) => p.startsWith('node:') || p.includes('packages/websocket/'))).toEqual([]);
    console.log(`[demo] page script: ${demo.page.scriptBytes} B minified, ${demo.page.scriptGzipBytes} B gzipped`);
  });

  it('serves the API docs of the demo contract at /docs', async () => {
    const redirect = await fetch(new URL('/docs', demo.url), { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    const docs = await fetch(new URL('/docs/', demo.url));
    expect(docs.status).toBe(200);
    const html = await docs.text();
    for (const uri of ['demo.chat.send', 'demo.calc.compute', 'demo.jobs.run', 'demo.chat.message', 'demo.metrics.tick']) expect(html).toContain(uri);
    expect(html).toContain(demo.wsUrl);
    const asyncapi = (await (await fetch(new URL('/docs/asyncapi.json', demo.url))).json()) as { asyncapi: string };
    expect(asyncapi.asyncapi).toMatch(/^3\./);
  });

  it('answers invalid calculator input with one issue per field, paths included', async () => {
    const r = await remote.calc.compute.safe({ a: 1, op: 'divide', b: 0, decimals: 11 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.uri).toBe('wamp.error.invalid_argument');
    const issues = issuesOf(r.error).map((i) => [i.path.join('.'), i.message]);
    expect(issues).toContainEqual(['decimals', 'At most 10']);
    // Refinements run once the fields parse: fix decimals and the division by zero shows.
    const zero = await remote.calc.compute.safe({ a: 1, op: 'divide', b: 0 });
    expect(!zero.ok && issuesOf(zero.error).map((i) => [i.path.join('.'), i.message])).toEqual([['b', 'Cannot divide by zero']]);
    const missing = await client.call(api.procedures['calc.compute'].uri, [], { op: 'add', b: 'x' }).catch((e: unknown) => e);
    expect(issuesOf(missing).map((i) => [i.path.join('.'), i.message])).toEqual([['a', 'Enter a number'], ['b', 'Enter a number']]);
    expect(await remote.calc.compute({ a: 2, op: 'power', b: 10 })).toEqual({ value: 1024, expression: '2 ^ 10 = 1024' });
    const overflow = await remote.calc.compute.safe({ a: 1e12, op: 'power', b: 64 });
    expect(!overflow.ok && overflow.error.is(api.errors.Overflow)).toBe(true);
  });

  it('chat: chat.send is stamped, published to subscribers and kept in the history; publishing directly is refused', async () => {
    const events = remote.chat.message.events();
    await events.ready;
    const sent = await remote.chat.send({ name: '  ada ', text: '<i>hi</i>' });
    expect(sent).toMatchObject({ name: 'ada', text: '<i>hi</i>' });
    expect((await events.next()).value).toEqual(sent);
    await events.return?.();
    expect((await remote.chat.history({ limit: 100 })).at(-1)).toEqual(sent);
    const tooLong = await remote.chat.send.safe({ name: 'x'.repeat(25), text: 'hi' });
    expect(!tooLong.ok && issuesOf(tooLong.error).map((i) => [i.path.join('.'), i.message])).toEqual([['name', 'At most 24 characters']]);
    // Browsers are anonymous: they may not publish on the demo's topics or register its procedures.
    const forged = await client.publish(api.topics['chat.message'].uri, [{ ...sent, id: 0 }], {}, { acknowledge: true }).catch((e: unknown) => e);
    expect((forged as WampError).uri).toBe('wamp.error.not_authorized');
    const register = await client.register('demo.chat.send', () => 0).catch((e: unknown) => e);
    expect((register as WampError).uri).toBe('wamp.error.not_authorized');
  });

  it('jobs: progress arrives step by step; cancelling stops the handler on the server', async () => {
    const steps: number[] = [];
    expect(await remote.jobs.run({ steps: 5, stepMs: 10 }, { onProgress: (p) => steps.push(p.step) })).toMatchObject({ steps: 5 });
    expect(steps).toEqual([1, 2, 3, 4, 5]);

    const ticks = remote.metrics.tick.events();
    await ticks.ready;
    const controller = new AbortController();
    const call = remote.jobs.run({ steps: 200, stepMs: 20 }, { signal: controller.signal, onProgress: (p) => p.step === 3 && controller.abort() });
    await expect(call).rejects.toMatchObject({ uri: 'wamp.error.canceled' });
    // The metrics report the server's counters: the job ends as canceled, nothing left running.
    for await (const sample of ticks) {
      if (sample.jobs.canceled >= 1 && sample.jobs.running === 0) {
        expect(sample.jobs.completed).toBeGreaterThanOrEqual(1);
        break;
      }
    }
  });

  it('metrics: samples about 10 times a second, counting this connection and its messages', async () => {
    const samples: { connections: number; messagesPerSecond: number; at: number }[] = [];
    const sub = await remote.metrics.tick.subscribe((sample) => void samples.push(sample));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await sub.unsubscribe();
    expect(samples.length).toBeGreaterThanOrEqual(3);
    expect(samples.at(-1)!.connections).toBeGreaterThanOrEqual(1);
    expect(samples.at(-1)!.messagesPerSecond).toBeGreaterThan(0);
    const history = await remote.metrics.history();
    expect(history.length).toBeGreaterThan(samples.length);
    expect(history.every((s, i) => i === 0 || s.at >= history[i - 1]!.at)).toBe(true);
  });

  it('refuses to start on a port that is taken', async () => {
    await expect(startDemo({ port: demo.port, log: quietLog })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

describe('npm start (dist/server.js)', () => {
  const bin = fileURLToPath(new URL('../dist/server.js', import.meta.url));

  it('prints the URL, serves the page, and exits cleanly on SIGTERM', async () => {
    expect(existsSync(bin), `${bin} is missing: build with npx tsc -b packages/demo`).toBe(true);
    const child = spawn(process.execPath, [bin, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (chunk: string) => {
          out += chunk;
          if (out.includes('\n')) resolve(out.split('\n')[0]!);
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
      });
      const match = /^Junction demo: (http:\/\/127\.0\.0\.1:\d+\/)$/.exec(line);
      expect(match, line).not.toBeNull();
      expect((await fetch(match![1]!)).status).toBe(200);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses a bad port with a one-line message and exit code 2', async () => {
    const child = spawn(process.execPath, [bin, '--port', 'abc'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (err += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toMatch(/^junction demo: invalid port "abc"/);
  });
});
