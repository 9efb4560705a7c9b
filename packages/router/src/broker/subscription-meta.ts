import { ErrorUri, WampError, isDict, isWampId } from '@junction/wamp';
import type { Args, MatchPolicy } from '@junction/wamp';
import type { InternalProcedure } from '../realm-context.js';
import type { Subscription, SubscriptionTable } from './subscription-table.js';

/** Meta events of the subscription meta API (spec "Subscription Meta API"). */
export const SubscriptionMetaTopic = {
  ON_CREATE: 'wamp.subscription.on_create',
  ON_SUBSCRIBE: 'wamp.subscription.on_subscribe',
  ON_UNSUBSCRIBE: 'wamp.subscription.on_unsubscribe',
  ON_DELETE: 'wamp.subscription.on_delete',
} as const;

/** Reads a subscription ID argument, or throws `wamp.error.invalid_argument`. */
function subscriptionIdArg(args: Args, procedure: string): number {
  const id = args[0];
  if (!isWampId(id)) throw new WampError(ErrorUri.INVALID_ARGUMENT, [`${procedure} expects a subscription ID as its first argument`]);
  return id;
}

function topicArg(args: Args, procedure: string): string {
  const topic = args[0];
  if (typeof topic !== 'string' || topic.length === 0) {
    throw new WampError(ErrorUri.INVALID_ARGUMENT, [`${procedure} expects a topic URI as its first argument`]);
  }
  return topic;
}

function existing(table: SubscriptionTable, id: number): Subscription {
  const subscription = table.get(id);
  if (subscription === undefined) throw new WampError(ErrorUri.NO_SUCH_SUBSCRIPTION, [`no subscription with ID ${id}`]);
  return subscription;
}

/**
 * The meta procedures of the subscription meta API, over `table`, as (URI, procedure) pairs for
 * `DealerApi.registerInternal`. They report every subscription, `wamp.*` ones included.
 */
export function subscriptionMetaProcedures(table: SubscriptionTable): [uri: string, procedure: InternalProcedure][] {
  return [
    ['wamp.subscription.list', () => {
      const lists: Record<MatchPolicy, number[]> = { exact: [], prefix: [], wildcard: [] };
      for (const subscription of table.values()) lists[subscription.match].push(subscription.id);
      return { args: [lists] };
    }],
    ['wamp.subscription.lookup', (_caller, args) => {
      const topic = topicArg(args, 'wamp.subscription.lookup');
      const options = args[1];
      let match: MatchPolicy = 'exact';
      if (options !== undefined && options !== null) {
        if (!isDict(options)) throw new WampError(ErrorUri.INVALID_ARGUMENT, ['wamp.subscription.lookup expects an options dict as its second argument']);
        const requested = options.match;
        if (requested === 'exact' || requested === 'prefix' || requested === 'wildcard') match = requested;
        else if (requested !== undefined && requested !== null) {
          throw new WampError(ErrorUri.INVALID_ARGUMENT, ['options.match must be "exact", "prefix" or "wildcard"']);
        }
      }
      return { args: [table.lookup(topic, match)?.id ?? null] };
    }],
    ['wamp.subscription.match', (_caller, args) => {
      const topic = topicArg(args, 'wamp.subscription.match');
      const ids: number[] = [];
      table.forEachMatch(topic, (subscription) => ids.push(subscription.id));
      return { args: [ids.length > 0 ? ids : null] };
    }],
    ['wamp.subscription.get', (_caller, args) => ({
      args: [existing(table, subscriptionIdArg(args, 'wamp.subscription.get')).details()],
    })],
    ['wamp.subscription.list_subscribers', (_caller, args) => ({
      args: [[...existing(table, subscriptionIdArg(args, 'wamp.subscription.list_subscribers')).subscribers.keys()]],
    })],
    ['wamp.subscription.count_subscribers', (_caller, args) => ({
      args: [existing(table, subscriptionIdArg(args, 'wamp.subscription.count_subscribers')).subscribers.size],
    })],
  ];
}
