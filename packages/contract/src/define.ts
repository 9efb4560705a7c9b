import { object, type ZodMiniObject } from 'zod/mini';
import type { $strip } from 'zod/v4/core';
import { isReservedUri, isValidUri, WampError } from '@junction/wamp';
import { CallError, snakeCase, type AnyContractError, type ContractError, type DeclaredError } from './errors.js';
import { check, schemaKind, type In, type ObjectSchema, type Out, type Schema } from './schema.js';
import { describeContract, type ContractDescription } from './describe.js';
import { dropUndefined } from './wire.js';

/** An example call of a procedure, shown in docs and checked against the schemas by `describe()`. */
export interface ProcedureExample<I extends Schema = Schema, O extends Schema = Schema, P extends Schema | undefined = Schema | undefined> {
  /** A short title. */
  title?: string;
  /** The input as a caller sends it. */
  input: In<I>;
  /** The result. */
  output?: Out<O>;
  /** Progressive results sent before it (progressive procedures). */
  progress?: P extends Schema ? Out<P>[] : never;
}

/** What {@link procedure} takes. */
export interface ProcedureSpec<I extends ObjectSchema, O extends Schema, P extends Schema | undefined, EK extends string> {
  /** Schema of the input, an object (it travels as the CALL's kwargs). Default: `z.object({})`, no input. */
  input?: I;
  /** Schema of the result (it travels as `args[0]` of the RESULT). `z.void()` for none. */
  output: O;
  /** Schema of each progressive result; makes the procedure progressive. */
  progress?: P;
  /** Names of the contract's `errors` this procedure may throw. */
  errors?: readonly EK[];
  /** What the procedure does, for docs and generated TSDoc. */
  description?: string;
  /** Example calls. */
  examples?: ProcedureExample<I, O, P>[];
  /** Marks the procedure deprecated in docs and generated stubs. */
  deprecated?: boolean;
}

/** A procedure of a contract (before {@link defineContract} gives it a name and URI). */
export interface ProcedureDefinition<I extends ObjectSchema = ObjectSchema, O extends Schema = Schema, P extends Schema | undefined = Schema | undefined, EK extends string = string> {
  readonly kind: 'procedure';
  readonly input: I;
  readonly output: O;
  readonly progress: P;
  readonly errors: readonly EK[];
  readonly description: string | undefined;
  readonly examples: readonly ProcedureExample<I, O, P>[];
  readonly deprecated: boolean;
}

/** A procedure definition of any types (for constraints). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyProcedure = ProcedureDefinition<any, any, any, string>;

/** What {@link topic} takes. */
export interface TopicSpec<T extends Schema> {
  /** Schema of an event's payload (it travels as `args[0]` of the EVENT). */
  payload: T;
  /** What the topic carries, for docs and generated TSDoc. */
  description?: string;
  /** Example payloads. */
  examples?: In<T>[];
  /** Marks the topic deprecated in docs and generated stubs. */
  deprecated?: boolean;
}

/** A topic of a contract. */
export interface TopicDefinition<T extends Schema = Schema> {
  readonly kind: 'topic';
  readonly payload: T;
  readonly description: string | undefined;
  readonly examples: readonly In<T>[];
  readonly deprecated: boolean;
}

/** A topic definition of any payload type (for constraints). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTopic = TopicDefinition<any>;

/** What {@link error} takes. */
export interface ErrorSpec<D extends ObjectSchema> {
  /** The error URI. Default: `<prefix>.error.<name in snake_case>` (`NotFound` -> `com.example.api.error.not_found`). */
  uri?: string;
  /** Schema of the details (the ERROR's kwargs). Default: `z.object({})`. */
  details?: D;
  /** What the error means, for docs. */
  description?: string;
}

/** A declared error (before {@link defineContract} gives it a name and URI). */
export interface ErrorDefinition<D extends ObjectSchema = ObjectSchema> {
  readonly kind: 'error';
  readonly uri: string | undefined;
  readonly details: D;
  readonly description: string | undefined;
}

/** The schema of an omitted input or error details: an empty object. */
export type EmptyInput = ZodMiniObject<{}, $strip>;

/** Declares a procedure: typed input, output, optional progress, declared errors, docs. */
export function procedure<I extends ObjectSchema = EmptyInput, O extends Schema = Schema, P extends Schema | undefined = undefined, const EK extends string = never>(
  spec: ProcedureSpec<I, O, P, EK>,
  // NoInfer: the types come from the spec, never from where the result is assigned.
): ProcedureDefinition<NoInfer<I>, NoInfer<O>, NoInfer<P>, NoInfer<EK>> {
  return {
    kind: 'procedure',
    input: (spec.input ?? object({})) as I,
    output: spec.output,
    progress: spec.progress as P,
    errors: spec.errors ?? [],
    description: spec.description,
    examples: spec.examples ?? [],
    deprecated: spec.deprecated ?? false,
  };
}

