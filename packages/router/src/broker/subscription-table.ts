import { randomId } from '@junction/wamp';
import type { MatchPolicy } from '@junction/wamp';
import { PatternTable } from '../pattern-table.js';
import type { RouterPeer } from '../realm-context.js';

/**
 * One router subscription: a (match policy, topic pattern) pair shared by every session that
 * subscribed to it, all of which get the same Subscription ID.
 */
export class Subscription {
  /** The subscribed sessions by session ID; iterated once per event. */
  readonly subscribers = new Map<number, RouterPeer>();
  /** Creation time in ms since the epoch (the meta API reports it as ISO 8601). */
  readonly createdAt = Date.now();

  constructor(
    readonly id: number,
    readonly uri: string,
    readonly match: MatchPolicy,
  ) {}

  /** `SubscriptionDetails` of the subscription meta API. */
  details(): { id: number; created: string; uri: string; match: MatchPolicy } {
    return { id: this.id, created: new Date(this.createdAt).toISOString(), uri: this.uri, match: this.match };
  }
}

/** What {@link SubscriptionTable.add} did. */
export interface AddResult {
  subscription: Subscription;
  /** True when the subscription did not exist before (meta event `on_create`). */
  created: boolean;
  /** True when the session was not subscribed yet (meta event `on_subscribe`). */
  added: boolean;
}

/** What {@link SubscriptionTable.remove} did. */
export interface RemoveResult {
  subscription: Subscription;
  /** True when the session was the last subscriber and the subscription is gone (`on_delete`). */
  deleted: boolean;
}

/**
 * The subscriptions of one realm, found three ways: by (pattern, policy) for SUBSCRIBE, by
 * topic for PUBLISH (through {@link PatternTable}), by ID for UNSUBSCRIBE and the meta API; plus
 * a per-session index so that a leaving session costs only its own subscriptions.
 */
export class SubscriptionTable {
  private readonly patterns = new PatternTable<Subscription>();
  private readonly byId = new Map<number, Subscription>();
  /** Subscriptions of each session, by session ID. */
  private readonly bySession = new Map<number, Map<number, Subscription>>();
  /** Number of prefix and wildcard subscriptions: when 0, a publish needs one Map lookup. */
  private patternCount = 0;
  /** Cluster: the ID a new subscription gets (the same on every node); random when unset or taken. */
  idFor: ((uri: string, match: MatchPolicy) => number) | undefined = undefined;

  /** Number of subscriptions. */
  get size(): number {
    return this.byId.size;
  }

  /** The subscription with this ID. */
  get(id: number): Subscription | undefined {
    return this.byId.get(id);
  }

  /** The subscription for exactly this pattern and policy. */
  lookup(uri: string, match: MatchPolicy): Subscription | undefined {
    return this.patterns.get(uri, match);
  }

  /** The exact-match subscription for `topic`, if any (the publish fast path). */
  exact(topic: string): Subscription | undefined {
    return this.patterns.get(topic, 'exact');
  }

  /** True when some prefix or wildcard subscription exists. */
  get hasPatterns(): boolean {
    return this.patternCount > 0;
  }

  /** Calls `fn` for every subscription whose pattern matches `topic`. */
  forEachMatch(topic: string, fn: (subscription: Subscription) => void): void {
    this.patterns.forEachMatch(topic, fn);
  }

  /** Every subscription. */
  values(): IterableIterator<Subscription> {
    return this.byId.values();
  }

  /** Number of subscriptions `peer` holds. */
  countOf(peer: RouterPeer): number {
    return this.bySession.get(peer.id)?.size ?? 0;
  }

  /** The subscription `peer` holds with this ID, if any. */
  ofPeer(peer: RouterPeer, id: number): Subscription | undefined {
    return this.bySession.get(peer.id)?.get(id);
  }

  /** Subscribes `peer` to (uri, match), creating the subscription when it is the first. */
  add(peer: RouterPeer, uri: string, match: MatchPolicy): AddResult {
    let subscription = this.patterns.get(uri, match);
    let created = false;
    if (subscription === undefined) {
      let id = this.idFor?.(uri, match) ?? randomId();
      while (this.byId.has(id)) id = randomId();
      subscription = new Subscription(id, uri, match);
      this.patterns.set(uri, match, subscription);
      this.byId.set(id, subscription);
      if (match !== 'exact') this.patternCount++;
      created = true;
    }
    const added = !subscription.subscribers.has(peer.id);
    if (added) {
      subscription.subscribers.set(peer.id, peer);
      let own = this.bySession.get(peer.id);
      if (own === undefined) this.bySession.set(peer.id, (own = new Map()));
      own.set(subscription.id, subscription);
    }
    return { subscription, created, added };
  }

  /** Unsubscribes `peer` from subscription `id`; undefined when it held no such subscription. */
  remove(peer: RouterPeer, id: number): RemoveResult | undefined {
    const own = this.bySession.get(peer.id);
    const subscription = own?.get(id);
    if (own === undefined || subscription === undefined) return undefined;
    own.delete(id);
    if (own.size === 0) this.bySession.delete(peer.id);
    return { subscription, deleted: this.dropSubscriber(subscription, peer) };
  }

  /** Removes every subscription of `peer`, returning what was removed (in subscription order). */
  removeAll(peer: RouterPeer): RemoveResult[] {
    const own = this.bySession.get(peer.id);
    if (own === undefined) return [];
    this.bySession.delete(peer.id);
    const removed: RemoveResult[] = [];
    for (const subscription of own.values()) removed.push({ subscription, deleted: this.dropSubscriber(subscription, peer) });
    return removed;
  }

  private dropSubscriber(subscription: Subscription, peer: RouterPeer): boolean {
    subscription.subscribers.delete(peer.id);
    if (subscription.subscribers.size > 0) return false;
    this.patterns.delete(subscription.uri, subscription.match);
    this.byId.delete(subscription.id);
    if (subscription.match !== 'exact') this.patternCount--;
    return true;
  }
}
