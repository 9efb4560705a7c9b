import type { Authenticator } from './types.js';

/** Options of {@link anonymous}. */
export interface AnonymousOptions {
  /** Role given to anonymous sessions. Default `anonymous`. */
  authrole?: string;
}

/**
 * Lets in anyone who offers (or defaults to) `anonymous`, with no challenge. The authid is
 * `anonymous-<session ID>` whatever the client asked for: an unauthenticated client must not be
 * able to claim an authid that authorizers, `eligible_authid` or `exclude_authid` trust.
 */
export function anonymous(options: AnonymousOptions = {}): Authenticator {
  const authrole = options.authrole ?? 'anonymous';
  return {
    method: 'anonymous',
    hello(hello) {
      const identity = { authid: `anonymous-${hello.sessionId}`, authrole, authmethod: 'anonymous', authprovider: 'static' };
      return { kind: 'welcome', identity };
    },
    authenticate() {
      return { kind: 'abort', reason: 'wamp.error.protocol_violation', message: 'anonymous authentication has no challenge' };
    },
  };
}