/** Declares a topic: a typed payload and docs. */
export function topic<T extends Schema>(spec: TopicSpec<T>): TopicDefinition<NoInfer<T>> {
  return { kind: 'topic', payload: spec.payload, description: spec.description, examples: spec.examples ?? [], deprecated: spec.deprecated ?? false };
}

/** Declares an error that handlers throw and callers match; its details travel as kwargs. */
export function error<D extends ObjectSchema = EmptyInput>(spec: ErrorSpec<D> = {}): ErrorDefinition<NoInfer<D>> {
  return { kind: 'error', uri: spec.uri, details: (spec.details ?? object({})) as D, description: spec.description };
}

/** What {@link defineContract} takes. */
export interface ContractSpec<
  Prefix extends string,
  P extends Record<string, AnyProcedure>,
  T extends Record<string, AnyTopic>,
  E extends Record<string, ErrorDefinition>,
> {
  /** URI prefix of every procedure and topic: `'com.example.api'` makes `'math.add'` `com.example.api.math.add`. */
  prefix: Prefix;
  /** The contract's version (semver), published in its description. */
  version: string;
  /** A title for docs. */
  title?: string;
  /** What the API is for, for docs. */
  description?: string;
  /** Procedures by dotted name (`'math.add'` -> `api.math.add`). */
  procedures?: P;
  /** Topics by dotted name (`'chat.message'` -> `api.chat.message`). */
  topics?: T;
  /** Declared errors by name (`NotFound`); procedures list the ones they may throw. */
  errors?: E;
  /**
   * Validate what this side emits (procedure outputs and progress, published payloads, thrown
   * error details). Default true; false skips it for speed (inputs are still validated).
   */
  validateOutput?: boolean;
}

/** A procedure of a defined contract: its definition plus its dotted name and URI. */
export type ContractProcedure<D extends AnyProcedure = AnyProcedure> = D & { readonly name: string; readonly uri: string };
/** A topic of a defined contract: its definition plus its dotted name and URI. */
export type ContractTopic<D extends AnyTopic = AnyTopic> = D & { readonly name: string; readonly uri: string };

/** The bound errors of a contract, by name. */
export type ContractErrors<E extends Record<string, ErrorDefinition>> = { readonly [K in keyof E & string]: ContractError<K, E[K]['details']> };

/** A defined contract: see {@link defineContract}. */
export interface Contract<
  Prefix extends string = string,
  P extends Record<string, AnyProcedure> = Record<string, AnyProcedure>,
  T extends Record<string, AnyTopic> = Record<string, AnyTopic>,
  E extends Record<string, ErrorDefinition> = Record<string, ErrorDefinition>,
> {
  readonly kind: 'contract';
  readonly prefix: Prefix;
  readonly version: string;
  readonly title: string | undefined;
  readonly description: string | undefined;
  readonly validateOutput: boolean;
  /** Procedures by dotted name, with their URIs (typed: `'com.example.api.math.add'`). */
  readonly procedures: { readonly [K in keyof P]: ContractProcedure<P[K]> & { readonly name: K; readonly uri: `${Prefix}.${K & string}` } };
  /** Topics by dotted name, with their URIs. */
  readonly topics: { readonly [K in keyof T]: ContractTopic<T[K]> & { readonly name: K; readonly uri: `${Prefix}.${K & string}` } };
  /** Declared errors by name: `throw contract.errors.NotFound.create({ id })`, `err.is(contract.errors.NotFound)`. */
  readonly errors: ContractErrors<E>;
  /**
   * A plain, JSON-serializable description: URIs, JSON Schemas of every input, output, progress,
   * payload and error details, descriptions, examples (checked against the schemas), version.
   * Code generators, docs and the reflection procedure are built on it.
   */
  describe(): ContractDescription;
}

/** A contract of any shape (for constraints). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyContract = Contract<string, any, any, any>;

/**
 * Defines a contract: the procedures, topics and errors of an API as zod schemas, in a module
 * shared by server and clients. Checks names and URIs at once (throws a `TypeError`).
 *
 * @example
 * ```ts
 * export const api = defineContract({
 *   prefix: 'com.example.api',
 *   version: '1.0.0',
 *   procedures: { 'math.add': procedure({ input: z.object({ a: z.number(), b: z.number() }), output: z.number() }) },
 *   topics: { 'chat.message': topic({ payload: z.object({ from: z.string(), text: z.string() }) }) },
 *   errors: { NotFound: error({ details: z.object({ id: z.string() }) }) },
 * });
 * ```
 */
export function defineContract<
  const Prefix extends string,
  // Procedures may only declare errors of the contract: naming another one fails to compile.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  P extends Record<string, ProcedureDefinition<any, any, any, keyof E & string>> = {},
  T extends Record<string, AnyTopic> = {},
  E extends Record<string, ErrorDefinition> = {},
