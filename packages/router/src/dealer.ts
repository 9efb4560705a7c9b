import {
  ErrorUri,
  MessageType,
  WampError,
  isReservedUri,
  isValidPattern,
  isValidUri,
  type Args,
  type CallMessage,
  type CancelMessage,
  type Dict,
  type ErrorMessage,
  type InvocationMessage,
  type MatchPolicy,
  type RegisterMessage,
  type ResultMessage,
  type UnregisterMessage,
  type YieldMessage,
} from '@junction/wamp';
import type { DealerApi, InternalProcedure, InternalResult, RealmContext, RouterPeer } from './realm-context.js';
import { DEFAULT_LIMITS } from './limits.js';
import { parseCancelMode, planCancel } from './dealer/cancel.js';
import { DealerPeer } from './dealer/dealer-peer.js';
import { parseInvocationPolicy } from './dealer/invocation-policy.js';
import { FEATURE_NOT_SUPPORTED, callErrorMessage, errorMessage, interruptMessage } from './dealer/messages.js';
import { PendingCalls, type PendingCall } from './dealer/pending-calls.js';
import { RegistrationMetaTopic, registrationMetaProcedures } from './dealer/registration-meta.js';
import type { Registration } from './dealer/registration.js';
import { RegistrationTable } from './dealer/registration-table.js';
import { parseTimeout } from './dealer/timeouts.js';
import type { InvocationPolicy } from './dealer/invocation-policy.js';

/** What {@link DealerClusterHooks.claim} decided: the callee's place in the cluster-wide order, or an error for the callee. */
export type ClusterClaim = { order: number } | { error: string; message: string };

/**
 * Cluster hooks of a dealer (set by `@junction/cluster` through {@link Dealer.cluster}); a
 * standalone router has none.
 */
export interface DealerClusterHooks {
  /**
   * Before REGISTERED: claims (uri, match) cluster-wide for `peer` (a single registration must be
   * unique in the cluster; a shared one must keep its invocation policy). Resolves with the
   * callee's order among the registration's callees (`first`/`last` follow it on every node), or
   * with the error REGISTER gets.
   */
  claim(peer: RouterPeer, uri: string, match: MatchPolicy, invoke: InvocationPolicy, discloseCaller: boolean): Promise<ClusterClaim>;
  /**
   * A local callee left a registration it had claimed (UNREGISTER, leaving, or the session left
   * while its claim was pending); `deleted` when the registration has no callee left on this
   * node, remote ones included. Must not throw.
   */
  released(peer: RouterPeer, uri: string, match: MatchPolicy, invoke: InvocationPolicy, deleted: boolean): void;
  /** The ID of a new registration: the same (URI, policy) gets the same ID on every node. Random IDs when absent. */
  registrationId?(uri: string, match: MatchPolicy): number;
}

/**
 * The dealer of one realm: routes calls from callers to the callees of registrations (exact,
 * prefix and wildcard; shared with `single`, `roundrobin`, `random`, `first`, `last`), with
 * progressive results and invocations, canceling, timeouts, caller identification and the
 * registration meta API. The session has checked message shapes and authorization before it
 * calls in here; the dealer checks URIs, options and limits and answers with the spec's errors.
 *
 * The hot path (CALL, INVOCATION, YIELD, RESULT) keeps one `PendingCall` per call in a map
 * by invocation ID: no closure, no timer unless the caller gave a `timeout`.
 */
export class Dealer implements DealerApi {
  private readonly registrations = new RegistrationTable();
  private readonly pending = new PendingCalls();
  private readonly peers = new Map<number, DealerPeer>();
  private readonly internals = new Map<string, InternalProcedure>();
  private clusterHooks: DealerClusterHooks | undefined = undefined;

  constructor(readonly realm: RealmContext) {
    for (const [uri, procedure] of Object.entries(registrationMetaProcedures(this.registrations))) this.registerInternal(uri, procedure);
  }

  /** The cluster hooks (`@junction/cluster` sets them once, before sessions join); undefined when standalone. */
  get cluster(): DealerClusterHooks | undefined {
    return this.clusterHooks;
  }

