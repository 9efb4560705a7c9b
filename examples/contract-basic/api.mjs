// @ts-check
// The contract: a plain module that the server and every client import.
import { z } from 'zod';
import { defineContract, error, procedure, topic } from '@junction/contract';

const Note = z.object({
  id: z.number().int().describe('Assigned by the server'),
  text: z.string().describe('The note itself'),
});

export const api = defineContract({
  prefix: 'com.example.notes',
  version: '1.0.0',
  title: 'Notes',
  description: 'A tiny note store.',
  errors: {
    NotFound: error({ details: z.object({ id: z.number().int() }), description: 'No note has this id.' }),
  },
  procedures: {
    'notes.add': procedure({
      input: z.object({ text: z.string().min(1).max(200) }),
      output: Note,
      description: 'Stores a note and announces it on notes.added.',
      examples: [{ input: { text: 'buy milk' }, output: { id: 1, text: 'buy milk' } }],
    }),
    'notes.get': procedure({
      input: z.object({ id: z.number().int() }),
      output: Note,
      errors: ['NotFound'],
      description: 'Fetches one note.',
    }),
    'notes.export': procedure({
      input: z.object({ format: z.enum(['text', 'json']).default('text') }),
      output: z.object({ count: z.number().int(), body: z.string() }),
      progress: z.object({ done: z.number().int(), total: z.number().int() }),
      description: 'Exports every note, reporting progress after each one.',
    }),
  },
  topics: {
    'notes.added': topic({ payload: Note, description: 'A note was added.', examples: [{ id: 1, text: 'buy milk' }] }),
  },
});
