import { ErrorUri, MessageType, WampError, randomId } from '@junction/wamp';
import type { Args, Dict, ErrorMessage, MatchPolicy, WampMessage, YieldMessage } from '@junction/wamp';
import type { ClusterClaim, ClusterPublication, DeliveryFilter, InternalProcedure, InternalResult, InvocationPolicy, Realm, RouterPeer } from '@junction/router';
import { stableId, token } from './codec.js';
import { SCATTERED, type NodeAnswer } from './meta.js';
import { RemotePeer, type CalleeFeatures } from './remote-peer.js';

/** Kinds of the messages sent to one node's subject. */
export const NodeMessage = {
  /** `[1, realm, from, calleeSession, uri, match, INVOCATION]`: invoke a local callee (or continue a progressive invocation). */
  INVOKE: 1,
  /** `[2, realm, from, INTERRUPT]`: the caller's node cancels (or timed out) an invocation. */
  INTERRUPT: 2,
  /** `[3, realm, from, RESULT | ERROR]`: the callee's node answers an invocation. */
  ANSWER: 3,
} as const;

/** One callee entry of the cluster directory (JetStream KV, `c.<realm>.<match>.<uri>.<node>.<session>`). */
export interface DirectoryEntry {
  node: string;
  session: number;
  realm: string;
  uri: string;
  match: MatchPolicy;
  invoke: InvocationPolicy;
  discloseCaller: boolean;
  features: CalleeFeatures;
  authid: string;
  authrole: string;
}

/** What a realm bridge needs from its cluster. */
export interface ClusterLink {
  readonly nodeId: string;
  /** True when connected to NATS and at least one other node is alive. */
  hasPeers(): boolean;
  /** Number of other live nodes. */
  peerCount(): number;
  /** True while connected to NATS. */
  isConnected(): boolean;
  publishEvent(realmToken: string, data: readonly unknown[]): void;
  /** Sends to one node; false when it could not be sent (disconnected, or too large for NATS). */
  sendToNode(node: string, data: readonly unknown[]): boolean;
  /** Asks every other node; resolves with the answers that came within the meta timeout. */
  scatter(realmToken: string, data: readonly unknown[]): Promise<NodeAnswer[]>;
  claim(bridge: RealmBridge, peer: RouterPeer, uri: string, match: MatchPolicy, invoke: InvocationPolicy, discloseCaller: boolean): Promise<ClusterClaim>;
  released(bridge: RealmBridge, peer: RouterPeer, uri: string, match: MatchPolicy, invoke: InvocationPolicy, deleted: boolean): void;
  statusInfo(): Dict;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, detail?: unknown): void;
}

type FilterList = readonly unknown[] | ReadonlySet<unknown> | undefined;

function listOut(list: FilterList): unknown[] | null {
  if (list === undefined) return null;
  return Array.isArray(list) ? (list as unknown[]) : [...(list as ReadonlySet<unknown>)];
}

function listIn(list: unknown): readonly never[] | ReadonlySet<never> | undefined {
  if (!Array.isArray(list)) return undefined;
  return (list.length > 8 ? new Set(list) : list) as never;
}

/**
 * One realm's part of the cluster: hooks its broker and dealer, keeps the stand-ins for remote
 * callees and callers, and answers the other nodes' invocations, answers, events and meta
 * requests for this realm.
 */
export class RealmBridge {
  readonly token: string;
  /** Stand-ins for remote callees, by session ID. */
  private readonly callees = new Map<number, RemotePeer>();
  /** Registrations (by local registration ID) each remote callee serves, for the INVOKE message. */
  private readonly calleeRegistrations = new Map<number, Map<number, { uri: string; match: MatchPolicy }>>();
  /** One stand-in per remote node for the callers of that node. */
  private readonly callers = new Map<string, RemotePeer>();
  /** The node-local meta procedures the cluster-wide ones gather from. */
  private readonly localMeta = new Map<string, InternalProcedure>();

  constructor(
    readonly realm: Realm,
    private readonly link: ClusterLink,
  ) {
    this.token = token(realm.name);
    const name = realm.name;
    realm.broker.cluster = {
      forward: (publication) => this.forward(publication),
      subscriptionId: (uri, match) => stableId(name, 'sub', match, uri),
    };
    realm.dealer.cluster = {
      claim: (peer, uri, match, invoke, discloseCaller) => link.claim(this, peer, uri, match, invoke, discloseCaller),
      released: (peer, uri, match, invoke, deleted) => link.released(this, peer, uri, match, invoke, deleted),
      registrationId: (uri, match) => stableId(name, 'reg', match, uri),
    };
    realm.dealer.registerInternal('junction.cluster.status', () => ({ args: [link.statusInfo()] }));
  }