  set cluster(hooks: DealerClusterHooks | undefined) {
    this.clusterHooks = hooks;
    const idFor = hooks?.registrationId;
    this.registrations.idFor = idFor === undefined ? undefined : (uri, match) => idFor.call(hooks, uri, match);
  }

  /** Number of calls waiting for their final result (for tests and monitoring). */
  get pendingCallCount(): number {
    return this.pending.size;
  }

  /** Number of registrations (for tests and monitoring). */
  get registrationCount(): number {
    return this.registrations.size;
  }

  register(peer: RouterPeer, message: RegisterMessage): void {
    const requestId = message[1];
    const options = message[2];
    const uri = message[3];
    if (!peer.open) return;
    const match = parseMatchPolicy(options.match);
    if (match === undefined) {
      peer.send(errorMessage(MessageType.REGISTER, requestId, ErrorUri.INVALID_ARGUMENT, 'REGISTER.Options.match must be "exact", "prefix" or "wildcard"'));
      return;
    }
    const invoke = parseInvocationPolicy(options.invoke);
    if (invoke === undefined) {
      peer.send(errorMessage(MessageType.REGISTER, requestId, ErrorUri.INVALID_ARGUMENT, 'REGISTER.Options.invoke must be "single", "roundrobin", "random", "first" or "last"'));
      return;
    }
    if (!isValidPattern(uri, match)) {
      peer.send(errorMessage(MessageType.REGISTER, requestId, ErrorUri.INVALID_URI, `"${uri}" is not a valid procedure URI for ${match} matching`));
      return;
    }
    if (uri === 'wamp' || isReservedUri(uri)) {
      peer.send(errorMessage(MessageType.REGISTER, requestId, ErrorUri.INVALID_URI, `"${uri}" is in the "wamp." namespace, which is reserved for the router`));
      return;
    }
    const discloseCaller = options.disclose_caller === true;
    const hooks = this.clusterHooks;
    if (hooks === undefined) {
      if (this.canRegister(peer, requestId, uri, match, invoke)) this.completeRegister(peer, requestId, uri, match, invoke, discloseCaller, 0);
      return;
    }
    // Cluster: the cluster-wide claim decides first (it may wait for a dying node's verdict, whose
    // stand-ins still hold the URI here); then the local checks run.
    hooks.claim(peer, uri, match, invoke, discloseCaller).then(
      (claim) => {
        if ('error' in claim) {
          if (peer.open) peer.send(errorMessage(MessageType.REGISTER, requestId, claim.error, claim.message));
          return;
        }
        if (!peer.open || !this.canRegister(peer, requestId, uri, match, invoke)) {
          hooks.released(peer, uri, match, invoke, this.registrations.lookup(uri, match) === undefined);
          return;
        }
        this.completeRegister(peer, requestId, uri, match, invoke, discloseCaller, claim.order);
      },
      (error: unknown) => {
        this.realm.log('error', `dealer: the cluster claim of ${uri} failed`, error);
        if (peer.open) peer.send(errorMessage(MessageType.REGISTER, requestId, ErrorUri.RUNTIME_ERROR, `the cluster could not register "${uri}"`));
      },
    );
  }

  /** The local checks of a REGISTER (limit, existing registration); answers ERROR and returns false when one fails. */
  private canRegister(peer: RouterPeer, requestId: number, uri: string, match: MatchPolicy, invoke: InvocationPolicy): boolean {
    const callee = this.peerState(peer);
    const limit = this.realm.limits.maxRegistrationsPerSession;
    if (callee.registrations.size >= limit) {
      peer.send(errorMessage(MessageType.REGISTER, requestId, ErrorUri.LIMIT_EXCEEDED, `a session may have at most ${limit} registrations`));
      return false;
    }
    const registration = this.registrations.lookup(uri, match);
    if (registration === undefined) return true;
    if (registration.invoke === 'single' || registration.find(callee) !== undefined) {
      peer.send(errorMessage(MessageType.REGISTER, requestId, ErrorUri.PROCEDURE_ALREADY_EXISTS, `"${uri}" (${match}) is already registered`));
      return false;
    }
    if (registration.invoke !== invoke) {
      peer.send(
        errorMessage(
          MessageType.REGISTER,
          requestId,
          ErrorUri.PROCEDURE_EXISTS_WITH_DIFFERENT_INVOCATION_POLICY,
          `"${uri}" (${match}) is registered with invoke "${registration.invoke}", not "${invoke}"`,
        ),
      );
      return false;
    }
    return true;
  }

