/** Reconnect policy: exponential backoff with jitter. */
export interface ReconnectOptions {
  /** Delay before the first attempt, in ms. Default 100. */
  initialDelay?: number;
  /** Upper bound of the delay, in ms. Default 10000. */
  maxDelay?: number;
  /** Growth of the delay per attempt. Default 2. */
  factor?: number;
  /** Fraction of the delay taken off at random (0: none, 1: anywhere down to 0). Default 0.5. */
  jitter?: number;
  /** Attempts after a loss (or for the first connection) before giving up. Default `Infinity`. */
  maxRetries?: number;
}

/** The defaults of {@link ReconnectOptions}. */
export const DEFAULT_RECONNECT: Readonly<Required<ReconnectOptions>> = Object.freeze({
  initialDelay: 100,
  maxDelay: 10_000,
  factor: 2,
  jitter: 0.5,
  maxRetries: Infinity,
});

/** {@link ReconnectOptions} with defaults filled in and values checked. */
export function reconnectPolicy(options: ReconnectOptions = {}): Required<ReconnectOptions> {
  const policy = { ...DEFAULT_RECONNECT, ...stripUndefined(options) };
  if (!(policy.initialDelay >= 0) || !(policy.maxDelay >= 0) || !(policy.factor >= 1) || !(policy.jitter >= 0 && policy.jitter <= 1) || !(policy.maxRetries >= 0)) {
    throw new RangeError('reconnect: delays must be >= 0, factor >= 1, jitter in [0, 1], maxRetries >= 0');
  }
  return policy;
}

/**
 * Delay before reconnect attempt `attempt` (1 for the first): `initialDelay * factor^(attempt-1)`
 * capped at `maxDelay`, minus up to `jitter` of it at random (so many clients dropped at once do not
 * come back in step).
 */
export function reconnectDelay(attempt: number, policy: Required<ReconnectOptions>, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelay, policy.initialDelay * policy.factor ** Math.max(0, attempt - 1));
  return Math.round(base * (1 - policy.jitter * random()));
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] !== undefined) out[key] = value[key];
  return out;
}