  /**
   * Replaces the session and subscription meta procedures with cluster-wide ones. Call it after
   * the realm's broker has registered its procedures (it does so one microtask after creation).
   */
  wrapMetaApi(): void {
    const dealer = this.realm.dealer;
    for (const uri of Object.keys(SCATTERED)) {
      const local = dealer.internalProcedure(uri);
      if (local === undefined || this.localMeta.has(uri)) continue;
      this.localMeta.set(uri, local);
      dealer.registerInternal(uri, (caller, args, kwargs) => this.gather(uri, local, caller, args, kwargs));
    }
  }

  // Pub/sub ------------------------------------------------------------------------------------

  private forward(p: ClusterPublication): void {
    if (p.internal && p.topic.startsWith('junction.cluster.')) return; // this node's own status
    if (!this.link.hasPeers()) return;
    const f = p.filter;
    const filter = f === undefined ? null : [listOut(f.eligible), listOut(f.exclude), listOut(f.eligibleAuthid), listOut(f.excludeAuthid), listOut(f.eligibleAuthrole), listOut(f.excludeAuthrole)];
    this.link.publishEvent(this.token, [this.link.nodeId, p.topic, p.publicationId, p.details, p.args ?? null, p.kwargs ?? null, p.excluded, filter, p.retain ? 1 : 0]);
  }

  /** An event published on another node. */
  receiveEvent(data: unknown[]): void {
    const [, topic, publicationId, details, args, kwargs, excluded, filter, retain] = data as [string, string, number, Dict, Args | null, Dict | null, number, unknown[] | null, number];
    let deliveryFilter: DeliveryFilter | undefined;
    if (Array.isArray(filter)) {
      deliveryFilter = {};
      const [eligible, exclude, eligibleAuthid, excludeAuthid, eligibleAuthrole, excludeAuthrole] = filter.map(listIn);
      if (eligible !== undefined) deliveryFilter.eligible = eligible;
      if (exclude !== undefined) deliveryFilter.exclude = exclude;
      if (eligibleAuthid !== undefined) deliveryFilter.eligibleAuthid = eligibleAuthid;
      if (excludeAuthid !== undefined) deliveryFilter.excludeAuthid = excludeAuthid;
      if (eligibleAuthrole !== undefined) deliveryFilter.eligibleAuthrole = eligibleAuthrole;
      if (excludeAuthrole !== undefined) deliveryFilter.excludeAuthrole = excludeAuthrole;
    }
    this.realm.broker.publishRemote({
      topic, publicationId, details: details ?? {}, args: args ?? undefined, kwargs: kwargs ?? undefined,
      excluded: excluded || 0, filter: deliveryFilter, retain: retain === 1, internal: false,
    });
  }

  // RPC: the directory --------------------------------------------------------------------------

  /** A remote callee registered (its node is alive): attach its stand-in to the local dealer. */
  attachEntry(entry: DirectoryEntry, order: number): void {
    let peer = this.callees.get(entry.session);
    if (peer === undefined || !peer.open) {
      const roles = { callee: { features: { ...entry.features } } };
      peer = new RemotePeer(entry.session, entry.node, entry.authid, entry.authrole, roles, this.toCallee);
      this.callees.set(entry.session, peer);
    }
    const id = this.realm.dealer.attachRemote(peer, entry.uri, entry.match, entry.invoke, entry.discloseCaller, order);
    if (id === undefined) {
      this.link.log('warn', `[${this.realm.name}] ${entry.uri} (${entry.match}) of session ${entry.session} on node ${entry.node} conflicts with a registration here; not routed to it`);
      return;
    }
    let regs = this.calleeRegistrations.get(entry.session);
    if (regs === undefined) this.calleeRegistrations.set(entry.session, (regs = new Map()));
    regs.set(id, { uri: entry.uri, match: entry.match });
  }

  /** A remote callee's registration is gone from the directory. */
  detachEntry(entry: DirectoryEntry): void {
    const peer = this.callees.get(entry.session);
    if (peer === undefined) return;
    this.realm.dealer.unregisterRemote(peer, entry.uri, entry.match);
    const regs = this.calleeRegistrations.get(entry.session);
    if (regs !== undefined) {
      for (const [id, reg] of regs) if (reg.uri === entry.uri && reg.match === entry.match) regs.delete(id);
      if (regs.size === 0) {
        this.calleeRegistrations.delete(entry.session);
        this.callees.delete(entry.session); // late answers are matched by session ID alone
      }
    }
  }

