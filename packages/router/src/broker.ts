import { ErrorUri, MessageType, isReservedUri, isValidPattern, isValidUri, randomId, wildcardMatches } from '@junction/wamp';
import type { Args, Dict, EncodedCache, EventMessage, MatchPolicy, PublishMessage, SubscribeMessage, UnsubscribeMessage } from '@junction/wamp';
import type { BrokerApi, RealmContext, RouterPeer } from './realm-context.js';
import { PublishOptionError, admits, parsePublishOptions } from './broker/publish-options.js';
import type { DeliveryFilter, PublishOptions } from './broker/publish-options.js';
import { DEFAULT_RETENTION_LIMITS, RetainedEvents } from './broker/retained-events.js';
import type { RetainedEvent, RetentionLimits } from './broker/retained-events.js';
import { SubscriptionMetaTopic, subscriptionMetaProcedures } from './broker/subscription-meta.js';
import { SubscriptionTable } from './broker/subscription-table.js';
import type { Subscription } from './broker/subscription-table.js';

/**
 * A publication as it travels between the nodes of a router cluster (`@junction/cluster`): what
 * another node needs to deliver it to its own subscribers with the same rules.
 */
export interface ClusterPublication {
  topic: string;
  publicationId: number;
  /** EVENT.Details every receiver gets (publisher disclosure), without `topic`. */
  details: Dict;
  args: Args | undefined;
  kwargs: Dict | undefined;
  /** The publisher's session ID when it excluded itself (`exclude_me`), else 0. */
  excluded: number;
  /** The black- and whitelists, applied by each node to its own subscribers. */
  filter: DeliveryFilter | undefined;
  /** Keep it as the topic's retained event on every node. */
  retain: boolean;
  /** True for the router's own publications (meta events). */
  internal: boolean;
}

/**
 * Cluster hooks of a broker (set by `@junction/cluster` through {@link Broker.cluster}); a
 * standalone router has none.
 */
export interface BrokerClusterHooks {
  /** A publication was delivered on this node: hand it to the other nodes. Must not throw. */
  forward(publication: ClusterPublication): void;
  /**
   * The ID of a new subscription: the same (URI, policy) gets the same ID on every node, so that
   * the cluster-wide meta API can merge what each node reports. Random IDs when absent.
   */
  subscriptionId?(uri: string, match: MatchPolicy): number;
}

/** Options of a {@link Broker} beyond its realm's limits. */
export interface BrokerOptions {
  /** Bounds of the retained-event store; see {@link RetentionLimits}. */
  retention?: Partial<RetentionLimits>;
}

/**
 * The broker of one realm: exact, prefix and wildcard subscriptions, publisher exclusion and
 * identification, subscriber black- and whitelisting, event retention and the subscription meta
 * API. The session has validated message shapes and authorized the action before it calls in.
 *
 * Each event is built once per matching subscription and handed, with one shared encoding cache
 * (`EncodedCache`), to every subscriber, so transports encode it once per serializer.
 */
export class Broker implements BrokerApi {
  /** @internal The subscriptions of the realm (read by the meta API and tests). */
  readonly subscriptions = new SubscriptionTable();
  /** @internal The retained events of the realm. */
  readonly retained: RetainedEvents;
  private clusterHooks: BrokerClusterHooks | undefined = undefined;

  constructor(
    readonly realm: RealmContext,
    options: BrokerOptions = {},
  ) {
    this.retained = new RetainedEvents({ ...DEFAULT_RETENTION_LIMITS, ...options.retention });
    this.registerMetaProcedures();
  }

  /** The cluster hooks (`@junction/cluster` sets them once, before sessions join); undefined when standalone. */
  get cluster(): BrokerClusterHooks | undefined {
    return this.clusterHooks;
  }

  set cluster(hooks: BrokerClusterHooks | undefined) {
    this.clusterHooks = hooks;
    const idFor = hooks?.subscriptionId;
    this.subscriptions.idFor = idFor === undefined ? undefined : (uri, match) => idFor.call(hooks, uri, match);
  }

