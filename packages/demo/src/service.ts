/**
 * The demo's server side: the contract's handlers, the chat history and the job counters. The
 * procedures run in the router's process on an embedded session (`implement(realm, ...)`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { bind, implement, type BoundApi, type Handlers, type Implementation, type SessionIdentity } from '@junction/contract';
import type { Client } from '@junction/client';
import { api } from './contract.js';
import type { JobCounts, MetricsSample } from './metrics.js';

type Api = typeof api;
interface ChatMessage {
  id: number;
  name: string;
  text: string;
  at: number;
}

/** Messages kept for `chat.history`. */
const CHAT_HISTORY = 100;

const SYMBOLS = { add: '+', subtract: '−', multiply: '×', divide: '÷', power: '^' } as const;

const NOTES = ['warming up', 'fetching data', 'crunching numbers', 'cross-checking', 'polishing', 'writing results'];

/** Options of {@link startService}. */
export interface ServiceOptions {
  /** Where handler failures are logged (default: console.error). */
  log?: (level: 'warn' | 'error', message: string, detail?: unknown) => void;
  /** What `metrics.history` answers: the sampler's recent samples. */
  metricsHistory?: () => readonly MetricsSample[];
}

/** The running service: what the metrics read and how to stop it. */
export interface Service {
  /** Live counters of `jobs.run` calls. */
  readonly jobs: JobCounts;
  /** The typed API on the service's own session, to publish from the server. */
  readonly remote: BoundApi<Api>;
  close(): Promise<void>;
}

/** Rounds to `decimals` places without turning 0.1 + 0.2 into 0.30000000000000004. */
function roundTo(value: number, decimals: number): number {
  return Number(value.toFixed(decimals));
}

/** Implements the demo contract on `realm` (anything with `session()`, such as `router.realm('realm1')`). */
export async function startService(realm: { session(identity?: SessionIdentity): Promise<Client> }, options: ServiceOptions = {}): Promise<Service> {
  const history: ChatMessage[] = [];
  const jobs: JobCounts = { running: 0, completed: 0, canceled: 0 };
  let seq = 0;
  let remote: BoundApi<Api> | null = null;

  const handlers: Handlers<Api> = {
    'chat.send': async ({ name, text }, ctx) => {
      const message = { id: ++seq, name, text, at: Date.now() };
      history.push(message);
      if (history.length > CHAT_HISTORY) history.shift();
      remote ??= bind(ctx.session, api);
      await remote.chat.message.publish(message);
      return message;
    },

    'chat.history': ({ limit }) => history.slice(-limit),

    'calc.compute': ({ a, op, b, decimals }) => {
      const exact = op === 'add' ? a + b : op === 'subtract' ? a - b : op === 'multiply' ? a * b : op === 'divide' ? a / b : a ** b;
      if (!Number.isFinite(exact)) throw api.errors.Overflow.create({}, `${a} ${SYMBOLS[op]} ${b} is too large`);
      const value = roundTo(exact, decimals);
      return { value, expression: `${a} ${SYMBOLS[op]} ${b} = ${value}` };
    },

    'jobs.run': async ({ steps, stepMs }, ctx) => {
      const started = performance.now();
      jobs.running++;
      try {
        for (let step = 1; step <= steps; step++) {
          // Aborted when the caller cancels: the sleep rejects and the job stops here.
          await sleep(stepMs, undefined, { signal: ctx.signal });
          ctx.progress({ step, steps, note: NOTES[Math.floor(((step - 1) / steps) * NOTES.length)]! });
        }
        jobs.completed++;
        return { steps, elapsedMs: Math.round(performance.now() - started) };
      } catch (error) {
        if (ctx.signal.aborted) jobs.canceled++;
        throw error;
      } finally {
        jobs.running--;
      }
    },

    'metrics.history': () => [...(options.metricsHistory?.() ?? [])],
  };

  const implementation: Implementation = await implement(realm, api, handlers, {
    identity: { authid: 'demo-service', authrole: 'trusted' },
    ...(options.log !== undefined ? { log: options.log } : {}),
  });
  remote ??= bind(implementation.session, api);
  return { jobs, remote, close: () => implementation.close() };
}
