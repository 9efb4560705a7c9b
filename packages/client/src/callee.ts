import { ErrorUri, MessageType, WampError, type Dict, type InterruptMessage, type InvocationMessage, type YieldMessage } from '@junction/wamp';
import { AsyncQueue } from './async-queue.js';
import { ClientErrorUri } from './errors.js';
import { EMPTY_ARGS, EMPTY_KWARGS, hasKeys, isThenable, type SessionLink } from './session-link.js';

/**
 * What a procedure handler returns to answer with explicit positional and keyword results; see
 * {@link result}. Any other return value `v` is sent as `[v]`, `undefined` as no result.
 */
export class InvocationResult {
  constructor(
    /** Positional results. */
    readonly args: unknown[] = [],
    /** Keyword results. */
    readonly kwargs: Record<string, unknown> = {},
  ) {}
}

/** Builds an {@link InvocationResult}: `return result([a, b], { total })` answers with those args and kwargs. */
export function result(args?: unknown[], kwargs?: Record<string, unknown>): InvocationResult {
  return new InvocationResult(args, kwargs);
}

/** One further chunk of a progressive call invocation, as `ctx.inputs` yields it. */
export interface InvocationChunk {
  /** Positional arguments of this chunk. */
  args: unknown[];
  /** Keyword arguments of this chunk. */
  kwargs: Record<string, unknown>;
  /** The INVOCATION details of this chunk. */
  details: Record<string, unknown>;
  /** True for the caller's final chunk (the iteration ends after it). */
  final: boolean;
}

/**
 * A procedure handler. It answers the call with its return value (or the value its promise
 * resolves to): `undefined` -> no result, {@link InvocationResult} (from {@link result}) -> those
 * args and kwargs, anything else `v` -> `[v]`. Throwing a `WampError` answers with its URI, args and
 * kwargs; any other error answers `wamp.error.runtime_error` with the error's message (no stack).
 */
export type InvocationHandler = (args: unknown[], kwargs: Record<string, unknown>, ctx: InvocationContext) => unknown;

/** A registered procedure as the session dispatches to it. */
export interface ProcedureTarget {
  readonly procedure: string;
  readonly handler: InvocationHandler;
}

/**
 * What a handler knows about the invocation it serves. Created once per INVOCATION.
 */
export class InvocationContext {
  /** @internal */ done = false;
  /** @internal */ queue: AsyncQueue<InvocationChunk> | undefined = undefined;
  /** @internal The caller's final chunk arrived (progressive call invocations). */ lastChunk = false;
  private controller: AbortController | undefined = undefined;
  private interruptReason: WampError | undefined = undefined;

  /** @internal */
  constructor(
    private readonly link: SessionLink,
    /** The INVOCATION request ID. */
    readonly request: number,
    /** The registration ID. */
    readonly registration: number,
    private readonly registeredProcedure: string,
    /** The INVOCATION details as received. */
    readonly details: Record<string, unknown>,
  ) {}

  /** The procedure called: `details.procedure` for pattern registrations, else the registered URI. */
  get procedure(): string {
    const called = this.details.procedure;
    return typeof called === 'string' ? called : this.registeredProcedure;
  }

  /** The caller's session ID, when disclosed. */
  get caller(): number | undefined {
    return typeof this.details.caller === 'number' ? this.details.caller : undefined;
  }

  /** The caller's authid, when disclosed. */
  get callerAuthid(): string | undefined {
    return typeof this.details.caller_authid === 'string' ? this.details.caller_authid : undefined;
  }

  /** The caller's authrole, when disclosed. */
  get callerAuthrole(): string | undefined {
    return typeof this.details.caller_authrole === 'string' ? this.details.caller_authrole : undefined;
  }

  /** True when the caller asked for progressive results: {@link InvocationContext.progress} sends them. */
  get receiveProgress(): boolean {
    return this.details.receive_progress === true;
  }

