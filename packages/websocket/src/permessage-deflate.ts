/**
 * permessage-deflate (RFC 7692) negotiation: pure functions over parsed
 * `Sec-WebSocket-Extensions` values, no I/O and no zlib. The codec lives in
 * `deflate-codec.ts`.
 *
 * Window bits 8: zlib has no 8-bit raw deflate (deflateInit2 rejects it and Node silently
 * raises it to 9). That is still correct towards a peer that asked for 8: zlib never emits a
 * match farther back than MAX_DIST = window size - 262 (MIN_LOOKAHEAD), i.e. 250 bytes for a
 * 9-bit window, within the peer's 256-byte window, across messages too. So we agree to 8 when
 * asked and compress with 9; the tests decode our output and check every distance. When
 * decompressing, a window of 8 is opened as 9: a larger inflate window accepts every
 * smaller-window stream, and it also tolerates an encoder that turned 8 into a full 9.
 * @module
 */

import { formatExtension, type ExtensionOffer } from './extension-header.js';

/** The extension token of RFC 7692. */
export const PERMESSAGE_DEFLATE = 'permessage-deflate';

/** Options for permessage-deflate, used for negotiation (both sides) and by the codec. */
export interface PerMessageDeflateOptions {
  /**
   * Server: always answer `server_no_context_takeover`, i.e. reset our compressor after each
   * message (less memory kept per connection, worse ratio). Client: ask the server for it.
   * Default false (a client's request is still honoured).
   */
  serverNoContextTakeover?: boolean;
  /**
   * Server: always answer `client_no_context_takeover`. Client: announce that we reset our
   * compressor after each message (and do so). Default false.
   */
  clientNoContextTakeover?: boolean;
  /**
   * 8..15. Server: cap on our own compression window (answered even if the client did not ask).
   * Client: ask the server for at most this window. Default: not requested (15).
   * 8 is honoured with a 9-bit zlib window (see the module notes).
   */
  serverMaxWindowBits?: number;
  /**
   * 8..15. Server: the window we want the client to compress with; answered only when the
   * client offered `client_max_window_bits` (RFC 7692 §7.1.2.2 forbids it otherwise). It is a
   * preference: a client that cannot honour it is still accepted, with a 15-bit window.
   * Client: the window we promise in the offer. Default: not requested (15).
   */
  clientMaxWindowBits?: number;
  /**
   * zlib compression level 0..9. Default 1: on small JSON/text messages level 1 keeps most of the
   * ratio of level 6 at a fraction of the CPU, and CPU, not bandwidth, is what a busy server
   * runs out of first.
   */
  level?: number;
  /** zlib memLevel 1..9 (hash table size of the compressor). Default 8, zlib's default. */
  memLevel?: number;
  /**
   * Messages shorter than this many bytes are sent uncompressed (RSV1 clear): for tiny
   * messages the DEFLATE overhead exceeds the savings. Default 1024.
   */
  threshold?: number;
  /** Asynchronous zlib jobs running at once in the process (see `sharedZlibLimiter`). Default 10. */
  concurrencyLimit?: number;
}

/** Agreed permessage-deflate parameters of one connection; window bits are 15 where nothing was agreed. */
export interface DeflateParams {
  /** The server resets its compressor after each message. */
  serverNoContextTakeover: boolean;
  /** The client resets its compressor after each message. */
  clientNoContextTakeover: boolean;
  /** Largest LZ77 window (log2) the server compresses with, 8..15. */
  serverMaxWindowBits: number;
  /** Largest LZ77 window (log2) the client compresses with, 8..15. */
  clientMaxWindowBits: number;
}

/** {@link PerMessageDeflateOptions} with defaults filled in and values validated. */
export interface ResolvedDeflateOptions {
  /** See {@link PerMessageDeflateOptions.serverNoContextTakeover}. */
  serverNoContextTakeover: boolean;
  /** See {@link PerMessageDeflateOptions.clientNoContextTakeover}. */
  clientNoContextTakeover: boolean;
  /** `undefined` when not requested. */
  serverMaxWindowBits: number | undefined;
  /** `undefined` when not requested. */
  clientMaxWindowBits: number | undefined;
  /** zlib level. */
  level: number;
  /** zlib memLevel. */
  memLevel: number;
  /** Compression threshold in bytes. */
  threshold: number;
  /** Process-wide async zlib concurrency. */
  concurrencyLimit: number;
}

