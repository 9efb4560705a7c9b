/** The largest WAMP ID: 2^53, the largest integer every serializer and JavaScript carry exactly. */
export const MAX_ID = 2 ** 53;

/** A global-scope ID (session, publication): uniformly random in [1, 2^53], as the spec asks. */
export function randomId(): number {
  // 53 random bits from two 32-bit draws (Math.random carries only 52 of them), then shift into [1, 2^53].
  const high = (Math.random() * 0x200000) >>> 0; // 21 bits
  const low = (Math.random() * 0x100000000) >>> 0; // 32 bits
  return high * 0x100000000 + low + 1;
}

/** Session-scope IDs (request IDs): sequential from 1, wrapping after 2^53. */
export class IdSequence {
  private last = 0;

  /** The next ID. */
  next(): number {
    this.last = this.last >= MAX_ID ? 1 : this.last + 1;
    return this.last;
  }
}

/** True for a valid WAMP ID: an integer in [1, 2^53]. */
export function isWampId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_ID;
}
