/**
 * Client-side authentication responders ({@link ClientAuth} implementations) for
 * `connect({ auth })`: {@link ticketAuth}, {@link wampcraAuth}, {@link cryptosignAuth}. They use
 * WebCrypto only, so they run in browsers and in Node alike.
 */
export type { ClientAuth } from '../client-auth.js';
export { ticketAuth } from './ticket.js';
export type { TicketAuthOptions } from './ticket.js';
export { wampcraAuth, deriveKey as deriveWampcraKey, signChallenge as signWampcraChallenge } from './wampcra.js';
export type { WampcraAuthOptions } from './wampcra.js';
export { cryptosignAuth } from './cryptosign.js';
export type { CryptosignAuthOptions, CryptosignClientAuth } from './cryptosign.js';