  /**
   * A publication from another node of the cluster: delivered to this node's matching
   * subscribers under the publication's own rules (and retained when it asks to be), never
   * forwarded again and never acknowledged here.
   */
  publishRemote(publication: ClusterPublication): void {
    const topic = publication.topic;
    const exact = this.subscriptions.exact(topic);
    if (exact === undefined && !isValidUri(topic)) return;
    const { publicationId, details, args, kwargs, excluded, filter } = publication;
    this.dispatch(topic, exact, publicationId, details, args, kwargs, excluded, filter);
    if (publication.retain) this.retain(topic, publicationId, details, args, kwargs, excluded === 0 ? undefined : excluded, filter);
  }

  /**
   * SUBSCRIBE: SUBSCRIBED with the shared subscription's ID (the same ID again for a repeated
   * SUBSCRIBE), then the retained events asked for with `get_retained`. ERROR
   * `wamp.error.invalid_argument` for a bad `match` or `get_retained`, `wamp.error.invalid_uri`
   * for a topic invalid under its policy, `junction.error.limit_exceeded` past
   * `maxSubscriptionsPerSession`.
   */
  subscribe(peer: RouterPeer, message: SubscribeMessage): void {
    const request = message[1];
    const options = message[2];
    const topic = message[3];
    let match: MatchPolicy = 'exact';
    const requested = options.match;
    if (requested !== undefined && requested !== null) {
      if (requested !== 'exact' && requested !== 'prefix' && requested !== 'wildcard') {
        return this.error(peer, MessageType.SUBSCRIBE, request, ErrorUri.INVALID_ARGUMENT,
          `SUBSCRIBE.Options.match must be "exact", "prefix" or "wildcard", got ${describe(requested)}`);
      }
      match = requested;
    }
    const getRetained = options.get_retained;
    if (getRetained !== undefined && getRetained !== null && typeof getRetained !== 'boolean') {
      return this.error(peer, MessageType.SUBSCRIBE, request, ErrorUri.INVALID_ARGUMENT, 'SUBSCRIBE.Options.get_retained must be a boolean');
    }
    if (!isValidPattern(topic, match)) {
      return this.error(peer, MessageType.SUBSCRIBE, request, ErrorUri.INVALID_URI, `invalid topic ${describe(topic)} for match "${match}"`);
    }

    const existing = this.subscriptions.lookup(topic, match);
    if (existing === undefined || !existing.subscribers.has(peer.id)) {
      const limit = this.realm.limits.maxSubscriptionsPerSession;
      if (this.subscriptions.countOf(peer) >= limit) {
        return this.error(peer, MessageType.SUBSCRIBE, request, ErrorUri.LIMIT_EXCEEDED, `a session may hold at most ${limit} subscriptions`);
      }
    }
    const { subscription, created, added } = this.subscriptions.add(peer, topic, match);
    peer.send([MessageType.SUBSCRIBED, request, subscription.id]);
    if (getRetained === true) this.sendRetained(peer, subscription);
    if (isReservedUri(topic)) return; // meta topics make no meta events
    if (created) this.publishInternal(SubscriptionMetaTopic.ON_CREATE, [peer.id, subscription.details()]);
    if (added) this.publishInternal(SubscriptionMetaTopic.ON_SUBSCRIBE, [peer.id, subscription.id]);
  }

  /** UNSUBSCRIBE: UNSUBSCRIBED, or ERROR `wamp.error.no_such_subscription` when the session holds no such subscription. */
  unsubscribe(peer: RouterPeer, message: UnsubscribeMessage): void {
    const request = message[1];
    const removed = this.subscriptions.remove(peer, message[2]);
    if (removed === undefined) {
      return this.error(peer, MessageType.UNSUBSCRIBE, request, ErrorUri.NO_SUCH_SUBSCRIPTION, `no subscription with ID ${message[2]} in this session`);
    }
    peer.send([MessageType.UNSUBSCRIBED, request]);
    this.unsubscribed(peer, removed.subscription, removed.deleted);
  }

