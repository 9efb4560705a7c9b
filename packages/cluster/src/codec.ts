import { createHash } from 'node:crypto';
import { msgpackSerializer } from '@junction/wamp';
import type { MatchPolicy } from '@junction/wamp';

/**
 * What travels over NATS: MessagePack arrays, with the same integer and binary rules as
 * `wamp.2.msgpack` (IDs up to 2^53 stay integers, Uint8Array stays binary).
 */
export function encode(value: readonly unknown[]): Uint8Array {
  return msgpackSerializer.encode(value);
}

/** Decodes what {@link encode} made; throws on malformed input. */
export function decode(data: Uint8Array): unknown[] {
  const value = msgpackSerializer.decode(data);
  if (!Array.isArray(value)) throw new TypeError('cluster message is not an array');
  return value;
}

/** A URI or realm name as one NATS subject token / KV key token (base64url: no `.`, `*`, `>` or spaces). */
export function token(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url') || '_';
}

/** One letter per match policy, for KV keys. */
export const MATCH_LETTER: Record<MatchPolicy, string> = { exact: 'e', prefix: 'p', wildcard: 'w' };

/** The inverse of {@link MATCH_LETTER}. */
export function matchOf(letter: string): MatchPolicy | undefined {
  return letter === 'e' ? 'exact' : letter === 'p' ? 'prefix' : letter === 'w' ? 'wildcard' : undefined;
}

/**
 * The subscription or registration ID every node gives (realm, kind, match, uri): a hash in
 * [1, 2^53], so that each node's meta API reports the same IDs. (A local collision falls back to
 * a random ID; with 2^53 values that is vanishingly rare.)
 */
export function stableId(realm: string, kind: 'sub' | 'reg', match: MatchPolicy, uri: string): number {
  const digest = createHash('sha256').update(`${kind}\0${realm}\0${match}\0${uri}`).digest();
  const high = digest.readUInt32BE(0) & 0x1fffff; // 21 bits
  const low = digest.readUInt32BE(4); // 32 bits
  return high * 2 ** 32 + low || 1;
}
