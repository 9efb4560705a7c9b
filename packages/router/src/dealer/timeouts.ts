/**
 * Call timeouts (spec "Call Timeouts"), dealer-initiated: one timer per call that asked for one.
 */

/** The longest delay a Node timer takes (about 24.8 days); longer timeouts are as good as none. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * `CALL.Options.timeout` in ms: 0 when absent, 0 or too long to matter (no timer), the value for a
 * positive integer, and -1 when it is not a non-negative integer (the caller gets `invalid_argument`).
 */
export function parseTimeout(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) return -1;
  return value > MAX_TIMER_MS ? 0 : value;
}