  /**
   * PUBLISH: EVENTs to every matching subscription, PUBLISHED with `acknowledge`. Errors are
   * answered only with `acknowledge` (else the publication is dropped): `wamp.error.invalid_uri`
   * for an invalid topic or one in the reserved `wamp.` namespace, `wamp.error.invalid_argument`
   * for an option of the wrong type.
   */
  publish(peer: RouterPeer, message: PublishMessage): void {
    const request = message[1];
    const topic = message[3];
    let options: PublishOptions;
    try {
      options = parsePublishOptions(message[2]);
    } catch (error) {
      if (!(error instanceof PublishOptionError)) throw error;
      if (error.acknowledge) this.error(peer, MessageType.PUBLISH, request, ErrorUri.INVALID_ARGUMENT, error.message);
      return;
    }
    // An exact subscription exists only for a valid URI: its presence spares the URI check.
    const exact = this.subscriptions.exact(topic);
    if (exact === undefined && !isValidUri(topic)) {
      if (options.acknowledge) this.error(peer, MessageType.PUBLISH, request, ErrorUri.INVALID_URI, `invalid topic ${describe(topic)}`);
      return;
    }
    if (isReservedUri(topic)) {
      if (options.acknowledge) {
        this.error(peer, MessageType.PUBLISH, request, ErrorUri.INVALID_URI, `topic ${describe(topic)} is in the "wamp." namespace, which is reserved for the router`);
      }
      return;
    }
    const publicationId = randomId();
    const details: Dict = options.discloseMe
      ? { publisher: peer.id, publisher_authid: peer.authid, publisher_authrole: peer.authrole }
      : {};
    const excluded = options.excludeMe ? peer.id : 0;
    this.dispatch(topic, exact, publicationId, details, message[4], message[5], excluded, options.filter);
    if (options.retain) this.retain(topic, publicationId, details, message[4], message[5], options.excludeMe ? peer.id : undefined, options.filter);
    this.clusterHooks?.forward({
      topic, publicationId, details, args: message[4], kwargs: message[5], excluded, filter: options.filter, retain: options.retain, internal: false,
    });
    if (options.acknowledge) peer.send([MessageType.PUBLISHED, request, publicationId]);
  }

  /** A publication of the router's own (meta events): no publisher; `options` may carry the black/whitelists and `retain`. */
  publishInternal(topic: string, args?: Args, kwargs?: Dict, options: Dict = {}): void {
    let parsed: PublishOptions;
    try {
      parsed = parsePublishOptions(options);
    } catch (error) {
      this.realm.log('error', `broker: bad options for router publication to ${topic}`, error);
      return;
    }
    const exact = this.subscriptions.exact(topic);
    if (exact === undefined && !isValidUri(topic)) {
      this.realm.log('error', `broker: router publication to invalid topic ${describe(topic)}`);
      return;
    }
    const publicationId = randomId();
    this.dispatch(topic, exact, publicationId, {}, args, kwargs, 0, parsed.filter);
    if (parsed.retain) this.retain(topic, publicationId, {}, args, kwargs, undefined, parsed.filter);
    this.clusterHooks?.forward({ topic, publicationId, details: {}, args, kwargs, excluded: 0, filter: parsed.filter, retain: parsed.retain, internal: true });
  }

  /** The session left: its subscriptions go (with `on_unsubscribe` / `on_delete` meta events); its retained events stay. */
  detach(peer: RouterPeer): void {
    const removed = this.subscriptions.removeAll(peer);
    for (let i = 0; i < removed.length; i++) this.unsubscribed(peer, removed[i]!.subscription, removed[i]!.deleted);
  }

  /** Sends one publication to every matching subscription. */
  private dispatch(
    topic: string, exact: Subscription | undefined, publicationId: number, details: Dict,
    args: Args | undefined, kwargs: Dict | undefined, excluded: number, filter: DeliveryFilter | undefined,
  ): void {
    if (exact !== undefined) this.deliver(exact, publicationId, details, args, kwargs, excluded, filter);
    if (!this.subscriptions.hasPatterns) return;
    // Pattern subscribers learn the concrete topic (spec "Concrete topic published to").
    let patternDetails: Dict | undefined;
    this.subscriptions.forEachMatch(topic, (subscription) => {
      if (subscription.match === 'exact') return;
      patternDetails ??= { ...details, topic };
      this.deliver(subscription, publicationId, patternDetails, args, kwargs, excluded, filter);
    });
  }

