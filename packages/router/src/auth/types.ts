/**
 * The contract between the router session and its authenticators. A session picks one
 * {@link Authenticator} for a HELLO (see `selectAuthenticator`), calls {@link Authenticator.hello},
 * and, when that asks for a challenge, sends CHALLENGE and later hands the client's AUTHENTICATE to
 * {@link Authenticator.authenticate}. Both answer with an {@link AuthStep}; neither ever throws or
 * rejects (a failing user hook becomes an `abort` step), so the session needs no try/catch here.
 */

/** What an authenticator sees of a HELLO. */
export interface AuthHello {
  /** The realm the client asked to join. */
  realm: string;
  /** `HELLO.Details`: `authmethods`, `authid`, `authextra`, `authrole`, `roles`, ... (unvalidated here). */
  details: Record<string, unknown>;
  /**
   * What the upgrade-request hook returned for this connection (cookie or bearer header checked
   * at the HTTP level), or `undefined`/`null` when there was none. See `upgradeRequestAuth`.
   */
  transportAuth: unknown;
  /** The session ID the session will have once welcomed (wampcra puts it in its challenge). */
  sessionId: number;
}

/** Who a session is once authenticated: echoed in WELCOME.Details. */
export interface AuthIdentity {
  authid: string;
  authrole: string;
  authmethod: string;
  authprovider: string;
  /** Goes to WELCOME.Details.authextra when present. */
  authextra?: Record<string, unknown>;
}

/** What the session does next. */
export type AuthStep =
  /** Send WELCOME with this identity (the session should still check the role exists, see `RealmAuthorizer.hasRole`). */
  | { kind: 'welcome'; identity: AuthIdentity }
  /** Send `[CHALLENGE, method, extra]` and keep `state` for {@link Authenticator.authenticate}. */
  | { kind: 'challenge'; method: string; extra: Record<string, unknown>; state: unknown }
  /**
   * Send `[ABORT, {message}, reason]`. `reason` is a spec URI: `wamp.error.authentication_failed`
   * (wrong secret, bad signature, expired or reused challenge, failing hook),
   * `wamp.error.no_such_principal` (unknown authid or key), `wamp.error.no_such_role`.
   * `message` is safe to show the client: it never contains a secret.
   */
  | { kind: 'abort'; reason: string; message: string };

/** One authentication method on the router side. */
export interface Authenticator {
  /** The method name as in `HELLO.Details.authmethods`: `anonymous`, `ticket`, `wampcra`, `cryptosign`, `cookie` or a custom one. */
  readonly method: string;
  /**
   * Further method names this authenticator answers to (`upgradeRequestAuth` answers `anonymous`
   * too, so a client without credentials config gets its cookie identity).
   */
  readonly aliases?: readonly string[];
  /**
   * False when this authenticator cannot serve this connection, so selection moves on to the
   * client's next method (`upgradeRequestAuth` without a `transportAuth`). Absent means always.
   */
  applies?(transportAuth: unknown): boolean;
  /** First step for a HELLO: welcome at once, challenge, or abort. */
  hello(hello: AuthHello): AuthStep | Promise<AuthStep>;
  /** Checks the client's AUTHENTICATE against the `state` of the challenge; never answers `challenge`. */
  authenticate(hello: AuthHello, state: unknown, signature: string, extra: Record<string, unknown>): AuthStep | Promise<AuthStep>;
}