/** Default zlib level: fast (see {@link PerMessageDeflateOptions.level}). */
export const DEFAULT_DEFLATE_LEVEL = 1;
/** Default zlib memLevel. */
export const DEFAULT_DEFLATE_MEM_LEVEL = 8;
/** Default compression threshold in bytes. */
export const DEFAULT_DEFLATE_THRESHOLD = 1024;
/** Default process-wide async zlib concurrency. */
export const DEFAULT_ZLIB_CONCURRENCY = 10;

function checkInt(name: string, v: number | undefined, min: number, max: number): void {
  if (v !== undefined && !(Number.isInteger(v) && v >= min && v <= max)) {
    throw new RangeError(`permessage-deflate option ${name} must be an integer in ${min}..${max}, got ${v}`);
  }
}

/**
 * Validates options and fills in defaults.
 * @throws RangeError on an out-of-range option (a programming error, not a peer's).
 */
export function normalizeDeflateOptions(options: PerMessageDeflateOptions = {}): ResolvedDeflateOptions {
  checkInt('serverMaxWindowBits', options.serverMaxWindowBits, 8, 15);
  checkInt('clientMaxWindowBits', options.clientMaxWindowBits, 8, 15);
  checkInt('level', options.level, 0, 9);
  checkInt('memLevel', options.memLevel, 1, 9);
  if (options.threshold !== undefined && !(options.threshold >= 0)) {
    throw new RangeError(`permessage-deflate option threshold must be >= 0, got ${options.threshold}`);
  }
  const c = options.concurrencyLimit;
  if (c !== undefined && !(c === Infinity || (Number.isInteger(c) && c >= 1))) {
    throw new RangeError(`permessage-deflate option concurrencyLimit must be a positive integer, got ${c}`);
  }
  return {
    serverNoContextTakeover: options.serverNoContextTakeover === true,
    clientNoContextTakeover: options.clientNoContextTakeover === true,
    serverMaxWindowBits: options.serverMaxWindowBits,
    clientMaxWindowBits: options.clientMaxWindowBits,
    level: options.level ?? DEFAULT_DEFLATE_LEVEL,
    memLevel: options.memLevel ?? DEFAULT_DEFLATE_MEM_LEVEL,
    threshold: options.threshold ?? DEFAULT_DEFLATE_THRESHOLD,
    concurrencyLimit: c ?? DEFAULT_ZLIB_CONCURRENCY,
  };
}

const SERVER_NO_CONTEXT_TAKEOVER = 'server_no_context_takeover';
const CLIENT_NO_CONTEXT_TAKEOVER = 'client_no_context_takeover';
const SERVER_MAX_WINDOW_BITS = 'server_max_window_bits';
const CLIENT_MAX_WINDOW_BITS = 'client_max_window_bits';

/** RFC 7692 §7.1.2: a decimal integer 8..15 without leading zeros (so no "08", "+9", " 9"). */
function parseWindowBits(v: string): number | null {
  return /^(?:[89]|1[0-5])$/.test(v) ? Number(v) : null;
}

/** The params of one permessage-deflate element, checked for shape; `error` says why not. */
interface CheckedParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  /** Absent: undefined. */
  serverMaxWindowBits: number | undefined;
  /** Absent: undefined; present without value: true. */
  clientMaxWindowBits: number | true | undefined;
}

/**
 * Checks what both directions agree on: known names only, each at most once, flags without
 * value, window bits 8..15. `client_max_window_bits` may lack a value in an offer only.
 * Returns an error message or the checked params.
 */
