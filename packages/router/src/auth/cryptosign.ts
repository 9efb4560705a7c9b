import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import type { AuthHello, Authenticator } from './types.js';
import { abort, AUTHENTICATION_FAILED, callHook, challengeRefused, consumeChallenge, denied, DEFAULT_CHALLENGE_TIMEOUT, helloAuthextra, helloAuthid, isDict, NO_SUCH_PRINCIPAL, type ChallengeState } from './util.js';

/** A cryptosign principal. */
export interface CryptosignPrincipal {
  /** Ed25519 public keys (32 bytes, hex) this principal may log in with. */
  authorizedKeys: string[];
  /** Role the principal gets. */
  role: string;
}

/** What a cryptosign `lookup` hook returns for a known key. */
export interface CryptosignLookupResult {
  authrole: string;
  /** The authid to welcome with. Default: the authid the client announced, else the public key hex. */
  authid?: string;
  /** Goes to WELCOME.Details.authextra. */
  authextra?: Record<string, unknown>;
}

/** Options of {@link cryptosign}: a static principal table or a lookup hook, plus common settings. */
export type CryptosignOptions = (
  | {
      /** Principals by authid. A client that sends no authid is found by its public key. */
      principals: Record<string, CryptosignPrincipal>;
    }
  | {
      /**
       * Decides whether `pubkey` (lowercase hex) may log in, as `authid` when the client sent one.
       * `null` means unknown (`wamp.error.no_such_principal`).
       */
      lookup: (pubkey: string, authid: string | undefined, hello: AuthHello) => CryptosignLookupResult | null | Promise<CryptosignLookupResult | null>;
    }
) & {
  /** WELCOME.Details.authprovider. Default `static` / `dynamic`. */
  authprovider?: string;
  /** Ms the client has to answer the challenge. Default 30000. */
  challengeTimeout?: number;
};

interface CryptosignState extends ChallengeState {
  readonly challenge: Buffer;
  readonly publicKey: KeyObject;
  readonly authid: string;
  readonly authrole: string;
  readonly authextra: Record<string, unknown> | undefined;
}

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const HEX = /^[0-9a-fA-F]*$/;
/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 raw key bytes follow. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * WAMP-Cryptosign client authentication (Ed25519). The client sends its public key in
 * `HELLO.Details.authextra.pubkey`; the router answers with 32 random bytes (hex) in
 * `CHALLENGE.extra.challenge` and `channel_binding: null`; the client signs them and sends the hex
 * signature followed by the challenge (96 bytes, as Autobahn and wampy do) or the bare 64-byte
 * signature, both accepted. TLS channel binding, router authentication and certificates are not
 * implemented: a client asking for channel binding gets a challenge without it, as the spec allows.
 */
export function cryptosign(options: CryptosignOptions): Authenticator {
  const timeout = options.challengeTimeout ?? DEFAULT_CHALLENGE_TIMEOUT;
  const principals = 'principals' in options ? new Map(Object.entries(options.principals)) : undefined;
  const lookup = 'lookup' in options ? options.lookup : undefined;
  const authprovider = options.authprovider ?? (principals ? 'static' : 'dynamic');
  /** Static principals by public key, for clients that send no authid. */
  const byKey = new Map<string, string>();
  if (principals) {
    for (const [authid, principal] of principals) {
      if (typeof principal?.role !== 'string' || !Array.isArray(principal.authorizedKeys) || !principal.authorizedKeys.every((key) => typeof key === 'string' && HEX_KEY.test(key))) {
        throw new TypeError(`cryptosign principal "${authid}": needs a string role and authorizedKeys, Ed25519 public keys as 64 hex digits`);
      }
      for (const key of principal.authorizedKeys) {
        const other = byKey.get(key.toLowerCase());
        if (other !== undefined && other !== authid) throw new TypeError(`cryptosign: the same public key is authorized for "${other}" and "${authid}"`);
        byKey.set(key.toLowerCase(), authid);
      }
    }
  }
  return {
    method: 'cryptosign',
    async hello(hello) {
      const pubkeyRaw = helloAuthextra(hello)['pubkey'];
      if (typeof pubkeyRaw !== 'string' || !HEX_KEY.test(pubkeyRaw)) {
        return abort(AUTHENTICATION_FAILED, 'cryptosign needs HELLO.Details.authextra.pubkey: an Ed25519 public key as 64 hex digits');
      }
      const pubkey = pubkeyRaw.toLowerCase();
      const requested = helloAuthid(hello);
      let authid: string;
      let authrole: string;
      let authextra: Record<string, unknown> | undefined;
      if (principals) {
        if (requested !== undefined) {
          const principal = principals.get(requested);
          if (!principal) return abort(NO_SUCH_PRINCIPAL, `no principal with authid "${requested}"`);
          if (!principal.authorizedKeys.some((key) => key.toLowerCase() === pubkey)) {
            return abort(AUTHENTICATION_FAILED, 'public key not authorized for this authid');
          }
          authid = requested;
          authrole = principal.role;
        } else {
          const found = byKey.get(pubkey);
          if (found === undefined) return abort(NO_SUCH_PRINCIPAL, 'no principal with this public key');
          authid = found;
          authrole = principals.get(found)!.role;
        }
      } else {
        const result = await callHook(() => lookup!(pubkey, requested, hello));
        if (!result.ok) return abort(AUTHENTICATION_FAILED, 'cryptosign principal lookup failed');
        const found = result.value;
        if (!found) return abort(NO_SUCH_PRINCIPAL, 'no principal with this public key');
        if (!isDict(found) || typeof found.authrole !== 'string') return abort(AUTHENTICATION_FAILED, 'cryptosign principal is misconfigured');
        authid = typeof found.authid === 'string' ? found.authid : (requested ?? pubkey);
        authrole = found.authrole;
        authextra = isDict(found.authextra) ? found.authextra : undefined;
      }
      let publicKey: KeyObject;
      try {
        publicKey = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(pubkey, 'hex')]), format: 'der', type: 'spki' });
      } catch {
        return abort(AUTHENTICATION_FAILED, 'invalid Ed25519 public key');
      }
      const challenge = randomBytes(32);
      const state: CryptosignState = { challenge, publicKey, authid, authrole, authextra, issuedAt: Date.now(), used: false };
      return { kind: 'challenge', method: 'cryptosign', extra: { challenge: challenge.toString('hex'), channel_binding: null }, state };
    },
    authenticate(_hello, rawState, signature) {
      const state = rawState as CryptosignState;
      const usable = consumeChallenge(state, timeout);
      if (usable !== 'ok') return challengeRefused('cryptosign', usable);
      if (typeof signature !== 'string' || !HEX.test(signature)) return denied('cryptosign');
      // 64-byte signature, optionally followed by the 32-byte message it signs (Autobahn, wampy).
      if (signature.length !== 128 && signature.length !== 192) return denied('cryptosign');
      const bytes = Buffer.from(signature, 'hex');
      if (bytes.length === 96 && !bytes.subarray(64).equals(state.challenge)) return denied('cryptosign');
      let valid = false;
      try {
        valid = verify(null, state.challenge, state.publicKey, bytes.subarray(0, 64));
      } catch {
        valid = false;
      }
      if (!valid) return denied('cryptosign');
      const identity = { authid: state.authid, authrole: state.authrole, authmethod: 'cryptosign', authprovider, ...(state.authextra ? { authextra: state.authextra } : {}) };
      return { kind: 'welcome', identity };
    },
  };
}
