/**
 * Type tests: `expectTypeOf` checks what the contract types infer; each `@ts-expect-error` line
 * must fail to compile (checked by `npx tsc -p packages/contract/tsconfig.test.json`, which fails
 * if one of them compiles).
 */
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type { Client, Registration, Subscription } from '@junction/client';
import { bind, CallError, defineContract, error, implement, procedure, type BoundApi, type DeclaredError, type Handlers, type HandlerContext } from '../src/index.js';
import { api } from './support/api.js';

declare const client: Client;
declare const typed: BoundApi<typeof api>;

/**
 * The checks are compile-time only: the bodies are never run (they would call a client that does
 * not exist); tsc checks them, and vitest only sees that each one is there.
 */
function typeOnly(body: () => unknown): void {
  if (typeof body !== 'function') throw new TypeError('expected a function');
}

typeOnly(() => expectTypeOf(bind(client, api)).toEqualTypeOf<BoundApi<typeof api>>());

describe('client types', () => {
  it('types calls from the contract', () => typeOnly(() => {
    expectTypeOf(typed.math.add).parameter(0).toEqualTypeOf<{ a: number; b?: number | undefined }>();
    expectTypeOf(typed.math.add).returns.toEqualTypeOf<Promise<number>>();
    expectTypeOf(typed.users.get).returns.resolves.toEqualTypeOf<{ id: string; name: string; email: string }>();
    expectTypeOf(typed.ping).returns.toEqualTypeOf<Promise<'pong'>>();
    expectTypeOf(typed.ping).toBeCallableWith();
    expectTypeOf(typed.math.add).toBeCallableWith({ a: 1 }, { timeout: 100 });
  }));

  it('rejects wrong argument shapes', () => typeOnly(() => {
    // @ts-expect-error a is a number
    void typed.math.add({ a: '1', b: 2 });
    // @ts-expect-error a is required
    void typed.math.add({ b: 2 });
    // @ts-expect-error input is required when a field is
    void typed.math.add();
    // @ts-expect-error unknown field
    void typed.math.add({ a: 1, c: 3 });
    // @ts-expect-error the input is an object, not positional numbers
    void typed.math.add(1, 2);
  }));

  it('rejects unknown procedures and topics', () => typeOnly(() => {
    // @ts-expect-error no such procedure
    void typed.math.mul({ a: 1, b: 2 });
    // @ts-expect-error no such namespace
    void typed.nope.ping();
    // @ts-expect-error no such topic
    void typed.chat.typing.publish({});
  }));

  it('types progressive procedures', () => typeOnly(() => {
    const call = typed.math.sum.stream({ values: [1, 2] });
    expectTypeOf(call.result).toEqualTypeOf<Promise<{ total: number; count: number }>>();
    expectTypeOf(call).toMatchTypeOf<AsyncIterable<{ done: number; partial: number }>>();
    void typed.math.sum({ values: [] }, { onProgress: (p) => expectTypeOf(p).toEqualTypeOf<{ done: number; partial: number }>() });
    // @ts-expect-error math.add is not progressive
    void typed.math.add.stream({ a: 1 });
  }));

  it('types topics', () => typeOnly(() => {
    expectTypeOf(typed.chat.message.publish).parameter(0).toEqualTypeOf<{ from: string; text: string }>();
    void typed.chat.message.subscribe((payload) => expectTypeOf(payload).toEqualTypeOf<{ from: string; text: string }>());
    expectTypeOf(typed.chat.message.subscribe).returns.toEqualTypeOf<Promise<Subscription>>();
    expectTypeOf(typed.chat.message).toMatchTypeOf<AsyncIterable<{ from: string; text: string }>>();
    // @ts-expect-error text is required
    void typed.chat.message.publish({ from: 'ann' });
  }));

  it('types declared errors and rejects undeclared ones', () => typeOnly(async () => {
    const outcome = await typed.users.get.safe({ id: '1' });
    if (!outcome.ok) {
      const err = outcome.error;
      if (err.is(api.errors.NotFound)) expectTypeOf(err.kwargs.id).toEqualTypeOf<string>();
      if (err.is(api.errors.Forbidden)) expectTypeOf(err.kwargs.reason).toEqualTypeOf<string>();
      // @ts-expect-error users.get does not declare Busy
      err.is(api.errors.Busy);
      const text: string = err.match({ NotFound: (e) => e.kwargs.id, Forbidden: (e) => e.kwargs.reason, otherwise: (e) => e.uri });
      void text;
      // @ts-expect-error Forbidden is not handled
      err.match({ NotFound: (e) => e.kwargs.id, otherwise: (e) => e.uri });
      // @ts-expect-error Busy is not an error of users.get
      err.match({ NotFound: () => 1, Forbidden: () => 2, Busy: () => 3, otherwise: () => 4 });
    }
    const plain = await typed.math.add.safe({ a: 1 });
    if (!plain.ok) {
      expectTypeOf(plain.error).toEqualTypeOf<CallError<never>>();
      // @ts-expect-error math.add declares no errors
      plain.error.is(api.errors.NotFound);
    }
    const unknownError: unknown = new Error('x');
    if (api.errors.NotFound.is(unknownError)) expectTypeOf(unknownError.kwargs.id).toEqualTypeOf<string>();
  }));
});

