import type { Dict } from '@junction/wamp';

/**
 * The roles and features our client announces in HELLO: exactly what it implements (callees do
 * not take over call timeouts, so they do not announce `call_timeout`).
 */
export const JUNCTION_CLIENT_ROLES: Dict = {
  caller: { features: { caller_identification: true, progressive_call_results: true, call_canceling: true, call_timeout: true, progressive_call_invocations: true } },
  callee: {
    features: {
      caller_identification: true,
      progressive_call_results: true,
      call_canceling: true,
      pattern_based_registration: true,
      shared_registration: true,
      progressive_call_invocations: true,
    },
  },
  publisher: { features: { publisher_identification: true, publisher_exclusion: true, subscriber_blackwhite_listing: true } },
  subscriber: { features: { publisher_identification: true, pattern_based_subscription: true, event_retention: true } },
};
