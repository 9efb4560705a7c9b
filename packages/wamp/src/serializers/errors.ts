/** The Error an encoder throws: which format, and why (a cycle, a BigInt beyond 64 bits, ...). */
export function encodeError(format: string, cause: unknown): Error {
  const reason = cause instanceof RangeError && /call stack/i.test(cause.message)
    ? 'it is nested too deeply or cyclic'
    : cause instanceof Error ? cause.message : String(cause);
  return new Error(`cannot encode WAMP message as ${format}: ${reason}`, { cause });
}
