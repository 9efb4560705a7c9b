// One router node: `node router.mjs <port> [nodeId]`. Reads junction.config.json next to this file.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router } from '@junction/router';
import { attachCluster, readClusterConfig } from '@junction/cluster';

const here = path.dirname(fileURLToPath(import.meta.url));
const port = Number(process.argv[2] ?? 8081);
const nodeId = process.argv[3] ?? `node-${port}`;
const options = readClusterConfig(path.join(here, 'junction.config.json'));
if (process.env.NATS_URL) options.nats.servers = [process.env.NATS_URL];

const router = new Router({ realms: [{ name: 'realm1' }] });
const cluster = attachCluster(router, { ...options, nodeId });
cluster.on('status', (s) => console.log(`[${nodeId}] cluster ${s.state}, other nodes: ${s.nodes.join(', ') || 'none'}`));
const { url } = await router.listen({ port, host: '127.0.0.1' });
console.log(`[${nodeId}] Router listening on ${url}`);

const shutdown = async () => {
  await router.close(); // leaves the cluster first, then says goodbye to the sessions
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
