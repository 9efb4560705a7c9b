/**
 * The demo's contract: every procedure and topic the page uses, as zod schemas. The server
 * implements it (service.ts); the page calls it through a client module generated from it
 * (web/api.generated.ts, `junction generate`), so no zod ships to the browser.
 */
import { z } from 'zod';
import { defineContract, error, procedure, topic } from '@junction/contract';

const Name = z.string().trim().min(1, 'Pick a name').max(24, 'At most 24 characters').describe('Display name of the author');

/** A chat message as the room sees it. */
const ChatMessage = z.object({
  id: z.number().int().describe('Sequence number, assigned by the server'),
  name: Name,
  text: z.string().describe('The message, as typed (plain text: render it escaped)'),
  at: z.number().describe('Server time, ms since the epoch'),
});

const Operand = z
  .number({ error: 'Enter a number' })
  .min(-1e12, 'Must be at least -1e12')
  .max(1e12, 'Must be at most 1e12');

/** One sample of the server's metrics. */
const Metrics = z.object({
  at: z.number().describe('Server time, ms since the epoch'),
  connections: z.number().int().describe('Open WebSocket connections'),
  messagesPerSecond: z.number().describe('WAMP messages over WebSocket (both directions), per second'),
  eventLoopDelayMs: z.number().describe('Event-loop delay over the last interval (mean, ms)'),
  eventLoopDelayMaxMs: z.number().describe('Event-loop delay over the last interval (max, ms)'),
  heapUsedMB: z.number().describe('V8 heap in use, MiB'),
  rssMB: z.number().describe('Resident set size, MiB'),
  jobs: z.object({
    running: z.number().int(),
    completed: z.number().int(),
    canceled: z.number().int(),
  }).describe('Counts of jobs.run calls'),
});

/** The demo API: chat, metrics, a calculator and a long-running job. */
export const api = defineContract({
  prefix: 'demo',
  version: '1.0.0',
  title: 'Junction demo',
  description: 'What the demo page uses: a chat room, live server metrics, a validated calculator and a cancellable job with progress.',
  errors: {
    Overflow: error({ description: 'The result is too large to be a finite number.' }),
  },
  procedures: {
    'chat.send': procedure({
      input: z.object({
        name: Name,
        text: z.string().trim().min(1, 'Say something').max(500, 'At most 500 characters').describe('The message'),
      }),
      output: ChatMessage,
      description: 'Posts a message to the room: the server stamps it and publishes it on chat.message.',
      examples: [{ input: { name: 'ada', text: 'hello' }, output: { id: 1, name: 'ada', text: 'hello', at: 1767225600000 } }],
    }),
    'chat.history': procedure({
      input: z.object({ limit: z.number().int().min(1).max(100).default(50).describe('How many of the latest messages') }),
      output: z.array(ChatMessage),
      description: 'The latest messages, oldest first, for a page that just joined.',
    }),
    'calc.compute': procedure({
      input: z
        .object({
          a: Operand.describe('Left operand'),
          op: z.enum(['add', 'subtract', 'multiply', 'divide', 'power'], { error: 'Pick an operation' }).describe('The operation'),
          b: Operand.describe('Right operand'),
          decimals: z.number({ error: 'Enter a whole number' }).int('Enter a whole number').min(0, 'At least 0').max(10, 'At most 10').default(4)
            .describe('Decimal places of the result'),
        })
        .refine((v) => v.op !== 'divide' || v.b !== 0, { path: ['b'], message: 'Cannot divide by zero' })
        .refine((v) => v.op !== 'power' || Math.abs(v.b) <= 64, { path: ['b'], message: 'Exponent must be between -64 and 64' }),
      output: z.object({ value: z.number(), expression: z.string() }),
      errors: ['Overflow'],
      description: 'Computes `a op b`, rounded. Invalid input is answered with wamp.error.invalid_argument and an issue per field.',
      examples: [{ input: { a: 6, op: 'multiply', b: 7 }, output: { value: 42, expression: '6 × 7 = 42' } }],
    }),
    'jobs.run': procedure({
      input: z.object({
        steps: z.number().int().min(1).max(200).default(40).describe('Steps of work'),
        stepMs: z.number().int().min(10).max(2000).default(100).describe('Duration of one step, ms'),
      }),
      progress: z.object({
        step: z.number().int(),
        steps: z.number().int(),
        note: z.string().describe('What the step did'),
      }),
      output: z.object({ steps: z.number().int(), elapsedMs: z.number() }),
      description: 'A long-running job reporting progress after each step. Cancelling the call stops it on the server.',
    }),
    'metrics.history': procedure({
      output: z.array(Metrics),
      description: 'The last minute of metrics samples, oldest first, to fill a chart at once.',
    }),
  },
  topics: {
    'chat.message': topic({ payload: ChatMessage, description: 'A message posted to the room.' }),
    'metrics.tick': topic({ payload: Metrics, description: 'Server metrics, published 10 times a second.' }),
  },
});

/** The demo contract's type. */
export type DemoApi = typeof api;
