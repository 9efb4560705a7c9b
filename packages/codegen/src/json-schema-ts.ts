/**
 * JSON Schema -> TypeScript types, for the subset zod 4's `toJSONSchema` writes: objects with
 * `properties`/`required`/`additionalProperties`/`propertyNames`, arrays and tuples
 * (`prefixItems`), `enum`, `const`, `anyOf`/`oneOf`/`allOf`, type lists (`["string", "null"]`),
 * OpenAPI's `nullable`, string formats (kept as `string`, noted in TSDoc), `$defs`/`$ref`.
 */
import { propertyKey, tsString, tsdoc } from './names.js';

/** A JSON Schema object (or a boolean schema). */
export type JsonSchemaNode = Record<string, unknown> | boolean;

/** Turns a `$ref` (`#`, `#/$defs/User`) into a TypeScript type expression. */
export type RefResolver = (ref: string) => string;

/** Options of {@link schemaToType}. */
export interface SchemaToTypeOptions {
  /** Resolves `$ref`s; default: every reference is `unknown`. */
  resolve?: RefResolver;
  /** Indentation depth of the expression (two spaces per level), for nested object types. */
  depth?: number;
  /** Emit TSDoc on object properties (descriptions, formats, defaults). Default true. */
  docs?: boolean;
}

const PAD = '  ';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A literal type of a JSON value. */
export function literalType(value: unknown, depth = 0): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return tsString(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return Number.isFinite(value) ? (value < 0 ? `${value}` : String(value)) : 'number';
  if (Array.isArray(value)) return `readonly [${value.map((v) => literalType(v, depth)).join(', ')}]`;
  if (isObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return 'Record<string, never>';
    return `{ ${entries.map(([k, v]) => `${propertyKey(k)}: ${literalType(v, depth)}`).join('; ')} }`;
  }
  return 'unknown';
}

/** True when `type` has a `|` or `&` outside brackets (it then needs parentheses as an operand). */
function hasTopLevelOperator(type: string): boolean {
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < type.length; i++) {
    const c = type[i]!;
    if (quote !== null) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '{' || c === '(' || c === '[' || c === '<') depth++;
    else if (c === '}' || c === ')' || c === ']' || c === '>') depth--;
    else if (depth === 0 && (c === '|' || c === '&')) return true;
  }
  return false;
}

/** Wraps a type for use as an array element or an operand of `&`. */
function group(type: string): string {
  return hasTopLevelOperator(type) || type.startsWith('readonly ') ? `(${type})` : type;
}

function union(types: string[]): string {
  const unique = [...new Set(types)];
  if (unique.includes('unknown')) return 'unknown';
  const rest = unique.filter((t) => t !== 'never');
  if (rest.length === 0) return 'never';
  return rest.join(' | ');
}

/** The TSDoc lines of a schema: description, format, constraints, default, examples, deprecation. */
export function schemaDocLines(schema: JsonSchemaNode): string[] {
  if (!isObject(schema)) return [];
  const lines: string[] = [];
  if (typeof schema.title === 'string') lines.push(schema.title);
  if (typeof schema.description === 'string') lines.push(schema.description);
  const notes = constraintNotes(schema);
  if (notes.length > 0) lines.push(`${notes.join(', ')}.`);
  if ('default' in schema) lines.push(`@defaultValue \`${JSON.stringify(schema.default)}\``);
  if (Array.isArray(schema.examples)) for (const example of schema.examples) lines.push(`@example \`${JSON.stringify(example)}\``);
  if (schema.deprecated === true) lines.push('@deprecated');
  return lines;
}

const FULL_INT = 9007199254740991;

/** Human-readable constraints of a schema (`format: email`, `min 1`, `max length 500`...). */
export function constraintNotes(schema: Record<string, unknown>): string[] {
  const notes: string[] = [];
  const num = (key: string, label: string): void => {
    const v = schema[key];
    if (typeof v === 'number' && Math.abs(v) !== FULL_INT) notes.push(`${label} ${v}`);
  };
  if (typeof schema.format === 'string') notes.push(`format: ${schema.format}`);
  if (schema.type === 'integer') notes.push('integer');
  num('minimum', '≥');
  num('exclusiveMinimum', '>');
  num('maximum', '≤');
  num('exclusiveMaximum', '<');
  num('multipleOf', 'multiple of');
  num('minLength', 'min length');
  num('maxLength', 'max length');
  num('minItems', 'min items');
  num('maxItems', 'max items');
  num('minProperties', 'min properties');
  num('maxProperties', 'max properties');
  if (typeof schema.pattern === 'string' && schema.format === undefined) notes.push(`pattern: /${schema.pattern}/`);
  if (schema.uniqueItems === true) notes.push('unique items');
  return notes;
}

/**
 * Converts a JSON Schema to a TypeScript type expression. Object types are written over several
 * lines (indented by `depth`) with TSDoc on their properties.
 */
export function schemaToType(schema: JsonSchemaNode, options: SchemaToTypeOptions = {}): string {
  const resolve = options.resolve ?? (() => 'unknown');
  return convert(schema, options.depth ?? 0, resolve, options.docs ?? true);
}

