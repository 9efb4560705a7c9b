import { ErrorUri, MessageType, WampError, type CallMessage, type Dict, type ErrorMessage, type ResultMessage } from '@junction/wamp';
import { EMPTY_ARGS, EMPTY_KWARGS, hasKeys, type SessionLink } from './session-link.js';
import type { CallOptions, CallResult, CancelMode } from './types.js';

/** The longest delay a timer takes (about 24.8 days); a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** One call in flight: the only per-call record (besides the promise and the message array). */
class PendingCall {
  resolve!: (result: CallResult) => void;
  reject!: (error: unknown) => void;
  /** The promise was settled locally (cancel or timeout): nothing may settle it again. */
  settled = false;
  onProgress: ((result: CallResult) => void) | undefined = undefined;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  signal: AbortSignal | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;
}

/**
 * The caller role: CALL, RESULT (final and progressive), ERROR, CANCEL. Every call's promise
 * settles exactly once: by the router's answer, by its timeout, by its abort signal, or when the
 * session ends.
 */
export class Caller {
  private readonly pending = new Map<number, PendingCall>();

  constructor(private readonly link: SessionLink) {}

  /** Calls in flight (a call cancelled or timed out locally no longer counts). */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Sends a CALL. With `stream`, the CALL opens a progressive call invocation (`progress: true`)
   * and `stream.id` receives the request ID for the later chunks.
   */
  call(procedure: string, args?: unknown[], kwargs?: Record<string, unknown>, options?: CallOptions, stream?: { id: number }): Promise<CallResult> {
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(new WampError(ErrorUri.CANCELED, ['call canceled before it was sent']));
    const id = this.link.nextId();
    if (stream !== undefined) stream.id = id;
    const record = new PendingCall();
    const promise = new Promise<CallResult>((resolve, reject) => {
      record.resolve = resolve;
      record.reject = reject;
    });
    const callOptions: Dict = {};
    let message: CallMessage;
    if (kwargs !== undefined && hasKeys(kwargs)) message = [MessageType.CALL, id, callOptions, procedure, args ?? [], kwargs];
    else if (args !== undefined && args.length > 0) message = [MessageType.CALL, id, callOptions, procedure, args];
    else message = [MessageType.CALL, id, callOptions, procedure];
    if (options !== undefined) {
      const timeout = options.timeout;
      if (timeout !== undefined && timeout > 0) {
        callOptions.timeout = timeout;
        // Longer than a timer can hold, setTimeout would fire at once: leave it to the dealer.
        if (timeout <= MAX_TIMER_MS) record.timer = setTimeout(() => this.abandon(id, ErrorUri.TIMEOUT, `call timed out after ${timeout} ms`, 'killnowait'), timeout);
      }
      if (options.onProgress !== undefined) {
        callOptions.receive_progress = true;
        record.onProgress = options.onProgress;
      }
      if (options.discloseMe === true) callOptions.disclose_me = true;
      if (options.options !== undefined) Object.assign(callOptions, options.options);
      if (stream !== undefined) callOptions.progress = true;
      if (signal !== undefined) {
        const mode = options.cancelMode ?? 'killnowait';
        record.signal = signal;
        record.onAbort = () => this.abandon(id, ErrorUri.CANCELED, 'call canceled', mode);
        signal.addEventListener('abort', record.onAbort, { once: true });
      }
    } else if (stream !== undefined) callOptions.progress = true;
    this.pending.set(id, record);
    try {
      this.link.send(message);
    } catch (error) {
      this.pending.delete(id);
      this.finish(record);
      return Promise.reject(error);
    }
    return promise;
  }

  /**
   * Sends a further chunk of a progressive call invocation (`final`: the last one). Returns false
   * (and sends nothing) when the call has already ended (answered, cancelled, timed out).
   */
  chunk(id: number, procedure: string, args: unknown[] | undefined, kwargs: Record<string, unknown> | undefined, final: boolean): boolean {
    const record = this.pending.get(id);
    if (record === undefined || record.settled) return false;
    const callOptions: Dict = final ? {} : { progress: true };
    let message: CallMessage;
    if (kwargs !== undefined && hasKeys(kwargs)) message = [MessageType.CALL, id, callOptions, procedure, args ?? [], kwargs];
    else if (args !== undefined && args.length > 0) message = [MessageType.CALL, id, callOptions, procedure, args];
    else message = [MessageType.CALL, id, callOptions, procedure];
    this.link.send(message);
    return true;
  }

  /** Handles RESULT. */
  onResult(message: ResultMessage): void {
    const id = message[1];
    const record = this.pending.get(id);
    if (record === undefined) return; // late answer to a call we no longer track
    const details = message[2];
    if (details.progress === true) {
      if (record.settled || record.onProgress === undefined) return;
      try {
        record.onProgress({ args: message[3] ?? EMPTY_ARGS, kwargs: message[4] ?? EMPTY_KWARGS, details });
      } catch (error) {
        this.link.reportError(error);
      }
      return;
    }
    this.pending.delete(id);
    if (record.settled) return;
    this.finish(record);
    record.resolve({ args: message[3] ?? EMPTY_ARGS, kwargs: message[4] ?? EMPTY_KWARGS, details });
  }

  /** Handles ERROR for a CALL. */
  onError(message: ErrorMessage): void {
    const id = message[2];
    const record = this.pending.get(id);
    if (record === undefined) return;
    this.pending.delete(id);
    if (record.settled) return;
    this.finish(record);
    record.reject(new WampError(message[4], message[5] ?? [], message[6] ?? {}, message[3]));
  }

  /** The session ended: every call still waiting rejects with `error`. */
  failAll(error: WampError): void {
    const records = [...this.pending.values()];
    this.pending.clear();
    for (const record of records) {
      if (record.settled) continue;
      this.finish(record);
      record.reject(error);
    }
  }

  /**
   * Settles a call locally (cancel or timeout): rejects now and, when the dealer supports it, sends
   * CANCEL. The record goes at once: the router's late answer (if one ever comes: a dealer without
   * canceling, or a callee that ignores `kill`, may never send one) finds no call and is dropped.
   */
  private abandon(id: number, uri: string, text: string, mode: CancelMode): void {
    const record = this.pending.get(id);
    if (record === undefined || record.settled) return;
    record.settled = true;
    this.pending.delete(id);
    this.finish(record);
    record.reject(new WampError(uri, [text]));
    if (this.link.dealerCancels) {
      try {
        this.link.send([MessageType.CANCEL, id, { mode }]);
      } catch (error) {
        this.link.reportError(error);
      }
    }
  }

  private finish(record: PendingCall): void {
    if (record.timer !== undefined) {
      clearTimeout(record.timer);
      record.timer = undefined;
    }
    if (record.onAbort !== undefined) {
      record.signal!.removeEventListener('abort', record.onAbort);
      record.onAbort = undefined;
      record.signal = undefined;
    }
    record.onProgress = undefined;
  }
}
