/**
 * An incremental, sans-I/O parser for the head of one HTTP/1.x message (RFC 9112 §2-5): the
 * request line or status line and the header fields, up to the empty line. It is all an opening
 * WebSocket handshake needs, on both sides: there is never a body to read, and the bytes after
 * the head are WebSocket frames, handed back as `rest`.
 *
 * It is strict where leniency buys nothing and invites ambiguity:
 *
 * - every line must end with CRLF; a bare LF (or a CR not followed by LF) is refused with 400.
 *   RFC 9112 §2.2 lets a recipient accept a bare LF, but every WebSocket client sends CRLF and
 *   Node's own parser refuses bare LF too;
 * - obs-fold (a header line starting with SP or HTAB) is refused with 400 (§5.2 allows that);
 * - whitespace between a field name and its colon, a name that is not a token, and control
 *   characters anywhere (NUL, DEL, a lone CR...) are refused with 400 (§5, §5.1);
 * - a version other than HTTP/1.x is refused with 505;
 * - a request must have exactly one `Host` header (§3.2; HTTP/1.0 may omit it). Node refuses a
 *   missing Host too, but accepts several and keeps the first;
 * - a head larger than `maxHeaderSize` bytes (everything up to and including the empty line)
 *   is refused with 431 as soon as the byte count passes the limit, without buffering more.
 *
 * As RFC 9112 §2.2 recommends, empty lines before a request line are ignored.
 *
 * The result mirrors Node's `IncomingMessage`: lower-case header names, values with the optional
 * whitespace around them removed, repeated fields joined with `, ` (`cookie` with `; `),
 * `set-cookie` always an array, and repeats of single-valued fields such as `authorization` or
 * `content-type` dropped (the first wins). `rawHeaders` keeps every field as received.
 *
 * @module
 */

/** The parsed head of a request or a response. */
export interface HttpHead {
  /** Request method, e.g. `GET` (`''` in a response). */
  method: string;
  /** Request target as sent, e.g. `/ws?token=1` (`''` in a response). */
  url: string;
  /** Status code of a response (0 in a request). */
  statusCode: number;
  /** Reason phrase of a response, possibly empty (`''` in a request). */
  statusMessage: string;
  /** As Node's `httpVersion`: `1.1` or `1.0`. */
  httpVersion: string;
  /** Header fields by lower-case name, combined as Node combines them (see the module notes). */
  headers: Record<string, string | string[]>;
  /** Every field as received: name, value, name, value... (values OWS-trimmed). */
  rawHeaders: string[];
}

/** Why a head was refused, with the HTTP status a server should answer. */
export interface HttpHeadError {
  /** 400 (malformed), 431 (larger than `maxHeaderSize`) or 505 (not HTTP/1.x). */
  status: 400 | 431 | 505;
  /** Short plain-text explanation. */
  message: string;
}

/**
 * What {@link HttpHeadParser.push} found: more bytes are needed, or the head (with the bytes that
 * followed it), or an error. Exactly one of `head` and `error` is set once `done`.
 */
export type HeadResult =
  | { done: false; head?: undefined; error?: undefined }
  | { done: true; head: HttpHead; rest: Buffer; error?: undefined }
  | { done: true; error: HttpHeadError; head?: undefined };

/** Kind of message a {@link HttpHeadParser} expects. */
export type HttpHeadKind = 'request' | 'response';

const CR = 0x0d;
const LF = 0x0a;
const NEED_MORE: HeadResult = Object.freeze({ done: false });

// tchar (RFC 9110 §5.6.2).
const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// field-value characters (RFC 9110 §5.5): HTAB, SP, VCHAR, obs-text. Checked per value: faster
// than one scan of the whole head, which needs a look-ahead to tell a lone CR from a line end.
const FIELD_VALUE_RE = /^[\t\x20-\x7e\x80-\xff]*$/;
// request-line = method SP request-target SP HTTP-version. The target is any run of visible
// characters (obs-text tolerated, as Node does); its syntax is the application's business.
const REQUEST_LINE_RE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) ([\x21-\x7e\x80-\xff]+) HTTP\/(\d)\.(\d)$/;
// status-line = HTTP-version SP status-code SP [ reason-phrase ]; the second SP is tolerated
// missing when there is no reason (§4 asks recipients to accept that).
const STATUS_LINE_RE = /^HTTP\/(\d)\.(\d) (\d{3})(?: ([\t\x20-\x7e\x80-\xff]*))?$/;

// How Node combines repeated fields (documented for `message.headers`): these keep the first.
const SINGLE_VALUED = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
]);

/**
 * Parses one HTTP/1.x message head fed in chunks of any size. Feed it with {@link push} until the
 * result is `done`; it must not be fed after that.
 *
 * ```ts
 * const parser = new HttpHeadParser('request', 16384);
 * socket.on('data', (chunk) => {
 *   const result = parser.push(chunk);
 *   if (!result.done) return;
 *   if (result.error) return refuse(result.error.status, result.error.message);
 *   handle(result.head, result.rest);
 * });
 * ```
 */
