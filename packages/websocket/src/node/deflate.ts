import { DeflateCodec, type DeflateCodecOptions } from '../deflate-codec.js';
import { normalizeDeflateOptions, type DeflateParams, type PerMessageDeflateOptions, type ResolvedDeflateOptions } from '../permessage-deflate.js';
import { sharedZlibLimiter } from '../zlib-limiter.js';

/**
 * Turns a `perMessageDeflate` option (boolean or object) into checked options with their defaults,
 * or null when disabled. Bad values throw here, at construction, not at the first handshake.
 */
export function resolveDeflateOptions(option: boolean | PerMessageDeflateOptions | undefined, enabledByDefault: boolean): ResolvedDeflateOptions | null {
  if (option === false || (option === undefined && !enabledByDefault)) return null;
  return normalizeDeflateOptions(typeof option === 'object' ? option : {});
}

/**
 * The codec options for a given `maxPayload`: made once per server and shared by all its
 * connections (an idle connection then holds no options object of its own).
 */
export function deflateCodecOptions(options: ResolvedDeflateOptions, maxPayload: number): DeflateCodecOptions {
  return {
    level: options.level,
    memLevel: options.memLevel,
    threshold: options.threshold,
    maxPayload,
    limiter: sharedZlibLimiter(options.concurrencyLimit),
  };
}

/** A codec for one connection with the agreed parameters and our tuning options. */
export function createDeflateCodec(params: DeflateParams, isServer: boolean, codecOptions: DeflateCodecOptions): DeflateCodec {
  return new DeflateCodec(params, isServer, codecOptions);
}
