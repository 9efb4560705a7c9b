import type { Caller } from './caller.js';
import type { CallResult } from './types.js';

const noop = (): void => {};

/**
 * A call whose arguments are streamed (WAMP progressive call invocations): the first chunk goes
 * out when it is made, further chunks with {@link ProgressiveCall.send}, the last one with
 * {@link ProgressiveCall.end}. The callee may answer with progressive results meanwhile
 * (`onProgress`) and with its final result at any time. Made by `Client.progressiveCall`.
 */
export class ProgressiveCall {
  /** The call's outcome: the final RESULT, or the error (also when the call could not start). */
  readonly result: Promise<CallResult>;
  private ended = false;

  /** @internal */
  constructor(
    /** The procedure called. */
    readonly procedure: string,
    private readonly caller: Caller | null,
    private readonly id: number,
    result: Promise<CallResult>,
  ) {
    this.result = result;
    result.catch(noop); // reported through `result` / `end()`; never an unhandled rejection
  }

  /**
   * Sends one more chunk. Returns false (sending nothing) once the call is over: ended, answered,
   * cancelled, timed out or disconnected. Throws when the arguments cannot be serialized.
   */
  send(args?: unknown[], kwargs?: Record<string, unknown>): boolean {
    if (this.ended || this.caller === null) return false;
    return this.caller.chunk(this.id, this.procedure, args, kwargs, false);
  }

  /** Sends the final chunk and returns {@link ProgressiveCall.result}. */
  end(args?: unknown[], kwargs?: Record<string, unknown>): Promise<CallResult> {
    if (!this.ended && this.caller !== null) {
      this.ended = true;
      this.caller.chunk(this.id, this.procedure, args, kwargs, true);
    }
    this.ended = true;
    return this.result;
  }
}
