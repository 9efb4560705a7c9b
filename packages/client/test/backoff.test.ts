import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_RECONNECT, reconnectDelay, reconnectPolicy } from '../src/index.js';

describe('reconnect backoff', () => {
  it('grows by the factor from initialDelay and stops at maxDelay', () => {
    const policy = reconnectPolicy({ initialDelay: 100, factor: 2, maxDelay: 1000, jitter: 0 });
    expect([1, 2, 3, 4, 5, 6].map((n) => reconnectDelay(n, policy))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('jitter takes off up to that fraction of the delay', () => {
    const policy = reconnectPolicy({ initialDelay: 1000, jitter: 0.5 });
    expect(reconnectDelay(1, policy, () => 0)).toBe(1000);
    expect(reconnectDelay(1, policy, () => 0.999999)).toBe(500);
    expect(reconnectDelay(1, policy, () => 0.5)).toBe(750);
  });

  it('stays within [base * (1 - jitter), min(maxDelay, base)] for any policy and attempt', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.double({ min: 1, max: 4, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 200 }),
        fc.double({ min: 0, max: 0.9999999, noNaN: true }),
        (initialDelay, maxDelay, factor, jitter, attempt, random) => {
          const policy = reconnectPolicy({ initialDelay, maxDelay, factor, jitter });
          const delay = reconnectDelay(attempt, policy, () => random);
          const base = Math.min(maxDelay, initialDelay * factor ** (attempt - 1));
          return delay <= Math.round(base) && delay >= Math.floor(base * (1 - jitter)) && Number.isFinite(delay);
        },
      ),
    );
  });

  it('has the documented defaults and refuses nonsense', () => {
    expect(reconnectPolicy()).toEqual({ initialDelay: 100, maxDelay: 10_000, factor: 2, jitter: 0.5, maxRetries: Infinity });
    expect(reconnectPolicy({ maxRetries: undefined })).toEqual(DEFAULT_RECONNECT);
    expect(() => reconnectPolicy({ jitter: 2 })).toThrow(RangeError);
    expect(() => reconnectPolicy({ initialDelay: -1 })).toThrow(RangeError);
    expect(() => reconnectPolicy({ factor: 0.5 })).toThrow(RangeError);
  });
});
