import type { ClientAuth } from '../client-auth.js';
import { subtle, toBase64, utf8 } from './encoding.js';

/** Options of {@link wampcraAuth}. */
export interface WampcraAuthOptions {
  /** `HELLO.Details.authid`: who the client is (wampcra requires one). */
  authid: string;
  /** The shared secret (for salted principals: the password the router's key was derived from). */
  secret: string;
  /** Extra `HELLO.Details.authextra`. */
  authextra?: Record<string, unknown>;
}

/** Upper bounds on router-chosen PBKDF2 parameters, so a hostile router cannot stall the client. */
const MAX_ITERATIONS = 10_000_000;
const MAX_KEYLEN = 1024;

/**
 * WAMP-CRA: signs the CHALLENGE's `challenge` string with HMAC-SHA256 and sends the base64
 * signature. When the challenge carries a `salt`, the HMAC key is the base64 PBKDF2-SHA256 key
 * derived from the secret (`iterations` default 1000, `keylen` default 32), exactly as
 * Autobahn and wampy compute it; the derived key is cached for reconnects. WebCrypto only.
 */
export function wampcraAuth(options: WampcraAuthOptions): ClientAuth {
  const { authid, secret } = options;
  const derived = new Map<string, Promise<string>>();
  return {
    authmethods: ['wampcra'],
    authid,
    ...(options.authextra ? { authextra: options.authextra } : {}),
    async onChallenge(method, extra) {
      if (method !== 'wampcra') throw new Error(`wampcraAuth cannot answer a "${method}" challenge`);
      const challenge = extra['challenge'];
      if (typeof challenge !== 'string') throw new TypeError('wampcra challenge without a "challenge" string');
      let key = secret;
      const salt = extra['salt'];
      if (salt !== undefined && salt !== null) {
        if (typeof salt !== 'string') throw new TypeError('wampcra challenge with a non-string salt');
        const iterations = extra['iterations'] ?? 1000;
        const keylen = extra['keylen'] ?? 32;
        if (!Number.isInteger(iterations) || (iterations as number) < 1 || (iterations as number) > MAX_ITERATIONS) throw new RangeError('wampcra challenge with unacceptable iterations');
        if (!Number.isInteger(keylen) || (keylen as number) < 1 || (keylen as number) > MAX_KEYLEN) throw new RangeError('wampcra challenge with unacceptable keylen');
        const cacheKey = JSON.stringify([salt, iterations, keylen]);
        let pending = derived.get(cacheKey);
        if (pending === undefined) {
          pending = deriveKey(secret, salt, iterations as number, keylen as number);
          derived.set(cacheKey, pending);
          pending.catch(() => derived.delete(cacheKey));
        }
        key = await pending;
      }
      return { signature: await signChallenge(key, challenge) };
    },
  };
}

/** base64(PBKDF2-HMAC-SHA256(UTF-8 secret, UTF-8 salt, iterations, keylen bytes)): Autobahn's `derive_key`. */
export async function deriveKey(secret: string, salt: string, iterations = 1000, keylen = 32): Promise<string> {
  const crypto = subtle();
  const material = await crypto.importKey('raw', utf8(secret), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: utf8(salt), iterations }, material, keylen * 8);
  return toBase64(new Uint8Array(bits));
}

/** base64(HMAC-SHA256(UTF-8 key, UTF-8 challenge)): Autobahn's `sign` / `compute_wcs`. */
export async function signChallenge(key: string, challenge: string): Promise<string> {
  const crypto = subtle();
  const hmacKey = await crypto.importKey('raw', utf8(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return toBase64(new Uint8Array(await crypto.sign('HMAC', hmacKey, utf8(challenge))));
}
