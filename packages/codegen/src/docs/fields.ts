/**
 * A schema as rows of a field table: one row per field, nested objects (and the items of arrays
 * of objects, and the variants of unions of objects) as indented rows below their parent, with
 * type, required, description and constraints.
 */
import { constraintNotes } from '../json-schema-ts.js';
import type { JsonSchema } from '../description.js';

/** One row of a field table. */
export interface FieldRow {
  /** Indentation level (0 for top-level fields). */
  depth: number;
  /** Field name (`tags[]` for array items, `(value)` for a non-object schema, `variant 1`...). */
  name: string;
  /** Readable type: `string`, `integer`, `"a" | "b"`, `array of string`, `User`... */
  type: string;
  required: boolean;
  description: string | undefined;
  /** Constraints and notes: `format: email`, `max length 500`, `default: 0`, `one of: ...`. */
  notes: string[];
}

type Node = Record<string, unknown>;

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The field rows of a root schema (resolving its `$defs` and `#` references, recursion shown once). */
export function fieldRows(root: JsonSchema): FieldRow[] {
  const rows: FieldRow[] = [];
  const defs = isNode(root.$defs) ? root.$defs : {};
  const resolve = (ref: string): { node: Node; label: string } | undefined => {
    if (ref === '#') return { node: root, label: 'root' };
    const m = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(ref);
    const def = m !== null ? defs[m[1]!] : undefined;
    // zod names unnamed shared schemas __schema0...: those show as their type, not their name.
    return isNode(def) ? { node: def, label: /^__schema\d+$/.test(m![1]!) ? '' : m![1]! } : undefined;
  };

  type Seen = readonly { ref: string; field: string }[];
  const deref = (node: Node, seen: Seen): { node: Node; label?: string; recursive: string | undefined } => {
    if (typeof node.$ref !== 'string') return { node, recursive: undefined };
    const target = resolve(node.$ref);
    if (target === undefined) return { node: {}, label: node.$ref, recursive: undefined };
    const merged = { ...target.node, ...(typeof node.description === 'string' ? { description: node.description } : {}) };
    return { node: merged, label: target.label, recursive: seen.find((s) => s.ref === node.$ref)?.field };
  };

  const walk = (raw: unknown, name: string, required: boolean, depth: number, seen: Seen): void => {
    if (!isNode(raw)) {
      rows.push({ depth, name, type: raw === false ? 'never' : 'any', required, description: undefined, notes: [] });
      return;
    }
    const { node, label, recursive } = deref(raw, seen);
    const nextSeen = typeof raw.$ref === 'string' ? [...seen, { ref: raw.$ref, field: name }] : seen;
    const type = typeLabel(node, resolve) + (label !== undefined && label !== 'root' && label !== '' ? ` (${label})` : '');
    const notes = notesOf(node);
    if (recursive !== undefined) notes.push(recursive === '' ? 'recursive: same structure as the whole value' : `recursive: same structure as ${recursive} above`);
    rows.push({ depth, name, type, required, description: typeof node.description === 'string' ? node.description : undefined, notes });
    if (recursive === undefined) children(node, name, depth + 1, nextSeen);
  };

  const children = (node: Node, name: string, depth: number, seen: Seen): void => {
    if (isNode(node.properties)) {
      const req = new Set(Array.isArray(node.required) ? node.required : []);
      for (const [field, schema] of Object.entries(node.properties)) walk(schema, field, req.has(field), depth, seen);
    }
    if (isNode(node.additionalProperties) && Object.keys(node.additionalProperties).length > 0 && hasStructure(node.additionalProperties)) {
      walk(node.additionalProperties, '[key]', false, depth, seen);
    }
    if (isNode(node.items) && hasStructure(node.items, resolve)) walk(node.items, `${name === '(value)' ? '' : name}[]`, true, depth, seen);
    if (Array.isArray(node.prefixItems)) node.prefixItems.forEach((item, i) => hasStructure(item, resolve) && walk(item, `[${i}]`, true, depth, seen));
    for (const k of ['anyOf', 'oneOf'] as const) {
      const variants = node[k];
      if (Array.isArray(variants) && variants.some((v) => hasStructure(v, resolve))) {
        variants.forEach((v, i) => walk(v, `variant ${i + 1}`, false, depth, seen));
      }
    }
  };

  // A root that is a named schema (`{ $ref: '#/$defs/User' }`, from a zod id) shows as that schema.
  const target = typeof root.$ref === 'string' ? resolve(root.$ref) : undefined;
  const shown = target !== undefined && target.label !== 'root' ? target.node : root;
  const seen = [{ ref: '#', field: '' }, ...(typeof root.$ref === 'string' ? [{ ref: root.$ref, field: '' }] : [])];
  if (shown.type === 'object' && isNode(shown.properties) && shown.$ref === undefined) children(shown, '', 0, seen);
  else walk(root, '(value)', true, 0, []);
  return rows;
}

