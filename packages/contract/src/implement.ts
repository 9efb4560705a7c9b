import { ErrorUri, WampError } from '@junction/wamp';
import type { Client, InvocationContext, InvocationHandler, RegisterOptions, Registration } from '@junction/client';
import type { AnyContract, AnyProcedure, ContractProcedure } from './define.js';
import { check, describeIssues, invalidArgument, type In, type Schema } from './schema.js';
import type { HandlerOutputOf, ParsedInputOf } from './types.js';
import { dropUndefined, readInput } from './wire.js';

/** What a handler knows about the call it serves. */
export interface HandlerContextBase {
  /** The procedure URI. */
  readonly procedure: string;
  /** The caller's session ID, when disclosed (the caller asked with `discloseMe`, or the router discloses callers). */
  readonly caller: number | undefined;
  /** The caller's authid, when disclosed. */
  readonly callerAuthid: string | undefined;
  /** The caller's authrole, when disclosed. */
  readonly callerAuthrole: string | undefined;
  /** Aborted when the caller cancels, the router's call timeout passes, or the session ends. */
  readonly signal: AbortSignal;
  /** The INVOCATION details as received. */
  readonly details: Record<string, unknown>;
  /** The session serving the call (to call other procedures or publish from a handler). */
  readonly session: Client;
}

/** The progress part of a {@link HandlerContext} of a progressive procedure. */
export interface ProgressContext<P extends Schema> {
  /** True when the caller asked for progressive results. */
  readonly receiveProgress: boolean;
  /**
   * Sends a progressive result (validated by the `progress` schema unless output validation is
   * off; an invalid one throws). Returns false when the caller did not ask for progress.
   */
  progress(value: In<P>): boolean;
}

/** The context of a handler; `progress(value)` exists only for procedures with a `progress` schema. */
export type HandlerContext<P extends Schema | undefined = undefined> = HandlerContextBase & (P extends Schema ? ProgressContext<P> : {});

/** The handler of procedure `D`: validated input in, result out (or a promise of it). */
export type Handler<D extends AnyProcedure> = (input: ParsedInputOf<D>, ctx: HandlerContext<D['progress']>) => HandlerOutputOf<D> | PromiseLike<HandlerOutputOf<D>>;

/** One handler per procedure of contract `C`, by dotted name. */
export type Handlers<C extends AnyContract> = { [K in keyof C['procedures']]: Handler<C['procedures'][K]> };

/** Keys of `H` that `Allowed` does not have are `never`: an extra handler fails to compile. */
export type NoExtraKeys<H, Allowed> = { [K in Exclude<keyof H, keyof Allowed>]: never };

/** The identity of the embedded session {@link implement} opens on a realm. */
export interface SessionIdentity {
  authid?: string;
  authrole?: string;
  authextra?: Record<string, unknown>;
}

/** Where {@link implement} registers: a client session, or a router realm (anything with `session()`, such as `router.realm('realm1')`). */
export type ImplementTarget = Client | { session(identity?: SessionIdentity): Promise<Client> };

/** URI prefix of the reflection procedures: `junction.contract.describe.<contract prefix>` answers with `contract.describe()`. */
export const REFLECTION_PREFIX = 'junction.contract.describe.';

/** The URI of the reflection procedure of a contract with this prefix. */
export function reflectionUri(prefix: string): string {
  return REFLECTION_PREFIX + prefix;
}

/** Logs a server-side problem of a contract implementation. */
export type ContractLog = (level: 'warn' | 'error', message: string, detail?: unknown) => void;

/** Options of {@link implement}. */
export interface ImplementOptions {
  /** Overrides the contract's `validateOutput` for this implementation. */
  validateOutput?: boolean;
  /** REGISTER options for every procedure (e.g. `{ invoke: 'roundrobin' }` to run several callees). */
  register?: RegisterOptions;
  /** Where invalid results and unexpected handler failures are logged. Default `console.error`. */
  log?: ContractLog;
  /** With a realm target: the identity of the embedded session (default: the realm's, authid `router`, authrole `trusted`). */
  identity?: SessionIdentity;
  /**
   * Also register the reflection procedure {@link reflectionUri}(prefix), which answers with
   * `contract.describe()` (for `junction generate --url`). Default true. Registering it may fail
   * (not authorized, already registered by another implementation): that is logged as a warning
   * and does not fail `implement`.
   */
  reflection?: boolean;
}

/** A running implementation: its registrations, and how to stop it. */
export interface Implementation {
  /** The session the procedures are registered on. */
  readonly session: Client;
  /** One registration per procedure, in the contract's order (then the reflection procedure's, when registered). */
  readonly registrations: readonly Registration[];
  /** Unregisters every procedure; closes the session when `implement` opened it (realm target). */
  close(): Promise<void>;
}

const defaultLog: ContractLog = (level, message, detail) => {
  console.error(`[junction contract] ${level}: ${message}`, ...(detail === undefined ? [] : [detail]));
};

/**
 * Registers a handler for every procedure of `contract` on `target`: inputs are validated before
 * a handler runs (`wamp.error.invalid_argument` with `{ issues }` otherwise), results are validated
 * after (a bad one is logged and the caller gets `wamp.error.runtime_error` with no details), and a
 * handler's unexpected exception is logged and answered the same way. Declared errors
 * (`contract.errors.X.create(...)`) and any `WampError` a handler throws reach the caller as they are.
 *
 * `handlers` must have exactly the contract's procedures: a missing or an extra one fails to compile.
 *
 * @example
 * ```ts
 * const impl = await implement(router.realm('realm1')!, api, {
 *   'math.add': ({ a, b }) => a + b,
 * });
 * ```
 */