  /**
   * Aborted when the router interrupts the invocation (the caller cancelled it or it timed out at
   * the dealer) or the session ends; `signal.reason` is a `WampError`. Created on first use.
   */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.interruptReason !== undefined) this.controller.abort(this.interruptReason);
    }
    return this.controller.signal;
  }

  /**
   * For a progressive call invocation (the caller streams its arguments): the chunks after the
   * first one, which the handler received as its arguments. The iteration ends after the caller's
   * final chunk, and fails with `wamp.error.canceled` when the call is interrupted. `undefined`
   * for ordinary invocations.
   */
  get inputs(): AsyncIterable<InvocationChunk> | undefined {
    return this.queue;
  }

  /**
   * Sends a progressive result. Returns false (and sends nothing) when the caller did not ask for
   * progressive results or the invocation is already answered.
   */
  progress(args?: unknown[], kwargs?: Record<string, unknown>): boolean {
    if (this.done || !this.receiveProgress) return false;
    const message: YieldMessage = kwargs !== undefined ? [MessageType.YIELD, this.request, { progress: true }, args ?? [], kwargs] : [MessageType.YIELD, this.request, { progress: true }, args ?? []];
    this.link.send(message);
    return true;
  }

  /** @internal Aborts the signal and the input stream. */
  interrupt(reason: WampError): void {
    if (this.interruptReason !== undefined) return;
    this.interruptReason = reason;
    this.queue?.fail(reason);
    this.controller?.abort(reason);
  }
}

/**
 * The callee role: dispatches INVOCATIONs to handlers, answers with YIELD or ERROR, streams
 * progressive results, reacts to INTERRUPT, feeds progressive call invocations to `ctx.inputs`.
 */
export class Callee {
  /** Registration ID -> procedure, filled when REGISTERED arrives. */
  readonly registrations = new Map<number, ProcedureTarget>();
  /** Invocations not yet answered, plus answered progressive invocations still receiving chunks. */
  private readonly invocations = new Map<number, InvocationContext>();
  /**
   * Request IDs of progressive invocations answered before the caller's final chunk (a small
   * ring): chunks already on their way are dropped, not taken for new invocations. A ring, not the
   * map above, since the dealer drops the caller's later chunks, so the final one may never come.
   */
  private readonly answeredEarly: number[] = [];
  private answeredCursor = 0;

  constructor(private readonly link: SessionLink) {}

  /** Invocations in flight. */
  get size(): number {
    return this.invocations.size;
  }

  onInvocation(message: InvocationMessage): void {
    const id = message[1];
    const details = message[3];
    const running = this.invocations.get(id);
    if (running !== undefined) {
      this.continueProgressive(running, message);
      return;
    }
    if (this.answeredEarly.length > 0) {
      const index = this.answeredEarly.indexOf(id);
      if (index >= 0) {
        // A late chunk of a progressive invocation we answered; after the final one the ID is free.
        if (details.progress !== true) this.answeredEarly[index] = 0;
        return;
      }
    }
    const target = this.registrations.get(message[2]);
    if (target === undefined) {
      this.link.send([MessageType.ERROR, MessageType.INVOCATION, id, {}, ErrorUri.NO_SUCH_REGISTRATION, [`no registration ${message[2]} in this session`]]);
      return;
    }
    const ctx = new InvocationContext(this.link, id, message[2], target.procedure, details);
    if (details.progress === true) ctx.queue = new AsyncQueue<InvocationChunk>({ max: MAX_QUEUED_CHUNKS, overflow: inputsOverflow });
    this.invocations.set(id, ctx);
    let outcome: unknown;
    try {
      outcome = target.handler(message[4] ?? EMPTY_ARGS, message[5] ?? EMPTY_KWARGS, ctx);
    } catch (error) {
      this.answerError(ctx, error);
      return;
    }
    if (isThenable(outcome)) {
      outcome.then(
        (value) => this.answer(ctx, value),
        (error: unknown) => this.answerError(ctx, error),
      );
    } else {
      this.answer(ctx, outcome);
    }
  }

  onInterrupt(message: InterruptMessage): void {
    const ctx = this.invocations.get(message[1]);
    if (ctx === undefined || ctx.done) return; // already answered: the dealer drops whatever follows
    const mode = message[2].mode;
    // The dealer says why (`wamp.error.canceled`, or `wamp.error.timeout` for its call timeout).
    const uri = typeof message[2].reason === 'string' ? message[2].reason : ErrorUri.CANCELED;
    const reason = new WampError(uri, ['invocation interrupted by the router']);
    ctx.done = true;
    this.invocations.delete(ctx.request);
    ctx.interrupt(reason);
    // killnowait: the dealer expects no answer; kill (and no mode): answer now, whatever the handler does later.
    if (mode !== 'killnowait') this.link.send([MessageType.ERROR, MessageType.INVOCATION, ctx.request, {}, uri, reason.args]);
  }

