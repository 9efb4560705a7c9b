// One benchmark router node (its own process): a Router on a free port, clustered over NATS.
// argv: JSON { nats, nodeId } ; reports { type: 'ready', url } over IPC; exits when the parent goes.
import { Router } from '@junction/router';
import { attachCluster } from '@junction/cluster';

const { nats, nodeId } = JSON.parse(process.argv[2]);
const router = new Router({ realms: [{ name: 'realm1' }], limits: { maxMessagesPerSecond: 1e9, maxPendingCallsPerSession: 100_000 }, log: () => {} });
const cluster = attachCluster(router, { nats: { servers: nats }, nodeId, heartbeatInterval: 500, nodeTimeout: 2000 });
const { url } = await router.listen({ port: 0 });
await cluster.ready;
process.send({ type: 'ready', url });
process.on('disconnect', () => process.exit(0));
