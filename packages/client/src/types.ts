import type { MatchPolicy } from '@junction/wamp';

/** A WAMP dict. */
export type Dict = Record<string, unknown>;

/** The outcome of a call (or one progressive result of it). */
export interface CallResult {
  /** Positional results (empty when the callee sent none). */
  args: unknown[];
  /** Keyword results (empty when the callee sent none). */
  kwargs: Record<string, unknown>;
  /** The RESULT message's details; `details.progress === true` marks a progressive result. */
  details: Record<string, unknown>;
}

/** How a cancelled call is cancelled at the router (WAMP call canceling `mode`). */
export type CancelMode = 'skip' | 'kill' | 'killnowait';

/** Options of {@link Client.call}. */
export interface CallOptions {
  /**
   * Milliseconds until the call fails with `wamp.error.timeout`. Also sent to the router as the
   * CALL `timeout` option; when it passes locally first, the promise rejects and a CANCEL
   * (`killnowait`) is sent if the router supports call canceling.
   */
  timeout?: number;
  /** Aborting it cancels the call: the promise rejects at once with `wamp.error.canceled` and a CANCEL goes to the router. */
  signal?: AbortSignal;
  /** CANCEL mode used when {@link CallOptions.signal} aborts. Default `killnowait`. */
  cancelMode?: CancelMode;
  /** Receives progressive results; setting it asks for them (`receive_progress`). */
  onProgress?: (result: CallResult) => void;
  /** Ask the router to disclose our session to the callee (`disclose_me`). */
  discloseMe?: boolean;
  /** Any other CALL options, sent as they are (they win over the ones above). */
  options?: Dict;
}

/** Options of {@link Client.register}. */
export interface RegisterOptions {
  /** How the procedure URI matches calls. Default `exact`. */
  match?: MatchPolicy;
  /** Shared registration policy. Default `single`. */
  invoke?: 'single' | 'roundrobin' | 'random' | 'first' | 'last';
  /** Any other REGISTER options, sent as they are. */
  options?: Dict;
}

/** Options of {@link Client.subscribe} and {@link Client.events}. */
export interface SubscribeOptions {
  /** How the topic URI matches publications. Default `exact`. */
  match?: MatchPolicy;
  /**
   * Ask the broker for the retained event of the topic (`get_retained`). It applies when the router
   * subscription is created: a second local subscriber of an already subscribed topic shares the
   * existing subscription and does not get the retained event again; nor do resubscriptions after a reconnect.
   */
  getRetained?: boolean;
  /** Any other SUBSCRIBE options, sent as they are (only when the router subscription is created). */
  options?: Dict;
}

/** Options of {@link Client.events}. */
export interface EventsOptions extends SubscribeOptions {
  /** Events queued for a slow consumer before the iterator fails with `junction.error.queue_overflow`. Default 10000. */
  maxQueued?: number;
}

/** Options of {@link Client.publish}. */
export interface PublishOptions {
  /** Ask the broker to acknowledge: `publish` then resolves to `{ publication }`, or rejects with the broker's error. */
  acknowledge?: boolean;
  /** Exclude ourselves from the receivers (`exclude_me`). The broker's default is true. */
  excludeMe?: boolean;
  /** Only these session IDs receive the event. */
  eligible?: number[];
  /** These session IDs do not receive the event. */
  exclude?: number[];
  /** Only sessions with these authids receive the event. */
  eligibleAuthid?: string[];
  /** Sessions with these authids do not receive the event. */
  excludeAuthid?: string[];
  /** Only sessions with these authroles receive the event. */
  eligibleAuthrole?: string[];
  /** Sessions with these authroles do not receive the event. */
  excludeAuthrole?: string[];
  /** Ask the broker to retain this event for later subscribers with `getRetained`. */
  retain?: boolean;
  /** Ask the broker to disclose our session to subscribers (`disclose_me`). */
  discloseMe?: boolean;
  /** Any other PUBLISH options, sent as they are (they win over the ones above). */
  options?: Dict;
}

/** What an acknowledged publication resolves to. */
export interface Publication {
  /** The publication ID the broker assigned. */
  publication: number;
}

/** One event of a subscription. */
export interface EventMessageData {
  /** Positional payload (empty when the publisher sent none). */
  args: unknown[];
  /** Keyword payload (empty when the publisher sent none). */
  kwargs: Record<string, unknown>;
  /** The EVENT details (`topic` for pattern subscriptions, `publisher` when disclosed, `retained`...). */
  details: Record<string, unknown>;
  /** The publication ID. */
  publication: number;
}

/**
 * An event handler. Several local handlers of one topic (same match policy) share one router
 * subscription. A handler that throws (or rejects) is reported as a client `error` event.
 */
export type EventHandler = (args: unknown[], kwargs: Record<string, unknown>, details: Record<string, unknown>, publication: number) => unknown;

/** The details of a session establishment (`WELCOME.Details`). */
export interface WelcomeDetails {
  authid?: string;
  authrole?: string;
  authmethod?: string;
  authprovider?: string;
  authextra?: Dict;
  realm?: string;
  /** The router's roles and their features. */
  roles?: Dict;
  [key: string]: unknown;
}