function checkParams(ext: ExtensionOffer, isOffer: boolean): CheckedParams | string {
  const out: CheckedParams = {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: undefined,
    clientMaxWindowBits: undefined,
  };
  for (const [key, values] of ext.params) {
    if (values.length !== 1) return `parameter "${key}" appears ${values.length} times`;
    const v = values[0]!;
    switch (key) {
      case SERVER_NO_CONTEXT_TAKEOVER:
      case CLIENT_NO_CONTEXT_TAKEOVER:
        if (v !== true) return `parameter "${key}" must not have a value`;
        if (key === SERVER_NO_CONTEXT_TAKEOVER) out.serverNoContextTakeover = true;
        else out.clientNoContextTakeover = true;
        break;
      case SERVER_MAX_WINDOW_BITS: {
        const bits = v === true ? null : parseWindowBits(v);
        if (bits === null) return `invalid value for parameter "${key}": ${v === true ? '(none)' : JSON.stringify(v)}`;
        out.serverMaxWindowBits = bits;
        break;
      }
      case CLIENT_MAX_WINDOW_BITS: {
        if (v === true) {
          if (!isOffer) return `parameter "${key}" must have a value in a response`;
          out.clientMaxWindowBits = true;
          break;
        }
        const bits = parseWindowBits(v);
        if (bits === null) return `invalid value for parameter "${key}": ${JSON.stringify(v)}`;
        out.clientMaxWindowBits = bits;
        break;
      }
      default:
        return `unknown parameter "${key}"`;
    }
  }
  return out;
}

/**
 * Server side: picks the first acceptable permessage-deflate offer among `offers`, in order
 * (offers of other extensions are ignored), and builds our response.
 *
 * An offer is declined, and the next one tried, when it has an unknown or repeated parameter,
 * a value on a flag, or a window-bits value that is missing (server_max_window_bits) or not
 * 8..15 without leading zeros. Otherwise it is accepted:
 * - `server_no_context_takeover` is answered when offered or when our option forces it;
 * - `client_no_context_takeover` is answered when offered (the client hinted it would anyway)
 *   or when our option asks for it (RFC 7692 §7.1.1.2 allows it unasked);
 * - `server_max_window_bits` is answered as min(offered, our option) when either is set;
 * - `client_max_window_bits` is answered only if the client offered it, as min(its value, our
 *   option) when either has a value. If the client did not offer it, our clientMaxWindowBits
 *   is treated as a preference, not a requirement: the offer is accepted and the client keeps
 *   a 15-bit window (declining would cost all compression to save ~32 KiB of inflate window).
 *
 * @returns The agreed params and the response header value, or null when nothing is acceptable.
 * @throws RangeError when `options` itself is invalid.
 */
export function negotiateDeflateServer(
  offers: readonly ExtensionOffer[],
  options: PerMessageDeflateOptions,
): { params: DeflateParams; response: string } | null {
  const opts = normalizeDeflateOptions(options);
  for (const offer of offers) {
    if (offer.name !== PERMESSAGE_DEFLATE) continue;
    const p = checkParams(offer, true);
    if (typeof p === 'string') continue;

    const serverNoContextTakeover = p.serverNoContextTakeover || opts.serverNoContextTakeover;
    const clientNoContextTakeover = p.clientNoContextTakeover || opts.clientNoContextTakeover;

    let serverBits: number | undefined;
    if (p.serverMaxWindowBits !== undefined || opts.serverMaxWindowBits !== undefined) {
      serverBits = Math.min(p.serverMaxWindowBits ?? 15, opts.serverMaxWindowBits ?? 15);
    }

    let clientBits: number | undefined;
    if (p.clientMaxWindowBits !== undefined) {
      const offered = p.clientMaxWindowBits === true ? undefined : p.clientMaxWindowBits;
      if (offered !== undefined || opts.clientMaxWindowBits !== undefined) {
        clientBits = Math.min(offered ?? 15, opts.clientMaxWindowBits ?? 15);
      }
    }

    const response = formatExtension(PERMESSAGE_DEFLATE, {
      [SERVER_NO_CONTEXT_TAKEOVER]: serverNoContextTakeover || undefined,
      [CLIENT_NO_CONTEXT_TAKEOVER]: clientNoContextTakeover || undefined,
      [SERVER_MAX_WINDOW_BITS]: serverBits,
      [CLIENT_MAX_WINDOW_BITS]: clientBits,
    });
    return {
      params: {
        serverNoContextTakeover,
        clientNoContextTakeover,
        serverMaxWindowBits: serverBits ?? 15,
        clientMaxWindowBits: clientBits ?? 15,
      },
      response,
    };
  }
  return null;
}

