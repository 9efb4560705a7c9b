/**
 * The `Sec-WebSocket-Extensions` header grammar (RFC 6455 §9.1), with tokens and
 * quoted strings as RFC 7230 §3.2.6 defines them:
 *
 * ```
 * extension-list  = 1#extension
 * extension       = extension-token *( OWS ";" OWS extension-param )
 * extension-param = token [ OWS "=" OWS ( token / quoted-string ) ]
 * ```
 *
 * Whitespace is allowed around `,`, `;` and `=`, empty list elements are skipped
 * (RFC 7230 §7 asks recipients to accept them), and names keep their case.
 * @module
 */

/** One extension in a `Sec-WebSocket-Extensions` header: an offer (client) or a response (server). */
export interface ExtensionOffer {
  /** The extension token, e.g. `permessage-deflate`, as written (case kept). */
  name: string;
  /**
   * Parameters in order of first appearance. `true` stands for a parameter without a value.
   * A repeated parameter keeps every value, so that negotiation can see the duplicate and
   * decline the offer instead of silently keeping one of them.
   */
  params: Map<string, Array<string | true>>;
}

// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;

function isTchar(code: number): boolean {
  return code < 128 && TCHAR[code] === 1;
}

/** True if `value` is a non-empty RFC 7230 token. */
function isToken(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) if (!isTchar(value.charCodeAt(i))) return false;
  return true;
}

function describe(header: string, index: number, which: string): string {
  const where = index < header.length ? `${JSON.stringify(header[index])} at index ${index}` : `end of value`;
  return `Invalid Sec-WebSocket-Extensions header${which}: unexpected ${where}`;
}

/** A single-use cursor over one header value; every method throws SyntaxError on bad input. */
class Parser {
  private pos = 0;

  constructor(
    private readonly s: string,
    private readonly which: string,
  ) {}

  get done(): boolean {
    return this.pos >= this.s.length;
  }

  peek(): number {
    return this.pos < this.s.length ? this.s.charCodeAt(this.pos) : -1;
  }

  advance(): void {
    this.pos++;
  }

  /** OWS = *( SP / HTAB ) */
  skipOws(): void {
    while (this.pos < this.s.length) {
      const c = this.s.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09) break;
      this.pos++;
    }
  }

  fail(expected: string): never {
    throw new SyntaxError(`${describe(this.s, this.pos, this.which)} (expected ${expected})`);
  }

  token(what: string): string {
    const start = this.pos;
    while (this.pos < this.s.length && isTchar(this.s.charCodeAt(this.pos))) this.pos++;
    if (this.pos === start) this.fail(what);
    return this.s.slice(start, this.pos);
  }

  /** quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE, returned unescaped. */
  quoted(): string {
    const start = this.pos;
    this.pos++; // opening quote
    let out = '';
    for (;;) {
      if (this.pos >= this.s.length) {
        throw new SyntaxError(
          `Invalid Sec-WebSocket-Extensions header${this.which}: unterminated quoted string starting at index ${start}`,
        );
      }
      const c = this.s.charCodeAt(this.pos);
      if (c === 0x22) {
        this.pos++;
        break;
      }
      if (c === 0x5c) {
        // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
        this.pos++;
        const e = this.peek();
        if (!(e === 0x09 || (e >= 0x20 && e <= 0x7e) || (e >= 0x80 && e <= 0xff))) this.fail('an escaped character');
        out += this.s[this.pos];
        this.pos++;
        continue;
      }
      // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
      if (!(c === 0x09 || (c >= 0x20 && c <= 0x7e) || (c >= 0x80 && c <= 0xff))) this.fail('a quoted-string character');
      out += this.s[this.pos];
      this.pos++;
    }
    // RFC 6455 §9.1: the unescaped value of a quoted-string must itself be a token.
    if (!isToken(out)) {
      throw new SyntaxError(
        `Invalid Sec-WebSocket-Extensions header${this.which}: quoted value at index ${start} is not a token after unescaping`,
      );
    }
    return out;
  }
}

function parseOne(value: string, which: string, into: ExtensionOffer[]): void {
  const p = new Parser(value, which);
  for (;;) {
    p.skipOws();
    if (p.done) return;
    if (p.peek() === 0x2c) {
      p.advance(); // empty list element
      continue;
    }
    const name = p.token('an extension name');
    const params = new Map<string, Array<string | true>>();
    p.skipOws();
    while (p.peek() === 0x3b) {
      p.advance();
      p.skipOws();
      const key = p.token('a parameter name');
      p.skipOws();
      let v: string | true = true;
      if (p.peek() === 0x3d) {
        p.advance();
        p.skipOws();
        v = p.peek() === 0x22 ? p.quoted() : p.token('a parameter value');
        p.skipOws();
      }
      const list = params.get(key);
      if (list) list.push(v);
      else params.set(key, [v]);
    }
    into.push({ name, params });
    if (p.done) return;
    if (p.peek() !== 0x2c) p.fail('",", ";" or end of value');
    p.advance();
  }
}

/**
 * Parses a `Sec-WebSocket-Extensions` header into its extensions, in order.
 *
 * Accepts the forms Node.js hands out: `undefined` (no header), one string (possibly
 * several offers joined with commas), or an array when the header was repeated; the
 * values of a repeated header are parsed in order as if joined by commas.
 *
 * @param value - The raw header value(s).
 * @returns The extensions; empty when the header is absent or blank.
 * @throws SyntaxError with the offending character and index on malformed input.
 */
export function parseExtensionsHeader(value: string | readonly string[] | undefined): ExtensionOffer[] {
  const out: ExtensionOffer[] = [];
  if (value === undefined) return out;
  if (typeof value === 'string') {
    parseOne(value, '', out);
  } else {
    value.forEach((v, i) => parseOne(v, ` (value #${i + 1})`, out));
  }
  return out;
}

/**
 * Formats one extension for a `Sec-WebSocket-Extensions` header, e.g.
 * `formatExtension('permessage-deflate', { client_max_window_bits: true })` gives
 * `permessage-deflate; client_max_window_bits`.
 *
 * `true` writes a parameter without a value; `undefined` (and `false`, for untyped callers)
 * leaves the parameter out; numbers are written in decimal.
 *
 * @throws TypeError when the name, a parameter name or a value is not a token (RFC 6455 §9.1
 * requires values to be tokens even when quoted, so quoting would not help), or a number is
 * not finite.
 */
export function formatExtension(name: string, params: Record<string, string | number | true | undefined>): string {
  if (!isToken(name)) throw new TypeError(`Invalid extension name ${JSON.stringify(name)}`);
  let out = name;
  for (const key of Object.keys(params)) {
    const v = params[key] as string | number | boolean | undefined;
    if (v === undefined || v === false) continue;
    if (!isToken(key)) throw new TypeError(`Invalid extension parameter name ${JSON.stringify(key)}`);
    if (v === true) {
      out += `; ${key}`;
      continue;
    }
    if (typeof v === 'number' && !Number.isFinite(v)) {
      throw new TypeError(`Invalid value for extension parameter "${key}": ${v}`);
    }
    const text = String(v);
    if (!isToken(text)) throw new TypeError(`Invalid value for extension parameter "${key}": ${JSON.stringify(text)}`);
    out += `; ${key}=${text}`;
  }
  return out;
}