describe('server types', () => {
  it('types handlers and their context', () => typeOnly(() => {
    void implement(client, api, {
      'math.add': (input, ctx) => {
        expectTypeOf(input).toEqualTypeOf<{ a: number; b: number }>();
        expectTypeOf(ctx.signal).toEqualTypeOf<AbortSignal>();
        expectTypeOf(ctx.callerAuthid).toEqualTypeOf<string | undefined>();
        // @ts-expect-error math.add has no progress schema
        ctx.progress(1);
        return input.a + input.b;
      },
      'math.sum': async ({ values }, ctx) => {
        ctx.progress({ done: 1, partial: values[0] ?? 0 });
        // @ts-expect-error progress has the progress schema's type
        ctx.progress({ done: 'one' });
        return { total: 0, count: values.length };
      },
      'users.get': ({ id }) => {
        if (id === '') throw api.errors.NotFound.create({ id });
        // @ts-expect-error details of NotFound need an id
        api.errors.NotFound.create({ reason: 'x' });
        return { id, name: 'Ann', email: 'ann@example.com' };
      },
      'users.create': (user) => ({ ...user, id: '1' }),
      ping: () => 'pong' as const,
      'system.whoami': (_input, ctx) => ({ caller: ctx.caller }),
      'system.broken': () => 1,
      'system.crash': () => undefined,
      // @ts-expect-error must return a boolean
      'system.wait': () => 'no',
    });
    expectTypeOf<HandlerContext<undefined>>().not.toHaveProperty('progress');
  }));

  it('rejects missing and extra handlers', () => typeOnly(() => {
    const { 'math.add': _dropped, ...missingOne } = {} as Handlers<typeof api>;
    // @ts-expect-error math.add has no handler
    void implement(client, api, missingOne);
    const all = {} as Handlers<typeof api>;
    // @ts-expect-error math.mul is not a procedure of the contract
    void implement(client, api, { ...all, 'math.mul': () => 0 });
  }));

  it('checks declared error names at definition', () => typeOnly(() => {
    defineContract({
      prefix: 'com.example.t',
      version: '1',
      errors: { Gone: error() },
      // @ts-expect-error Missing is not one of the contract's errors
      procedures: { x: procedure({ output: z.null(), errors: ['Missing'] }) },
    });
    const c = defineContract({ prefix: 'com.example.t', version: '1', errors: { Gone: error() }, procedures: { x: procedure({ output: z.null(), errors: ['Gone'] }) } });
    expectTypeOf(c.errors.Gone.create({})).toEqualTypeOf<DeclaredError<typeof c.errors.Gone>>();
    expectTypeOf(c.prefix).toEqualTypeOf<'com.example.t'>();
    expectTypeOf(c.procedures.x.uri).toEqualTypeOf<'com.example.t.x'>();
    expectTypeOf(api.topics['chat.message'].uri).toEqualTypeOf<'com.example.api.chat.message'>();
  }));

  it('types registrations', () => typeOnly(() => {
    expectTypeOf(implement(client, api, {} as Handlers<typeof api>)).resolves.toHaveProperty('registrations').toEqualTypeOf<readonly Registration[]>();
  }));
});