  /** A node died or left: its callees' pending calls fail now, its callers' calls are interrupted. */
  nodeDown(node: string): void {
    const dealer = this.realm.dealer;
    for (const [session, peer] of [...this.callees]) {
      if (peer.node !== node) continue;
      peer.open = false;
      this.callees.delete(session);
      this.calleeRegistrations.delete(session);
      dealer.detachRemote(peer);
    }
    const callers = this.callers.get(node);
    if (callers !== undefined) {
      callers.open = false;
      this.callers.delete(node);
      dealer.detachRemote(callers);
    }
    // Calls made through a stand-in of that node that is no longer tracked here fail too.
    dealer.failCallsOf((peer) => peer instanceof RemotePeer && peer.node === node);
  }

  /** True when this node holds a registration for exactly (uri, match), remote callees included. */
  hasRegistration(uri: string, match: MatchPolicy): boolean {
    return this.realm.dealer.registrationIdOf(uri, match) !== undefined;
  }

  // RPC: messages ------------------------------------------------------------------------------

  /** The dealer sends INVOCATION or INTERRUPT to a remote callee's stand-in. */
  private readonly toCallee = (peer: RemotePeer, message: WampMessage): void => {
    if (message[0] === MessageType.INVOCATION) {
      const reg = this.calleeRegistrations.get(peer.id)?.get(message[2] as number);
      if (reg === undefined) {
        // Detached meanwhile: answer as the callee's node would.
        this.answer(message[1] as number, [MessageType.ERROR, MessageType.CALL, message[1], {}, ErrorUri.CALLEE_UNAVAILABLE, ['the callee is no longer registered']]);
        return;
      }
      if (!this.link.sendToNode(peer.node, [NodeMessage.INVOKE, this.token, this.link.nodeId, peer.id, reg.uri, reg.match, message])) {
        const [uri, text] = this.link.isConnected()
          ? [ErrorUri.LIMIT_EXCEEDED, `the invocation could not be sent to node ${peer.node}: larger than the NATS max_payload, or not encodable`]
          : [ErrorUri.CALLEE_UNAVAILABLE, `node ${peer.node} is unreachable: this router has lost NATS`];
        this.answer(message[1] as number, [MessageType.ERROR, MessageType.CALL, message[1], {}, uri, [text]]);
      }
    } else if (message[0] === MessageType.INTERRUPT) {
      this.link.sendToNode(peer.node, [NodeMessage.INTERRUPT, this.token, this.link.nodeId, message]);
    }
  };

  /** The dealer answers a remote node's callers (RESULT or ERROR). */
  private readonly toCallers = (peer: RemotePeer, message: WampMessage): void => {
    const type = message[0];
    if (type !== MessageType.RESULT && type !== MessageType.ERROR) return;
    if (this.link.sendToNode(peer.node, [NodeMessage.ANSWER, this.token, this.link.nodeId, message])) return;
    // Too large for NATS (or NATS is gone): the caller gets a clear error instead of waiting.
    const requestId = type === MessageType.RESULT ? message[1] : message[2];
    const progress = type === MessageType.RESULT && (message[2] as Dict | undefined)?.progress === true;
    if (progress) return; // a lost progressive result; the final one decides
    this.link.sendToNode(peer.node, [NodeMessage.ANSWER, this.token, this.link.nodeId,
      [MessageType.ERROR, MessageType.CALL, requestId, {}, ErrorUri.LIMIT_EXCEEDED, ['the result could not be sent back across the cluster (larger than the NATS max_payload?)']]]);
  };

  private callersOf(node: string): RemotePeer {
    let peer = this.callers.get(node);
    if (peer === undefined) {
      let id = randomId();
      while (this.callees.has(id)) id = randomId();
      const roles = { caller: { features: { progressive_call_results: true, call_canceling: true, caller_identification: true } } };
      peer = new RemotePeer(id, node, 'cluster', 'cluster', roles, this.toCallers);
      this.callers.set(node, peer);
    }
    return peer;
  }

