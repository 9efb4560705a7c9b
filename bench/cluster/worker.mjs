// A benchmark client process. argv: JSON job; talks to bench/cluster/run.mjs over IPC.
import { connect, WampError } from '@junction/client';

const job = JSON.parse(process.argv[2]);
const open = (url) => connect({ url, realm: 'realm1', reconnect: false, serializers: ['msgpack'] });
const send = (message) => process.send(message);
process.on('disconnect', () => process.exit(0));

async function waitRoutable(client, uri) {
  for (;;) {
    try {
      await client.call(uri, [1, 2]);
      return;
    } catch (error) {
      if (!(error instanceof WampError) || error.uri !== 'wamp.error.no_such_procedure') throw error;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

if (job.kind === 'callee') {
  const client = await open(job.url);
  await client.register(job.uri, (args) => args[0] + args[1], job.invoke ? { invoke: job.invoke } : {});
  send({ type: 'ready' });
} else if (job.kind === 'callers') {
  // `inflight` calls in flight per connection for `duration` ms.
  const clients = await Promise.all(Array.from({ length: job.connections }, () => open(job.url)));
  for (const c of clients) await waitRoutable(c, job.uri);
  send({ type: 'ready' });
  await new Promise((resolve) => process.once('message', resolve)); // go
  let calls = 0;
  const end = Date.now() + job.duration;
  const loop = async (c) => {
    while (Date.now() < end) {
      await c.call(job.uri, [1, 2]);
      calls++;
    }
  };
  const started = Date.now();
  await Promise.all(clients.flatMap((c) => Array.from({ length: job.inflight }, () => loop(c))));
  send({ type: 'result', calls, ms: Date.now() - started });
} else if (job.kind === 'latency') {
  const client = await open(job.url);
  await waitRoutable(client, job.uri);
  for (let i = 0; i < 500; i++) await client.call(job.uri, [1, 2]); // warm-up
  const samples = new Float64Array(job.calls);
  for (let i = 0; i < job.calls; i++) {
    const t = process.hrtime.bigint();
    await client.call(job.uri, [1, 2]);
    samples[i] = Number(process.hrtime.bigint() - t) / 1000; // µs
  }
  samples.sort();
  send({ type: 'result', p50: samples[Math.floor(job.calls * 0.5)], p99: samples[Math.floor(job.calls * 0.99)] });
} else if (job.kind === 'subscribers') {
  const clients = await Promise.all(Array.from({ length: job.connections }, () => open(job.url)));
  let received = 0;
  const expected = job.events * job.connections;
  for (const c of clients) {
    await c.subscribe(job.topic, () => {
      if (++received === expected) send({ type: 'done', received, at: Date.now() });
    });
  }
  send({ type: 'ready' });
} else if (job.kind === 'publisher') {
  const client = await open(job.url);
  send({ type: 'ready' });
  await new Promise((resolve) => process.once('message', resolve)); // go
  const started = Date.now();
  for (let i = 0; i < job.events; i++) {
    // Acknowledge every 500th so the publisher never runs far ahead of the router.
    if (i % 500 === 499) await client.publish(job.topic, [i], {}, { acknowledge: true });
    else void client.publish(job.topic, [i]);
  }
  await client.publish(job.topic, ['flush'], {}, { acknowledge: true, excludeMe: true, eligible: [1] });
  send({ type: 'result', started, ms: Date.now() - started });
}
