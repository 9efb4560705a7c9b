/**
 * The generic part of every generated client module, written out verbatim: the error class, the
 * procedure and topic types, and the code that turns calls into WAMP messages. It follows the
 * contract layer's wire format (packages/contract/src/wire.ts): input as the CALL's kwargs,
 * results, progressive results and event payloads as `args[0]`, declared errors as ERROR
 * `[message]` + details in kwargs.
 */

/** Imports of a generated module (zod only with validation). */
export function runtimeImports(validate: boolean): string {
  const client =
    "import { WampError, type CallOptions, type Client, type EventsOptions, type Publication, type PublishOptions, type SubscribeOptions, type Subscription } from '@junction/client';\n";
  return validate ? `${client}import { z } from 'zod';\n` : client;
}

/** Types and classes users see: errors, procedures, topics. */
export const RUNTIME_TYPES = `/** A declared error of the API: its name and URI; \`D\` is the type of its details (the ERROR's kwargs). */
export interface ErrorRef<N extends string = string, D = unknown> {
  readonly name: N;
  readonly uri: string;
  /** Phantom member carrying the details type; never set. */
  readonly __details?: D;
}

/**
 * What calls reject with: a \`WampError\` that knows the API's declared errors.
 * \`err.is(errors.NotFound)\` narrows \`kwargs\` to that error's details.
 */
export class CallError<E extends ErrorRef = ErrorRef> extends WampError {
  /** The name of the declared error this is (matched by URI), else undefined. */
  readonly declared: E['name'] | undefined;

  constructor(uri: string, args: unknown[], kwargs: Record<string, unknown>, details: Record<string, unknown>, declared: E['name'] | undefined) {
    super(uri, args, kwargs, details);
    this.name = 'CallError';
    this.declared = declared;
  }

  /** True when this is the declared error \`ref\` (compares URIs). */
  is<R extends E>(ref: R): this is CallError<R> & { readonly declared: R['name']; readonly kwargs: NonNullable<R['__details']> } {
    return this.uri === ref.uri;
  }
}

/** Options of a call (the client's call options without \`onProgress\`). */
export type ProcedureCallOptions = Omit<CallOptions, 'onProgress'>;

/** Options of a call to a progressive procedure: \`onProgress\` receives the typed progressive results. */
export interface ProgressiveCallOptions<P> extends ProcedureCallOptions {
  /** Receives each progressive result; setting it asks the callee for them. */
  onProgress?: (value: P) => void;
}

/** The arguments of a call: the input may be left out when none of its fields is required. */
export type CallArgs<I, O> = {} extends I ? [input?: I, options?: O] : [input: I, options?: O];

/** The outcome of \`safe()\`: the result, or the error typed with the procedure's declared errors. */
export type SafeResult<T, E extends ErrorRef> = { ok: true; value: T } | { ok: false; error: CallError<E> };

/** A procedure: call it with its input; rejects with a {@link CallError}. */
export interface Procedure<I, O, E extends ErrorRef = never, Options = ProcedureCallOptions> {
  (...args: CallArgs<I, Options>): Promise<O>;
  /** Calls and never rejects: \`{ ok: true, value }\` or \`{ ok: false, error }\`. */
  safe(...args: CallArgs<I, Options>): Promise<SafeResult<O, E>>;
  /** The procedure URI. */
  readonly uri: string;
}

/** A call of a progressive procedure: iterate it for the progressive results; \`result\` is the final one. */
export interface ProgressiveCall<P, O> extends AsyncIterableIterator<P> {
  /** The final result. */
  readonly result: Promise<O>;
  /** Cancels the call (\`result\` rejects with \`wamp.error.canceled\`). Leaving the loop early does too. */
  cancel(): void;
}

/** A progressive procedure: also \`stream(input)\`, an async iterator of its progressive results. */
export interface ProgressiveProcedure<I, O, P, E extends ErrorRef = never> extends Procedure<I, O, E, ProgressiveCallOptions<P>> {
  /** \`for await (const p of api.x.stream(input))\`, then \`await call.result\`. */
  stream(...args: CallArgs<I, ProcedureCallOptions>): ProgressiveCall<P, O>;
}

/** What a topic handler gets besides the payload. */
export interface EventInfo {
  /** The EVENT details (\`publisher\` when disclosed, \`retained\`...). */
  details: Record<string, unknown>;
  /** The publication ID. */
  publication: number;
  /** The publisher's session ID, when disclosed. */
  publisher: number | undefined;
}

/** A topic: typed publish, subscribe, and \`for await (const payload of api.chat.message)\`. */
export interface Topic<T> extends AsyncIterable<T> {
  /** The topic URI. */
  readonly uri: string;
  /** Publishes a payload (as \`args[0]\`). */
  publish(payload: T, options?: PublishOptions): Promise<Publication | undefined>;
  /** Subscribes a handler; its errors are reported as client \`error\` events. */
  subscribe(handler: (payload: T, event: EventInfo) => unknown, options?: SubscribeOptions): Promise<Subscription>;
  /** The payloads as an async iterator (subscribes on the first \`next()\`); leaving the loop unsubscribes. */
  events(options?: EventsOptions): AsyncIterableIterator<T>;
}
`;

