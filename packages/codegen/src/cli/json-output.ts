/** How `call` and `subscribe` print WAMP payloads: one line of JSON each. */

/**
 * JSON text of a value that may hold what MessagePack and CBOR decode to but JSON lacks: binary
 * becomes a string `"\u0000" + base64` (the WAMP JSON serializer's convention), a bigint a
 * number when it is safe, else its decimal string.
 */
export function toJsonLine(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
    if (v instanceof Uint8Array) return `\u0000${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')}`;
    if (v !== null && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) {
      return `\u0000${Buffer.from((v as { data: number[] }).data).toString('base64')}`; // Buffer#toJSON ran first
    }
    return v;
  });
}

/** A result or event payload: `args[0]` when it is the only thing, else `{ args, kwargs }`. */
export function payload(args: readonly unknown[] | undefined, kwargs: Record<string, unknown> | undefined): unknown {
  const a = args ?? [];
  const k = kwargs ?? {};
  if (a.length === 1 && Object.keys(k).length === 0) return a[0];
  return { args: a, kwargs: k };
}