  /** Attaches the callee (checks passed), answers REGISTERED and publishes the meta events. */
  private completeRegister(peer: RouterPeer, requestId: number, uri: string, match: MatchPolicy, invoke: InvocationPolicy, discloseCaller: boolean, order: number): void {
    const callee = this.peerState(peer);
    let registration = this.registrations.lookup(uri, match);
    const created = registration === undefined;
    registration ??= this.registrations.create(uri, match, invoke);
    registration.add({ callee, discloseCaller, order });
    callee.registrations.add(registration);
    peer.send([MessageType.REGISTERED, requestId, registration.id]);
    const broker = this.realm.broker;
    if (created) broker.publishInternal(RegistrationMetaTopic.ON_CREATE, [peer.id, registration.details()]);
    broker.publishInternal(RegistrationMetaTopic.ON_REGISTER, [peer.id, registration.id]);
  }

  unregister(peer: RouterPeer, message: UnregisterMessage): void {
    const requestId = message[1];
    const registrationId = message[2];
    const callee = this.peers.get(peer.id);
    const registration = this.registrations.get(registrationId);
    if (callee === undefined || registration === undefined || registration.find(callee) === undefined) {
      peer.send(errorMessage(MessageType.UNREGISTER, requestId, ErrorUri.NO_SUCH_REGISTRATION, `this session has no registration ${registrationId}`));
      return;
    }
    callee.registrations.delete(registration);
    peer.send([MessageType.UNREGISTERED, requestId]);
    this.removeCallee(registration, callee);
  }

  call(peer: RouterPeer, message: CallMessage): void {
    const requestId = message[1];
    const options = message[2];
    const uri = message[3];
    let caller = this.peers.get(peer.id);
    if (caller !== undefined) {
      const active = caller.calls.get(requestId);
      if (active !== undefined) {
        this.continueCall(active, message);
        return;
      }
      // A continuation of a progressive call that has ended meanwhile: the spec says drop it.
      if (caller.endedWhileProgressive(requestId)) return;
    }
    if (!peer.open) return;
    const progress = options.progress === true;

    const internal = this.internals.get(uri);
    if (internal !== undefined) {
      if (progress) this.refuseCall(peer, requestId, FEATURE_NOT_SUPPORTED, `${uri} does not take progressive call invocations`, true);
      else this.callInternal(peer, requestId, uri, internal, message[4], message[5]);
      return;
    }

    // An exact registration proves the URI valid (it was checked at REGISTER) and costs one map
    // lookup; only other calls pay for the URI check and the pattern search.
    let registration = this.registrations.lookup(uri, 'exact');
    const byPattern = registration === undefined;
    if (registration === undefined) {
      registration = isValidUri(uri) && !isReservedUri(uri) ? this.registrations.best(uri)?.value : undefined;
      if (registration === undefined) {
        if (!isValidUri(uri)) this.refuseCall(peer, requestId, ErrorUri.INVALID_URI, `"${uri}" is not a valid procedure URI`, progress);
        else this.refuseCall(peer, requestId, ErrorUri.NO_SUCH_PROCEDURE, `no callee has registered ${uri}`, progress);
        return;
      }
    }
    caller ??= this.peerState(peer);
    const limit = this.realm.limits.maxPendingCallsPerSession;
    if (caller.calls.size >= limit) {
      this.refuseCall(peer, requestId, ErrorUri.LIMIT_EXCEEDED, `a session may have at most ${limit} calls pending`, progress);
      return;
    }
    const timeout = parseTimeout(options.timeout);
    if (timeout < 0) {
      this.refuseCall(peer, requestId, ErrorUri.INVALID_ARGUMENT, 'CALL.Options.timeout must be a non-negative integer (milliseconds)', progress);
      return;
    }
    const entry = registration.pick();
    const callee = entry.callee;
    if (progress && !callee.progressiveInvocations) {
      this.refuseCall(peer, requestId, FEATURE_NOT_SUPPORTED, `the callee of ${uri} does not support progressive call invocations (it must announce progressive_call_invocations and call_canceling)`, true);
      return;
    }
    const receiveProgress = options.receive_progress === true;
    const call = this.pending.open(caller, requestId, callee, registration.id, uri, receiveProgress);

    const details: Dict = {};
    if (byPattern) details.procedure = uri;
    // Crossbar forwards receive_progress to callees that announce progressive results even without
    // call_canceling (Autobahn|JS callees announce no canceling); so do we.
    if (receiveProgress && callee.progressiveResults) details.receive_progress = true;
    if (options.disclose_me === true || entry.discloseCaller) {
      details.caller = peer.id;
      details.caller_authid = peer.authid;
      details.caller_authrole = peer.authrole;
    }
    if (progress) {
      call.invocationOpen = true;
      call.invocationDetails = { ...details };
      details.progress = true;
    }
    if (timeout > 0) {
      call.timer = setTimeout(this.onTimeout, timeout, call);
      call.timer.unref?.();
    }
    callee.peer.send(invocationMessage(call.invocationId, registration.id, details, message[4], message[5]));
  }