function convert(schema: JsonSchemaNode, depth: number, resolve: RefResolver, docs: boolean): string {
  if (schema === true) return 'unknown';
  if (schema === false) return 'never';
  if (!isObject(schema)) return 'unknown';
  const base = convertBase(schema, depth, resolve, docs);
  return schema.nullable === true && base !== 'unknown' ? union([base, 'null']) : base;
}

function convertBase(schema: Record<string, unknown>, depth: number, resolve: RefResolver, docs: boolean): string {
  if (typeof schema.$ref === 'string') return resolve(schema.$ref);
  if ('const' in schema) return literalType(schema.const, depth);
  if (Array.isArray(schema.enum)) return union(schema.enum.map((v) => literalType(v, depth)));
  const parts: string[] = [];
  for (const key of ['anyOf', 'oneOf'] as const) {
    const members = schema[key];
    if (Array.isArray(members)) parts.push(union(members.map((m) => convert(m as JsonSchemaNode, depth, resolve, docs))));
  }
  if (Array.isArray(schema.allOf)) {
    const members = schema.allOf.map((m) => convert(m as JsonSchemaNode, depth, resolve, docs)).filter((t) => t !== 'unknown');
    if (members.length > 0) parts.push(members.length === 1 ? members[0]! : members.map(group).join(' & '));
  }
  const typed = convertTyped(schema, depth, resolve, docs);
  if (typed !== undefined) parts.push(typed);
  if (parts.length === 0) return 'unknown';
  if (parts.length === 1) return parts[0]!;
  return parts.filter((p) => p !== 'unknown').map(group).join(' & ') || 'unknown';
}

/** The part given by `type` (or implied by `properties`/`items`); undefined when there is none. */
function convertTyped(schema: Record<string, unknown>, depth: number, resolve: RefResolver, docs: boolean): string | undefined {
  let types: string[];
  if (typeof schema.type === 'string') types = [schema.type];
  else if (Array.isArray(schema.type)) types = schema.type.filter((t): t is string => typeof t === 'string');
  else if (isObject(schema.properties) || schema.additionalProperties !== undefined) types = ['object'];
  else if (schema.items !== undefined || schema.prefixItems !== undefined) types = ['array'];
  else return undefined;
  return union(types.map((type) => convertType(type, schema, depth, resolve, docs)));
}

function convertType(type: string, schema: Record<string, unknown>, depth: number, resolve: RefResolver, docs: boolean): string {
  switch (type) {
    case 'string':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return arrayType(schema, depth, resolve, docs);
    case 'object':
      return objectType(schema, depth, resolve, docs);
    default:
      return 'unknown';
  }
}

function arrayType(schema: Record<string, unknown>, depth: number, resolve: RefResolver, docs: boolean): string {
  const items = schema.items as JsonSchemaNode | undefined;
  if (Array.isArray(schema.prefixItems)) {
    const heads = schema.prefixItems.map((s) => convert(s as JsonSchemaNode, depth, resolve, docs));
    const min = typeof schema.minItems === 'number' ? schema.minItems : heads.length;
    const elements = heads.map((t, i) => (i >= min ? `${t}?` : t));
    if (items !== undefined && items !== false) elements.push(`...${group(convert(items, depth, resolve, docs))}[]`);
    return `[${elements.join(', ')}]`;
  }
  if (items === undefined) return 'unknown[]';
  return `${group(convert(items, depth, resolve, docs))}[]`;
}

function objectType(schema: Record<string, unknown>, depth: number, resolve: RefResolver, docs: boolean): string {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : []);
  const extra = schema.additionalProperties as JsonSchemaNode | undefined;
  const names = Object.keys(properties);
  if (names.length === 0) {
    if (extra === undefined || extra === false) return schema.additionalProperties === false ? 'Record<string, never>' : 'Record<string, unknown>';
    const value = convert(extra, depth, resolve, docs);
    const keys = isObject(schema.propertyNames) && Array.isArray(schema.propertyNames.enum) ? union(schema.propertyNames.enum.map((v) => literalType(v))) : 'string';
    if (keys === 'string') return `Record<string, ${value}>`;
    const all = schema.propertyNames && Array.isArray((schema.propertyNames as Record<string, unknown>).enum) && required.size === (schema.propertyNames as { enum: unknown[] }).enum.length;
    return all ? `Record<${keys}, ${value}>` : `Partial<Record<${keys}, ${value}>>`;
  }
  const inner = PAD.repeat(depth + 1);
  let out = '{\n';
  for (const name of names) {
    const property = properties[name] as JsonSchemaNode;
    if (docs) out += tsdoc(schemaDocLines(property), inner);
    out += `${inner}${propertyKey(name)}${required.has(name) ? '' : '?'}: ${convert(property, depth + 1, resolve, docs)};\n`;
  }
  // TypeScript needs an index signature to cover the named properties: extra keys are `unknown`.
  if (extra !== undefined && extra !== false) out += `${inner}[key: string]: unknown;\n`;
  return `${out}${PAD.repeat(depth)}}`;
}