/** Validation options, only in modules generated with validation. */
export const RUNTIME_VALIDATE_OPTIONS = `/** What to validate on this side (all on by default). */
export interface ValidateOptions {
  /** Check inputs before sending (invalid: rejects with \`wamp.error.invalid_argument\` and \`{ issues }\`, nothing is sent). */
  input?: boolean;
  /** Check results and progressive results (invalid: rejects with \`junction.error.invalid_result\`). */
  results?: boolean;
  /** Check received events (invalid: skipped and reported as a client \`error\` event). */
  events?: boolean;
  /** Check payloads before publishing. */
  publish?: boolean;
}
`;

/** What a module uses: parts of the runtime a module would not use are left out (`noUnusedLocals`). */
export interface RuntimeParts {
  procedures: boolean;
  topics: boolean;
}

/** The implementation (not exported): the parts in `parts`, with validation or not. */
export function runtimeCode(validate: boolean, parts: RuntimeParts): string {
  const text = `${validate ? VALIDATION : ''}
/** The value of a RESULT or EVENT: \`args[0]\`; from peers that send kwargs only, the kwargs. */
function readValue(args: unknown[], kwargs: Record<string, unknown>): unknown {
  if (args.length > 0) return args[0];
  for (const _ in kwargs) return kwargs;
  return undefined;
}

/** Leaves out object keys whose value is \`undefined\` (msgpack and CBOR would carry them as null). */
function dropUndefined<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(dropUndefined) as T;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = dropUndefined(item);
  return out as T;
}

//@procedures
const noop = (): void => {};

function toCallError(error: unknown): CallError {
  if (error instanceof CallError) return error;
  if (error instanceof WampError) return new CallError(error.uri, error.args, error.kwargs, error.details, ERROR_NAMES[error.uri]);
  return new CallError('wamp.error.runtime_error', [error instanceof Error ? error.message : String(error)], {}, {}, undefined);
}

type Run = (input: unknown, options: ProcedureCallOptions, onProgress: ((value: unknown) => void) | undefined) => Promise<unknown>;

function makeProcedure<T>(client: Client, uri: string, options: ApiOptions, progressive: boolean): T {
  const run: Run = async (input, callOptions, onProgress) => {
    try {
${validate ? "      checkOrThrow(options, 'input', uri, input ?? {});\n" : ''}      const wampOptions: CallOptions = { ...options.callDefaults, ...callOptions };
      if (onProgress !== undefined) {
        wampOptions.onProgress = (r) => {
          const value = readValue(r.args, r.kwargs);
${validate ? "          if (acceptValue(client, options, 'results', uri, 'progress', value)) onProgress(value);\n" : '          onProgress(value);\n'}        };
      }
      const result = await client.call(uri, [], dropUndefined((input ?? {}) as Record<string, unknown>), wampOptions);
      return ${validate ? "checkResult(options, 'output', uri, readValue(result.args, result.kwargs))" : 'readValue(result.args, result.kwargs)'};
    } catch (error) {
      throw toCallError(error);
    }
  };
  const call = (input?: unknown, callOptions: ProgressiveCallOptions<unknown> = {}): Promise<unknown> => {
    const { onProgress, ...rest } = callOptions;
    return run(input, rest, progressive ? onProgress : undefined);
  };
  const safe = (input?: unknown, callOptions?: ProgressiveCallOptions<unknown>): Promise<SafeResult<unknown, ErrorRef>> =>
    call(input, callOptions).then(
      (value) => ({ ok: true, value }),
      (error: unknown) => ({ ok: false, error: toCallError(error) }),
    );
  const members: Record<string, unknown> = { safe };
  if (progressive) members['stream'] = (input?: unknown, callOptions?: ProcedureCallOptions) => stream(run, input, callOptions ?? {});
  Object.defineProperty(call, 'uri', { value: uri, enumerable: true });
  return Object.assign(call, members) as T;
}

/** Runs a progressive call as an async iterator of its progressive results. */
function stream(run: Run, input: unknown, options: ProcedureCallOptions): ProgressiveCall<unknown, unknown> {
  const controller = new AbortController();
  const signal = options.signal;
  if (signal !== undefined) {
    if (signal.aborted) controller.abort(signal.reason);
    else signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  }
  const buffer: unknown[] = [];
  let finished = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  const result = run(input, { ...options, signal: controller.signal }, (value) => {
    buffer.push(value);
    notify();
  });
  result.then(
    () => {
      finished = true;
      notify();
    },
    (error: unknown) => {
      finished = true;
      failure = { error };
      notify();
    },
  );
  result.catch(noop);
  const iterator: ProgressiveCall<unknown, unknown> = {
    result,
    cancel: () => controller.abort(),
    async next(): Promise<IteratorResult<unknown>> {
      for (;;) {
        if (buffer.length > 0) return { done: false, value: buffer.shift() };
        if (failure !== undefined) throw failure.error;
        if (finished) return { done: true, value: undefined };
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    async return(): Promise<IteratorResult<unknown>> {
      if (!finished) controller.abort();
      finished = true;
      buffer.length = 0;
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

//@end
//@topics
function makeTopic<T>(client: Client, uri: string, ${validate ? 'options' : '_options'}: ApiOptions): T {
  const events = (eventsOptions?: EventsOptions): AsyncIterableIterator<unknown> =>
    (async function* () {
      for await (const event of client.events(uri, eventsOptions)) {
        ${validate ? "const payload = readValue(event.args, event.kwargs);\n        if (acceptValue(client, options, 'events', uri, 'payload', payload)) yield payload;" : 'yield readValue(event.args, event.kwargs);'}
      }
    })();
  const topic: Topic<unknown> = {
    uri,
    async publish(payload, publishOptions) {
${validate ? "      checkOrThrow(options, 'publish', uri, payload);\n" : ''}      return client.publish(uri, [dropUndefined(payload)], undefined, publishOptions);
    },
    subscribe(handler, subscribeOptions) {
      return client.subscribe(
        uri,
        (args, kwargs, details, publication) => {
          const payload = readValue(args, kwargs);
${validate ? "          if (!acceptValue(client, options, 'events', uri, 'payload', payload)) return;\n" : ''}          const publisher = typeof details['publisher'] === 'number' ? details['publisher'] : undefined;
          const outcome = handler(payload, { details, publication, publisher });
          if (outcome instanceof Promise) outcome.catch((error: unknown) => client.emit('error', error));
        },
        subscribeOptions,
      );
    },
    events,
    [Symbol.asyncIterator]: () => events(),
  };
  return topic as T;
}
//@end
`;
  return keep(text, parts);
}

