/**
 * Shared registrations (spec "Shared Registration"): which of a registration's callees a call goes to.
 */

/** How calls are spread over the callees of one registration (`REGISTER.Options.invoke`). */
export type InvocationPolicy = 'single' | 'roundrobin' | 'random' | 'first' | 'last';

const POLICIES: ReadonlySet<string> = new Set<InvocationPolicy>(['single', 'roundrobin', 'random', 'first', 'last']);

/** The policy named by `REGISTER.Options.invoke` (absent means `single`), or undefined when it names none. */
export function parseInvocationPolicy(value: unknown): InvocationPolicy | undefined {
  if (value === undefined) return 'single';
  return typeof value === 'string' && POLICIES.has(value) ? (value as InvocationPolicy) : undefined;
}

/**
 * Picks one of `callees` (ordered by registration time, never empty) for the next call.
 * `cursor` is the registration's round-robin position; the picked index is returned and the
 * caller stores `index + 1` as the next cursor for round-robin.
 */
export function pickIndex(policy: InvocationPolicy, count: number, cursor: number): number {
  switch (policy) {
    case 'roundrobin':
      return cursor < count ? cursor : 0;
    case 'random':
      return count === 1 ? 0 : Math.floor(Math.random() * count);
    case 'last':
      return count - 1;
    default: // single, first
      return 0;
  }
}
