/**
 * `Origin` checks for the server handshake (RFC 6455 §4.2.1 item 8, §10.2; RFC 6454).
 *
 * Origin checking only protects against browsers being used for cross-site WebSocket
 * hijacking: any other client can send whatever `Origin` it likes, or none. Hence the
 * policy here: a missing `Origin` is allowed (non-browser clients do not send one), while
 * the opaque origin `null` (sandboxed iframes, `file:` pages, some redirects) is only
 * allowed if the literal string `'null'` is listed.
 *
 * @module
 */

import { asciiLowerCase } from './http-tokens.js';

// scheme "://" authority, nothing after it: a serialised origin (RFC 6454 §6.2).
const ORIGIN_RE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#@\s]+)$/;
const AUTHORITY_RE = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/;
// Schemes whose host and default port WHATWG URL knows how to canonicalise.
const URL_SCHEMES = new Set(['http', 'https', 'ws', 'wss']);

/**
 * Canonical form of a serialised origin (`scheme://host[:port]`), or `undefined` if `origin`
 * is not one (e.g. `null`, a path, user info, an empty or out-of-range port).
 *
 * Scheme and host are lower-cased and the default port is dropped, so `HTTPS://A.com:443`
 * becomes `https://a.com`. For http, https, ws and wss the host goes through WHATWG URL
 * parsing, which also converts IDN hosts to punycode, as browsers send them. Useful to
 * check an allow-list once at start-up.
 */
export function normalizeOrigin(origin: string): string | undefined {
  if (typeof origin !== 'string') return undefined;
  const m = ORIGIN_RE.exec(origin);
  if (m === null) return undefined;
  const scheme = asciiLowerCase(m[1] as string);
  const authority = AUTHORITY_RE.exec(m[2] as string);
  if (authority === null) return undefined;
  const port = authority[2] === undefined ? undefined : Number(authority[2]);
  if (port !== undefined && port > 65535) return undefined;

  if (URL_SCHEMES.has(scheme)) {
    try {
      const url = new URL(`${scheme}://${m[2] as string}`);
      // url.host omits the scheme's default port.
      return url.host === '' ? undefined : `${scheme}://${url.host}`;
    } catch {
      return undefined;
    }
  }
  // Other schemes (app://, capacitor://, chrome-extension://): URL leaves their host
  // opaque, so only fold case and strip leading zeros from the port.
  const host = asciiLowerCase(authority[1] as string);
  return port === undefined ? `${scheme}://${host}` : `${scheme}://${host}:${port}`;
}

/**
 * True if a handshake with this `Origin` header may proceed.
 *
 * - `origin` undefined (header absent): allowed with a list; a function decides for itself.
 * - string entries match exactly after {@link normalizeOrigin} on both sides
 *   (`https://a.com:443` equals `https://A.com`); an entry or origin that is not a
 *   serialised origin (such as `'null'`) only matches the identical string.
 * - RegExp entries are tested against the normalised origin (the raw one if it does not
 *   normalise). Anchor them: `/example\.com/` also matches `https://example.com.evil.net`.
 *   `g`/`y` flags do not make results depend on earlier calls.
 * - a function is called with the raw origin and allows only if it returns `true` exactly,
 *   so an accidental async predicate (a Promise is truthy) fails closed. Its exceptions
 *   propagate.
 */
export function isOriginAllowed(
  origin: string | undefined,
  allowList: readonly (string | RegExp)[] | ((origin: string | undefined) => boolean),
): boolean {
  if (typeof allowList === 'function') return allowList(origin) === true;
  if (origin === undefined) return true;
  const normalized = normalizeOrigin(origin);
  for (const entry of allowList) {
    if (typeof entry === 'string') {
      if (entry === origin) return true;
      if (normalized !== undefined && normalizeOrigin(entry) === normalized) return true;
    } else if (entry instanceof RegExp) {
      // search() ignores and restores lastIndex, unlike test() on a global RegExp.
      if ((normalized ?? origin).search(entry) !== -1) return true;
    }
  }
  return false;
}