  cancel(peer: RouterPeer, message: CancelMessage): void {
    const mode = parseCancelMode(message[2].mode);
    if (mode === undefined) {
      peer.abort(ErrorUri.PROTOCOL_VIOLATION, 'CANCEL.Options.mode must be "skip", "kill" or "killnowait"');
      return;
    }
    const call = this.peers.get(peer.id)?.calls.get(message[1]);
    // Already answered (its final message is on the way), or already being killed: nothing to do.
    if (call === undefined || call.interrupted) return;
    const plan = planCancel(mode, call.callee.canCancel);
    if (plan.endNow) {
      this.pending.close(call);
      peer.send(errorMessage(MessageType.CALL, call.requestId, ErrorUri.CANCELED, `the call to ${call.procedure} was canceled`));
    }
    if (plan.interrupt !== undefined) {
      call.interrupted = true;
      call.callee.peer.send(interruptMessage(call.invocationId, plan.interrupt, ErrorUri.CANCELED));
      if (!plan.endNow) {
        // kill: the caller waits for the callee's answer, but not forever.
        // The call's own timeout, if sooner, still ends it first (with wamp.error.timeout).
        call.interruptTimer = setTimeout(this.onInterruptTimeout, this.realm.limits.interruptTimeout ?? DEFAULT_LIMITS.interruptTimeout, call);
        call.interruptTimer.unref?.();
      }
    }
  }

  yield(peer: RouterPeer, message: YieldMessage): void {
    const call = this.pending.get(message[1]);
    // Unknown (answered, canceled, timed out) or not this session's invocation: ignored, as the spec says.
    if (call === undefined || call.callee.peer.id !== peer.id) return;
    if (message[2].progress === true) {
      // A caller that did not ask for progress would take it for the final result.
      if (!call.receiveProgress) return;
      if (!call.interrupted) call.timer?.refresh(); // the timeout runs between results (spec, progressive results)
      call.caller.peer.send(resultMessage(call.requestId, { progress: true }, message[3], message[4]));
      return;
    }
    this.pending.close(call);
    call.caller.peer.send(resultMessage(call.requestId, {}, message[3], message[4]));
  }

  invocationError(peer: RouterPeer, message: ErrorMessage): void {
    if (message[1] !== MessageType.INVOCATION) return;
    const call = this.pending.get(message[2]);
    if (call === undefined || call.callee.peer.id !== peer.id) return;
    this.pending.close(call);
    call.caller.peer.send(callErrorMessage(call.requestId, message[4], message[5], message[6]));
  }

  registerInternal(uri: string, procedure: InternalProcedure): void {
    this.internals.set(uri, procedure);
  }