  /** A message for this realm on this node's subject. */
  receiveNodeMessage(data: unknown[]): void {
    const kind = data[0];
    const from = data[2] as string;
    const dealer = this.realm.dealer;
    if (kind === NodeMessage.INVOKE) {
      const [, , , calleeId, uri, match, invocation] = data as [number, string, string, number, string, MatchPolicy, unknown[]];
      const requestId = invocation[1] as number;
      const details = (invocation[3] ?? {}) as Dict;
      const args = invocation[4] as Args | undefined;
      const kwargs = invocation[5] as Dict | undefined;
      const callers = this.callersOf(from);
      if (!dealer.invokeRemote(callers, requestId, calleeId, uri, match, details, args ?? undefined, kwargs ?? undefined, details.receive_progress === true)) {
        this.link.sendToNode(from, [NodeMessage.ANSWER, this.token, this.link.nodeId,
          [MessageType.ERROR, MessageType.CALL, requestId, {}, ErrorUri.CALLEE_UNAVAILABLE, [`the callee of ${uri} is no longer available`]]]);
      }
    } else if (kind === NodeMessage.INTERRUPT) {
      const interrupt = data[3] as [number, number, Dict];
      const callers = this.callers.get(from);
      if (callers === undefined) return;
      const mode = interrupt[2]?.mode === 'kill' ? 'kill' : 'killnowait';
      dealer.cancel(callers, [MessageType.CANCEL, interrupt[1], { mode }]);
    } else if (kind === NodeMessage.ANSWER) {
      const message = data[3] as unknown[];
      this.answer(message[2 - (message[0] === MessageType.RESULT ? 1 : 0)] as number, message);
    }
  }

  /** A RESULT or ERROR for the local pending call `invocationId`, coming from its remote callee's node. */
  private answer(invocationId: number, message: unknown[]): void {
    const dealer = this.realm.dealer;
    const calleeId = dealer.calleeOf(invocationId);
    if (calleeId === undefined) return; // answered, canceled or timed out meanwhile
    const peer = this.callees.get(calleeId) ?? ({ id: calleeId } as RouterPeer);
    if (message[0] === MessageType.RESULT) {
      const details = (message[2] ?? {}) as Dict;
      const yieldMessage = [MessageType.YIELD, invocationId, details.progress === true ? { progress: true } : {}, ...message.slice(3)] as unknown as YieldMessage;
      dealer.yield(peer, yieldMessage);
    } else {
      const errorMessage = [MessageType.ERROR, MessageType.INVOCATION, invocationId, message[3] ?? {}, ...message.slice(4)] as unknown as ErrorMessage;
      dealer.invocationError(peer, errorMessage);
    }
  }

  // Meta API -----------------------------------------------------------------------------------

  private async gather(uri: string, local: InternalProcedure, caller: RouterPeer, args: Args, kwargs: Dict): Promise<InternalResult> {
    const spec = SCATTERED[uri]!;
    const mine = await answerOf(local, caller, args, kwargs);
    if (!this.link.hasPeers() || (spec.stopAtLocal === true && mine.ok)) return spec.merge([mine]);
    const others = await this.link.scatter(this.token, [uri, caller.id, caller.authid, caller.authrole, args, kwargs]);
    return spec.merge([mine, ...others]);
  }

  /** Another node's meta request: this node's own answer. */
  async answerMeta(data: unknown[]): Promise<unknown[]> {
    const [uri, callerId, authid, authrole, args, kwargs] = data as [string, number, string, string, Args, Dict];
    const local = this.localMeta.get(uri);
    if (local === undefined) return [0, ErrorUri.NO_SUCH_PROCEDURE, [`${uri} is not a cluster meta procedure`]];
    const caller = { id: callerId, authid, authrole, authmethod: 'cluster', authprovider: 'cluster', roles: {}, serializer: 'cluster', open: true, send() {}, abort() {} } satisfies RouterPeer;
    const answer = await answerOf(local, caller, args ?? [], kwargs ?? {});
    return answer.ok ? [1, answer.args, answer.kwargs] : [0, answer.uri, answer.args];
  }
}

/** Runs a local meta procedure and captures its result or its WAMP error. */
async function answerOf(procedure: InternalProcedure, caller: RouterPeer, args: Args, kwargs: Dict): Promise<NodeAnswer> {
  try {
    const result = await procedure(caller, args, kwargs);
    return { ok: true, args: result?.args ?? [], kwargs: result?.kwargs ?? {} };
  } catch (error) {
    if (error instanceof WampError) return { ok: false, uri: error.uri, args: error.args };
    throw error;
  }
}
