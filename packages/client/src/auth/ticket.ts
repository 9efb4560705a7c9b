import type { ClientAuth } from '../client-auth.js';

/** Options of {@link ticketAuth}. */
export interface TicketAuthOptions {
  /** `HELLO.Details.authid`: who the client is. */
  authid: string;
  /**
   * The ticket (password or token), or a function returning one: it is called for every
   * challenge, so a reconnect can present a fresh short-lived token.
   */
  ticket: string | (() => string | Promise<string>);
  /** Extra `HELLO.Details.authextra`. */
  authextra?: Record<string, unknown>;
}

/**
 * Ticket authentication: answers the router's `ticket` CHALLENGE with the ticket itself. The
 * ticket travels in the clear: use it over `wss://` only.
 */
export function ticketAuth(options: TicketAuthOptions): ClientAuth {
  const { authid, ticket } = options;
  return {
    authmethods: ['ticket'],
    authid,
    ...(options.authextra ? { authextra: options.authextra } : {}),
    async onChallenge(method) {
      if (method !== 'ticket') throw new Error(`ticketAuth cannot answer a "${method}" challenge`);
      const value = typeof ticket === 'function' ? await ticket() : ticket;
      if (typeof value !== 'string') throw new TypeError('the ticket must be a string');
      return { signature: value };
    },
  };
}