  detach(peer: RouterPeer): void {
    const state = this.peers.get(peer.id);
    if (state === undefined) return;
    this.peers.delete(peer.id);
    // As callee: its callers learn at once that no answer will come.
    for (const call of state.invocations.toArray()) {
      this.pending.close(call);
      const caller = call.caller.peer;
      if (call.caller !== state && caller.open) {
        caller.send(errorMessage(MessageType.CALL, call.requestId, ErrorUri.CALLEE_UNAVAILABLE, `the callee of ${call.procedure} left before answering`));
      }
    }
    // As caller: its callees may stop working (spec: INTERRUPT killnowait when they support canceling).
    for (const call of Array.from(state.calls.values())) {
      this.pending.close(call);
      const callee = call.callee;
      if (callee.canCancel && !call.interrupted && callee.peer.open) {
        callee.peer.send(interruptMessage(call.invocationId, 'killnowait', ErrorUri.CANCELED));
      }
    }
    for (const registration of state.registrations) this.removeCallee(registration, state);
    state.registrations.clear();
  }

  // Cluster (used by @junction/cluster) --------------------------------------------------------

  /**
   * Cluster: attaches `peer`, a stand-in for a callee on another node, to (uri, match) without
   * answering or publishing anything (its node did). Its calls reach it as INVOCATION and
   * INTERRUPT messages through `peer.send`. Returns the registration's ID here, or undefined
   * when the registration here conflicts (a local single registration, or another invocation policy).
   */
  attachRemote(peer: RouterPeer, uri: string, match: MatchPolicy, invoke: InvocationPolicy, discloseCaller: boolean, order: number): number | undefined {
    const callee = this.peerState(peer);
    let registration = this.registrations.lookup(uri, match);
    if (registration !== undefined) {
      if (registration.find(callee) !== undefined) return registration.id;
      if (registration.invoke === 'single' || registration.invoke !== invoke) return undefined;
    } else {
      registration = this.registrations.create(uri, match, invoke);
    }
    registration.add({ callee, discloseCaller, order });
    callee.registrations.add(registration);
    return registration.id;
  }

  /** Cluster: the ID of the registration for exactly (uri, match) on this node, remote callees included. */
  registrationIdOf(uri: string, match: MatchPolicy): number | undefined {
    return this.registrations.lookup(uri, match)?.id;
  }

  /** Cluster: detaches the stand-in `peer` from (uri, match), quietly; its pending calls stay (its callee may still answer). */
  unregisterRemote(peer: RouterPeer, uri: string, match: MatchPolicy): void {
    const callee = this.peers.get(peer.id);
    const registration = this.registrations.lookup(uri, match);
    if (callee === undefined || registration === undefined || !callee.registrations.delete(registration)) return;
    this.removeCallee(registration, callee, true);
    if (callee.registrations.size === 0 && callee.invocations.size === 0 && callee.calls.size === 0) this.peers.delete(peer.id);
  }

  /**
   * Cluster: the stand-in `peer` is gone (its node died or left): calls pending on it fail at
   * once with `junction.error.callee_unavailable`, calls it made are interrupted, and its
   * registrations go, all without meta events.
   */
  detachRemote(peer: RouterPeer): void {
    const state = this.peers.get(peer.id);
    if (state !== undefined) {
      for (const registration of state.registrations) this.removeCallee(registration, state, true);
      state.registrations.clear();
      this.detach(peer);
    }
    this.failCallsOf((candidate) => candidate.id === peer.id);
  }

  /**
   * Cluster: ends every pending call whose callee or caller `gone` picks: callers get
   * `junction.error.callee_unavailable`, callees that can cancel get INTERRUPT `killnowait`. A
   * walk over all pending calls, for rare events (a node leaving): it also reaches calls made
   * through a stand-in that the cluster no longer tracks, so none waits for an answer that
   * cannot come.
   */
  failCallsOf(gone: (peer: RouterPeer) => boolean): void {
    for (const call of Array.from(this.pending.values())) {
      if (gone(call.callee.peer)) {
        this.pending.close(call);
        const caller = call.caller.peer;
        if (caller.open && !gone(caller)) {
          caller.send(errorMessage(MessageType.CALL, call.requestId, ErrorUri.CALLEE_UNAVAILABLE, `the callee of ${call.procedure} left before answering`));
        }
      } else if (gone(call.caller.peer)) {
        this.pending.close(call);
        const callee = call.callee;
        if (callee.canCancel && !call.interrupted && callee.peer.open) {
          callee.peer.send(interruptMessage(call.invocationId, 'killnowait', ErrorUri.CANCELED));
        }
      }
    }
  }

