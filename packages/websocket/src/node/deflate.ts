import { DeflateCodec } from '../deflate-codec.js';
import type { DeflateParams, PerMessageDeflateOptions } from '../permessage-deflate.js';
import { sharedZlibLimiter } from '../zlib-limiter.js';

/** Turns a `perMessageDeflate` option (boolean or object) into options, or null when disabled. */
export function resolveDeflateOptions(option: boolean | PerMessageDeflateOptions | undefined, enabledByDefault: boolean): PerMessageDeflateOptions | null {
  if (option === undefined) return enabledByDefault ? {} : null;
  if (option === false) return null;
  return option === true ? {} : option;
}

/** A codec for one connection with the agreed parameters and our tuning options. */
export function createDeflateCodec(params: DeflateParams, isServer: boolean, options: PerMessageDeflateOptions, maxPayload: number): DeflateCodec {
  return new DeflateCodec(params, isServer, {
    level: options.level ?? 1,
    memLevel: options.memLevel ?? 8,
    threshold: options.threshold ?? 1024,
    maxPayload,
    limiter: sharedZlibLimiter(options.concurrencyLimit ?? 10),
  });
}
