import type { Dict } from './messages.js';

/** The features a router announces in WELCOME (`roles.broker.features`, `roles.dealer.features`). */
export const ROUTER_ROLES: Dict = {
  broker: {
    features: {
      publisher_identification: true,
      publisher_exclusion: true,
      subscriber_blackwhite_listing: true,
      pattern_based_subscription: true,
      event_retention: true,
      subscription_meta_api: true,
      session_meta_api: true,
    },
  },
  dealer: {
    features: {
      caller_identification: true,
      progressive_call_results: true,
      progressive_call_invocations: true,
      call_canceling: true,
      call_timeout: true,
      pattern_based_registration: true,
      shared_registration: true,
      registration_meta_api: true,
      session_meta_api: true,
    },
  },
};

/** The roles a client announces in HELLO, with every feature our client supports. */
export const CLIENT_ROLES: Dict = {
  caller: { features: { caller_identification: true, progressive_call_results: true, call_canceling: true, call_timeout: true, progressive_call_invocations: true } },
  callee: { features: { caller_identification: true, progressive_call_results: true, call_canceling: true, call_timeout: true, pattern_based_registration: true, shared_registration: true, progressive_call_invocations: true } },
  publisher: { features: { publisher_identification: true, publisher_exclusion: true, subscriber_blackwhite_listing: true } },
  subscriber: { features: { publisher_identification: true, pattern_based_subscription: true, event_retention: true } },
};

/** True when a peer's HELLO/WELCOME `roles` announce `feature` for `role`. */
export function hasFeature(roles: unknown, role: string, feature: string): boolean {
  const r = (roles as Dict | undefined)?.[role] as Dict | undefined;
  const features = r?.features as Dict | undefined;
  return features?.[feature] === true;
}