  /** The session ended: abort every running handler. */
  failAll(reason: WampError): void {
    const running = [...this.invocations.values()];
    this.invocations.clear();
    for (const ctx of running) {
      ctx.done = true;
      ctx.interrupt(reason);
    }
  }

  private continueProgressive(ctx: InvocationContext, message: InvocationMessage): void {
    const details = message[3];
    const final = details.progress !== true;
    ctx.queue?.push({ args: message[4] ?? EMPTY_ARGS, kwargs: message[5] ?? EMPTY_KWARGS, details, final });
    if (final) {
      ctx.lastChunk = true;
      ctx.queue?.end();
    }
  }

  private release(ctx: InvocationContext): void {
    ctx.done = true;
    this.invocations.delete(ctx.request);
    const queue = ctx.queue;
    if (queue === undefined || ctx.lastChunk) return;
    // Answered before the caller's final chunk (the handler may also have left ctx.inputs, or it
    // overflowed): the remaining chunks must not be mistaken for new invocations. The input stream
    // ends here (the dealer forwards no more chunks).
    queue.end();
    if (this.answeredEarly.length < ANSWERED_EARLY_RING) {
      this.answeredEarly.push(ctx.request);
    } else {
      this.answeredEarly[this.answeredCursor] = ctx.request;
      this.answeredCursor = (this.answeredCursor + 1) % ANSWERED_EARLY_RING;
    }
  }

  private answer(ctx: InvocationContext, value: unknown): void {
    if (ctx.done) return;
    this.release(ctx);
    let message: YieldMessage;
    if (value === undefined) message = [MessageType.YIELD, ctx.request, {}];
    else if (value instanceof InvocationResult) {
      message = hasKeys(value.kwargs) ? [MessageType.YIELD, ctx.request, {}, value.args, value.kwargs] : [MessageType.YIELD, ctx.request, {}, value.args];
    } else message = [MessageType.YIELD, ctx.request, {}, [value]];
    try {
      this.link.send(message);
    } catch (error) {
      // The result could not be serialized: tell the caller rather than leave the call hanging.
      this.sendError(ctx, ErrorUri.RUNTIME_ERROR, [`result could not be serialized: ${describe(error)}`], undefined);
    }
  }

  private answerError(ctx: InvocationContext, error: unknown): void {
    if (ctx.done) return;
    this.release(ctx);
    if (error instanceof WampError) {
      try {
        this.sendError(ctx, error.uri, error.args, error.kwargs);
        return;
      } catch (encodeError) {
        error = encodeError;
      }
    }
    this.sendError(ctx, ErrorUri.RUNTIME_ERROR, [describe(error)], undefined);
  }

  private sendError(ctx: InvocationContext, uri: string, args: unknown[], kwargs: Dict | undefined): void {
    if (kwargs !== undefined && hasKeys(kwargs)) this.link.send([MessageType.ERROR, MessageType.INVOCATION, ctx.request, {}, uri, args, kwargs]);
    else if (args.length > 0) this.link.send([MessageType.ERROR, MessageType.INVOCATION, ctx.request, {}, uri, args]);
    else this.link.send([MessageType.ERROR, MessageType.INVOCATION, ctx.request, {}, uri]);
  }
}

/**
 * Chunks of a progressive call invocation buffered for a handler that reads `ctx.inputs` slower
 * than the caller sends (or not at all): past this, the input stream fails and later chunks are
 * dropped, so a caller cannot grow the callee's memory without bound.
 */
const MAX_QUEUED_CHUNKS = 10_000;

function inputsOverflow(): WampError {
  return new WampError(ClientErrorUri.QUEUE_OVERFLOW, [`more than ${MAX_QUEUED_CHUNKS} input chunks queued for a slow handler`]);
}

/** How many early-answered progressive invocations the callee remembers (see `Callee.answeredEarly`). */
const ANSWERED_EARLY_RING = 32;

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : String(error);
}
