/**
 * Server metrics for the live chart: WebSocket connections, WAMP messages per second (both
 * directions), event-loop delay and memory, sampled every 100 ms, with the last minute kept for
 * pages that just opened.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { WebSocket, WebSocketServer } from '@junction/websocket';

/** One sample; the shape of the contract's `metrics.tick` payload. */
export interface MetricsSample {
  at: number;
  connections: number;
  messagesPerSecond: number;
  eventLoopDelayMs: number;
  eventLoopDelayMaxMs: number;
  heapUsedMB: number;
  rssMB: number;
  jobs: { running: number; completed: number; canceled: number };
}

/** Counters of the job procedure, kept by the service. */
export interface JobCounts {
  running: number;
  completed: number;
  canceled: number;
}

/** Samples kept for `metrics.history`: one minute at 10 per second. */
const HISTORY = 600;
/** The message rate is averaged over this many samples (one second), so the line does not jitter. */
const RATE_WINDOW = 10;
const MiB = 1024 * 1024;
/** Sampling timer of the event-loop delay histogram; its samples include this interval, which we take off. */
const DELAY_RESOLUTION_MS = 10;

const round2 = (n: number): number => Math.round(n * 100) / 100;

/**
 * Counts WAMP messages on every connection of a WebSocket server: received ones with a
 * `message` listener, sent ones by counting `send` calls (the router writes each message with
 * one `send`), so the router itself needs no hook.
 */
export class TrafficCounter {
  /** Messages seen since the last {@link take}. */
  private count = 0;

  constructor(private readonly server: WebSocketServer) {
    server.on('connection', (ws: WebSocket) => this.watch(ws));
  }

  /** Open connections right now. */
  get connections(): number {
    return this.server.clients.size;
  }

  /** Returns the messages counted since the previous call and starts over. */
  take(): number {
    const n = this.count;
    this.count = 0;
    return n;
  }

  private watch(ws: WebSocket): void {
    ws.on('message', () => {
      this.count++;
    });
    const send = ws.send;
    ws.send = ((...args: Parameters<typeof send>) => {
      this.count++;
      return send.apply(ws, args);
    }) as typeof send;
  }
}

/** Samples the metrics every `intervalMs` and hands each sample to `publish`. */
export class MetricsSampler {
  readonly history: MetricsSample[] = [];
  private readonly delay: IntervalHistogram = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS });
  private readonly recent: number[] = [];
  private timer: NodeJS.Timeout | null = null;
  private last = performance.now();

  constructor(
    private readonly traffic: TrafficCounter,
    private readonly jobs: JobCounts,
    private readonly publish: (sample: MetricsSample) => void,
    private readonly intervalMs = 100,
  ) {}

  start(): void {
    this.delay.enable();
    this.last = performance.now();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.delay.disable();
  }

  private tick(): void {
    const now = performance.now();
    const seconds = (now - this.last) / 1000;
    this.last = now;
    this.recent.push(this.traffic.take() / Math.max(seconds, 0.001));
    if (this.recent.length > RATE_WINDOW) this.recent.shift();
    const rate = this.recent.reduce((a, b) => a + b, 0) / this.recent.length;
    const memory = process.memoryUsage();
    // The histogram is in nanoseconds and measures whole timer intervals; with no sample yet, mean is NaN.
    const sampled = this.delay.count > 0;
    const mean = sampled ? Math.max(0, this.delay.mean / 1e6 - DELAY_RESOLUTION_MS) : 0;
    const max = sampled ? Math.max(0, this.delay.max / 1e6 - DELAY_RESOLUTION_MS) : 0;
    this.delay.reset();
    const sample: MetricsSample = {
      at: Date.now(),
      connections: this.traffic.connections,
      messagesPerSecond: Math.round(rate),
      eventLoopDelayMs: round2(mean),
      eventLoopDelayMaxMs: round2(max),
      heapUsedMB: round2(memory.heapUsed / MiB),
      rssMB: round2(memory.rss / MiB),
      jobs: { ...this.jobs },
    };
    this.history.push(sample);
    if (this.history.length > HISTORY) this.history.shift();
    this.publish(sample);
  }
}
