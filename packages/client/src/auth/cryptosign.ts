import type { ClientAuth } from '../client-auth.js';
import { ed25519PublicKey } from './ed25519-public-key.js';
import { fromHex, subtle, toHex } from './encoding.js';

/** Options of {@link cryptosignAuth}. */
export interface CryptosignAuthOptions {
  /** `HELLO.Details.authid`; optional: the router can find the principal by public key. */
  authid?: string;
  /**
   * The Ed25519 private key: the 32-byte seed as hex or bytes (also accepted: the 64-byte
   * seed-plus-public-key form of tweetnacl / libsodium).
   */
  privateKey: string | Uint8Array;
  /** Extra `HELLO.Details.authextra` (`pubkey` is set from the key). */
  authextra?: Record<string, unknown>;
}

/** A cryptosign {@link ClientAuth}, plus the public key to configure on the router. */
export interface CryptosignClientAuth extends ClientAuth {
  /** The Ed25519 public key, 64 lowercase hex digits (what goes in `authorizedKeys`). */
  readonly publicKey: string;
}

/** PKCS #8 DER prefix of an Ed25519 private key; the 32-byte seed follows. */
const PKCS8_PREFIX = fromHex('302e020100300506032b657004220420');

/**
 * WAMP-Cryptosign: announces the public key in `authextra.pubkey` and answers the CHALLENGE with
 * the Ed25519 signature of the 32 challenge bytes followed by the challenge (hex, 96 bytes), as
 * Autobahn does. TLS channel binding is not supported: a challenge that asks for it is refused.
 * Signing uses WebCrypto Ed25519 (Node 20, current Chromium, Firefox and Safari).
 */
export function cryptosignAuth(options: CryptosignAuthOptions): CryptosignClientAuth {
  const raw = typeof options.privateKey === 'string' ? fromHex(options.privateKey) : Uint8Array.from(options.privateKey);
  if (raw.length !== 32 && raw.length !== 64) throw new TypeError('cryptosign privateKey must be a 32-byte seed (or 64 bytes: seed and public key)');
  const seed = raw.slice(0, 32);
  const publicKey = ed25519PublicKey(seed);
  if (raw.length === 64 && toHex(raw.subarray(32)) !== toHex(publicKey)) throw new TypeError('cryptosign privateKey: the last 32 bytes are not the public key of the seed');
  const pubkey = toHex(publicKey);
  let signingKey: ReturnType<typeof importKey> | undefined;
  const auth: CryptosignClientAuth = {
    authmethods: ['cryptosign'],
    ...(options.authid !== undefined ? { authid: options.authid } : {}),
    authextra: { ...options.authextra, pubkey },
    publicKey: pubkey,
    async onChallenge(method, extra) {
      if (method !== 'cryptosign') throw new Error(`cryptosignAuth cannot answer a "${method}" challenge`);
      const challengeHex = extra['challenge'];
      if (typeof challengeHex !== 'string' || !/^[0-9a-fA-F]{64}$/.test(challengeHex)) throw new TypeError('cryptosign challenge must be 32 bytes as hex');
      const binding = extra['channel_binding'];
      if (binding !== undefined && binding !== null) throw new Error(`cryptosign channel binding "${String(binding)}" is not supported`);
      signingKey ??= importKey(seed);
      const challenge = fromHex(challengeHex);
      const signature = new Uint8Array(await subtle().sign('Ed25519', await signingKey, challenge));
      return { signature: toHex(signature) + toHex(challenge) };
    },
  };
  return auth;
}

function importKey(seed: Uint8Array) {
  const der = new Uint8Array(PKCS8_PREFIX.length + 32);
  der.set(PKCS8_PREFIX);
  der.set(seed, PKCS8_PREFIX.length);
  return subtle().importKey('pkcs8', der, { name: 'Ed25519' }, false, ['sign']);
}
