import { WampError } from '@junction/wamp';
import type { CallOptions, CallResult, Client, EventsOptions, Publication, PublishOptions, SubscribeOptions, Subscription } from '@junction/client';
import type { AnyContract, AnyProcedure, AnyTopic, ContractProcedure, ContractTopic } from './define.js';
import { CallError, toCallError, type AnyContractError } from './errors.js';
import { Queue } from './queue.js';
import { check, invalidArgument, describeIssues, type CheckResult, type In, type Out, type Schema, type WireIssue } from './schema.js';
import type { ErrorsOf, InputArgs, InputOf, Nest, OutputOf, ProgressOf } from './types.js';
import { ContractErrorUri, dropUndefined, readValue } from './wire.js';

/** Options of a call through a bound procedure (the client's call options, minus `onProgress`). */
export type ProcedureCallOptions = Omit<CallOptions, 'onProgress'>;

/** Options of a call to a progressive procedure: `onProgress` receives typed progressive results. */
export interface ProgressiveCallOptions<P> extends ProcedureCallOptions {
  /** Receives each progressive result; setting it asks the callee for them. */
  onProgress?: (value: P) => void;
}

/** The outcome of `safe()`: the result, or the {@link CallError} typed with the procedure's declared errors. */
export type SafeResult<O, E extends AnyContractError> = { ok: true; value: O } | { ok: false; error: CallError<E> };

/** A bound procedure: call it with its input; `safe()` resolves to a {@link SafeResult} instead of rejecting. */
export interface BoundProcedure<I, O, E extends AnyContractError, Options = ProcedureCallOptions> {
  /** Calls the procedure; rejects with a {@link CallError} (typed in `safe()`). */
  (...args: InputArgs<I, Options>): Promise<O>;
  /** Calls the procedure and never rejects: `{ ok: true, value }` or `{ ok: false, error }` with a typed error. */
  safe(...args: InputArgs<I, Options>): Promise<SafeResult<O, E>>;
  /** The procedure URI. */
  readonly uri: string;
}

/**
 * A call of a progressive procedure: iterate it for the progressive results; `result` is the
 * final one. Leaving the loop early cancels the call. Errors reject both, as a {@link CallError}
 * (`E`: the procedure's declared errors, for `error.is(...)` after a cast or with `safe()`).
 */
export interface ProgressiveCall<P, O, E extends AnyContractError> extends AsyncIterableIterator<P, O | undefined> {
  /** The final result. */
  readonly result: Promise<O>;
  /** Cancels the call (the client sends CANCEL; `result` rejects with `wamp.error.canceled`). */
  cancel(): void;
  /** Stops iterating and cancels the call if it is still running. */
  return(): Promise<IteratorResult<P, O | undefined>>;
}

/** A bound progressive procedure: also `stream(input)`, an async iterator of its progressive results. */
export interface BoundProgressiveProcedure<I, O, P, E extends AnyContractError> extends BoundProcedure<I, O, E, ProgressiveCallOptions<P>> {
  /** Calls asking for progressive results: `for await (const p of api.x.stream(input))`, then `await call.result`. */
  stream(...args: InputArgs<I, ProcedureCallOptions>): ProgressiveCall<P, O, E>;
}

/** What a topic handler gets besides the payload. */
export interface EventInfo {
  /** The EVENT details (`publisher` when disclosed, `retained`...). */
  details: Record<string, unknown>;
  /** The publication ID. */
  publication: number;
  /** The publisher's session ID, when disclosed. */
  publisher: number | undefined;
}

/** The events of a topic as an async iterator; leaving the loop (or `return()`) unsubscribes. */
export interface TopicEvents<T> extends AsyncIterableIterator<T, undefined> {
  /** Resolves once the router subscription exists (events published after it arrive); rejects if subscribing failed. */
  readonly ready: Promise<void>;
  /** Stops: unsubscribes and ends the iteration. */
  return(): Promise<IteratorResult<T, undefined>>;
}