/** True when a schema has fields to show below it (an object with properties, arrays of those...). */
function hasStructure(schema: unknown, resolve?: (ref: string) => { node: Node } | undefined): boolean {
  if (!isNode(schema)) return false;
  if (typeof schema.$ref === 'string') {
    const target = resolve?.(schema.$ref)?.node;
    return target !== undefined && hasStructure({ ...target, $ref: undefined }, undefined);
  }
  if (isNode(schema.properties) && Object.keys(schema.properties).length > 0) return true;
  if (isNode(schema.items)) return hasStructure(schema.items, resolve);
  return ['anyOf', 'oneOf'].some((k) => Array.isArray(schema[k]) && (schema[k] as unknown[]).some((v) => hasStructure(v, resolve)));
}

function literal(value: unknown): string {
  return JSON.stringify(value);
}

/** A short readable type of a schema. */
export function typeLabel(
  node: Record<string, unknown>,
  resolve: (ref: string) => { node: Record<string, unknown>; label: string } | undefined = () => undefined,
  depth = 0,
): string {
  if (typeof node.$ref === 'string') {
    const target = resolve(node.$ref);
    if (target === undefined) return 'any';
    if (target.label === 'root') return 'same as the whole value';
    return target.label !== '' ? target.label : depth < 3 ? typeLabel(target.node, resolve, depth + 1) : 'object';
  }
  if ('const' in node) return literal(node.const);
  if (Array.isArray(node.enum)) return node.enum.map(literal).join(' | ');
  for (const k of ['anyOf', 'oneOf'] as const) {
    const variants = node[k];
    if (Array.isArray(variants)) return variants.map((v) => (isNode(v) ? typeLabel(v, resolve, depth) : 'any')).join(' | ');
  }
  const types = Array.isArray(node.type) ? (node.type as string[]) : typeof node.type === 'string' ? [node.type] : [];
  if (types.length === 0) {
    if (isNode(node.properties)) types.push('object');
    else return 'any';
  }
  return types
    .map((t) => {
      if (t === 'string' && typeof node.format === 'string') return `string (${node.format})`;
      if (t === 'array') {
        if (Array.isArray(node.prefixItems)) return `[${node.prefixItems.map((i) => (isNode(i) ? typeLabel(i, resolve, depth) : 'any')).join(', ')}]`;
        return isNode(node.items) ? `array of ${typeLabel(node.items, resolve, depth)}` : 'array';
      }
      if (t === 'object' && !isNode(node.properties) && isNode(node.additionalProperties)) {
        const keys = isNode(node.propertyNames) && Array.isArray(node.propertyNames.enum) ? node.propertyNames.enum.map(literal).join(' | ') : 'string';
        return `map of ${keys} to ${typeLabel(node.additionalProperties, resolve, depth)}`;
      }
      return t;
    })
    .join(' | ');
}

function notesOf(node: Node): string[] {
  // The type column already says the format, `integer`, and a tuple's length.
  const tupleLength = Array.isArray(node.prefixItems) && node.items === false ? node.prefixItems.length : undefined;
  const notes = constraintNotes(node).filter(
    (n) => !n.startsWith('format:') && n !== 'integer' && !(tupleLength !== undefined && (n === `min items ${tupleLength}` || n === `max items ${tupleLength}`)),
  );
  if ('default' in node) notes.push(`default: ${literal(node.default)}`);
  if (Array.isArray(node.examples)) notes.push(`e.g. ${node.examples.map(literal).join(', ')}`);
  if (node.deprecated === true) notes.push('deprecated');
  return notes;
}

/** The description of a root schema (or of the named schema it refers to), for the table's caption. */
export function rootDescription(root: JsonSchema): string | undefined {
  if (typeof root.description === 'string') return root.description;
  const m = typeof root.$ref === 'string' ? /^#\/(?:\$defs|definitions)\/(.+)$/.exec(root.$ref) : null;
  const def = m !== null && isNode(root.$defs) ? root.$defs[m[1]!] : undefined;
  return isNode(def) && typeof def.description === 'string' ? def.description : undefined;
}
