/**
 * The error and close reason URIs of the WAMP spec (basic and advanced profiles), plus the few
 * of our own that name conditions the spec leaves open.
 */
export const ErrorUri = {
  // Session close reasons
  CLOSE_NORMAL: 'wamp.close.normal',
  SYSTEM_SHUTDOWN: 'wamp.close.system_shutdown',
  CLOSE_REALM: 'wamp.close.close_realm',
  GOODBYE_AND_OUT: 'wamp.close.goodbye_and_out',
  KILLED: 'wamp.close.killed',
  PROTOCOL_VIOLATION: 'wamp.error.protocol_violation',
  // Session establishment
  NO_SUCH_REALM: 'wamp.error.no_such_realm',
  NO_SUCH_ROLE: 'wamp.error.no_such_role',
  NO_SUCH_PRINCIPAL: 'wamp.error.no_such_principal',
  AUTHENTICATION_FAILED: 'wamp.error.authentication_failed',
  NO_AUTH_METHOD: 'wamp.error.no_auth_method',
  // Interaction
  INVALID_URI: 'wamp.error.invalid_uri',
  NO_SUCH_PROCEDURE: 'wamp.error.no_such_procedure',
  PROCEDURE_ALREADY_EXISTS: 'wamp.error.procedure_already_exists',
  PROCEDURE_EXISTS_WITH_DIFFERENT_INVOCATION_POLICY: 'wamp.error.procedure_exists_with_different_invocation_policy',
  NO_SUCH_REGISTRATION: 'wamp.error.no_such_registration',
  NO_SUCH_SUBSCRIPTION: 'wamp.error.no_such_subscription',
  NO_SUCH_SESSION: 'wamp.error.no_such_session',
  INVALID_ARGUMENT: 'wamp.error.invalid_argument',
  NOT_AUTHORIZED: 'wamp.error.not_authorized',
  AUTHORIZATION_FAILED: 'wamp.error.authorization_failed',
  OPTION_NOT_ALLOWED: 'wamp.error.option_not_allowed',
  DISCLOSE_ME_NOT_ALLOWED: 'wamp.error.option_disallowed.disclose_me',
  NO_ELIGIBLE_CALLEE: 'wamp.error.no_eligible_callee',
  CANCELED: 'wamp.error.canceled',
  TIMEOUT: 'wamp.error.timeout',
  PAYLOAD_SIZE_EXCEEDED: 'wamp.error.payload_size_exceeded',
  NETWORK_FAILURE: 'wamp.error.network_failure',
  RUNTIME_ERROR: 'wamp.error.runtime_error',
  /** Ours: a limit (pending calls, subscriptions, registrations, message rate, sessions) was reached. */
  LIMIT_EXCEEDED: 'junction.error.limit_exceeded',
  /** Ours: the callee of a pending call left the router (or the connection to the router was lost). */
  CALLEE_UNAVAILABLE: 'junction.error.callee_unavailable',
} as const;

/** One of the {@link ErrorUri} values. */
export type ErrorUriValue = (typeof ErrorUri)[keyof typeof ErrorUri];
