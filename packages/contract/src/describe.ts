import { toJSONSchema } from 'zod/v4/core';
import type { AnyContract, ContractProcedure, ContractTopic, ProcedureExample } from './define.js';
import type { AnyContractError } from './errors.js';
import { check, describeIssues, schemaKind, type Schema } from './schema.js';

/** A JSON Schema (draft 2020-12) as zod 4 writes it, without its `$schema` key. */
export type JsonSchema = Record<string, unknown>;

/** The JSON Schema dialect of every schema in a {@link ContractDescription}. */
export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** Version tag of the {@link ContractDescription} format. */
export const DESCRIPTION_FORMAT = 'junction.contract/1';

/** A procedure in a {@link ContractDescription}. */
export interface ProcedureDescription {
  /** The procedure URI. */
  uri: string;
  description?: string;
  deprecated?: true;
  /** Schema of the input (what a caller sends as kwargs), in its input form (defaults optional). */
  input: JsonSchema;
  /** Schema of the result (`args[0]`); absent when the procedure returns nothing (`z.void()`). */
  output?: JsonSchema;
  /** Schema of each progressive result; present only for progressive procedures. */
  progress?: JsonSchema;
  /** Names of the errors (keys of {@link ContractDescription.errors}) it may throw. */
  errors: string[];
  /** Example calls, checked against the schemas. */
  examples: { title?: string; input: unknown; output?: unknown; progress?: unknown[] }[];
}

/** A topic in a {@link ContractDescription}. */
export interface TopicDescription {
  /** The topic URI. */
  uri: string;
  description?: string;
  deprecated?: true;
  /** Schema of an event's payload (`args[0]`). */
  payload: JsonSchema;
  /** Example payloads, checked against the schema. */
  examples: unknown[];
}

/** A declared error in a {@link ContractDescription}. */
export interface ErrorDescription {
  /** The error URI. */
  uri: string;
  description?: string;
  /** Schema of the details (the ERROR's kwargs). */
  details: JsonSchema;
}

/**
 * The plain-JSON description of a contract (`contract.describe()`): everything a code generator
 * or a docs site needs, with no zod objects. Entries keep the contract's declaration order.
 */
export interface ContractDescription {
  /** Always {@link DESCRIPTION_FORMAT}. */
  format: typeof DESCRIPTION_FORMAT;
  /** Always {@link JSON_SCHEMA_DIALECT}. */
  jsonSchemaDialect: typeof JSON_SCHEMA_DIALECT;
  prefix: string;
  version: string;
  title?: string;
  description?: string;
  /** Procedures by dotted name. */
  procedures: Record<string, ProcedureDescription>;
  /** Topics by dotted name. */
  topics: Record<string, TopicDescription>;
  /** Errors by name. */
  errors: Record<string, ErrorDescription>;
}

/** Builds the description of a contract; throws when an example does not match its schema. */
export function describeContract(contract: AnyContract): ContractDescription {
  const where = `contract ${contract.prefix}`;
  const procedures: Record<string, ProcedureDescription> = {};
  for (const [name, p] of Object.entries(contract.procedures as Record<string, ContractProcedure>)) {
    const what = `${where}, procedure "${name}"`;
    const entry: ProcedureDescription = { uri: p.uri, input: jsonSchema(p.input, 'input', `${what}, input`), errors: [...p.errors], examples: [] };
    if (p.description !== undefined) entry.description = p.description;
    if (p.deprecated) entry.deprecated = true;
    if (!isVoid(p.output)) entry.output = jsonSchema(p.output, 'output', `${what}, output`);
    if (p.progress !== undefined) entry.progress = jsonSchema(p.progress, 'output', `${what}, progress`);
    p.examples.forEach((example: ProcedureExample, i: number) => {
      expectValid(p.input, example.input, `${what}, example ${i} input`);
      const shown: ProcedureDescription['examples'][number] = { input: example.input };
      if (example.title !== undefined) shown.title = example.title;
      if (example.output !== undefined) {
        expectValid(p.output, example.output, `${what}, example ${i} output`);
        shown.output = example.output;
      }
      if (example.progress !== undefined) {
        if (p.progress === undefined) throw new TypeError(`${what}, example ${i}: has progress but the procedure declares no progress schema`);
        for (const value of example.progress) expectValid(p.progress, value, `${what}, example ${i} progress`);
        shown.progress = [...example.progress];
      }
      entry.examples.push(shown);
    });
    procedures[name] = entry;
  }
  const topics: Record<string, TopicDescription> = {};
  for (const [name, t] of Object.entries(contract.topics as Record<string, ContractTopic>)) {
    const what = `${where}, topic "${name}"`;
    const entry: TopicDescription = { uri: t.uri, payload: jsonSchema(t.payload, 'output', `${what}, payload`), examples: [] };
    if (t.description !== undefined) entry.description = t.description;
    if (t.deprecated) entry.deprecated = true;
    t.examples.forEach((example: unknown, i: number) => {
      expectValid(t.payload, example, `${what}, example ${i}`);
      entry.examples.push(example);
    });
    topics[name] = entry;
  }
  const errors: Record<string, ErrorDescription> = {};
  for (const [name, e] of Object.entries(contract.errors as Record<string, AnyContractError>)) {
    const entry: ErrorDescription = { uri: e.uri, details: jsonSchema(e.details, 'output', `${where}, error ${name}`) };
    if (e.description !== undefined) entry.description = e.description;
    errors[name] = entry;
  }
  const description: ContractDescription = {
    format: DESCRIPTION_FORMAT,
    jsonSchemaDialect: JSON_SCHEMA_DIALECT,
    prefix: contract.prefix,
    version: contract.version,
    procedures,
    topics,
    errors,
  };
  if (contract.title !== undefined) description.title = contract.title;
  if (contract.description !== undefined) description.description = contract.description;
  return description;
}

function isVoid(schema: Schema): boolean {
  const kind = schemaKind(schema);
  return kind === 'void' || kind === 'undefined';
}

/**
 * zod 4's JSON Schema of one schema. Inputs are described as callers write them (`io: 'input'`:
 * fields with defaults are optional); what a peer emits as it is sent (`io: 'output'`).
 */
function jsonSchema(schema: Schema, io: 'input' | 'output', what: string): JsonSchema {
  let json: JsonSchema;
  try {
    json = toJSONSchema(schema, { io, target: 'draft-2020-12' }) as JsonSchema;
  } catch (error) {
    throw new TypeError(`${what}: no JSON Schema for it (${error instanceof Error ? error.message : String(error)}); use JSON-friendly types on the wire`);
  }
  delete json.$schema;
  return json;
}

function expectValid(schema: Schema, value: unknown, what: string): void {
  const outcome = check(schema, value);
  if (outcome instanceof Promise) return; // async refinements: examples are not checked
  if (!outcome.ok) throw new TypeError(`${what} does not match its schema: ${describeIssues(outcome.issues)}`);
}
