/**
 * Small RFC 7230 helpers for reading header values: comma-separated lists, tokens and
 * ASCII case-insensitive comparison. Pure functions, no I/O.
 *
 * @module
 */

/** A header value as Node's `IncomingHttpHeaders` holds it. */
export type HeaderValue = string | string[] | undefined;

// tchar (RFC 7230 §3.2.6). The same set as RFC 2616's "CHAR except CTLs or separators",
// which is what RFC 6455 requires of subprotocol names.
const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

// OWS is only SP and HTAB; String.prototype.trim would also strip U+00A0 (NBSP), which is
// obs-text in a latin1-decoded header and must not silently vanish.
const OWS_EDGES_RE = /^[ \t]+|[ \t]+$/g;

// field-value characters (RFC 7230 §3.2): HTAB, SP, VCHAR, obs-text. Everything else,
// notably CR, LF and NUL, would let a value break out of its header line.
const FIELD_VALUE_RE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Removes optional whitespace (SP and HTAB only, RFC 7230 §3.2.3) from both ends of `s`. */
export function trimOws(s: string): string {
  return s.replace(OWS_EDGES_RE, '');
}

/**
 * Lower-cases ASCII letters only. Header names and tokens compare ASCII case-insensitively;
 * `String.prototype.toLowerCase` would also fold e.g. U+212A KELVIN SIGN to `k`.
 */
export function asciiLowerCase(s: string): string {
  // Header names and tokens are mostly lower case already: check before building a new string.
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return s.replace(UPPER_RUN, lowerRun);
  }
  return s;
}

const UPPER_RUN = /[A-Z]+/g;
const lowerRun = (run: string): string => run.toLowerCase();

/** True if `s` is a non-empty RFC 7230 token (only `tchar` characters). */
export function isToken(s: string): boolean {
  return typeof s === 'string' && TOKEN_RE.test(s);
}

/**
 * True if `s` may be sent as a header field value: only HTAB, SP, visible ASCII and
 * obs-text (U+0080-U+00FF, written as single latin1 bytes). Rejects CR, LF, NUL and other
 * control characters (header injection) and code points above U+00FF (not representable).
 */
export function isValidHeaderValue(s: string): boolean {
  return typeof s === 'string' && FIELD_VALUE_RE.test(s);
}

/**
 * Splits a comma-separated list header (RFC 7230 §7, `#element`) into its elements.
 * Optional whitespace around elements is removed and empty elements are ignored, as the
 * RFC requires of recipients. A repeated header (array) is treated as one list, which is
 * what joining the fields with `, ` means (RFC 7230 §3.2.2). Elements are returned as
 * written (case preserved, not validated). Quoted strings are not understood: this is for
 * token lists such as `Connection`, `Upgrade` and `Sec-WebSocket-Protocol`.
 */
export function parseTokenList(value: HeaderValue): string[] {
  if (value === undefined) return [];
  const fields = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  for (const field of fields) {
    if (typeof field !== 'string') continue;
    for (const part of field.split(',')) {
      const element = trimOws(part);
      if (element !== '') out.push(element);
    }
  }
  return out;
}

/**
 * True if the list header `value` contains `token`, compared ASCII case-insensitively
 * (e.g. `Connection: keep-alive, Upgrade` contains `upgrade`). Same elements as
 * {@link parseTokenList}, found by scanning in place: every handshake asks this twice, and
 * splitting the header into strings cost about 1 KB of garbage per handshake.
 */
export function headerHasToken(value: HeaderValue, token: string): boolean {
  if (value === undefined) return false;
  if (typeof value === 'string') return fieldHasToken(value, token);
  for (const field of value) if (typeof field === 'string' && fieldHasToken(field, token)) return true;
  return false;
}

/**
 * True if the list header `value` holds exactly one element and it is `token` (ASCII
 * case-insensitively), e.g. a server's `Upgrade: websocket`. Same elements as
 * {@link parseTokenList}, counted in place.
 */
export function isOnlyToken(value: HeaderValue, token: string): boolean {
  if (value === undefined) return false;
  if (typeof value === 'string') return countToken(value, token) === 1;
  let found = 0;
  for (const field of value) {
    if (typeof field !== 'string') continue;
    const n = countToken(field, token);
    if (n < 0) return false;
    found += n;
  }
  return found === 1;
}

/** How many elements of the list `field` are `token`; -1 as soon as one is something else. */
function countToken(field: string, token: string): number {
  let found = 0;
  for (let at = 0; at <= field.length; ) {
    at = nextElement(field, at);
    if (elementEnd === elementStart) continue; // empty elements do not count
    if (!isElement(field, token)) return -1;
    found++;
  }
  return found;
}

function fieldHasToken(field: string, token: string): boolean {
  for (let at = 0; at <= field.length; ) {
    at = nextElement(field, at);
    if (isElement(field, token)) return true;
  }
  return false;
}

// Bounds of the element the last nextElement call found: module-level, so that scanning a
// header allocates nothing.
let elementStart = 0;
let elementEnd = 0;

/** Finds the list element starting at `from`, OWS trimmed, and returns where the next one starts. */
function nextElement(field: string, from: number): number {
  let end = field.indexOf(',', from);
  if (end === -1) end = field.length;
  let s = from;
  let e = end;
  while (s < e && isOwsCode(field.charCodeAt(s))) s++;
  while (e > s && isOwsCode(field.charCodeAt(e - 1))) e--;
  elementStart = s;
  elementEnd = e;
  return end + 1;
}

/** The element nextElement found is `token`, ASCII case-insensitively. */
function isElement(field: string, token: string): boolean {
  return elementEnd - elementStart === token.length && asciiEqualsIgnoreCase(field, elementStart, token);
}

function isOwsCode(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** `s[at..at+token.length)` equals `token` ASCII case-insensitively. */
function asciiEqualsIgnoreCase(s: string, at: number, token: string): boolean {
  for (let i = 0; i < token.length; i++) {
    let a = s.charCodeAt(at + i);
    let b = token.charCodeAt(i);
    if (a >= 65 && a <= 90) a += 32;
    if (b >= 65 && b <= 90) b += 32;
    if (a !== b) return false;
  }
  return true;
}

/**
 * Reads header `name` (any case) from a header record. Node already lower-cases
 * keys, so the direct lookup is the normal path; records built by hand with other casing
 * (`Upgrade`, `SEC-WEBSOCKET-KEY`) are found by a case-insensitive scan rather than read as
 * missing. Only own properties count, so `constructor` and friends are never "present".
 */
export function getHeader(
  headers: Readonly<Record<string, HeaderValue>>,
  name: string,
): HeaderValue {
  const wanted = asciiLowerCase(name);
  if (Object.prototype.hasOwnProperty.call(headers, wanted)) {
    const direct = headers[wanted];
    if (direct !== undefined) return direct;
  }
  // for-in rather than Object.keys: no array per lookup (absent headers are looked up on
  // every handshake). Own properties only, as before.
  for (const key in headers) {
    if (key !== wanted && key.length === wanted.length && Object.prototype.hasOwnProperty.call(headers, key) && asciiLowerCase(key) === wanted) {
      const value = headers[key];
      if (value !== undefined) return value;
    }
  }
  return undefined;
}