  /**
   * Cluster: an INVOCATION decided on another node for the local callee `calleeId` of (uri,
   * match). `caller` stands in for that node's callers; `requestId` is the other node's
   * invocation ID; `details` are passed on as they are. A second invocation with the same
   * `requestId` while the call is open continues a progressive call invocation. Returns false
   * when the callee no longer serves that registration.
   */
  invokeRemote(caller: RouterPeer, requestId: number, calleeId: number, uri: string, match: MatchPolicy, details: Dict, args: Args | undefined, kwargs: Dict | undefined, receiveProgress: boolean): boolean {
    const state = this.peerState(caller);
    const progress = details.progress === true;
    const active = state.calls.get(requestId);
    if (active !== undefined) {
      const options: Dict = progress ? { progress: true } : {};
      const message: CallMessage = kwargs !== undefined ? [MessageType.CALL, requestId, options, uri, args ?? [], kwargs]
        : args !== undefined ? [MessageType.CALL, requestId, options, uri, args] : [MessageType.CALL, requestId, options, uri];
      this.continueCall(active, message);
      return true;
    }
    if (state.endedWhileProgressive(requestId)) return true;
    const callee = this.peers.get(calleeId);
    const registration = this.registrations.lookup(uri, match);
    if (callee === undefined || !callee.peer.open || registration === undefined || registration.find(callee) === undefined) return false;
    const call = this.pending.open(state, requestId, callee, registration.id, typeof details.procedure === 'string' ? details.procedure : uri, receiveProgress);
    if (progress) {
      call.invocationOpen = true;
      const first: Dict = { ...details };
      delete first.progress;
      call.invocationDetails = first;
    }
    callee.peer.send(invocationMessage(call.invocationId, registration.id, details, args, kwargs));
    return true;
  }

  /** Cluster: the session ID of the callee serving the pending call `invocationId` (a stand-in's ID for a remote callee). */
  calleeOf(invocationId: number): number | undefined {
    return this.pending.get(invocationId)?.callee.peer.id;
  }

  /** The router-provided procedure registered for `uri` (the cluster wraps the meta API with it). */
  internalProcedure(uri: string): InternalProcedure | undefined {
    return this.internals.get(uri);
  }

  /** The dealer's state of `peer`, created on first use. */
  private peerState(peer: RouterPeer): DealerPeer {
    let state = this.peers.get(peer.id);
    if (state === undefined) {
      state = new DealerPeer(peer);
      this.peers.set(peer.id, state);
    }
    return state;
  }

  /** Detaches a callee from a registration, deletes the registration when it was the last, and publishes the meta events. */
  private removeCallee(registration: Registration, callee: DealerPeer, remote = false): void {
    if (!registration.remove(callee)) return;
    const deleted = registration.callees.length === 0;
    if (deleted) this.registrations.delete(registration);
    if (remote) return; // a stand-in for another node's callee: that node publishes and releases
    const sessionId = callee.peer.id;
    const broker = this.realm.broker;
    broker.publishInternal(RegistrationMetaTopic.ON_UNREGISTER, [sessionId, registration.id]);
    if (deleted) broker.publishInternal(RegistrationMetaTopic.ON_DELETE, [sessionId, registration.id]);
    try {
      this.clusterHooks?.released(callee.peer, registration.uri, registration.match, registration.invoke, deleted);
    } catch (error) {
      this.realm.log('error', 'dealer: cluster release failed', error);
    }
  }

  /** A CALL with the request ID of a pending call: the next chunk of a progressive call invocation. */
  private continueCall(call: PendingCall, message: CallMessage): void {
    if (!call.invocationOpen) {
      // Reusing the ID of a pending ordinary call breaks the protocol; late chunks of a progressive call are dropped.
      if (call.invocationDetails === undefined) {
        call.caller.peer.abort(ErrorUri.PROTOCOL_VIOLATION, `CALL request ID ${call.requestId} is already in use by a pending call`);
      }
      return;
    }
    const progress = message[2].progress === true;
    if (!progress) call.invocationOpen = false;
    if (call.interrupted) return;
    const details: Dict = { ...call.invocationDetails };
    if (progress) details.progress = true;
    call.callee.peer.send(invocationMessage(call.invocationId, call.registrationId, details, message[4], message[5]));
  }

