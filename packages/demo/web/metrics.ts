/**
 * The metrics panel: four charts fed by `metrics.tick` (10 samples a second), primed with
 * `metrics.history` so a new page shows the last half minute at once.
 */
import type { Api, MetricsTickPayload } from './api.generated.js';
import { LineChart } from './chart.js';
import { byId } from './forms.js';

const BLUE = '#5eb0ff';
const GREEN = '#7be0b5';
const ORANGE = '#ffb86b';
const PURPLE = '#c59bff';

/** Starts the charts; `onSample` also gets every sample (the job panel shows the job counters). */
export async function startMetrics(api: Api, onSample: (sample: MetricsTickPayload) => void): Promise<void> {
  const panel = byId('metrics');
  const parent = byId('charts');
  const charts: [LineChart, (m: MetricsTickPayload) => number[]][] = [
    [new LineChart(parent, { title: 'Connections', unit: '', series: [{ label: 'WebSocket connections', color: BLUE }], minTop: 4, format: (v) => v.toFixed(0) }), (m) => [m.connections]],
    [new LineChart(parent, { title: 'Messages / s', unit: 'msg/s', series: [{ label: 'messages per second', color: GREEN }], minTop: 10, format: (v) => v.toFixed(0) }), (m) => [m.messagesPerSecond]],
    [
      new LineChart(parent, {
        title: 'Event-loop delay (mean, max)',
        unit: 'ms',
        series: [{ label: 'mean', color: ORANGE }, { label: 'max', color: '#ffb86b80' }],
        minTop: 12,
        format: (v) => v.toFixed(1),
      }),
      (m) => [m.eventLoopDelayMs, m.eventLoopDelayMaxMs],
    ],
    [
      new LineChart(parent, { title: 'Memory (heap, RSS)', unit: 'MiB', series: [{ label: 'heap used', color: PURPLE }, { label: 'RSS', color: '#c59bff70' }], minTop: 16, format: (v) => v.toFixed(1) }),
      (m) => [m.heapUsedMB, m.rssMB],
    ],
  ];
  let updates = 0;
  let last = 0;
  const take = (sample: MetricsTickPayload): void => {
    if (sample.at <= last) return; // history and live samples overlap
    last = sample.at;
    for (const [chart, pick] of charts) chart.push(sample.at, pick(sample));
    panel.dataset.updates = String(++updates);
    onSample(sample);
  };
  // Buffer live samples until the history is in, so the charts get them in order.
  let early: MetricsTickPayload[] | null = [];
  await api.metrics.tick.subscribe((sample) => (early !== null ? early.push(sample) : take(sample)));
  const history = await api.metrics.history();
  for (const sample of history.slice(-300)) take(sample);
  for (const sample of early) take(sample);
  early = null;
}