>(spec: ContractSpec<Prefix, P, T, E>): Contract<Prefix, P, T, E> {
  const prefix = spec.prefix;
  const fail = (message: string): never => {
    throw new TypeError(`contract ${prefix}: ${message}`);
  };
  if (!isValidUri(prefix, 'loose') || isReservedUri(prefix)) fail('the prefix must be a valid, non-reserved URI (like com.example.api)');
  if (typeof spec.version !== 'string' || spec.version === '') fail('a version is required');
  const procedureSpecs = (spec.procedures ?? {}) as Record<string, AnyProcedure>;
  const topicSpecs = (spec.topics ?? {}) as Record<string, AnyTopic>;
  const errorSpecs = (spec.errors ?? {}) as Record<string, ErrorDefinition>;

  const names = [...Object.keys(procedureSpecs), ...Object.keys(topicSpecs)];
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) fail(`"${name}" is both a procedure and a topic`);
    seen.add(name);
    if (!isValidUri(`${prefix}.${name}`, 'loose')) fail(`"${name}" does not make a valid URI (dotted, non-empty parts, no spaces or #)`);
  }
  for (const name of names) {
    for (let dot = name.indexOf('.'); dot !== -1; dot = name.indexOf('.', dot + 1)) {
      const namespace = name.slice(0, dot);
      if (seen.has(namespace)) fail(`"${namespace}" is a procedure or topic and also the namespace of "${name}"`);
    }
  }

  const validateOutput = spec.validateOutput ?? true;
  const errors: Record<string, AnyContractError> = {};
  const errorUris = new Set<string>();
  for (const [name, definition] of Object.entries(errorSpecs)) {
    if (definition?.kind !== 'error') fail(`errors.${name} is not made by error()`);
    const uri = definition.uri ?? `${prefix}.error.${snakeCase(name)}`;
    if (!isValidUri(uri, 'loose')) fail(`error ${name}: "${uri}" is not a valid URI`);
    if (errorUris.has(uri)) fail(`two errors have the URI ${uri}`);
    errorUris.add(uri);
    errors[name] = boundError(name, uri, definition, validateOutput);
  }

  const procedures: Record<string, ContractProcedure> = {};
  for (const [name, definition] of Object.entries(procedureSpecs)) {
    if (definition?.kind !== 'procedure') fail(`procedures["${name}"] is not made by procedure()`);
    const kind = schemaKind(definition.input);
    if (NON_OBJECT_KINDS.has(kind)) fail(`the input of "${name}" must be an object schema (it travels as keyword arguments), not ${kind}`);
    for (const errorName of definition.errors) if (!(errorName in errors)) fail(`procedure "${name}" declares error ${errorName}, which is not in the contract's errors`);
    procedures[name] = { ...definition, name, uri: `${prefix}.${name}` };
  }
  const topics: Record<string, ContractTopic> = {};
  for (const [name, definition] of Object.entries(topicSpecs)) {
    if (definition?.kind !== 'topic') fail(`topics["${name}"] is not made by topic()`);
    topics[name] = { ...definition, name, uri: `${prefix}.${name}` };
  }

  let description: ContractDescription | undefined;
  const contract: AnyContract = {
    kind: 'contract',
    prefix,
    version: spec.version,
    title: spec.title,
    description: spec.description,
    validateOutput,
    procedures,
    topics,
    errors,
    describe: () => (description ??= describeContract(contract)),
  };
  return contract as Contract<Prefix, P, T, E>;
}

/** Schema kinds that can never be a plain object. */
const NON_OBJECT_KINDS = new Set(['string', 'number', 'int', 'boolean', 'bigint', 'symbol', 'null', 'undefined', 'void', 'never', 'date', 'array', 'tuple', 'literal', 'enum', 'nan', 'template_literal', 'file', 'set', 'map', 'promise', 'function']);

function boundError(name: string, uri: string, definition: ErrorDefinition, validate: boolean): AnyContractError {
  const bound: AnyContractError = {
    kind: 'error',
    name,
    uri,
    details: definition.details,
    description: definition.description,
    create(details: Record<string, unknown>, message?: string) {
      let kwargs = details;
      if (validate) {
        const outcome = check(definition.details, details);
        // A handler that builds a wrong error is a server bug: it surfaces as such (logged by implement()).
        if (outcome instanceof Promise) throw new TypeError(`error ${name}: details schemas must be synchronous`);
        if (!outcome.ok) throw new TypeError(`error ${name}: invalid details: ${outcome.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
        kwargs = outcome.value;
      }
      return new CallError(uri, [message ?? definition.description ?? name], dropUndefined(kwargs), {}, name) as DeclaredError<AnyContractError>;
    },
    is(candidate: unknown): candidate is WampError {
      return candidate instanceof WampError && candidate.uri === uri;
    },
  };
  return bound;
}