  /** The hot path: one EVENT and one encoding cache per subscription, nothing per subscriber. */
  private deliver(
    subscription: Subscription, publicationId: number, details: Dict, args: Args | undefined,
    kwargs: Dict | undefined, excluded: number, filter: DeliveryFilter | undefined,
  ): void {
    const event = eventMessage(subscription.id, publicationId, details, args, kwargs);
    const cache: EncodedCache = {};
    for (const peer of subscription.subscribers.values()) {
      if (peer.id === excluded || !peer.open) continue;
      if (filter !== undefined && !admits(filter, peer)) continue;
      try {
        peer.send(event, cache);
      } catch (error) {
        // A failing peer must not keep the event from the others.
        this.realm.log('error', `broker: sending an event to session ${peer.id} failed`, error);
      }
    }
  }

  private retain(
    topic: string, publicationId: number, details: Dict, args: Args | undefined, kwargs: Dict | undefined,
    excludedPublisher: number | undefined, filter: DeliveryFilter | undefined,
  ): void {
    if (!this.retained.set({ topic, publicationId, details, args, kwargs, excludedPublisher, filter })) {
      this.realm.log('warn', `broker: event on ${topic} too large to retain; the topic has no retained event now`);
    }
  }

  /** After SUBSCRIBED with `get_retained`: the retained events this subscription would have received. */
  private sendRetained(peer: RouterPeer, subscription: Subscription): void {
    if (this.retained.size === 0) return;
    if (subscription.match === 'exact') {
      const event = this.retained.get(subscription.uri);
      if (event !== undefined) this.sendOneRetained(peer, subscription, event);
      return;
    }
    const parts = subscription.match === 'wildcard' ? subscription.uri.split('.') : undefined;
    for (const event of this.retained.values()) {
      const matches = parts === undefined ? event.topic.startsWith(subscription.uri) : wildcardMatches(parts, event.topic.split('.'));
      if (matches) this.sendOneRetained(peer, subscription, event);
    }
  }

  private sendOneRetained(peer: RouterPeer, subscription: Subscription, event: RetainedEvent): void {
    // Only what the subscriber would have received had it been subscribed at publication time.
    if (event.excludedPublisher === peer.id) return;
    if (event.filter !== undefined && !admits(event.filter, peer)) return;
    const details: Dict = subscription.match === 'exact'
      ? { ...event.details, retained: true }
      : { ...event.details, topic: event.topic, retained: true };
    peer.send(eventMessage(subscription.id, event.publicationId, details, event.args, event.kwargs));
  }

  /** Meta events after `peer` left `subscription` (by UNSUBSCRIBE or by leaving the realm). */
  private unsubscribed(peer: RouterPeer, subscription: Subscription, deleted: boolean): void {
    if (isReservedUri(subscription.uri)) return;
    this.publishInternal(SubscriptionMetaTopic.ON_UNSUBSCRIBE, [peer.id, subscription.id]);
    if (deleted) this.publishInternal(SubscriptionMetaTopic.ON_DELETE, [peer.id, subscription.id]);
  }

  private error(peer: RouterPeer, requestType: number, request: number, uri: string, message: string): void {
    peer.send([MessageType.ERROR, requestType, request, {}, uri, [message]]);
  }

  /**
   * Registers the subscription meta procedures with the realm's dealer. A realm may build its
   * broker before its dealer; then this waits one microtask for it.
   */
  private registerMetaProcedures(): void {
    const register = (): boolean => {
      const dealer = this.realm.dealer as RealmContext['dealer'] | undefined;
      if (dealer === undefined) return false;
      for (const [uri, procedure] of subscriptionMetaProcedures(this.subscriptions)) dealer.registerInternal(uri, procedure);
      return true;
    };
    if (register()) return;
    queueMicrotask(() => {
      if (!register()) this.realm.log('error', 'broker: the realm has no dealer; the subscription meta API is not available');
    });
  }
}

function eventMessage(subscription: number, publication: number, details: Dict, args: Args | undefined, kwargs: Dict | undefined): EventMessage {
  if (kwargs !== undefined) return [MessageType.EVENT, subscription, publication, details, args ?? [], kwargs];
  if (args !== undefined) return [MessageType.EVENT, subscription, publication, details, args];
  return [MessageType.EVENT, subscription, publication, details];
}

/** A peer-supplied value for an error text: strings quoted and cut short, other values by type. */
function describe(value: unknown): string {
  if (typeof value !== 'string') return Array.isArray(value) ? 'a list' : value === null ? 'null' : `a ${typeof value}`;
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}
