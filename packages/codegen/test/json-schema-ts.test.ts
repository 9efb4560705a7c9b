/** JSON Schema -> TypeScript: the subset zod 4 emits, plus hand-written schemas. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { schemaToType } from '../src/index.js';
import { NameAllocator } from '../src/names.js';
import { TypeBook } from '../src/type-book.js';

/** zod's JSON Schema of `schema` as callers write it, then its type with no docs. */
function typeOf(schema: z.ZodType, io: 'input' | 'output' = 'output'): string {
  const json = z.toJSONSchema(schema, { io }) as Record<string, unknown>;
  delete json.$schema;
  return schemaToType(json, { docs: false });
}

/** Collapses whitespace so that multi-line object types compare on one line. */
function flat(type: string): string {
  return type.replace(/\s+/g, ' ');
}

describe('schemaToType with zod 4 output', () => {
  it.each([
    ['string', z.string(), 'string'],
    ['number', z.number(), 'number'],
    ['int', z.int(), 'number'],
    ['boolean', z.boolean(), 'boolean'],
    ['null', z.null(), 'null'],
    ['any', z.any(), 'unknown'],
    ['email format', z.email(), 'string'],
    ['literal', z.literal('pong'), "'pong'"],
    ['numeric literal', z.literal(42), '42'],
    ['literal list', z.literal(['a', 1, null]), "'a' | 1 | null"],
    ['enum', z.enum(['a', 'b']), "'a' | 'b'"],
    ['native numeric enum', z.enum({ A: 1, B: 2 }), '1 | 2'],
    ['nullable', z.string().nullable(), 'string | null'],
    ['union', z.union([z.string(), z.number()]), 'string | number'],
    ['array', z.array(z.string()), 'string[]'],
    ['array of union', z.array(z.union([z.string(), z.number()])), '(string | number)[]'],
    ['tuple', z.tuple([z.string(), z.number()]), '[string, number]'],
    ['tuple with rest', z.tuple([z.string()], z.number()), '[string, ...number[]]'],
    ['record', z.record(z.string(), z.number()), 'Record<string, number>'],
    ['record with enum keys', z.record(z.enum(['x', 'y']), z.boolean()), "Record<'x' | 'y', boolean>"],
    ['partial record', z.partialRecord(z.enum(['x', 'y']), z.boolean()), "Partial<Record<'x' | 'y', boolean>>"],
  ])('%s', (_name, schema, expected) => {
    expect(flat(typeOf(schema))).toBe(expected);
  });

  it('objects: required and optional fields, defaults optional on input only', () => {
    const schema = z.object({ a: z.number(), b: z.string().optional(), c: z.number().default(1), 'd-e': z.boolean() });
    expect(flat(typeOf(schema, 'input'))).toBe("{ a: number; b?: string; c?: number; 'd-e': boolean; }");
    expect(flat(typeOf(schema, 'output'))).toBe("{ a: number; b?: string; c: number; 'd-e': boolean; }");
  });

  it('nullable objects, discriminated unions, intersections', () => {
    expect(flat(typeOf(z.object({ a: z.string() }).nullable()))).toBe('{ a: string; } | null');
    const du = z.discriminatedUnion('k', [z.object({ k: z.literal('a'), x: z.number() }), z.object({ k: z.literal('b') })]);
    expect(flat(typeOf(du))).toBe("{ k: 'a'; x: number; } | { k: 'b'; }");
    expect(flat(typeOf(z.intersection(z.object({ a: z.string() }), z.object({ b: z.number() }))))).toBe('{ a: string; b: number; }');
  });

  it('loose objects and catchall get an index signature', () => {
    expect(flat(typeOf(z.looseObject({ a: z.string() })))).toBe('{ a: string; [key: string]: unknown; }');
    expect(flat(typeOf(z.object({ a: z.string() }).catchall(z.number())))).toBe('{ a: string; [key: string]: unknown; }');
    expect(flat(typeOf(z.strictObject({ a: z.string() })))).toBe('{ a: string; }');
  });

  it('writes TSDoc for descriptions, formats, constraints, defaults and examples', () => {
    const schema = z.object({
      email: z.email().describe('Where to write'),
      n: z.int().min(1).max(10).default(3),
      s: z.string().meta({ examples: ['x'] }),
    });
    const type = schemaToType(z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>);
    expect(type).toContain('/**\n   * Where to write\n   * format: email.\n   */\n  email: string;');
    expect(type).toContain('integer, ≥ 1, ≤ 10.');
    expect(type).toContain('@defaultValue `3`');
    expect(type).toContain('@example `"x"`');
  });

  it('neutralizes comment terminators in descriptions', () => {
    const type = schemaToType({ type: 'object', properties: { a: { type: 'string', description: 'evil */ text' } } });
    expect(type).not.toContain('evil */');
    expect(type).toContain('evil *\\/ text');
  });
});

describe('hand-written JSON Schema', () => {
  it.each([
    ['type list', { type: ['string', 'null'] }, 'string | null'],
    ['OpenAPI nullable', { type: 'integer', nullable: true }, 'number | null'],
    ['const object', { const: { a: 1 } }, '{ a: 1 }'],
    ['boolean schemas', { type: 'array', items: false, prefixItems: [true] }, '[unknown]'],
    ['allOf', { allOf: [{ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }, { type: 'object', properties: { b: { type: 'number' } } }] }, '{ a: string; } & { b?: number; }'],
    ['oneOf with never', { oneOf: [{ type: 'string' }, false] }, 'string'],
    ['empty object', { type: 'object' }, 'Record<string, unknown>'],
    ['closed empty object', { type: 'object', additionalProperties: false }, 'Record<string, never>'],
    ['array without items', { type: 'array' }, 'unknown[]'],
    ['optional tuple tail', { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }], minItems: 1 }, '[string, number?]'],
    ['unknown $ref', { $ref: 'https://example.com/x.json' }, 'unknown'],
    ['quotes and backslashes in literals and keys', { type: 'object', properties: { "it's": { const: 'a"b\\' } }, required: ["it's"] }, "{ 'it\\'s': 'a\"b\\\\'; }"],
  ])('%s', (_name, schema, expected) => {
    expect(flat(schemaToType(schema as Record<string, unknown>, { docs: false }))).toBe(expected);
  });
});

describe('named types ($defs, $ref)', () => {
  it('names $defs, resolves # to the root, shares identical named $defs between roots', () => {
    const User = z.object({ id: z.string() }).meta({ id: 'User' });
    const Tree = z.object({
      label: z.string(),
      get children(): z.ZodArray<typeof Tree> {
        return z.array(Tree);
      },
    });
    const book = new TypeBook(new NameAllocator(['Api']));
    const json = (s: z.ZodType) => z.toJSONSchema(s, { io: 'output' }) as Record<string, unknown>;
    expect(book.add('GetOutput', json(z.object({ owner: User, users: z.array(User) })))).toBe('GetOutput');
    expect(book.add('ListOutput', json(z.array(User)))).toBe('ListOutput');
    expect(book.add('TreeOutput', json(Tree))).toBe('TreeOutput');
    expect(book.add('Api', json(z.string()))).toBe('Api2');
    const text = book.text();
    expect(text).toContain('export interface GetOutput {\n  owner: User;\n  users: User[];\n}');
    expect(text.match(/export interface User /g)).toHaveLength(1);
    expect(text).toContain('export type ListOutput = User[];');
    expect(text).toContain('export interface TreeOutput {\n  label: string;\n  children: TreeOutput[];\n}');
    expect(text).toContain('export type Api2 = string;');
  });
});
