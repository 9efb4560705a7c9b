/**
 * An application or protocol error as WAMP carries it: an error URI with optional positional and
 * keyword arguments. Handlers throw it to answer a call with that error; callers receive it.
 */
export class WampError extends Error {
  /** The error URI, e.g. `wamp.error.invalid_argument` or `com.example.not_found`. */
  readonly uri: string;
  /** Positional arguments of the error. */
  readonly args: unknown[];
  /** Keyword arguments of the error. */
  readonly kwargs: Record<string, unknown>;
  /** The ERROR message's details dict (as received), if any. */
  readonly details: Record<string, unknown>;

  constructor(uri: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}, details: Record<string, unknown> = {}) {
    super(WampError.describe(uri, args, kwargs));
    this.name = 'WampError';
    this.uri = uri;
    this.args = args;
    this.kwargs = kwargs;
    this.details = details;
  }

  private static describe(uri: string, args: unknown[], kwargs: Record<string, unknown>): string {
    const first = args[0];
    if (typeof first === 'string') return `${uri}: ${first}`;
    if (typeof kwargs.message === 'string') return `${uri}: ${kwargs.message}`;
    return uri;
  }
}
