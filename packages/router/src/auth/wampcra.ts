import { createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import type { AuthHello, Authenticator } from './types.js';
import { abort, bytesEqual, callHook, challengeRefused, consumeChallenge, denied, DEFAULT_CHALLENGE_TIMEOUT, helloAuthid, isDict, NO_SUCH_PRINCIPAL, type ChallengeState } from './util.js';

/** A wampcra principal. */
export interface WampcraPrincipal {
  /**
   * The shared secret. With `salt`, this is the derived key (what {@link deriveWampcraKey}
   * returns for the password), not the password: the router never needs to know the password.
   */
  secret: string;
  /** Role the principal gets. */
  role: string;
  /** PBKDF2 salt; when set, the client derives the key from its password (salted WAMP-CRA). */
  salt?: string;
  /** PBKDF2 iterations. Default 1000. */
  iterations?: number;
  /** PBKDF2 key length in bytes. Default 32. */
  keylen?: number;
}

/** What a wampcra `lookup` hook returns for a known authid. */
export interface WampcraLookupResult extends WampcraPrincipal {
  /** Replaces the authid the client announced. */
  authid?: string;
  /** Goes to WELCOME.Details.authextra. */
  authextra?: Record<string, unknown>;
}

/** Options of {@link wampcra}: a static principal table or a lookup hook, plus common settings. */
export type WampcraOptions = (
  | {
      /** Principals by authid. */
      principals: Record<string, WampcraPrincipal>;
    }
  | {
      /** Finds the principal for an authid; `null` means unknown (`wamp.error.no_such_principal`). */
      lookup: (authid: string, hello: AuthHello) => WampcraLookupResult | null | Promise<WampcraLookupResult | null>;
    }
) & {
  /** WELCOME.Details.authprovider and the challenge's `authprovider`. Default `static` / `dynamic`. */
  authprovider?: string;
  /** Ms the client has to answer the challenge. Default 30000. */
  challengeTimeout?: number;
};

interface WampcraState extends ChallengeState {
  readonly authid: string;
  readonly authrole: string;
  readonly authextra: Record<string, unknown> | undefined;
  /** The HMAC-SHA256 the client must send (raw bytes). */
  readonly expected: Buffer;
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * WAMP-CRA (spec "Challenge Response Authentication"). The CHALLENGE extra carries `challenge`, a
 * JSON string with authid, authrole, authmethod, authprovider, nonce, timestamp and session, and
 * for salted principals `salt`, `iterations` and `keylen` (all three: Autobahn|Python needs them).
 * The client answers with base64(HMAC-SHA256(key, challenge)), where key is the UTF-8 secret, or
 * for salted principals the UTF-8 of the base64 PBKDF2 key (as Autobahn|JS, |Python and wampy do).
 * The signature is compared in constant time; each challenge answers once.
 */
export function wampcra(options: WampcraOptions): Authenticator {
  const timeout = options.challengeTimeout ?? DEFAULT_CHALLENGE_TIMEOUT;
  const principals = 'principals' in options ? new Map(Object.entries(options.principals)) : undefined;
  const lookup = 'lookup' in options ? options.lookup : undefined;
  const authprovider = options.authprovider ?? (principals ? 'static' : 'dynamic');
  for (const [authid, principal] of principals ?? []) {
    if (!isValidPrincipal(principal)) throw new TypeError(`wampcra principal "${authid}": needs a string secret and role; salt, if set, a non-empty string; iterations and keylen positive integers`);
  }
  return {
    method: 'wampcra',
    async hello(hello) {
      const requested = helloAuthid(hello);
      if (requested === undefined) return abort(NO_SUCH_PRINCIPAL, 'wampcra authentication needs an authid');
      let principal: WampcraLookupResult | null | undefined;
      if (principals) {
        principal = principals.get(requested);
      } else {
        const result = await callHook(() => lookup!(requested, hello));
        if (!result.ok) return abort('wamp.error.authentication_failed', 'wampcra principal lookup failed');
        principal = result.value;
      }
      if (!principal) return abort(NO_SUCH_PRINCIPAL, `no principal with authid "${requested}"`);
      if (!isValidPrincipal(principal)) {
        return abort('wamp.error.authentication_failed', 'wampcra principal is misconfigured');
      }
      const authid = typeof principal.authid === 'string' ? principal.authid : requested;
      const challenge = JSON.stringify({
        authid,
        authrole: principal.role,
        authmethod: 'wampcra',
        authprovider,
        nonce: randomBytes(16).toString('base64url'),
        timestamp: new Date().toISOString(),
        session: hello.sessionId,
      });
      const extra: Record<string, unknown> = { challenge };
      if (principal.salt !== undefined) {
        extra['salt'] = principal.salt;
        extra['iterations'] = principal.iterations ?? 1000;
        extra['keylen'] = principal.keylen ?? 32;
      }
      const state: WampcraState = {
        authid,
        authrole: principal.role,
        authextra: isDict(principal.authextra) ? principal.authextra : undefined,
        expected: createHmac('sha256', Buffer.from(principal.secret, 'utf8')).update(challenge, 'utf8').digest(),
        issuedAt: Date.now(),
        used: false,
      };
      return { kind: 'challenge', method: 'wampcra', extra, state };
    },
    authenticate(_hello, rawState, signature) {
      const state = rawState as WampcraState;
      const usable = consumeChallenge(state, timeout);
      if (usable !== 'ok') return challengeRefused('wampcra', usable);
      if (typeof signature !== 'string' || !BASE64.test(signature)) return denied('wampcra');
      if (!bytesEqual(Buffer.from(signature, 'base64'), state.expected)) return denied('wampcra');
      const identity = { authid: state.authid, authrole: state.authrole, authmethod: 'wampcra', authprovider, ...(state.authextra ? { authextra: state.authextra } : {}) };
      return { kind: 'welcome', identity };
    },
  };
}

/** A usable principal: clients disagree on an empty salt (Autobahn|JS skips it, |Python derives), so none is allowed. */
function isValidPrincipal(principal: WampcraPrincipal): boolean {
  const positive = (n: unknown) => n === undefined || (Number.isInteger(n) && (n as number) > 0);
  return (
    typeof principal.secret === 'string' &&
    typeof principal.role === 'string' &&
    (principal.salt === undefined || (typeof principal.salt === 'string' && principal.salt.length > 0)) &&
    positive(principal.iterations) &&
    positive(principal.keylen)
  );
}

/**
 * The salted WAMP-CRA key for a password, as Autobahn computes it: base64(PBKDF2-HMAC-SHA256(
 * UTF-8 secret, UTF-8 salt, iterations, keylen)). Put its result in `WampcraPrincipal.secret`
 * together with the same `salt`, `iterations` and `keylen`.
 */
export function deriveWampcraKey(secret: string, salt: string, iterations = 1000, keylen = 32): string {
  return pbkdf2Sync(Buffer.from(secret, 'utf8'), Buffer.from(salt, 'utf8'), iterations, keylen, 'sha256').toString('base64');
}
