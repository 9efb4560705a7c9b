import type { AuthIdentity, Authenticator } from './types.js';
import { abort, AUTHENTICATION_FAILED, isDict } from './util.js';

/**
 * What the user's upgrade-request hook (`authenticate` of `@junction/websocket`'s server) returns
 * for a logged-in request: at least `authid` and `authrole`; `authmethod` and `authprovider`
 * default to the authenticator's method and `authprovider` option.
 */
export interface TransportIdentity {
  authid: string;
  authrole: string;
  authmethod?: string;
  authprovider?: string;
  authextra?: Record<string, unknown>;
}

/** Options of {@link upgradeRequestAuth}. */
export interface UpgradeRequestAuthOptions {
  /** Method name clients may offer in `HELLO.Details.authmethods`. Default `cookie`. */
  method?: string;
  /**
   * Also answer clients that offer only `anonymous` (or no authmethods at all), so a browser page
   * whose cookie already identifies the user needs no auth config in its WAMP client. Default true.
   * List `upgradeRequestAuth()` before `anonymous()` in the realm for this to take precedence.
   */
  answerAnonymous?: boolean;
  /** Default WELCOME.Details.authprovider. Default `http`. */
  authprovider?: string;
}

/** True when `value` looks like a {@link TransportIdentity}. */
export function isTransportIdentity(value: unknown): value is TransportIdentity {
  return isDict(value) && typeof value['authid'] === 'string' && typeof value['authrole'] === 'string';
}

/**
 * Authenticates from the HTTP upgrade request: the WebSocket server's `authenticate` hook checks
 * a cookie or `Authorization: Bearer` header and returns a {@link TransportIdentity} (or throws
 * `HttpError(401)`, or returns `null` to let the client in unauthenticated); the router passes
 * that result as `AuthHello.transportAuth`, and this authenticator welcomes the session with it,
 * without any CHALLENGE. When there is no such identity it does not apply, and selection moves on
 * to the client's next method (e.g. `ticket`, or `anonymous`).
 */
export function upgradeRequestAuth(options: UpgradeRequestAuthOptions = {}): Authenticator {
  const method = options.method ?? 'cookie';
  const authprovider = options.authprovider ?? 'http';
  return {
    method,
    aliases: options.answerAnonymous === false ? [] : ['anonymous'],
    applies: (transportAuth) => isTransportIdentity(transportAuth),
    hello(hello) {
      const found = hello.transportAuth;
      if (!isTransportIdentity(found)) return abort(AUTHENTICATION_FAILED, 'the upgrade request carried no valid credentials');
      const identity: AuthIdentity = {
        authid: found.authid,
        authrole: found.authrole,
        authmethod: typeof found.authmethod === 'string' ? found.authmethod : method,
        authprovider: typeof found.authprovider === 'string' ? found.authprovider : authprovider,
      };
      if (isDict(found.authextra)) identity.authextra = found.authextra;
      return { kind: 'welcome', identity };
    },
    authenticate() {
      return abort('wamp.error.protocol_violation', `${method} authentication has no challenge`);
    },
  };
}

/** Headers as Node and `@junction/websocket` give them: lower-case names. */
export type RequestHeaders = Record<string, string | string[] | undefined>;

/** The value of cookie `name` in a request's `Cookie` header(s), or `undefined`. For upgrade hooks. */
export function readCookie(headers: RequestHeaders, name: string): string | undefined {
  const raw = headers['cookie'];
  const lines = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  for (const line of lines) {
    for (const pair of line.split(';')) {
      const eq = pair.indexOf('=');
      if (eq < 0 || pair.slice(0, eq).trim() !== name) continue;
      let value = pair.slice(eq + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      try {
        return decodeURIComponent(value);
      } catch {
        return value;
      }
    }
  }
  return undefined;
}

/** The token of an `Authorization: Bearer <token>` header, or `undefined`. For upgrade hooks. */
export function readBearerToken(headers: RequestHeaders): string | undefined {
  const raw = headers['authorization'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined) return undefined;
  const match = /^Bearer[ \t]+(\S+)\s*$/i.exec(value);
  return match ? match[1] : undefined;
}