export async function implement<C extends AnyContract, H extends Handlers<C>>(
  target: ImplementTarget,
  contract: C,
  handlers: H & NoExtraKeys<H, Handlers<C>>,
  options: ImplementOptions = {},
): Promise<Implementation> {
  const procedures = Object.values(contract.procedures as Record<string, ContractProcedure>);
  const table = handlers as unknown as Record<string, unknown>;
  for (const p of procedures) if (typeof table[p.name] !== 'function') throw new TypeError(`implement ${contract.prefix}: no handler for "${p.name}"`);
  for (const name of Object.keys(table)) if (!(name in contract.procedures)) throw new TypeError(`implement ${contract.prefix}: "${name}" is not a procedure of the contract`);

  const ownsSession = !isClient(target);
  const session = isClient(target) ? target : await target.session(options.identity);
  const validateOutput = options.validateOutput ?? contract.validateOutput;
  const log = options.log ?? defaultLog;
  const settled = await Promise.allSettled(
    procedures.map((p) => session.register(p.uri, invocationHandler(p, table[p.name] as UntypedHandler, session, validateOutput, log), options.register)),
  );
  const registrations = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure !== undefined) {
    await Promise.allSettled(registrations.map((r) => r.unregister()));
    if (ownsSession) await session.close();
    throw failure.reason;
  }
  if (options.reflection ?? true) {
    const uri = reflectionUri(contract.prefix);
    try {
      registrations.push(await session.register(uri, () => contract.describe(), options.register));
    } catch (error) {
      log('warn', `could not register the reflection procedure ${uri}`, error);
    }
  }
  return {
    session,
    registrations,
    async close() {
      await Promise.allSettled(registrations.map((r) => r.unregister()));
      if (ownsSession) await session.close();
    },
  };
}

type UntypedHandler = (input: unknown, ctx: unknown) => unknown;

function isClient(target: ImplementTarget): target is Client {
  return typeof (target as Client).register === 'function';
}

/** Wraps a typed handler into the client's invocation handler: validate, run, validate, answer. */
function invocationHandler(p: ContractProcedure, handler: UntypedHandler, session: Client, validateOutput: boolean, log: ContractLog): InvocationHandler {
  return async (args, kwargs, invocation) => {
    let input = check(p.input, readInput(args, kwargs));
    if (input instanceof Promise) input = await input;
    if (!input.ok) throw invalidArgument(`input for ${p.uri}`, input.issues);
    const ctx = new Context(invocation, session, p.progress as Schema | undefined, validateOutput);
    let output: unknown;
    try {
      output = await handler(input.value, ctx);
    } catch (error) {
      throw answerFor(error, p, invocation, log);
    }
    if (!validateOutput) return dropUndefined(output);
    let checked = check(p.output, output);
    if (checked instanceof Promise) checked = await checked;
    if (!checked.ok) {
      log('error', `procedure ${p.uri} returned an invalid result: ${describeIssues(checked.issues)}`, output);
      throw internalError();
    }
    return dropUndefined(checked.value);
  };
}

/** What the caller gets for a handler's exception: WAMP errors as they are, anything else hidden. */
function answerFor(error: unknown, p: ContractProcedure, invocation: InvocationContext, log: ContractLog): unknown {
  if (error instanceof WampError) return error;
  // After an interrupt the client already answered; the handler's abort error goes nowhere.
  if (invocation.signal.aborted) return error;
  log('error', `procedure ${p.uri} failed`, error);
  return internalError();
}

function internalError(): WampError {
  return new WampError(ErrorUri.RUNTIME_ERROR, ['internal error']);
}

/** The handler context: a typed view of the client's invocation context. */
class Context implements HandlerContextBase, ProgressContext<Schema> {
  constructor(
    private readonly invocation: InvocationContext,
    readonly session: Client,
    private readonly progressSchema: Schema | undefined,
    private readonly validate: boolean,
  ) {}

  get procedure(): string {
    return this.invocation.procedure;
  }
  get caller(): number | undefined {
    return this.invocation.caller;
  }
  get callerAuthid(): string | undefined {
    return this.invocation.callerAuthid;
  }
  get callerAuthrole(): string | undefined {
    return this.invocation.callerAuthrole;
  }
  get signal(): AbortSignal {
    return this.invocation.signal;
  }
  get details(): Record<string, unknown> {
    return this.invocation.details;
  }
  get receiveProgress(): boolean {
    return this.invocation.receiveProgress;
  }

  progress(value: unknown): boolean {
    if (this.progressSchema === undefined) throw new TypeError(`procedure ${this.procedure} declares no progress schema`);
    if (this.validate) {
      const checked = check(this.progressSchema, value);
      if (checked instanceof Promise) throw new TypeError('progress schemas must be synchronous');
      if (!checked.ok) throw new TypeError(`invalid progress for ${this.procedure}: ${describeIssues(checked.issues)}`);
      value = checked.value;
    }
    return this.invocation.progress([dropUndefined(value)]);
  }
}
