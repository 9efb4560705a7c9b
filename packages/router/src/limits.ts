import type { RouterLimits } from './realm-context.js';

/** The default limits: safe for a public router, generous for ordinary applications. */
export const DEFAULT_LIMITS: Readonly<RouterLimits> = Object.freeze({
  maxMessageSize: 16 * 1024 * 1024,
  maxPendingCallsPerSession: 1000,
  maxSubscriptionsPerSession: 1000,
  maxRegistrationsPerSession: 1000,
  maxMessagesPerSecond: 10_000,
  maxSessionsPerRealm: 10_000,
  interruptTimeout: 10_000,
  maxBufferedAmount: 16 * 1024 * 1024,
});

/** Fills the limits not given with the defaults, and checks the given ones. */
export function resolveLimits(limits: Partial<RouterLimits> = {}): RouterLimits {
  const resolved = { ...DEFAULT_LIMITS, ...limits };
  for (const [name, value] of Object.entries(resolved)) {
    if (typeof value !== 'number' || !(value > 0)) throw new RangeError(`limits.${name} must be a positive number, got ${String(value)}`);
  }
  return resolved;
}
