// @ts-check
// Two typed contracts. `shop` is implemented by the Junction server and called by Autobahn|JS;
// `text` is implemented by Autobahn|Python and called by the Junction client. Contracts travel as
// plain WAMP (input = kwargs, result = args[0], errors = ERROR URIs), so the other side needs no
// Junction code at all.
import { z } from 'zod';
import { defineContract, error, procedure } from '@junction/contract';

export const shop = defineContract({
  prefix: 'com.example.shop',
  version: '1.0.0',
  errors: {
    OutOfStock: error({ details: z.object({ item: z.string(), left: z.number().int() }), description: 'Not enough in stock.' }),
  },
  procedures: {
    quote: procedure({
      input: z.object({ item: z.string(), quantity: z.number().int().positive() }),
      output: z.object({ item: z.string(), quantity: z.number().int(), total: z.number() }),
      errors: ['OutOfStock'],
      description: 'Prices a quantity of an item.',
    }),
  },
});

export const text = defineContract({
  prefix: 'com.example.text',
  version: '1.0.0',
  errors: { Empty: error({ description: 'There is nothing to slugify.' }) },
  procedures: {
    slugify: procedure({
      input: z.object({ title: z.string() }),
      output: z.string(),
      errors: ['Empty'],
      description: 'Turns a title into a URL slug (served by Autobahn|Python).',
    }),
  },
});
