/**
 * Progressive call invocations end to end: our client streams call arguments through
 * @junction/router to our callee, which reads them from ctx.inputs (real sockets, 127.0.0.1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Router } from '@junction/router';
import type { InvocationChunk } from '../src/index.js';
import { ClientPool, startRouter } from './support/e2e-router.js';

let router: Router;
let url: string;
const pool = new ClientPool();

beforeAll(async () => {
  ({ router, url } = await startRouter());
});

afterAll(async () => {
  await pool.closeAll();
  await router?.close();
});

describe.each(['json', 'msgpack', 'cbor'] as const)('progressive call invocations over %s', (serializer) => {
  it('the callee reads the streamed chunks from ctx.inputs and answers with progress and a final result', async () => {
    const callee = await pool.open(url, serializer);
    const caller = await pool.open(url, serializer);
    const procedure = `progressive.sum.${serializer}`;
    const seen: [unknown, boolean][] = [];
    await callee.register(procedure, async (args, _kwargs, ctx) => {
      let total = args[0] as number;
      seen.push([args[0], false]);
      for await (const chunk of ctx.inputs as AsyncIterable<InvocationChunk>) {
        seen.push([chunk.args[0], chunk.final]);
        total += chunk.args[0] as number;
        ctx.progress([total]);
      }
      return total;
    });
    const partial: unknown[] = [];
    const call = caller.progressiveCall(procedure, [1], undefined, { onProgress: (r) => partial.push(r.args[0]) });
    expect(call.send([2])).toBe(true);
    expect(call.send([3])).toBe(true);
    const result = await call.end([4]);
    expect(result.args).toEqual([10]);
    expect(seen).toEqual([[1, false], [2, false], [3, false], [4, true]]);
    expect(partial).toEqual([3, 6, 10]);
  });
});
