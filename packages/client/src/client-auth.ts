/**
 * How a client authenticates: the methods and identity it announces in HELLO, and how it answers
 * the router's CHALLENGE. `ticketAuth`, `wampcraAuth` and `cryptosignAuth` implement it; without
 * one the client joins anonymously.
 */
export interface ClientAuth {
  /** Methods offered in `HELLO.Details.authmethods`, in order of preference. */
  authmethods: string[];
  /** `HELLO.Details.authid`. */
  authid?: string;
  /** `HELLO.Details.authextra` (e.g. the public key for cryptosign). */
  authextra?: Record<string, unknown>;
  /**
   * Answers a CHALLENGE for `method` with its `extra`; the result becomes the AUTHENTICATE message.
   * A rejection aborts the session establishment.
   */
  onChallenge(method: string, extra: Record<string, unknown>): Promise<{ signature: string; extra?: Record<string, unknown> }>;
}
