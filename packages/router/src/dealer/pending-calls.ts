import { IdSequence, type Dict } from '@junction/wamp';
import type { DealerPeer } from './dealer-peer.js';

/**
 * One routed call between its INVOCATION and the final answer to the caller. The dealer keeps
 * exactly one of these per call, and nothing else (no closures, no timer unless `timeout`).
 */
export class PendingCall {
  /** Dealer-side timer for `CALL.Options.timeout`; only set when the caller gave one. */
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** Bound on the wait for the callee's answer after INTERRUPT `kill` (`interruptTimeout`). */
  interruptTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** INTERRUPT was sent (cancel `kill`): the call still waits for the callee's answer. */
  interrupted = false;
  /** Progressive call invocations: the caller has not sent its final CALL yet. */
  invocationOpen = false;
  /** The first INVOCATION's details, repeated in later INVOCATIONs of a progressive call (options freeze). */
  invocationDetails: Dict | undefined = undefined;
  /** Links of the callee's list of unanswered invocations (`DealerPeer.invocations`). */
  calleePrev: PendingCall | undefined = undefined;
  calleeNext: PendingCall | undefined = undefined;

  constructor(
    /** INVOCATION.Request: unique among the dealer's pending calls. */
    readonly invocationId: number,
    readonly caller: DealerPeer,
    /** CALL.Request of the caller. */
    readonly requestId: number,
    readonly callee: DealerPeer,
    readonly registrationId: number,
    /** CALL.Procedure (for error texts). */
    readonly procedure: string,
    /** The caller asked for progressive results (`receive_progress`). */
    readonly receiveProgress: boolean,
  ) {}
}

/**
 * The dealer's pending calls by invocation ID, with the per-session indexes kept in step: the
 * caller's calls by request ID (cancel, progressive continuations, limits) and the callee's
 * unanswered invocations (when it leaves).
 */
export class PendingCalls {
  private readonly byInvocation = new Map<number, PendingCall>();
  private readonly ids = new IdSequence();

  /** Number of pending calls. */
  get size(): number {
    return this.byInvocation.size;
  }

  /** Every pending call (a full walk: for rare events such as a cluster node leaving). */
  values(): IterableIterator<PendingCall> {
    return this.byInvocation.values();
  }

  /** The pending call with this invocation ID. */
  get(invocationId: number): PendingCall | undefined {
    return this.byInvocation.get(invocationId);
  }

  /** Records a new call and gives it an invocation ID. */
  open(caller: DealerPeer, requestId: number, callee: DealerPeer, registrationId: number, procedure: string, receiveProgress: boolean): PendingCall {
    let id = this.ids.next();
    while (this.byInvocation.has(id)) id = this.ids.next(); // only after 2^53 IDs
    const call = new PendingCall(id, caller, requestId, callee, registrationId, procedure, receiveProgress);
    this.byInvocation.set(id, call);
    caller.calls.set(requestId, call);
    callee.invocations.add(call);
    return call;
  }

  /**
   * Forgets a call (answered, canceled, timed out, or one side left) and stops its timer. Returns
   * false when it was already closed, so that each call ends exactly once.
   */
  close(call: PendingCall): boolean {
    if (!this.byInvocation.delete(call.invocationId)) return false;
    if (call.caller.calls.get(call.requestId) === call) call.caller.calls.delete(call.requestId);
    call.callee.invocations.delete(call);
    if (call.interruptTimer !== undefined) {
      clearTimeout(call.interruptTimer);
      call.interruptTimer = undefined;
    }
    if (call.timer !== undefined) {
      clearTimeout(call.timer);
      call.timer = undefined;
    }
    if (call.invocationOpen) {
      call.invocationOpen = false;
      call.caller.rememberEndedProgressive(call.requestId);
    }
    return true;
  }
}