/**
 * Client side: the `Sec-WebSocket-Extensions` value we send. `client_max_window_bits` is always
 * included (with our value, or bare to say "any value is fine"), so the server may size our
 * window; e.g. `permessage-deflate; client_max_window_bits` with default options.
 * @throws RangeError when `options` is invalid.
 */
export function deflateOfferHeader(options: PerMessageDeflateOptions): string {
  const opts = normalizeDeflateOptions(options);
  return formatExtension(PERMESSAGE_DEFLATE, {
    [SERVER_NO_CONTEXT_TAKEOVER]: opts.serverNoContextTakeover || undefined,
    [CLIENT_NO_CONTEXT_TAKEOVER]: opts.clientNoContextTakeover || undefined,
    [SERVER_MAX_WINDOW_BITS]: opts.serverMaxWindowBits,
    [CLIENT_MAX_WINDOW_BITS]: opts.clientMaxWindowBits ?? true,
  });
}

/**
 * Client side: validates the server's response against the offer that
 * {@link deflateOfferHeader} built from the same `options`, and returns the agreed params.
 *
 * `response` is either the single permessage-deflate element, or every element of the
 * parsed response header, in which case exactly one must be permessage-deflate (others are
 * left to the caller). Fails on: a wrong extension name, zero or several permessage-deflate
 * elements, an unknown or repeated parameter, a value on a flag, a window-bits value that is
 * missing or not 8..15, `server_max_window_bits` above what we asked, `client_max_window_bits`
 * above what we promised. Omissions are tolerated, since our decoder copes with whatever the
 * server then does: if the server leaves out `server_no_context_takeover` or
 * `server_max_window_bits` that we asked for, we keep our inflate context / use a 15-bit window.
 *
 * @throws Error with a message naming the offending parameter; the handshake must then fail.
 */
export function acceptDeflateResponse(
  response: ExtensionOffer | readonly ExtensionOffer[],
  options: PerMessageDeflateOptions,
): DeflateParams {
  const opts = normalizeDeflateOptions(options);
  let ext: ExtensionOffer;
  if (isExtensionList(response)) {
    const found = response.filter((e) => e.name === PERMESSAGE_DEFLATE);
    if (found.length !== 1) {
      throw new Error(
        found.length === 0
          ? 'permessage-deflate: the response does not contain permessage-deflate'
          : `permessage-deflate: the response contains ${found.length} permessage-deflate elements; at most one is allowed`,
      );
    }
    ext = found[0]!;
  } else {
    ext = response;
  }
  if (ext.name !== PERMESSAGE_DEFLATE) {
    throw new Error(`permessage-deflate: unexpected extension "${ext.name}" in the response`);
  }
  const p = checkParams(ext, false);
  if (typeof p === 'string') throw new Error(`permessage-deflate: invalid response: ${p}`);
  const server = p.serverMaxWindowBits;
  if (server !== undefined && opts.serverMaxWindowBits !== undefined && server > opts.serverMaxWindowBits) {
    throw new Error(
      `permessage-deflate: invalid response: server_max_window_bits=${server} exceeds the ${opts.serverMaxWindowBits} we asked for`,
    );
  }
  const client = p.clientMaxWindowBits as number | undefined; // a bare value was rejected above
  if (client !== undefined && opts.clientMaxWindowBits !== undefined && client > opts.clientMaxWindowBits) {
    throw new Error(
      `permessage-deflate: invalid response: client_max_window_bits=${client} exceeds the ${opts.clientMaxWindowBits} we offered`,
    );
  }
  return {
    serverNoContextTakeover: p.serverNoContextTakeover,
    // Our own flag is honoured even if the server did not echo it: resetting is always allowed.
    clientNoContextTakeover: p.clientNoContextTakeover || opts.clientNoContextTakeover,
    serverMaxWindowBits: server ?? 15,
    clientMaxWindowBits: client ?? opts.clientMaxWindowBits ?? 15,
  };
}

function isExtensionList(v: ExtensionOffer | readonly ExtensionOffer[]): v is readonly ExtensionOffer[] {
  return Array.isArray(v);
}
