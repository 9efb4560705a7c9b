import type { Args, Dict } from '@junction/wamp';
import type { DeliveryFilter } from './publish-options.js';

/** Bounds of the retained-event store of one realm. */
export interface RetentionLimits {
  /** Topics with a retained event at once; the least recently published is dropped past it. Default 10,000. */
  maxRetainedTopics: number;
  /**
   * Estimated payload bytes of all retained events together; least recently published are
   * dropped past it, and an event larger than this alone is not retained. Default 32 MiB.
   */
  maxRetainedBytes: number;
}

/** The default retention bounds. */
export const DEFAULT_RETENTION_LIMITS: Readonly<RetentionLimits> = Object.freeze({
  maxRetainedTopics: 10_000,
  maxRetainedBytes: 32 * 1024 * 1024,
});

/** One retained event: enough to rebuild its EVENT and to apply the delivery rules it was published with. */
export interface RetainedEvent {
  topic: string;
  publicationId: number;
  args: Args | undefined;
  kwargs: Dict | undefined;
  /** Details every receiver gets (publisher disclosure), without `topic` and `retained`. */
  details: Dict;
  /** The publisher's session ID when it excluded itself (`exclude_me`), else undefined. */
  excludedPublisher: number | undefined;
  filter: DeliveryFilter | undefined;
  /** Estimated size, counted against {@link RetentionLimits.maxRetainedBytes}. */
  size: number;
}

/**
 * The last retained event of each topic (spec "Event Retention": best effort, one event per
 * topic). Memory is bounded by topic count and by estimated payload bytes; the store evicts the
 * least recently published topics first (a Map keeps insertion order, and a publish re-inserts).
 */
export class RetainedEvents {
  private readonly events = new Map<string, RetainedEvent>();
  private bytes = 0;

  constructor(readonly limits: RetentionLimits = DEFAULT_RETENTION_LIMITS) {}

  /** Number of topics with a retained event. */
  get size(): number {
    return this.events.size;
  }

  /** Estimated bytes held. */
  get estimatedBytes(): number {
    return this.bytes;
  }

  /** The retained event of `topic`. */
  get(topic: string): RetainedEvent | undefined {
    return this.events.get(topic);
  }

  /** Every retained event (for pattern subscriptions with `get_retained`). */
  values(): IterableIterator<RetainedEvent> {
    return this.events.values();
  }

  /**
   * Makes `event` the retained event of its topic. An event too large to retain clears the
   * topic's previous one instead, so a subscriber never gets a value older than the latest.
   * Returns false when the event was not retained.
   */
  set(event: Omit<RetainedEvent, 'size'>): boolean {
    this.delete(event.topic);
    const size = estimateSize(event.topic, 0) + estimateSize(event.args, 0) + estimateSize(event.kwargs, 0) + estimateSize(event.filter, 0) + 64;
    if (size > this.limits.maxRetainedBytes) return false;
    this.events.set(event.topic, { ...event, size });
    this.bytes += size;
    while (this.events.size > this.limits.maxRetainedTopics || this.bytes > this.limits.maxRetainedBytes) {
      const oldest = this.events.keys().next().value as string;
      this.delete(oldest);
    }
    return true;
  }

  /** Forgets the retained event of `topic`. */
  delete(topic: string): void {
    const old = this.events.get(topic);
    if (old === undefined) return;
    this.events.delete(topic);
    this.bytes -= old.size;
  }
}

/** Deeper values than this are counted as "too large" (decoded messages are trees, never cycles). */
const MAX_DEPTH = 64;

/**
 * A rough serialized size of a decoded value, in bytes: close enough to bound memory, and cheap
 * (retain is rare, and this walks the payload once). Anything nested past {@link MAX_DEPTH}
 * counts as infinite so the event is not retained.
 */
export function estimateSize(value: unknown, depth: number): number {
  if (depth > MAX_DEPTH) return Infinity;
  switch (typeof value) {
    case 'string':
      return value.length * 2 + 2; // UTF-16 code units held in memory, not UTF-8 on the wire
    case 'number':
    case 'bigint':
      return 9;
    case 'boolean':
    case 'undefined':
      return 1;
    case 'object': {
      if (value === null) return 1;
      if (ArrayBuffer.isView(value)) return value.byteLength + 8;
      if (value instanceof Set) {
        let total = 8;
        for (const item of value) total += estimateSize(item, depth + 1);
        return total;
      }
      if (Array.isArray(value)) {
        let total = 8;
        for (let i = 0; i < value.length; i++) total += estimateSize(value[i], depth + 1);
        return total;
      }
      let total = 8;
      for (const key in value) total += key.length * 2 + 2 + estimateSize((value as Dict)[key], depth + 1);
      return total;
    }
    default:
      return 8;
  }
}
