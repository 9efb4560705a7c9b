import { hasFeature } from '@junction/wamp';
import type { RouterPeer } from '../realm-context.js';
import type { PendingCall } from './pending-calls.js';
import type { Registration } from './registration.js';

/** How many request IDs of ended progressive-invocation calls a caller's state remembers. */
const RECENT_PROGRESSIVE = 32;

/**
 * What the dealer keeps about one joined session: the calls it made, the invocations it serves,
 * its registrations, and the callee features it announced (read once, not per call).
 */
export class DealerPeer {
  /** Calls this session made that wait for a final result, by CALL request ID. */
  readonly calls = new Map<number, PendingCall>();
  /** Invocations this session (as callee) has not answered yet. */
  readonly invocations = new InvocationList();
  /** Registrations this session is a callee of. */
  readonly registrations = new Set<Registration>();
  /** The callee announced `call_canceling`: it may be sent INTERRUPT. */
  readonly canCancel: boolean;
  /** The callee announced `progressive_call_results`: INVOCATION may carry `receive_progress`. */
  readonly progressiveResults: boolean;
  /** The callee announced `progressive_call_invocations` and `call_canceling`, as the spec requires for them. */
  readonly progressiveInvocations: boolean;
  /**
   * Request IDs of progressive-invocation calls that ended before the caller sent its final CALL:
   * continuations that arrive late are dropped, not taken for new calls (a small ring).
   */
  private readonly endedProgressive: number[] = [];
  private endedCursor = 0;

  constructor(readonly peer: RouterPeer) {
    const roles = peer.roles;
    this.canCancel = hasFeature(roles, 'callee', 'call_canceling');
    this.progressiveResults = hasFeature(roles, 'callee', 'progressive_call_results');
    this.progressiveInvocations = this.canCancel && hasFeature(roles, 'callee', 'progressive_call_invocations');
  }

  /** Remembers that the progressive-invocation call `requestId` ended while the caller was still sending. */
  rememberEndedProgressive(requestId: number): void {
    if (this.endedProgressive.length < RECENT_PROGRESSIVE) {
      this.endedProgressive.push(requestId);
    } else {
      this.endedProgressive[this.endedCursor] = requestId;
      this.endedCursor = (this.endedCursor + 1) % RECENT_PROGRESSIVE;
    }
  }

  /** True when `requestId` is a progressive-invocation call that ended while the caller was still sending. */
  endedWhileProgressive(requestId: number): boolean {
    return this.endedProgressive.length > 0 && this.endedProgressive.includes(requestId);
  }
}

/**
 * A callee's unanswered invocations, as a list threaded through the calls themselves: adding and
 * removing cost no hashing and no allocation, where a `Set` churned by one add and one delete per
 * call measurably slowed the call path. Only a leaving callee walks it.
 */
export class InvocationList {
  private first: PendingCall | undefined = undefined;
  private count = 0;

  /** Number of invocations in the list. */
  get size(): number {
    return this.count;
  }

  /** Adds a call (not in any list yet). */
  add(call: PendingCall): void {
    const first = this.first;
    call.calleePrev = undefined;
    call.calleeNext = first;
    if (first !== undefined) first.calleePrev = call;
    this.first = call;
    this.count++;
  }

  /** Removes a call of this list. */
  delete(call: PendingCall): void {
    const prev = call.calleePrev;
    const next = call.calleeNext;
    if (prev !== undefined) prev.calleeNext = next;
    else if (this.first === call) this.first = next;
    else return; // not in this list
    if (next !== undefined) next.calleePrev = prev;
    call.calleePrev = undefined;
    call.calleeNext = undefined;
    this.count--;
  }

  /** The calls, oldest first, as an array (safe to delete from the list while walking it). */
  toArray(): PendingCall[] {
    const calls: PendingCall[] = [];
    for (let call = this.first; call !== undefined; call = call.calleeNext) calls.push(call);
    return calls.reverse();
  }
}