/** A bound topic: typed publish, subscribe, and `for await (const payload of api.chat.message)`. */
export interface BoundTopic<TIn, TOut> extends AsyncIterable<TOut> {
  /** The topic URI. */
  readonly uri: string;
  /** Validates the payload (unless output validation is off) and publishes it; rejects with `wamp.error.invalid_argument` and `{ issues }` when invalid. */
  publish(payload: TIn, options?: PublishOptions): Promise<Publication | undefined>;
  /** Subscribes a typed handler. With event validation on, invalid events skip it and are reported as a client `error` event. */
  subscribe(handler: (payload: TOut, event: EventInfo) => unknown, options?: SubscribeOptions): Promise<Subscription>;
  /** Subscribes at once and yields typed payloads (see {@link TopicEvents}). */
  events(options?: EventsOptions): TopicEvents<TOut>;
}

/** The bound client of procedure `D` of contract `C`. */
export type BoundProcedureOf<C extends AnyContract, D extends AnyProcedure> = D['progress'] extends Schema
  ? BoundProgressiveProcedure<InputOf<D>, OutputOf<D>, ProgressOf<D>, ErrorsOf<C, D>>
  : BoundProcedure<InputOf<D>, OutputOf<D>, ErrorsOf<C, D>>;

/** The bound client of topic `T`. */
export type BoundTopicOf<T extends AnyTopic> = BoundTopic<In<T['payload']>, Out<T['payload']>>;

/** The typed API of contract `C`: dotted names become nested members (`api.math.add`, `api.chat.message`). */
export type BoundApi<C extends AnyContract> = Nest<
  { [K in keyof C['procedures']]: BoundProcedureOf<C, C['procedures'][K]> } & { [K in keyof C['topics']]: BoundTopicOf<C['topics'][K]> }
>;

/** What to validate on the client side; `validate: true` turns all on. */
export interface ValidateOptions {
  /** Check inputs before sending (an invalid one rejects with `wamp.error.invalid_argument` and `{ issues }`, nothing is sent). */
  input?: boolean;
  /** Check results and progressive results (an invalid one rejects with `junction.error.invalid_result`). */
  results?: boolean;
  /** Check received events (an invalid one is skipped and reported as a client `error` event). */
  events?: boolean;
}

/** Options of {@link bind}. */
export interface BindOptions {
  /** Client-side validation; default off (the server validates inputs anyway). */
  validate?: boolean | ValidateOptions;
  /** Validate published payloads; default: the contract's `validateOutput`. */
  validatePublish?: boolean;
  /** Call options applied to every call (each call's own win), e.g. `{ timeout: 5000 }`. */
  callDefaults?: ProcedureCallOptions;
}

const noop = (): void => {};

/**
 * Binds a contract to a client: `const api = bind(client, contract)`, then
 * `await api.math.add({ a: 1, b: 2 })`, `api.chat.message.publish(...)`,
 * `for await (const m of api.chat.message)`, all typed from the contract.
 *
 * Calls send the input as kwargs and take the result from `args[0]`; they reject with
 * {@link CallError}, which knows the contract's declared errors.
 */
export function bind<C extends AnyContract>(client: Client, contract: C, options: BindOptions = {}): BoundApi<C> {
  const v = options.validate;
  const validate: Required<ValidateOptions> = v === true ? { input: true, results: true, events: true } : { input: false, results: false, events: false, ...(v || {}) };
  const validatePublish = options.validatePublish ?? contract.validateOutput;
  const errorIndex = new Map<string, string>(Object.values(contract.errors as Record<string, AnyContractError>).map((e) => [e.uri, e.name]));
  const root: Record<string, unknown> = {};
  for (const p of Object.values(contract.procedures as Record<string, ContractProcedure>)) {
    place(root, p.name, boundProcedure(client, p, validate, errorIndex, options.callDefaults));
  }
  for (const t of Object.values(contract.topics as Record<string, ContractTopic>)) {
    place(root, t.name, boundTopic(client, t, validate.events, validatePublish));
  }
  return root as BoundApi<C>;
}

