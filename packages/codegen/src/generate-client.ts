/**
 * `generateClient(description)`: one standalone TypeScript module with the types of every input,
 * output, progress, payload and error details, and `createApi(client)`, a typed object tree of
 * the procedures and topics by dotted name. Deterministic: the same description gives the same text.
 */
import type { ContractDescription, ProcedureDescription, TopicDescription } from './description.js';
import { assertDescription } from './description.js';
import { RUNTIME_TYPES, RUNTIME_VALIDATE_OPTIONS, runtimeCode, runtimeImports } from './client-runtime.js';
import { NameAllocator, pascalCase, propertyKey, tsString, tsdoc } from './names.js';
import { TypeBook } from './type-book.js';

/** Options of {@link generateClient}. */
export interface GenerateClientOptions {
  /**
   * Also validate on the client side (inputs before sending, results, events, published
   * payloads) with zod, built at run time from the JSON Schemas embedded in the module
   * (`z.fromJSONSchema`). The module then imports `zod`. Default false.
   */
  validate?: boolean;
  /** Where the description came from, for the header comment (e.g. `src/api.ts`). Keep it stable for `--check`. */
  source?: string;
}

/** Names the generated module defines itself; schema types never take them. */
const RESERVED_NAMES = [
  'Api', 'ApiOptions', 'ValidateOptions', 'createApi', 'errors', 'contractInfo', 'ERROR_NAMES', 'SCHEMAS', 'ErrorRef', 'CallError',
  'ProcedureCallOptions', 'ProgressiveCallOptions', 'CallArgs', 'SafeResult', 'Procedure', 'ProgressiveCall', 'ProgressiveProcedure',
  'EventInfo', 'Topic', 'WampError', 'CallOptions', 'Client', 'EventsOptions', 'Publication', 'PublishOptions', 'SubscribeOptions',
  'Subscription', 'z', 'Run', 'Check', 'WireIssue', 'Promise', 'Record', 'Partial', 'Array', 'Error', 'Symbol', 'Object',
];

interface Leaf {
  doc: string[];
  type: string;
  make: string;
}
type Tree = Map<string, Leaf | Tree>;

