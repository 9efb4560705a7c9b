/**
 * Router-side WAMP authentication: {@link anonymous}, {@link ticket}, {@link wampcra},
 * {@link cryptosign}, and {@link upgradeRequestAuth} for identities established by the HTTP
 * upgrade request; {@link selectAuthenticator} picks one for a HELLO.
 */
export type { AuthHello, AuthIdentity, AuthStep, Authenticator } from './types.js';
export { anonymous } from './anonymous.js';
export type { AnonymousOptions } from './anonymous.js';
export { ticket } from './ticket.js';
export type { TicketOptions, TicketPrincipal, TicketVerdict } from './ticket.js';
export { wampcra, deriveWampcraKey } from './wampcra.js';
export type { WampcraOptions, WampcraPrincipal, WampcraLookupResult } from './wampcra.js';
export { cryptosign } from './cryptosign.js';
export type { CryptosignOptions, CryptosignPrincipal, CryptosignLookupResult } from './cryptosign.js';
export { upgradeRequestAuth, isTransportIdentity, readCookie, readBearerToken } from './upgrade.js';
export type { TransportIdentity, UpgradeRequestAuthOptions, RequestHeaders } from './upgrade.js';
export { selectAuthenticator } from './select.js';
export { DEFAULT_CHALLENGE_TIMEOUT } from './util.js';
