/** Pure parts: defining contracts (checks), errors, wire helpers and the description. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { WampError } from '@junction/wamp';
import { CallError, DESCRIPTION_FORMAT, defineContract, error, issuesOf, procedure, topic } from '../src/index.js';
import { dropUndefined, readInput, readValue } from '../src/wire.js';
import { snakeCase } from '../src/errors.js';
import { api } from './support/api.js';

const out = z.null();

describe('defineContract', () => {
  it('gives procedures and topics URIs under the prefix and errors default URIs', () => {
    expect(api.procedures['math.add'].uri).toBe('com.example.api.math.add');
    expect(api.procedures['math.add'].name).toBe('math.add');
    expect(api.topics['chat.message'].uri).toBe('com.example.api.chat.message');
    expect(api.errors.NotFound.uri).toBe('com.example.api.error.not_found');
    expect(api.errors.Forbidden.uri).toBe('com.example.api.forbidden');
    expect(api.errors.NotFound.name).toBe('NotFound');
    expect(api.version).toBe('1.2.0');
    expect(api.validateOutput).toBe(true);
  });

  it('refuses bad prefixes, names, namespaces, unknown errors and non-object inputs', () => {
    expect(() => defineContract({ prefix: 'wamp.mine', version: '1' })).toThrow(/prefix/);
    expect(() => defineContract({ prefix: 'com..x', version: '1' })).toThrow(/prefix/);
    expect(() => defineContract({ prefix: 'com.x', version: '' })).toThrow(/version/);
    expect(() => defineContract({ prefix: 'com.x', version: '1', procedures: { 'a..b': procedure({ output: out }) } })).toThrow(/valid URI/);
    expect(() => defineContract({ prefix: 'com.x', version: '1', procedures: { 'a b': procedure({ output: out }) } })).toThrow(/valid URI/);
    expect(() =>
      defineContract({ prefix: 'com.x', version: '1', procedures: { math: procedure({ output: out }), 'math.add': procedure({ output: out }) } }),
    ).toThrow(/namespace of "math.add"/);
    expect(() =>
      defineContract({ prefix: 'com.x', version: '1', procedures: { 'chat.x': procedure({ output: out }) }, topics: { chat: topic({ payload: out }) } }),
    ).toThrow(/namespace/);
    expect(() => defineContract({ prefix: 'com.x', version: '1', procedures: { a: procedure({ output: out }) }, topics: { a: topic({ payload: out }) } })).toThrow(
      /both a procedure and a topic/,
    );
    const untyped = procedure({ output: out, errors: ['Missing'] }) as never;
    expect(() => defineContract({ prefix: 'com.x', version: '1', procedures: { a: untyped } })).toThrow(/declares error Missing/);
    const stringInput = procedure({ input: z.string() as never, output: out });
    expect(() => defineContract({ prefix: 'com.x', version: '1', procedures: { a: stringInput } })).toThrow(/must be an object schema/);
    expect(() => defineContract({ prefix: 'com.x', version: '1', errors: { A: error({ uri: 'com.x.e' }), B: error({ uri: 'com.x.e' }) } })).toThrow(/two errors/);
    expect(() => defineContract({ prefix: 'com.x', version: '1', procedures: { a: { kind: 'nope' } as never } })).toThrow(/procedure\(\)/);
  });

  it('snake-cases error names for URIs', () => {
    expect(snakeCase('NotFound')).toBe('not_found');
    expect(snakeCase('HTTPTimeout')).toBe('http_timeout');
    expect(snakeCase('quotaExceeded2')).toBe('quota_exceeded2');
  });
});

describe('declared errors', () => {
  it('create() builds a CallError with the URI, a message and validated details as kwargs', () => {
    const err = api.errors.NotFound.create({ id: 'u1' });
    expect(err).toBeInstanceOf(CallError);
    expect(err).toBeInstanceOf(WampError);
    expect(err.uri).toBe('com.example.api.error.not_found');
    expect(err.args).toEqual(['No such user.']);
    expect(err.kwargs).toEqual({ id: 'u1' });
    expect(err.declared).toBe('NotFound');
    expect(api.errors.NotFound.create({ id: 'u1' }, 'user u1 is gone').args).toEqual(['user u1 is gone']);
    expect(() => api.errors.NotFound.create({ id: 5 } as never)).toThrow(/invalid details: id/);
  });

  it('is() matches by URI, match() dispatches on the declared name', () => {
    const err = new CallError<typeof api.errors.NotFound | typeof api.errors.Forbidden>('com.example.api.forbidden', [], { reason: 'no' }, {}, 'Forbidden');
    expect(err.is(api.errors.Forbidden)).toBe(true);
    expect(err.is(api.errors.NotFound)).toBe(false);
    expect(api.errors.Forbidden.is(new WampError('com.example.api.forbidden'))).toBe(true);
    expect(api.errors.Forbidden.is(new Error('x'))).toBe(false);
    const seen = err.match({ NotFound: () => 'nf', Forbidden: (e) => `forbidden: ${e.kwargs.reason}`, otherwise: () => 'other' });
    expect(seen).toBe('forbidden: no');
    const other = new CallError<typeof api.errors.NotFound>('wamp.error.timeout');
    expect(other.match({ NotFound: () => 'nf', otherwise: (e) => e.uri })).toBe('wamp.error.timeout');
  });

  it('issuesOf reads the issues of invalid_argument errors', () => {
    const issues = [{ path: ['a'], message: 'bad', code: 'custom' }];
    expect(issuesOf(new WampError('wamp.error.invalid_argument', [], { issues }))).toEqual(issues);
    expect(issuesOf(new WampError('wamp.error.invalid_argument'))).toEqual([]);
    expect(issuesOf(new Error('x'))).toEqual([]);
  });
});

describe('wire', () => {
  it('reads the input from kwargs, or a single object argument, or nothing', () => {
    expect(readInput([], { a: 1 })).toEqual({ a: 1 });
    expect(readInput([{ a: 1 }], {})).toEqual({ a: 1 });
    expect(readInput([], {})).toEqual({});
    for (const args of [[1, 2], ['x'], [[1]], [{ a: 1 }, { b: 2 }]]) {
      const thrown = (() => {
        try {
          readInput(args, {});
        } catch (e) {
          return e;
        }
      })();
      expect(thrown).toBeInstanceOf(WampError);
      expect((thrown as WampError).uri).toBe('wamp.error.invalid_argument');
      expect(issuesOf(thrown)[0]!.message).toMatch(/keyword arguments/);
    }
    expect(() => readInput([1], { a: 1 })).toThrow(/keyword arguments/);
  });

  it('reads results and payloads from args[0], else kwargs, else undefined', () => {
    expect(readValue([3], {})).toBe(3);
    expect(readValue([null], { x: 1 })).toBe(null);
    expect(readValue([], { x: 1 })).toEqual({ x: 1 });
    expect(readValue([], {})).toBeUndefined();
  });
});

describe('describe()', () => {
  it('is plain JSON with URIs, JSON Schemas, descriptions, examples and the version', () => {
    const d = api.describe();
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
    expect(d.format).toBe(DESCRIPTION_FORMAT);
    expect(d).toMatchObject({ prefix: 'com.example.api', version: '1.2.0', title: 'Example API', description: 'Maths, users and chat.' });
    expect(Object.keys(d.procedures)).toEqual(Object.keys(api.procedures));
    const add = d.procedures['math.add']!;
    expect(add.uri).toBe('com.example.api.math.add');
    expect(add.description).toBe('Adds two numbers.');
    // Input as callers write it: b has a default, so it is optional.
    expect(add.input).toEqual({
      type: 'object',
      properties: { a: { type: 'number', description: 'first addend' }, b: { type: 'number', default: 0 } },
      required: ['a'],
    });
    expect(add.output).toEqual({ type: 'number' });
    expect(add.progress).toBeUndefined();
    expect(add.examples).toEqual([{ title: 'one and two', input: { a: 1, b: 2 }, output: 3 }]);
    expect(d.procedures['math.sum']!.progress).toMatchObject({ type: 'object', required: ['done', 'partial'] });
    expect(d.procedures['users.get']!.errors).toEqual(['NotFound', 'Forbidden']);
    expect(d.procedures['system.crash']!.output).toBeUndefined(); // z.void(): no result
    expect(d.procedures.ping!.input).toMatchObject({ type: 'object', properties: {} });
    expect(d.topics['chat.message']).toMatchObject({ uri: 'com.example.api.chat.message', description: 'A chat message.', examples: [{ from: 'ann', text: 'hi' }] });
    expect(d.topics['chat.message']!.payload).toMatchObject({ type: 'object', required: ['from', 'text'] });
    expect(d.errors.NotFound).toEqual({
      uri: 'com.example.api.error.not_found',
      description: 'No such user.',
      details: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'], additionalProperties: false },
    });
    expect(JSON.stringify(d)).not.toContain('$schema');
    expect(api.describe()).toBe(d); // computed once
  });

  it('refuses examples that do not match their schemas and types JSON cannot carry', () => {
    const badExample = defineContract({
      prefix: 'com.x',
      version: '1',
      procedures: { add: procedure({ input: z.object({ a: z.number() }), output: z.number(), examples: [{ input: { a: 'one' } as never, output: 1 }] }) },
    });
    expect(() => badExample.describe()).toThrow(/procedure "add", example 0 input does not match its schema: a:/);
    const badTopic = defineContract({ prefix: 'com.x', version: '1', topics: { t: topic({ payload: z.string(), examples: [5 as never] }) } });
    expect(() => badTopic.describe()).toThrow(/topic "t", example 0/);
    const dates = defineContract({ prefix: 'com.x', version: '1', procedures: { now: procedure({ output: z.date() }) } });
    expect(() => dates.describe()).toThrow(/procedure "now", output: no JSON Schema/);
  });
});

describe('dropUndefined', () => {
  it('removes undefined keys at any depth and keeps untouched values identical', () => {
    const clean = { a: 1, b: [{ c: 2 }], d: { e: 'x' } };
    expect(dropUndefined(clean)).toBe(clean);
    const dirty = { a: 1, b: undefined, c: [{ d: undefined, e: 2 }, 3], f: { g: { h: undefined } } };
    expect(dropUndefined(dirty)).toEqual({ a: 1, c: [{ e: 2 }, 3], f: { g: {} } });
    expect(dirty.b).toBeUndefined();
    expect('b' in dirty).toBe(true); // the original is not changed
    expect(dropUndefined([undefined, 1])).toEqual([undefined, 1]); // array holes are the serializer's business
    const date = new Date(0);
    expect(dropUndefined({ date }).date).toBe(date);
  });
});

describe('zod/mini schemas', () => {
  it('work like classic ones (the package itself only needs zod core, to keep browser bundles small)', async () => {
    const m = await import('zod/mini');
    const mini = defineContract({
      prefix: 'com.example.mini',
      version: '1',
      errors: { Gone: error({ details: m.object({ id: m.number() }) }) },
      procedures: { 'x.get': procedure({ input: m.object({ id: m.number() }), output: m.string(), errors: ['Gone'], examples: [{ input: { id: 1 }, output: 'a' }] }) },
      topics: { t: topic({ payload: m.array(m.string()) }) },
    });
    expect(mini.describe().procedures['x.get']!.input).toEqual({ type: 'object', properties: { id: { type: 'number' } }, required: ['id'] });
    expect(mini.errors.Gone.create({ id: 3 }).kwargs).toEqual({ id: 3 });
    expect(() => mini.errors.Gone.create({ id: 'x' } as never)).toThrow(/invalid details: id: Invalid input: expected number/);
  });
});

describe('package imports', () => {
  it('never imports classic zod, nor the client or router at run time (browser bundles stay small)', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const dir = new URL('../src/', import.meta.url);
    const files = (await readdir(dir)).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const source = await readFile(new URL(file, dir), 'utf8');
      expect(source, file).not.toMatch(/from 'zod'/);
      expect(source, file).not.toMatch(/^import \{[^}]*\} from '@junction\/(client|router)'/m); // `import type` only
    }
  });
});