/** Generates the client module of a contract description (see {@link GenerateClientOptions}). */
export function generateClient(description: ContractDescription, options: GenerateClientOptions = {}): string {
  assertDescription(description);
  const validate = options.validate === true;
  const book = new TypeBook(new NameAllocator(RESERVED_NAMES));
  const tree: Tree = new Map();
  const schemas: Record<string, Record<string, unknown>> = {};

  // Error details first: procedures refer to them.
  const errorTypes = new Map<string, string>();
  const errorEntries: string[] = [];
  for (const [name, error] of Object.entries(description.errors)) {
    const type = book.add(`${pascalCase(name)}Details`, error.details, [`Details (ERROR kwargs) of error \`${name}\` (\`${error.uri}\`).`]);
    errorTypes.set(name, /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `typeof errors.${name}` : `(typeof errors)[${tsString(name)}]`);
    errorEntries.push(
      tsdoc([...(error.description !== undefined ? [error.description] : []), `URI \`${error.uri}\`.`], '  ') +
        `  ${propertyKey(name)}: { name: ${tsString(name)}, uri: ${tsString(error.uri)} } as ErrorRef<${tsString(name)}, ${type}>,\n`,
    );
  }

  for (const [name, p] of Object.entries(description.procedures)) {
    const base = pascalCase(name);
    const input = book.add(`${base}Input`, p.input, [`Input of \`${name}\` (sent as the CALL's kwargs).`]);
    const output = p.output !== undefined ? book.add(`${base}Output`, p.output, [`Result of \`${name}\`.`]) : 'void';
    const progress = p.progress !== undefined ? book.add(`${base}Progress`, p.progress, [`Progressive result of \`${name}\`.`]) : undefined;
    const errs = p.errors.map((e) => errorTypes.get(e)).filter((e): e is string => e !== undefined);
    const errType = errs.length > 0 ? errs.join(' | ') : 'never';
    const type = progress !== undefined ? `ProgressiveProcedure<${input}, ${output}, ${progress}, ${errType}>` : `Procedure<${input}, ${output}, ${errType}>`;
    place(tree, name, { doc: procedureDoc(name, p, description), type, make: `makeProcedure(client, ${tsString(p.uri)}, options, ${progress !== undefined})` });
    if (validate) {
      const entry: Record<string, unknown> = { input: p.input };
      if (p.output !== undefined) entry.output = p.output;
      if (p.progress !== undefined) entry.progress = p.progress;
      schemas[p.uri] = entry;
    }
  }
  for (const [name, t] of Object.entries(description.topics)) {
    const payload = book.add(`${pascalCase(name)}Payload`, t.payload, [`Payload of topic \`${name}\`.`]);
    place(tree, name, { doc: topicDoc(name, t), type: `Topic<${payload}>`, make: `makeTopic(client, ${tsString(t.uri)}, options)` });
    if (validate) schemas[t.uri] = { payload: t.payload };
  }

  const errorNames = Object.entries(description.errors).map(([name, e]) => `  ${tsString(e.uri)}: ${tsString(name)},\n`);
  const info = { prefix: description.prefix, version: description.version, ...(description.title !== undefined ? { title: description.title } : {}) };
  const from = options.source !== undefined ? ` from ${options.source}` : '';

  let out = '';
  out += `// Generated by \`junction generate\`${from}: ${description.prefix} ${description.version} (${description.format}).\n`;
  out += '// Do not edit; run `junction generate` again after changing the contract.\n';
  out += '/* eslint-disable */\n';
  const parts = { procedures: Object.keys(description.procedures).length > 0, topics: Object.keys(description.topics).length > 0 };
  const empty = !parts.procedures && !parts.topics;
  out += runtimeImports(validate && !empty);
  out += '\n';
  out += tsdoc([`The API this module was generated from.`], '');
  out += `export const contractInfo = { ${Object.entries(info).map(([k, v]) => `${k}: ${tsString(v)}`).join(', ')} } as const;\n\n`;
  out += '// ---------------------------------------------------------------------------------------------\n// Types of inputs, outputs, progressive results, payloads and error details\n\n';
  out += book.text();
  out += '\n// ---------------------------------------------------------------------------------------------\n// Declared errors\n\n';
  out += tsdoc(['The declared errors of the API: `if (err instanceof CallError && err.is(errors.NotFound)) err.kwargs.id`.'], '');
  out += `export const errors = {\n${errorEntries.join('')}} as const;\n\n`;
  if (parts.procedures) out += `const ERROR_NAMES: Record<string, string | undefined> = {\n${errorNames.join('')}};\n\n`;
  out += '// ---------------------------------------------------------------------------------------------\n// Procedures and topics\n\n';
  out += RUNTIME_TYPES;
  out += '\n';
  if (validate) out += `${RUNTIME_VALIDATE_OPTIONS}\n`;
  out += tsdoc(['Options of {@link createApi}.'], '');
  out += 'export interface ApiOptions {\n';
  out += tsdoc(['Call options applied to every call (each call\'s own win), e.g. `{ timeout: 5000 }`.'], '  ');
  out += '  callDefaults?: ProcedureCallOptions;\n';
  if (validate) {
    out += tsdoc(['Client-side validation against the contract\'s schemas; default: all on.'], '  ');
    out += '  validate?: boolean | ValidateOptions;\n';
  }
  out += '}\n\n';
  const apiDoc = [description.title ?? description.prefix];
  if (description.description !== undefined) apiDoc.push('', description.description);
  apiDoc.push('', `Version ${description.version}; URIs start with \`${description.prefix}.\`.`);
  out += tsdoc(apiDoc, '');
  out += `export interface Api ${treeType(tree, 0)}\n\n`;
  out += tsdoc(['Binds the API to a connected client: `const api = createApi(client); await api.math.add({ a: 1, b: 2 })`.'], '');
  if (empty) {
    // Nothing to call or subscribe (an errors-only contract): no runtime at all.
    out += 'export function createApi(_client: Client, _options: ApiOptions = {}): Api {\n  return {};\n}\n';
    return out;
  }
  out += `export function createApi(client: Client, options: ApiOptions = {}): Api {\n  return ${treeValue(tree, 1)};\n}\n\n`;
  out += '// ---------------------------------------------------------------------------------------------\n// Runtime (the same in every generated module)\n\n';
  out += runtimeCode(validate, parts);
  if (validate) {
    out += '\n/** The JSON Schemas of the contract by URI, for client-side validation. */\n';
    out += `const SCHEMAS: Record<string, Partial<Record<Check, unknown>> | undefined> = ${JSON.stringify(schemas, null, 2)};\n`;
  }
  return out;
}