export class HttpHeadParser {
  private readonly kind: HttpHeadKind;
  private readonly maxHeaderSize: number;
  /** Bytes of the head received in earlier chunks (only when the head spans chunks). */
  private buf: Buffer | null = null;
  /** How many bytes were consumed so far. */
  private size = 0;
  /** Offset of the first byte of the current line. */
  private lineStart = 0;
  /** Offset where the message starts, after ignored empty lines. */
  private headStart = 0;
  private lastWasCR = false;
  private finished = false;

  /**
   * @param kind `request` (a server reading a client) or `response` (a client reading a server).
   * @param maxHeaderSize largest head accepted, in bytes, up to and including the empty line.
   */
  constructor(kind: HttpHeadKind, maxHeaderSize: number) {
    if (kind !== 'request' && kind !== 'response') throw new TypeError(`Invalid kind ${String(kind)}: expected request or response`);
    if (!(maxHeaderSize > 0)) throw new RangeError(`maxHeaderSize must be positive; got ${maxHeaderSize}`);
    this.kind = kind;
    this.maxHeaderSize = maxHeaderSize;
  }

  /**
   * Consumes the next bytes. Returns `{ done: false }` while the head is incomplete; then the
   * head and `rest`, the bytes of `chunk` after the empty line (a view, not a copy); or an error.
   * Never throws on any input.
   * @throws Error if called again after a `done` result.
   */
  push(chunk: Buffer): HeadResult {
    if (this.finished) throw new Error('HttpHeadParser: the head is already complete');
    const size = this.size;
    const max = this.maxHeaderSize;
    // Line ends are found with indexOf: a head has a dozen lines, so this is a dozen native
    // searches rather than a JavaScript loop over every byte.
    let from = 0;
    for (;;) {
      const lf = chunk.indexOf(LF, from);
      if (lf === -1 || size + lf >= max) break;
      const crBefore = lf === 0 ? this.lastWasCR : chunk[lf - 1] === CR;
      if (!crBefore) return this.fail(400, 'Invalid HTTP head: lines must end with CRLF');
      const at = size + lf;
      if (at - this.lineStart === 1) {
        // An empty line: the end of the head, or (before a request line) one to ignore.
        if (this.lineStart !== this.headStart) return this.complete(chunk, lf + 1);
        if (this.kind === 'response') return this.fail(400, 'Invalid HTTP head: missing status line');
        this.headStart = at + 1;
      }
      this.lineStart = at + 1;
      from = lf + 1;
    }
    if (size + chunk.length > max) {
      return this.fail(431, `${this.kind === 'request' ? 'Request header fields' : 'Response head'} larger than ${max} bytes`);
    }
    this.append(chunk, chunk.length);
    this.lastWasCR = chunk.length > 0 ? chunk[chunk.length - 1] === CR : this.lastWasCR;
    return NEED_MORE;
  }

  private append(chunk: Buffer, count: number): void {
    if (count === 0) return;
    const need = this.size + count;
    let buf = this.buf;
    if (buf === null || buf.length < need) {
      // Doubling keeps a head sent byte by byte linear; the capacity never exceeds the limit.
      const grown = Buffer.allocUnsafe(Math.min(this.maxHeaderSize, Math.max(need, this.size * 2, 1024)));
      if (buf !== null) buf.copy(grown, 0, 0, this.size);
      this.buf = buf = grown;
    }
    chunk.copy(buf, this.size, 0, count);
    this.size = need;
  }

  private complete(chunk: Buffer, end: number): HeadResult {
    this.finished = true;
    // The text from the start line to the last header line, without the final CRLF CRLF.
    let text: string;
    if (this.size === 0) {
      text = chunk.toString('latin1', this.headStart, end - 4);
    } else {
      this.append(chunk, end);
      text = this.buf!.toString('latin1', this.headStart, this.size - 4);
    }
    this.buf = null;
    const result = parseHead(this.kind, text);
    if (typeof result === 'string') return { done: true, error: { status: 400, message: result } };
    if (result === VERSION_NOT_SUPPORTED) return { done: true, error: { status: 505, message: 'HTTP version not supported: only HTTP/1.x' } };
    return { done: true, head: result, rest: chunk.subarray(end) };
  }

  private fail(status: 400 | 431 | 505, message: string): HeadResult {
    this.finished = true;
    this.buf = null;
    return { done: true, error: { status, message } };
  }
}

const VERSION_NOT_SUPPORTED = 505;

