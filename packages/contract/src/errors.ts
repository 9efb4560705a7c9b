import { ErrorUri, WampError } from '@junction/wamp';
import type { ObjectSchema, Out, In } from './schema.js';

/**
 * A declared error of a contract, as `contract.errors.NotFound` exposes it: its name, URI and the
 * schema of its details (sent as the ERROR's kwargs).
 */
export interface ContractError<N extends string = string, D extends ObjectSchema = ObjectSchema> {
  readonly kind: 'error';
  /** The key in the contract's `errors`. */
  readonly name: N;
  /** The error URI callers receive. */
  readonly uri: string;
  /** Schema of the details (the ERROR kwargs). */
  readonly details: D;
  /** What the error means, for docs. */
  readonly description: string | undefined;
  /**
   * Makes the error for a handler to throw: `throw contract.errors.NotFound.create({ id })`. The
   * caller receives a WAMP ERROR with this URI, args `[message]` and the details as kwargs.
   */
  create(details: In<D>, message?: string): DeclaredError<ContractError<N, D>>;
  /** True when `error` is a `WampError` with this URI (its kwargs are then the declared details). */
  is(error: unknown): error is TypedWampError<ContractError<N, D>>;
}

/** Any contract error (for constraints). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyContractError = ContractError<string, any>;

/** A `WampError` known to carry the details of error `E` in its kwargs. */
export type TypedWampError<E extends AnyContractError> = WampError & { readonly kwargs: Out<E['details']> };

/** A {@link CallError} narrowed to declared error `E`: `declared` is its name, `kwargs` its typed details. */
export type DeclaredError<E extends AnyContractError> = CallError<E> & { readonly declared: E['name']; readonly kwargs: Out<E['details']> };

/**
 * Handlers of {@link CallError.match}: one per declared error of the procedure (leaving one out is
 * a compile error), plus `otherwise` for everything else (timeouts, invalid arguments, lost connections...).
 */
export type ErrorCases<E extends AnyContractError, R> = { [D in E as D['name']]: (error: DeclaredError<D>) => R } & {
  otherwise: (error: CallError<E>) => R;
};

/**
 * What calls through a bound contract reject with: a `WampError` that knows the errors its
 * procedure declares. `is(contract.errors.X)` narrows to X's typed details and only accepts
 * errors the procedure declares; `match({...})` must handle each of them.
 */
export class CallError<E extends AnyContractError = AnyContractError> extends WampError {
  /** The name of the declared contract error this is (matched by URI), else undefined. */
  readonly declared: E['name'] | undefined;

  constructor(uri: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}, details: Record<string, unknown> = {}, declared?: E['name'], options?: { cause?: unknown }) {
    super(uri, args, kwargs, details);
    this.name = 'CallError';
    this.declared = declared;
    if (options?.cause !== undefined) Object.defineProperty(this, 'cause', { value: options.cause, configurable: true, writable: true });
  }

  /** True when this is the declared error `definition` (compares URIs). Accepts only the procedure's declared errors. */
  is<D extends E>(definition: D): this is DeclaredError<D> {
    return this.uri === definition.uri;
  }

  /** Runs the case of the declared error this is, else `otherwise`. */
  match<R>(cases: ErrorCases<E, R>): R {
    const byName = cases as unknown as Record<string, ((error: CallError<E>) => R) | undefined>;
    const handler = this.declared !== undefined ? byName[this.declared] : undefined;
    return handler !== undefined ? handler(this) : cases.otherwise(this);
  }
}

/** Turns the URI of a contract error into its definition name, for {@link toCallError}. */
export type ErrorIndex = ReadonlyMap<string, string>;

/** Converts any rejection into a {@link CallError} (a non-WAMP failure becomes `wamp.error.runtime_error`). */
export function toCallError(error: unknown, index: ErrorIndex): CallError {
  if (error instanceof CallError) return error;
  if (error instanceof WampError) return new CallError(error.uri, error.args, error.kwargs, error.details, index.get(error.uri), { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new CallError(ErrorUri.RUNTIME_ERROR, [message], {}, {}, undefined, { cause: error });
}

/** Converts PascalCase or camelCase to snake_case for default error URIs (`NotFound` -> `not_found`). */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}
