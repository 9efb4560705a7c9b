/**
 * Call canceling (spec "Call Canceling"): what a CANCEL does to a pending call, by mode and by
 * whether the callee announced `call_canceling`. See docs/wamp.md, "Call canceling".
 */

/** `CANCEL.Options.mode`. */
export type CancelMode = 'skip' | 'kill' | 'killnowait';

/** The mode of a CANCEL without `mode`: the spec names none; stopping the callee's work is the useful default. */
export const DEFAULT_CANCEL_MODE: CancelMode = 'killnowait';

/** The mode named by `CANCEL.Options.mode` (absent: `DEFAULT_CANCEL_MODE`), or undefined when it names none. */
export function parseCancelMode(value: unknown): CancelMode | undefined {
  if (value === undefined) return DEFAULT_CANCEL_MODE;
  return value === 'skip' || value === 'kill' || value === 'killnowait' ? value : undefined;
}

/** What the dealer does for one CANCEL. */
export interface CancelPlan {
  /** Answer the caller with ERROR `wamp.error.canceled` now and forget the call (any later answer is dropped). */
  readonly endNow: boolean;
  /** The INTERRUPT mode to send the callee, or undefined to send none. */
  readonly interrupt: 'kill' | 'killnowait' | undefined;
}

const SKIP: CancelPlan = Object.freeze({ endNow: true, interrupt: undefined });
const KILL: CancelPlan = Object.freeze({ endNow: false, interrupt: 'kill' });
const KILL_NO_WAIT: CancelPlan = Object.freeze({ endNow: true, interrupt: 'killnowait' });

/**
 * The plan for `mode`: `skip` ends the call at once without INTERRUPT; `kill` sends INTERRUPT and
 * waits for the callee's RESULT or ERROR, which the caller then gets; `killnowait` ends the call at
 * once and sends INTERRUPT. A callee that did not announce `call_canceling` never gets INTERRUPT:
 * every mode is then `skip`.
 */
export function planCancel(mode: CancelMode, calleeCanCancel: boolean): CancelPlan {
  if (!calleeCanCancel || mode === 'skip') return SKIP;
  return mode === 'kill' ? KILL : KILL_NO_WAIT;
}
