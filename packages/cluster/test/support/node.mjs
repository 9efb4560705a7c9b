// One router node of a test cluster, run with child_process.fork (the test talks to it over IPC).
// Needs the built packages (npx tsc -b packages/cluster).
// argv: JSON options { nats, nodeId, heartbeatInterval, nodeTimeout, metaTimeout }
import { Router } from '@junction/router';
import { attachCluster } from '@junction/cluster';

const options = JSON.parse(process.argv[2] ?? '{}');
const router = new Router({ realms: [{ name: 'realm1' }], log: () => {} });
const cluster = attachCluster(router, {
  nats: { servers: options.nats },
  nodeId: options.nodeId,
  heartbeatInterval: options.heartbeatInterval ?? 200,
  nodeTimeout: options.nodeTimeout ?? 800,
  metaTimeout: options.metaTimeout ?? 300,
  log: () => {},
});
const { url } = await router.listen({ port: 0, host: '127.0.0.1' });
cluster.on('status', (status) => process.send?.({ type: 'status', status }));
if (!options.noWait) await cluster.ready; // noWait: report ready even while NATS is unreachable
process.send?.({ type: 'ready', url, nodeId: cluster.nodeId });

process.on('message', async (message) => {
  if (message?.type === 'status') process.send?.({ type: 'status-reply', status: cluster.status() });
  if (message?.type === 'stop') {
    await router.close(); // leaves the cluster first (its beforeClose hook)
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