function place(tree: Tree, name: string, leaf: Leaf): void {
  const parts = name.split('.');
  let node = tree;
  for (const part of parts.slice(0, -1)) {
    let next = node.get(part);
    if (next === undefined || !(next instanceof Map)) {
      next = new Map();
      node.set(part, next);
    }
    node = next;
  }
  node.set(parts[parts.length - 1]!, leaf);
}

function treeType(tree: Tree, depth: number): string {
  const pad = '  '.repeat(depth + 1);
  let out = '{\n';
  for (const [key, node] of tree) {
    if (node instanceof Map) out += `${pad}readonly ${propertyKey(key)}: ${treeType(node, depth + 1)};\n`;
    else out += `${tsdoc(node.doc, pad)}${pad}readonly ${propertyKey(key)}: ${node.type};\n`;
  }
  return `${out}${'  '.repeat(depth)}}`;
}

function treeValue(tree: Tree, depth: number): string {
  const pad = '  '.repeat(depth + 1);
  let out = '{\n';
  for (const [key, node] of tree) out += `${pad}${propertyKey(key)}: ${node instanceof Map ? treeValue(node, depth + 1) : node.make},\n`;
  return `${out}${'  '.repeat(depth)}}`;
}

function accessor(name: string): string {
  return name
    .split('.')
    .map((part) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(part) ? `.${part}` : `[${tsString(part)}]`))
    .join('');
}

function procedureDoc(name: string, p: ProcedureDescription, description: ContractDescription): string[] {
  const lines: string[] = [];
  if (p.description !== undefined) lines.push(p.description, '');
  lines.push(`Procedure \`${p.uri}\`${p.progress !== undefined ? '; progressive: `stream(input)` iterates its progressive results' : ''}.`);
  for (const e of p.errors) {
    const error = description.errors[e];
    lines.push(`@throws {@link CallError} \`${e}\` (\`${error?.uri ?? '?'}\`)${error?.description !== undefined ? `: ${error.description}` : ''}`);
  }
  for (const example of p.examples) {
    lines.push(`@example${example.title !== undefined ? ` ${example.title}` : ''}`, '```ts');
    const input = example.input !== undefined && JSON.stringify(example.input) !== '{}' ? JSON.stringify(example.input) : '';
    lines.push(`await api${accessor(name)}(${input});`);
    if (example.progress !== undefined) lines.push(`// progress: ${example.progress.map((v) => JSON.stringify(v)).join(', ')}`);
    if (example.output !== undefined) lines.push(`// => ${JSON.stringify(example.output)}`);
    lines.push('```');
  }
  if (p.deprecated === true) lines.push('@deprecated');
  return lines;
}

function topicDoc(name: string, t: TopicDescription): string[] {
  const lines: string[] = [];
  if (t.description !== undefined) lines.push(t.description, '');
  lines.push(`Topic \`${t.uri}\`.`);
  for (const example of t.examples) lines.push('@example', '```ts', `await api${accessor(name)}.publish(${JSON.stringify(example)});`, '```');
  if (t.deprecated === true) lines.push('@deprecated');
  return lines;
}