function place(root: Record<string, unknown>, name: string, leaf: unknown): void {
  const parts = name.split('.');
  let node = root;
  for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
  node[parts[parts.length - 1]!] = leaf;
}

/** Runs `onValid` or `onInvalid` once a check completes (synchronously when the schema is synchronous). */
function settle<T>(outcome: CheckResult<T> | Promise<CheckResult<T>>, onValid: (value: T) => void, onInvalid: (issues: WireIssue[]) => void): void {
  const apply = (r: CheckResult<T>): void => (r.ok ? onValid(r.value) : onInvalid(r.issues));
  if (outcome instanceof Promise) outcome.then(apply, () => onInvalid([]));
  else apply(outcome);
}

function boundProcedure(client: Client, p: ContractProcedure, validate: Required<ValidateOptions>, errorIndex: Map<string, string>, defaults: ProcedureCallOptions | undefined): unknown {
  const uri = p.uri;
  const progressSchema = p.progress as Schema | undefined;

  /** The value of the final RESULT, checked when asked to. */
  const finish = (result: CallResult): unknown => {
    const value = readValue(result.args, result.kwargs);
    if (!validate.results) return value;
    const refuse = (issues: WireIssue[]): never => {
      throw new CallError(ContractErrorUri.INVALID_RESULT, [`invalid result from ${uri}: ${describeIssues(issues)}`], { issues });
    };
    const checked = check(p.output, value);
    if (checked instanceof Promise) return checked.then((c) => (c.ok ? c.value : refuse(c.issues)));
    return checked.ok ? checked.value : refuse(checked.issues);
  };
  const fail = (error: unknown): never => {
    throw toCallError(error, errorIndex);
  };

  /** Progressive results, decoded (and checked when asked to: an invalid one is reported as a client `error` event and dropped). */
  const progressHandler = (onProgress: (value: unknown) => void) => (r: CallResult) => {
    const value = readValue(r.args, r.kwargs);
    if (!validate.results) return onProgress(value);
    settle(check(progressSchema!, value), onProgress, (issues) =>
      client.emit('error', new CallError(ContractErrorUri.INVALID_RESULT, [`invalid progressive result from ${uri}: ${describeIssues(issues)}`], { issues })),
    );
  };

  const send = (input: unknown, options: ProcedureCallOptions | undefined, onProgress: ((value: unknown) => void) | undefined): Promise<unknown> => {
    if (input !== undefined && (typeof input !== 'object' || input === null || Array.isArray(input))) {
      // Only reachable from JavaScript or through casts: kwargs must be a dict.
      const error = invalidArgument(`input for ${uri}`, [{ path: [], message: 'the input must be an object', code: 'invalid_type' }]);
      return Promise.reject(new CallError(error.uri, error.args, error.kwargs));
    }
    const callOptions: CallOptions = defaults === undefined ? { ...options } : { ...defaults, ...options };
    if (onProgress !== undefined && progressSchema !== undefined) callOptions.onProgress = progressHandler(onProgress);
    return client.call(uri, [], dropUndefined((input ?? {}) as Record<string, unknown>), callOptions).then(finish, fail);
  };

  /** One call: checks the input first when asked to (an invalid one is refused like the server would, without sending). */
  const run = (input: unknown, options: ProcedureCallOptions | undefined, onProgress: ((value: unknown) => void) | undefined): Promise<unknown> => {
    if (!validate.input) return send(input, options, onProgress);
    const refuse = (issues: WireIssue[]): Promise<never> => {
      const error = invalidArgument(`input for ${uri}`, issues);
      return Promise.reject(new CallError(error.uri, error.args, error.kwargs));
    };
    const checked = check(p.input, input ?? {});
    if (checked instanceof Promise) return checked.then((c) => (c.ok ? send(input, options, onProgress) : refuse(c.issues)), fail);
    return checked.ok ? send(input, options, onProgress) : refuse(checked.issues);
  };

  const call = (input?: unknown, options?: ProgressiveCallOptions<unknown>): Promise<unknown> => {
    if (options?.onProgress === undefined) return run(input, options, undefined);
    const { onProgress, ...rest } = options;
    return run(input, rest, onProgress);
  };
  const bound = call as unknown as Record<string, unknown>;
  Object.defineProperty(bound, 'uri', { value: uri, enumerable: true });
  bound.safe = (input?: unknown, options?: ProgressiveCallOptions<unknown>) =>
    call(input, options).then(
      (value) => ({ ok: true, value }),
      (error: unknown) => ({ ok: false, error }),
    );
  if (progressSchema !== undefined) {
    bound.stream = (input?: unknown, options: ProcedureCallOptions = {}): ProgressiveCall<unknown, unknown, AnyContractError> => {
      const controller = new AbortController();
      const queue = new Queue<unknown, unknown>(() => controller.abort());
      const userSignal = options.signal;
      if (userSignal !== undefined) {
        if (userSignal.aborted) controller.abort(userSignal.reason);
        else userSignal.addEventListener('abort', () => controller.abort(userSignal.reason), { once: true });
      }
      const result = run(input, { ...options, signal: controller.signal }, (value) => queue.push(value));
      result.then(
        (value) => queue.end(value),
        (error: unknown) => queue.fail(error),
      );
      result.catch(noop); // whoever only iterates must not get an unhandled rejection
      return Object.assign(queue, { result, cancel: () => controller.abort() });
    };
  }
  return bound;
}

