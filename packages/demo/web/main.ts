/**
 * The demo page: connects to the router on the same origin, binds the typed API generated from
 * the demo contract (api.generated.ts, `junction generate`) and starts the four panels.
 */
import { connect } from '@junction/client';
import { contractInfo, createApi } from './api.generated.js';
import { startCalculator } from './calculator.js';
import { startChat } from './chat.js';
import { byId, messageOf } from './forms.js';
import { startJobs } from './jobs.js';
import { startMetrics } from './metrics.js';

const REALM = 'realm1';

function setStatus(state: 'connecting' | 'open' | 'reconnecting' | 'closed', text: string): void {
  const status = byId('status');
  status.dataset.state = state;
  status.textContent = text;
}

async function main(): Promise<void> {
  byId('contract-info').textContent = `${contractInfo.prefix} ${contractInfo.version}`;
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  // JSON: its frames are readable in the browser's network panel, and the page's bundle needs no
  // binary codec (import '@junction/client/msgpack' and list 'msgpack' first for MessagePack).
  const client = await connect({ url, realm: REALM, serializers: ['json'], reconnect: { maxDelay: 5000 } });
  const showSession = (): void => {
    setStatus('open', `connected · ${client.serializer ?? ''}`);
    byId('session-info').textContent = `session ${client.sessionId} · realm ${REALM}`;
  };
  showSession();
  client.on('open', showSession);
  client.on('close', ({ willReconnect }) => setStatus(willReconnect ? 'reconnecting' : 'closed', willReconnect ? 'reconnecting…' : 'disconnected'));
  client.on('error', (error) => console.warn('[junction]', error));

  const api = createApi(client, { callDefaults: { timeout: 120_000 } });
  const showJobCounters = startJobs(api);
  startCalculator(api);
  await Promise.all([startChat(api), startMetrics(api, showJobCounters)]);
  document.body.dataset.ready = 'true';
}

main().catch((error: unknown) => {
  setStatus('closed', `failed: ${messageOf(error)}`);
  console.error(error);
});
