import { DeflateCodec } from '../deflate-codec.js';
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

/** A codec for one connection with the agreed parameters and our tuning options. */
export function createDeflateCodec(params: DeflateParams, isServer: boolean, options: ResolvedDeflateOptions, maxPayload: number): DeflateCodec {
  return new DeflateCodec(params, isServer, {
    level: options.level,
    memLevel: options.memLevel,
    threshold: options.threshold,
    maxPayload,
    limiter: sharedZlibLimiter(options.concurrencyLimit),
  });
}