/** Drops the \`//@procedures\` or \`//@topics\` blocks a module does not use, and the markers. */
function keep(text: string, parts: RuntimeParts): string {
  return text.replace(/\/\/@(procedures|topics)\n([\s\S]*?)\/\/@end\n/g, (_all, part: string, body: string) => (parts[part as keyof RuntimeParts] ? body : ''));
}

/** Client-side validation with zod, from the embedded JSON Schemas (see `SCHEMAS`). */
const VALIDATION = `type Check = 'input' | 'output' | 'progress' | 'payload';
interface WireIssue {
  path: (string | number)[];
  message: string;
  code: string;
}

const compiled = new Map<string, z.ZodType>();

/** Issues of \`value\` against the embedded schema (none when the schema is absent). */
function issuesOf(uri: string, kind: Check, value: unknown): WireIssue[] {
  const json = SCHEMAS[uri]?.[kind];
  if (json === undefined) return [];
  const key = uri + '#' + kind;
  let schema = compiled.get(key);
  if (schema === undefined) {
    schema = z.fromJSONSchema(json as Parameters<typeof z.fromJSONSchema>[0], { defaultTarget: 'draft-2020-12' });
    compiled.set(key, schema);
  }
  const outcome = schema.safeParse(value);
  if (outcome.success) return [];
  return outcome.error.issues.map((issue) => ({ path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: issue.message, code: issue.code }));
}

function describeIssues(issues: WireIssue[]): string {
  return issues.map((issue) => (issue.path.length > 0 ? issue.path.join('.') + ': ' + issue.message : issue.message)).join('; ');
}

function enabled(options: ApiOptions, what: keyof ValidateOptions): boolean {
  const v = options.validate ?? true;
  return v === true || (typeof v === 'object' && v[what] !== false);
}

/** Input and publish checks: invalid -> \`wamp.error.invalid_argument\` with \`{ issues }\`. */
function checkOrThrow(options: ApiOptions, what: 'input' | 'publish', uri: string, value: unknown): void {
  if (!enabled(options, what)) return;
  const issues = issuesOf(uri, what === 'input' ? 'input' : 'payload', value);
  if (issues.length > 0) throw new CallError('wamp.error.invalid_argument', ['invalid ' + (what === 'input' ? 'input' : 'payload') + ' for ' + uri + ': ' + describeIssues(issues)], { issues }, {}, undefined);
}

//@procedures
/** Result checks: invalid -> \`junction.error.invalid_result\`. */
function checkResult(options: ApiOptions, kind: 'output', uri: string, value: unknown): unknown {
  if (!enabled(options, 'results')) return value;
  const issues = issuesOf(uri, kind, value);
  if (issues.length > 0) throw new CallError('junction.error.invalid_result', ['invalid result from ' + uri + ': ' + describeIssues(issues)], { issues }, {}, undefined);
  return value;
}

//@end
/** Event and progress checks: an invalid value is skipped and reported as a client \`error\` event. */
function acceptValue(client: Client, options: ApiOptions, what: 'events' | 'results', uri: string, kind: Check, value: unknown): boolean {
  if (!enabled(options, what)) return true;
  const issues = issuesOf(uri, kind, value);
  if (issues.length === 0) return true;
  const message = 'invalid ' + (kind === 'payload' ? 'event on ' : 'progressive result from ') + uri + ': ' + describeIssues(issues);
  client.emit('error', new WampError(kind === 'payload' ? 'wamp.error.invalid_argument' : 'junction.error.invalid_result', [message], { issues }));
  return false;
}

`;
