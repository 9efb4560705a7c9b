import { isWampId } from '@junction/wamp';
import type { Dict } from '@junction/wamp';
import type { RouterPeer } from '../realm-context.js';

/** A list from PUBLISH.Options: short ones are searched in place, long ones through a Set. */
export type Membership<T> = readonly T[] | ReadonlySet<T>;

/** Lists longer than this become a Set (a linear scan of a few items beats hashing). */
const SCAN_LIMIT = 8;

function contains<T>(list: Membership<T>, value: T): boolean {
  return Array.isArray(list) ? list.includes(value) : (list as ReadonlySet<T>).has(value);
}

/**
 * Subscriber black- and whitelisting of one publication (spec "Subscriber Black- and
 * Whitelisting"): a subscriber receives the event when it is in every present `eligible*` list
 * and in no present `exclude*` list.
 */
export interface DeliveryFilter {
  eligible?: Membership<number>;
  exclude?: Membership<number>;
  eligibleAuthid?: Membership<string>;
  excludeAuthid?: Membership<string>;
  eligibleAuthrole?: Membership<string>;
  excludeAuthrole?: Membership<string>;
}

/** True when `filter` lets `peer` receive the event. */
export function admits(filter: DeliveryFilter, peer: RouterPeer): boolean {
  if (filter.eligible !== undefined && !contains(filter.eligible, peer.id)) return false;
  if (filter.exclude !== undefined && contains(filter.exclude, peer.id)) return false;
  if (filter.eligibleAuthid !== undefined && !contains(filter.eligibleAuthid, peer.authid)) return false;
  if (filter.excludeAuthid !== undefined && contains(filter.excludeAuthid, peer.authid)) return false;
  if (filter.eligibleAuthrole !== undefined && !contains(filter.eligibleAuthrole, peer.authrole)) return false;
  if (filter.excludeAuthrole !== undefined && contains(filter.excludeAuthrole, peer.authrole)) return false;
  return true;
}

/** PUBLISH.Options as the broker uses them. */
export interface PublishOptions {
  /** Answer with PUBLISHED (or ERROR). Default false. */
  acknowledge: boolean;
  /** Leave the publisher out even if it is subscribed. Default true. */
  excludeMe: boolean;
  /** Disclose the publisher's session ID, authid and authrole in EVENT.Details. Default false. */
  discloseMe: boolean;
  /** Keep the event as the topic's retained event. Default false. */
  retain: boolean;
  /** Black- and whitelists, or undefined when none was given. */
  filter: DeliveryFilter | undefined;
}

/** The options of a PUBLISH with an empty Options dict (the common case: no allocation). */
export const DEFAULT_PUBLISH_OPTIONS: Readonly<PublishOptions> = Object.freeze({
  acknowledge: false,
  excludeMe: true,
  discloseMe: false,
  retain: false,
  filter: undefined,
});

/** A PUBLISH.Options value of the wrong type; its message says which and why. */
export class PublishOptionError extends Error {
  /** True when the publisher asked for acknowledgement (so the error can be reported). */
  constructor(message: string, readonly acknowledge: boolean) {
    super(message);
    this.name = 'PublishOptionError';
  }
}

/** True when `options` has no own enumerable key (checked without allocating). */
export function isEmptyDict(options: Dict): boolean {
  for (const key in options) if (Object.prototype.hasOwnProperty.call(options, key)) return false;
  return true;
}

/**
 * Reads PUBLISH.Options. Absent and null values take the defaults; unknown keys are ignored (the
 * spec lets peers add their own, e.g. `x_...`, `ppt_...`). Throws {@link PublishOptionError} for
 * a known option of the wrong type.
 */
export function parsePublishOptions(options: Dict): PublishOptions {
  if (isEmptyDict(options)) return DEFAULT_PUBLISH_OPTIONS;
  // Read acknowledge first so a later error can still be reported to a publisher that wants it.
  const acknowledge = options.acknowledge === true;
  const result: PublishOptions = {
    acknowledge,
    excludeMe: readBoolean(options, 'exclude_me', true, acknowledge),
    discloseMe: readBoolean(options, 'disclose_me', false, acknowledge),
    retain: readBoolean(options, 'retain', false, acknowledge),
    filter: undefined,
  };
  readBoolean(options, 'acknowledge', false, acknowledge);
  const filter: DeliveryFilter = {};
  let any = false;
  const lists: [key: string, field: keyof DeliveryFilter, kind: 'id' | 'string'][] = LIST_OPTIONS;
  for (let i = 0; i < lists.length; i++) {
    const [key, field, kind] = lists[i]!;
    const value = options[key];
    if (value === undefined || value === null) continue;
    (filter as Record<string, unknown>)[field] = readList(key, value, kind, acknowledge);
    any = true;
  }
  if (any) result.filter = filter;
  return result;
}

const LIST_OPTIONS: [key: string, field: keyof DeliveryFilter, kind: 'id' | 'string'][] = [
  ['eligible', 'eligible', 'id'],
  ['exclude', 'exclude', 'id'],
  ['eligible_authid', 'eligibleAuthid', 'string'],
  ['exclude_authid', 'excludeAuthid', 'string'],
  ['eligible_authrole', 'eligibleAuthrole', 'string'],
  ['exclude_authrole', 'excludeAuthrole', 'string'],
];

function readBoolean(options: Dict, key: string, fallback: boolean, acknowledge: boolean): boolean {
  const value = options[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw new PublishOptionError(`PUBLISH.Options.${key} must be a boolean`, acknowledge);
  return value;
}

function readList(key: string, value: unknown, kind: 'id' | 'string', acknowledge: boolean): Membership<unknown> {
  const ok = Array.isArray(value) && value.every(kind === 'id' ? isWampId : (item) => typeof item === 'string');
  if (!ok) {
    throw new PublishOptionError(`PUBLISH.Options.${key} must be a list of ${kind === 'id' ? 'session IDs' : 'strings'}`, acknowledge);
  }
  return value.length > SCAN_LIMIT ? new Set(value) : value;
}