  /** Answers a CALL that reached no callee with an error; `progressive` remembers it so its later chunks are dropped. */
  private refuseCall(peer: RouterPeer, requestId: number, uri: string, text: string, progressive: boolean): void {
    if (progressive) this.peerState(peer).rememberEndedProgressive(requestId);
    peer.send(errorMessage(MessageType.CALL, requestId, uri, text));
  }

  /** Runs a router-provided procedure (meta API) and answers the caller directly. */
  private callInternal(peer: RouterPeer, requestId: number, uri: string, procedure: InternalProcedure, args: Args | undefined, kwargs: Dict | undefined): void {
    let result: InternalResult | Promise<InternalResult>;
    try {
      result = procedure(peer, args ?? [], kwargs ?? {});
    } catch (error) {
      this.internalFailed(peer, requestId, uri, error);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (value) => this.internalDone(peer, requestId, value),
        (error: unknown) => this.internalFailed(peer, requestId, uri, error),
      );
    } else {
      this.internalDone(peer, requestId, result);
    }
  }

  private internalDone(peer: RouterPeer, requestId: number, result: InternalResult | undefined): void {
    if (!peer.open) return;
    peer.send(resultMessage(requestId, {}, result?.args, result?.kwargs));
  }

  private internalFailed(peer: RouterPeer, requestId: number, uri: string, error: unknown): void {
    if (!peer.open) return;
    if (error instanceof WampError) {
      const kwargs = Object.keys(error.kwargs).length > 0 ? error.kwargs : undefined;
      const args = error.args.length > 0 || kwargs !== undefined ? error.args : undefined;
      peer.send(callErrorMessage(requestId, error.uri, args, kwargs));
      return;
    }
    this.realm.log('error', `router procedure ${uri} failed`, error);
    const text = error instanceof Error ? error.message : String(error);
    peer.send(errorMessage(MessageType.CALL, requestId, ErrorUri.RUNTIME_ERROR, `${uri} failed: ${text}`));
  }

  /** A callee did not answer an INTERRUPT (`kill`) in time: the caller gets `wamp.error.canceled`. */
  private readonly onInterruptTimeout = (call: PendingCall): void => {
    call.interruptTimer = undefined;
    if (!this.pending.close(call)) return;
    call.caller.peer.send(errorMessage(MessageType.CALL, call.requestId, ErrorUri.CANCELED, `the call to ${call.procedure} was canceled; its callee did not answer the interrupt`));
  };

  /** A call's `timeout` passed: the caller gets `wamp.error.timeout`, the callee INTERRUPT killnowait if it can cancel. */
  private readonly onTimeout = (call: PendingCall): void => {
    call.timer = undefined;
    if (!this.pending.close(call)) return;
    call.caller.peer.send(errorMessage(MessageType.CALL, call.requestId, ErrorUri.TIMEOUT, `the call to ${call.procedure} timed out`));
    if (call.callee.canCancel && !call.interrupted) {
      call.callee.peer.send(interruptMessage(call.invocationId, 'killnowait', ErrorUri.TIMEOUT));
    }
  };
}

function parseMatchPolicy(value: unknown): MatchPolicy | undefined {
  if (value === undefined) return 'exact';
  return value === 'exact' || value === 'prefix' || value === 'wildcard' ? value : undefined;
}

function invocationMessage(invocationId: number, registrationId: number, details: Dict, args: Args | undefined, kwargs: Dict | undefined): InvocationMessage {
  if (kwargs !== undefined) return [MessageType.INVOCATION, invocationId, registrationId, details, args ?? [], kwargs];
  if (args !== undefined) return [MessageType.INVOCATION, invocationId, registrationId, details, args];
  return [MessageType.INVOCATION, invocationId, registrationId, details];
}

function resultMessage(requestId: number, details: Dict, args: Args | undefined, kwargs: Dict | undefined): ResultMessage {
  if (kwargs !== undefined) return [MessageType.RESULT, requestId, details, args ?? [], kwargs];
  if (args !== undefined) return [MessageType.RESULT, requestId, details, args];
  return [MessageType.RESULT, requestId, details];
}