/** Parses the head text (lines joined by CRLF); returns the head, a 400 message, or 505. */
function parseHead(kind: HttpHeadKind, text: string): HttpHead | string | typeof VERSION_NOT_SUPPORTED {
  let lineEnd = text.indexOf('\r\n');
  const startLine = lineEnd === -1 ? text : text.slice(0, lineEnd);
  const head: HttpHead = { method: '', url: '', statusCode: 0, statusMessage: '', httpVersion: '', headers: {}, rawHeaders: [] };
  let major: string;
  let minor: string;
  if (kind === 'request' && startLine.startsWith('GET /') && startLine.endsWith(' HTTP/1.1') && isPlainTarget(startLine, 4, startLine.length - 9)) {
    // The request line of nearly every handshake: no regex match (and its array) to build.
    head.method = 'GET';
    head.url = startLine.slice(4, startLine.length - 9);
    major = '1';
    minor = '1';
  } else if (kind === 'request') {
    const m = REQUEST_LINE_RE.exec(startLine);
    if (m === null) return `Invalid request line: ${preview(startLine)}`;
    head.method = m[1]!;
    head.url = m[2]!;
    major = m[3]!;
    minor = m[4]!;
  } else {
    const m = STATUS_LINE_RE.exec(startLine);
    if (m === null) return `Invalid status line: ${preview(startLine)}`;
    major = m[1]!;
    minor = m[2]!;
    head.statusCode = Number(m[3]);
    head.statusMessage = m[4] ?? '';
  }
  if (major !== '1') return VERSION_NOT_SUPPORTED;
  head.httpVersion = `1.${minor}`;

  const headers = head.headers;
  const raw = head.rawHeaders;
  let hosts = 0;
  while (lineEnd !== -1) {
    const start = lineEnd + 2;
    lineEnd = text.indexOf('\r\n', start);
    const end = lineEnd === -1 ? text.length : lineEnd;
    const first = text.charCodeAt(start);
    if (first === 0x20 || first === 0x09) return 'Invalid header: obsolete line folding (or whitespace before a field name)';
    const colon = text.indexOf(':', start);
    if (colon === -1 || colon >= end) return `Invalid header line (no colon): ${preview(text.slice(start, end))}`;
    const known = knownHeaderName(text, start, colon);
    const name = known !== null ? known[0] : text.slice(start, colon);
    if (known === null && !TOKEN_RE.test(name)) return `Invalid header name: ${preview(name)}`;
    let vs = colon + 1;
    let ve = end;
    while (vs < ve && isOws(text.charCodeAt(vs))) vs++;
    while (ve > vs && isOws(text.charCodeAt(ve - 1))) ve--;
    const value = text.slice(vs, ve);
    if (!FIELD_VALUE_RE.test(value)) return `Invalid value for header ${preview(name)}: control characters`;
    raw.push(name, value);
    const key = known !== null ? known[1] : name.toLowerCase();
    if (key === 'host') hosts++;
    addHeader(headers, key, value);
  }
  // RFC 9112 §3.2: a server must refuse an HTTP/1.1 request without Host, or with several.
  if (kind === 'request' && (hosts > 1 || (hosts === 0 && minor !== '0'))) {
    return hosts > 1 ? 'Invalid request: more than one Host header' : 'Invalid request: missing Host header';
  }
  return head;
}

/** The request target of a fast-path request line: visible ASCII or obs-text, no spaces. */
function isPlainTarget(line: string, from: number, to: number): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) {
    const c = line.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c > 0xff) return false;
  }
  return true;
}

/**
 * Header names that handshakes carry, as clients usually spell them, with their lower-case
 * keys. A name spelled exactly so costs no string at all (neither the slice nor its lower-case
 * copy); any other spelling takes the general path.
 */
const KNOWN_HEADERS: ReadonlyArray<readonly [string, string]> = [
  'Host', 'Upgrade', 'Connection', 'Origin', 'User-Agent', 'Pragma', 'Cache-Control', 'Accept-Encoding',
  'Accept-Language', 'Cookie', 'Authorization', 'Sec-WebSocket-Key', 'Sec-WebSocket-Version',
  'Sec-WebSocket-Extensions', 'Sec-WebSocket-Protocol', 'host', 'upgrade', 'connection', 'origin',
  'user-agent', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'sec-websocket-protocol',
].map((name) => [name, name.toLowerCase()] as const);

/** Known names by length, for a quick first cut. */
const KNOWN_BY_LENGTH: Array<Array<readonly [string, string]>> = [];
for (const entry of KNOWN_HEADERS) (KNOWN_BY_LENGTH[entry[0].length] ??= []).push(entry);

/** `[name, key]` when `text[start..end)` is one of {@link KNOWN_HEADERS} exactly, else null. */
function knownHeaderName(text: string, start: number, end: number): readonly [string, string] | null {
  const candidates = KNOWN_BY_LENGTH[end - start];
  if (candidates === undefined) return null;
  for (const entry of candidates) if (text.startsWith(entry[0], start)) return entry;
  return null;
}

function addHeader(headers: Record<string, string | string[]>, key: string, value: string): void {
  // `typeof` rather than `in`: keys such as `constructor` must not see Object.prototype.
  const existing: unknown = headers[key];
  if (key === 'set-cookie') {
    if (Array.isArray(existing)) existing.push(value);
    else headers[key] = [value];
  } else if (typeof existing !== 'string') {
    headers[key] = value;
  } else if (!SINGLE_VALUED.has(key)) {
    headers[key] = existing + (key === 'cookie' ? '; ' : ', ') + value;
  }
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** A short excerpt of hostile input for an error message, quoted and escaped to plain ASCII. */
function preview(s: string): string {
  const quoted = JSON.stringify(s.length > 80 ? s.slice(0, 80) : s).replace(/[\x7f-\xff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return s.length > 80 ? `${quoted}...` : quoted;
}
