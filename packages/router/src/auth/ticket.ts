import type { AuthHello, Authenticator } from './types.js';
import { abort, callHook, challengeRefused, consumeChallenge, denied, DEFAULT_CHALLENGE_TIMEOUT, helloAuthid, isDict, NO_SUCH_PRINCIPAL, stringsEqual, type ChallengeState } from './util.js';

/** A principal of {@link ticket} with a static ticket. */
export interface TicketPrincipal {
  /** The ticket (password or token) the client must present. */
  ticket: string;
  /** Role the principal gets. */
  role: string;
}

/** What a ticket `verify` hook returns for a good ticket. */
export interface TicketVerdict {
  authrole: string;
  /** Replaces the authid the client announced (e.g. a canonical user name). */
  authid?: string;
  /** Goes to WELCOME.Details.authextra. */
  authextra?: Record<string, unknown>;
}

/** Options of {@link ticket}: a static principal table or a verify hook, plus common settings. */
export type TicketOptions = (
  | {
      /** Principals by authid. */
      principals: Record<string, TicketPrincipal>;
    }
  | {
      /**
       * Checks a ticket (e.g. a JWT, a database lookup). Returns the identity, or `null` for a bad
       * ticket or an unknown authid (both abort with `wamp.error.authentication_failed`; a hook
       * that throws does too, as a fail-secure default).
       */
      verify: (authid: string, ticket: string, hello: AuthHello) => TicketVerdict | null | Promise<TicketVerdict | null>;
    }
) & {
  /** WELCOME.Details.authprovider. Default `static` with principals, `dynamic` with verify. */
  authprovider?: string;
  /** Ms the client has to answer the challenge. Default 30000. */
  challengeTimeout?: number;
};

interface TicketState extends ChallengeState {
  readonly authid: string;
}

/**
 * Ticket authentication (spec "Ticket-based Authentication"): the router sends an empty
 * CHALLENGE and the client answers with the ticket in the clear, so use it over TLS only. With
 * `principals`, an unknown authid aborts at HELLO with `wamp.error.no_such_principal`; a wrong
 * ticket aborts with `wamp.error.authentication_failed`. The ticket is compared in constant time.
 */
export function ticket(options: TicketOptions): Authenticator {
  const timeout = options.challengeTimeout ?? DEFAULT_CHALLENGE_TIMEOUT;
  const principals = 'principals' in options ? new Map(Object.entries(options.principals)) : undefined;
  const verify = 'verify' in options ? options.verify : undefined;
  const authprovider = options.authprovider ?? (principals ? 'static' : 'dynamic');
  for (const [authid, principal] of principals ?? []) {
    if (typeof principal?.ticket !== 'string' || typeof principal.role !== 'string') throw new TypeError(`ticket principal "${authid}": needs a string ticket and role`);
  }
  return {
    method: 'ticket',
    hello(hello) {
      const authid = helloAuthid(hello);
      if (authid === undefined) return abort(NO_SUCH_PRINCIPAL, 'ticket authentication needs an authid');
      if (principals && !principals.has(authid)) return abort(NO_SUCH_PRINCIPAL, `no principal with authid "${authid}"`);
      const state: TicketState = { authid, issuedAt: Date.now(), used: false };
      return { kind: 'challenge', method: 'ticket', extra: {}, state };
    },
    async authenticate(hello, rawState, signature) {
      const state = rawState as TicketState;
      const usable = consumeChallenge(state, timeout);
      if (usable !== 'ok') return challengeRefused('ticket', usable);
      if (typeof signature !== 'string') return denied('ticket');
      if (principals) {
        const principal = principals.get(state.authid);
        if (!principal || !stringsEqual(signature, principal.ticket)) return denied('ticket');
        return welcome(state.authid, principal.role, authprovider);
      }
      const result = await callHook(() => verify!(state.authid, signature, hello));
      if (!result.ok || !isDict(result.value) || typeof result.value.authrole !== 'string') return denied('ticket');
      const verdict = result.value;
      return welcome(typeof verdict.authid === 'string' ? verdict.authid : state.authid, verdict.authrole, authprovider, verdict.authextra);
    },
  };
}

function welcome(authid: string, authrole: string, authprovider: string, authextra?: Record<string, unknown>) {
  const identity = { authid, authrole, authmethod: 'ticket', authprovider, ...(isDict(authextra) ? { authextra } : {}) };
  return { kind: 'welcome' as const, identity };
}
