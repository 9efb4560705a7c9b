/** The contract the tests share: procedures (plain, progressive, with errors, no input), topics, errors. */
import { z } from 'zod';
import { defineContract, error, procedure, topic } from '../../src/index.js';

export const User = z.object({ id: z.string(), name: z.string().min(1), email: z.email() });

export const api = defineContract({
  prefix: 'com.example.api',
  version: '1.2.0',
  title: 'Example API',
  description: 'Maths, users and chat.',
  errors: {
    NotFound: error({ details: z.object({ id: z.string() }), description: 'No such user.' }),
    Forbidden: error({ uri: 'com.example.api.forbidden', details: z.object({ reason: z.string() }), description: 'Not allowed.' }),
    Busy: error({ description: 'Try again later.' }),
  },
  procedures: {
    'math.add': procedure({
      input: z.object({ a: z.number().describe('first addend'), b: z.number().default(0) }),
      output: z.number(),
      description: 'Adds two numbers.',
      examples: [{ title: 'one and two', input: { a: 1, b: 2 }, output: 3 }],
    }),
    'math.sum': procedure({
      input: z.object({ values: z.array(z.number()).max(100) }),
      output: z.object({ total: z.number(), count: z.number().int() }),
      progress: z.object({ done: z.number().int(), partial: z.number() }),
      errors: ['Busy'],
      description: 'Sums values, reporting progress after each one.',
    }),
    'users.get': procedure({
      input: z.object({ id: z.string() }),
      output: User,
      errors: ['NotFound', 'Forbidden'],
      description: 'Fetches a user.',
    }),
    'users.create': procedure({
      input: User.omit({ id: true }),
      output: User,
      description: 'Creates a user.',
    }),
    ping: procedure({ output: z.literal('pong'), description: 'Liveness.' }),
    'system.whoami': procedure({
      output: z.object({ caller: z.number().optional(), authid: z.string().optional(), authrole: z.string().optional() }),
      description: 'Echoes the disclosed caller.',
    }),
    'system.broken': procedure({ output: z.number(), description: 'Returns a wrong result on purpose.' }),
    'system.crash': procedure({ output: z.void(), description: 'Throws an unexpected error on purpose.' }),
    'system.wait': procedure({ input: z.object({ ms: z.number() }), output: z.boolean(), description: 'Waits until cancelled.' }),
  },
  topics: {
    'chat.message': topic({
      payload: z.object({ from: z.string(), text: z.string().max(500) }),
      description: 'A chat message.',
      examples: [{ from: 'ann', text: 'hi' }],
    }),
    'users.created': topic({ payload: User, description: 'A user was created.' }),
  },
});
