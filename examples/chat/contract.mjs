// @ts-check
// The chat's contract, shared by the server and the page (zod/mini keeps the page's bundle small).
import * as z from 'zod/mini';
import { defineContract, topic } from '@junction/contract';

export const chat = defineContract({
  prefix: 'com.example.chat',
  version: '1.0.0',
  topics: {
    message: topic({ payload: z.object({ from: z.string().check(z.maxLength(40)), text: z.string().check(z.minLength(1), z.maxLength(500)) }) }),
  },
});
