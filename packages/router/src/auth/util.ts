import { timingSafeEqual } from 'node:crypto';
import type { AuthHello, AuthStep } from './types.js';

/** Default time a client has to answer a CHALLENGE, in ms. */
export const DEFAULT_CHALLENGE_TIMEOUT = 30_000;

export const AUTHENTICATION_FAILED = 'wamp.error.authentication_failed';
export const NO_SUCH_PRINCIPAL = 'wamp.error.no_such_principal';

/** An `abort` step. */
export function abort(reason: string, message: string): AuthStep {
  return { kind: 'abort', reason, message };
}

/** Abort for credentials that do not check out (same message whatever was wrong, to leak nothing). */
export function denied(method: string): AuthStep {
  return abort(AUTHENTICATION_FAILED, `${method} authentication failed`);
}

/** Constant-time equality of two byte strings (lengths are not secret: they are fixed by the method). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Constant-time equality of two strings of any length: both are zero-padded to the longer
 * length so the comparison time does not depend on where they differ; a length mismatch still fails.
 */
export function stringsEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  const length = Math.max(ab.length, bb.length, 1);
  const ap = Buffer.alloc(length);
  const bp = Buffer.alloc(length);
  ab.copy(ap);
  bb.copy(bp);
  return timingSafeEqual(ap, bp) && ab.length === bb.length;
}

/** `HELLO.Details.authid` when it is a non-empty string. */
export function helloAuthid(hello: AuthHello): string | undefined {
  const authid = hello.details['authid'];
  return typeof authid === 'string' && authid.length > 0 ? authid : undefined;
}

/** `HELLO.Details.authextra` when it is a dict. */
export function helloAuthextra(hello: AuthHello): Record<string, unknown> {
  const extra = hello.details['authextra'];
  return extra !== null && typeof extra === 'object' && !Array.isArray(extra) ? (extra as Record<string, unknown>) : {};
}

/**
 * Runs a user hook (lookup, verify) so that a throw or rejection becomes `{ ok: false }`: the
 * caller then aborts with `authentication_failed` ("fail secure") and a message without detail.
 */
export async function callHook<T>(hook: () => T | Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> {
  try {
    return { ok: true, value: await hook() };
  } catch {
    return { ok: false };
  }
}

/** Per-challenge bookkeeping shared by the challenge-response methods. */
export interface ChallengeState {
  /** When the challenge went out (ms since epoch). */
  readonly issuedAt: number;
  /** Set once an AUTHENTICATE was checked against this challenge: a second answer fails. */
  used: boolean;
}

/**
 * Marks `state` used and says whether it may still be answered: not reused, not expired. Every
 * challenge is single use, so a replayed AUTHENTICATE (same session or another) never passes.
 */
export function consumeChallenge(state: ChallengeState, timeout: number, now = Date.now()): 'ok' | 'reused' | 'expired' {
  if (state.used) return 'reused';
  state.used = true;
  return now - state.issuedAt > timeout ? 'expired' : 'ok';
}

/** The abort for a challenge that may not be answered. */
export function challengeRefused(method: string, why: 'reused' | 'expired'): AuthStep {
  return abort(AUTHENTICATION_FAILED, why === 'reused' ? `${method} challenge already answered` : `${method} challenge expired`);
}

/** True for a plain object (a dict in WAMP terms). */
export function isDict(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