function boundTopic(client: Client, t: ContractTopic, validateEvents: boolean, validatePublish: boolean): BoundTopic<unknown, unknown> {
  const uri = t.uri;
  const payloadSchema = t.payload as Schema;

  /** Decodes an EVENT and hands the payload on, or reports it as invalid. */
  const receive = (args: unknown[], kwargs: Record<string, unknown>, deliver: (payload: unknown) => void): void => {
    const payload = readValue(args, kwargs);
    if (!validateEvents) return deliver(payload);
    settle(check(payloadSchema, payload), deliver, (issues) => client.emit('error', invalidArgument(`event on ${uri}`, issues)));
  };

  const events = (options: EventsOptions = {}): TopicEvents<unknown> => {
    let subscription: Subscription | null = null;
    const max = options.maxQueued ?? 10_000;
    const queue = new Queue<unknown>(
      () => void subscription?.unsubscribe().catch(noop),
      max,
      () => new WampError('junction.error.queue_overflow', [`more than ${max} events queued for a slow consumer of ${uri}`]),
    );
    const ready = client
      .subscribe(uri, (args, kwargs) => receive(args, kwargs, (payload) => queue.push(payload)), options)
      .then((s) => {
        subscription = s;
        if (queue.closed) void s.unsubscribe().catch(noop);
      });
    ready.catch((error: unknown) => queue.fail(error));
    return Object.assign(queue, { ready }) as TopicEvents<unknown>;
  };

  return {
    uri,
    async publish(payload, options) {
      let value = payload;
      if (validatePublish) {
        const checked = await check(payloadSchema, payload);
        if (!checked.ok) throw invalidArgument(`payload for ${uri}`, checked.issues);
        value = checked.value;
      }
      return client.publish(uri, [dropUndefined(value)], undefined, options);
    },
    subscribe(handler, options) {
      return client.subscribe(
        uri,
        (args, kwargs, details, publication) =>
          receive(args, kwargs, (payload) => {
            const publisher = typeof details.publisher === 'number' ? details.publisher : undefined;
            const outcome = handler(payload, { details, publication, publisher });
            if (outcome instanceof Promise) outcome.catch((error: unknown) => client.emit('error', error));
          }),
        options,
      );
    },
    events,
    [Symbol.asyncIterator]() {
      return events();
    },
  };
}
