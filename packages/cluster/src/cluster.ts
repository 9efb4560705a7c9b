import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, createInbox, nuid } from '@nats-io/transport-node';
import type { ConnectionOptions, Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { KV, KvWatchEntry } from '@nats-io/kv';
import { ErrorUri } from '@junction/wamp';
import type { Dict, MatchPolicy } from '@junction/wamp';
import type { ClusterClaim, InvocationPolicy, Realm, Router, RouterPeer } from '@junction/router';
import { MATCH_LETTER, decode, encode, matchOf, token } from './codec.js';
import { Liveness } from './liveness.js';
import type { NodeAnswer } from './meta.js';
import { resolveClusterOptions, type ClusterOptions, type ResolvedClusterOptions } from './options.js';
import { RealmBridge, type ClusterLink, type DirectoryEntry } from './realm-bridge.js';
import { calleeFeatures } from './remote-peer.js';

/**
 * The state of a node's link to the cluster: `connecting` (NATS not reached yet), `connected`,
 * `degraded` (NATS unreachable: local sessions are served, other nodes are not reachable),
 * `closed`.
 */
export type ClusterState = 'connecting' | 'connected' | 'degraded' | 'closed';

/** What {@link Cluster.status} and the `junction.cluster.status` procedure report. */
export interface ClusterStatus {
  node: string;
  state: ClusterState;
  /** The other live nodes. */
  nodes: string[];
  /** Since when (ISO 8601) the node is in this state. */
  since: string;
}

/** Events of a {@link Cluster}. */
export interface ClusterEvents {
  /** The state changed (also published to local subscribers as `junction.cluster.on_status`). */
  status: [ClusterStatus];
  /** Another node joined or came back. */
  'node-up': [string];
  /** Another node left or was not heard from for `nodeTimeout`. */
  'node-down': [string];
}

/** Order of a callee registered while NATS was unreachable (after every known one). */
const LATE_ORDER = Number.MAX_SAFE_INTEGER;

/** A claim of a registration: `r.<realm>.<match>.<uri>` in the KV bucket. */
interface Claim {
  /** `single`, or the shared policy. */
  i: InvocationPolicy;
  /** The node holding a single registration. */
  n: string;
}

const isWrongSequence = (error: unknown): boolean => error instanceof Error && /wrong last sequence|key exists/i.test(error.message);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref?.());

/**
 * One router's membership in a cluster over NATS: core pub/sub carries events, invocations and
 * heartbeats, JetStream KV holds the registration directory. Made by {@link attachCluster}.
 */
export class Cluster extends EventEmitter<ClusterEvents> implements ClusterLink {
  readonly nodeId: string;
  readonly options: ResolvedClusterOptions;
  /** Resolves once NATS was reached and the directory was read (never rejects; see {@link Cluster.state}). */
  readonly ready: Promise<void>;
  private currentState: ClusterState = 'connecting';
  private stateSince = Date.now();
  private nc: NatsConnection | undefined;
  private kv: KV | undefined;
  private readonly liveness: Liveness;
  private readonly bridges = new Map<string, RealmBridge>();
  /** When the NATS connection was last (re)established; 0 while disconnected. */
  private connectedSince = 0;
  /** The directory replica: callee entries by KV key, and the keys of each node. */
  private readonly entries = new Map<string, { entry: DirectoryEntry; revision: number }>();
  /** This node's callee entries (key -> JSON), re-written if they vanish or after NATS comes back. */
  private readonly own = new Map<string, string>();
  /** This node's claims (r-key -> JSON), re-asserted after NATS comes back. */
  private readonly ownClaims = new Map<string, string>();
  private readonly cleaning = new Set<string>();
  private timers: ReturnType<typeof setInterval>[] = [];
  private lastHeartbeat = 0;
  /** A random number per process: a node restarted under the same ID is a new incarnation. */
  private readonly incarnation = Math.floor(Math.random() * 2 ** 31);
  private readonly incarnations = new Map<string, number>();
  private closing = false;
  private closed: Promise<void> | undefined;
  private readonly prefix: string;
  /** The realm filter (`options.realms`); undefined: every realm. */
  private readonly realmFilter: ReadonlySet<string> | undefined;
  private readonly removeCloseHook: () => void;
  private readonly onRealm = (realm: Realm): void => {
    if (!this.closing && (this.realmFilter === undefined || this.realmFilter.has(realm.name))) this.addBridge(realm);
  };

  /** @internal Use {@link attachCluster}. */
  constructor(readonly router: Router, options: ClusterOptions) {
    super();
    this.options = resolveClusterOptions(options, () => nuid.next());
    this.nodeId = this.options.nodeId;
    this.prefix = this.options.prefix;
    this.liveness = new Liveness(this.nodeId, this.options.nodeTimeout, this.options.heartbeatInterval);
    this.realmFilter = this.options.realms === undefined ? undefined : new Set(this.options.realms);
    for (const name of this.options.realms ?? []) {
      if (router.realm(name) === undefined) this.log('warn', `cluster: the router has no realm "${name}" yet; it is clustered once added`);
    }
    for (const realm of router.realms()) this.onRealm(realm);
    // Realms added later (addRealm, autoCreateRealms) join the cluster before their first session.
    router.on('realm', this.onRealm);
    // `await router.close()` leaves the cluster first, so no claim outlives the node's sessions.
    this.removeCloseHook = router.beforeClose(() => this.close());
    this.ready = this.start().catch((error: unknown) => {
      if (this.closing) return; // closed while starting
      this.options.log('error', 'cluster: could not start; serving local sessions only', error);
      this.setState('degraded');
    });
  }

  /** The current state. */
  get state(): ClusterState {
    return this.currentState;
  }

  /** The state, the live nodes and since when. */
  status(): ClusterStatus {
    return { node: this.nodeId, state: this.currentState, nodes: this.liveness.nodes(), since: new Date(this.stateSince).toISOString() };
  }

  /** @internal */
  statusInfo(): Dict {
    return { ...this.status() };
  }

  /** @internal */
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, detail?: unknown): void {
    this.options.log(level, message, detail);
  }

  /** The realms this node clusters (names). */
  realms(): string[] {
    return [...this.bridges.values()].map((bridge) => bridge.realm.name);
  }

  /** Makes `realm` span the cluster: hooks its broker and dealer, subscribes its subjects. */
  private addBridge(realm: Realm): void {
    if (this.bridges.has(token(realm.name))) return;
    const bridge = new RealmBridge(realm, this);
    this.bridges.set(bridge.token, bridge);
    // The broker registers its meta procedures one microtask after it was made: wrap them after that.
    queueMicrotask(() => queueMicrotask(() => bridge.wrapMetaApi()));
    // Connected already (a realm made at run time): subscribe now; else start() does.
    if (this.nc !== undefined && !this.closing) this.subscribeBridge(this.nc, bridge);
    // Callees of other nodes in this realm, known before the realm existed here.
    this.reattach((entry) => entry.realm === realm.name);
  }

  /**
   * Leaves the cluster: tells the other nodes (they drop this node's registrations at once),
   * removes this node's directory entries and closes the NATS connection. `router.close()` calls
   * it first; called alone, the router keeps running standalone. Calling it again returns the
   * same promise.
   */
  close(): Promise<void> {
    this.closed ??= this.leave();
    return this.closed;
  }

  private async leave(): Promise<void> {
    this.closing = true;
    this.router.off('realm', this.onRealm);
    this.removeCloseHook();
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    const nc = this.nc;
    if (nc !== undefined && !nc.isClosed()) {
      try {
        if (this.connectedSince > 0) {
          nc.publish(`${this.prefix}.hb`, encode([this.nodeId, 1]));
          const kv = this.kv;
          if (kv !== undefined) {
            await Promise.allSettled([...this.own.keys()].map((key) => kv.delete(key)));
            await Promise.allSettled([...this.ownClaims.keys()].map((key) => this.releaseClaim(key)));
          }
        }
        // drain() waits for the server: only when there is one to answer.
        const connected = this.connectedSince > 0;
        this.connectedSince = 0;
        await (connected ? nc.drain() : nc.close());
      } catch (error) {
        this.log('warn', 'cluster: error while leaving', error);
      }
    }
    this.connectedSince = 0;
    for (const node of this.liveness.clear()) this.nodeDown(node);
    this.setState('closed');
  }

  // ClusterLink --------------------------------------------------------------------------------

  /** @internal */
  hasPeers(): boolean {
    return this.connectedSince > 0 && this.liveness.size > 0;
  }

  /** @internal */
  isConnected(): boolean {
    return this.connectedSince > 0;
  }

  /** @internal */
  peerCount(): number {
    return this.liveness.size;
  }

  /** @internal */
  publishEvent(realmToken: string, data: readonly unknown[]): void {
    this.publish(`${this.prefix}.ev.${realmToken}`, data);
  }

  /** @internal */
  sendToNode(node: string, data: readonly unknown[]): boolean {
    return this.publish(`${this.prefix}.n.${node}`, data);
  }

  /** Publishes on NATS; false when it could not (disconnected, or larger than the server's `max_payload`). */
  private publish(subject: string, data: readonly unknown[]): boolean {
    const nc = this.nc;
    if (nc === undefined || this.connectedSince === 0 || nc.isClosed()) return false;
    try {
      nc.publish(subject, encode(data));
      return true;
    } catch (error) {
      this.log('warn', `cluster: publishing on ${subject} failed`, error);
      return false;
    }
  }

  /** @internal */
  scatter(realmToken: string, data: readonly unknown[]): Promise<NodeAnswer[]> {
    const nc = this.nc;
    const expected = this.liveness.size;
    if (nc === undefined || this.connectedSince === 0 || expected === 0) return Promise.resolve([]);
    return new Promise((resolve) => {
      const answers: NodeAnswer[] = [];
      let sub: Subscription | undefined;
      const finish = (): void => {
        clearTimeout(timer);
        sub?.unsubscribe();
        resolve(answers);
      };
      const timer = setTimeout(finish, this.options.metaTimeout);
      const inbox = createInbox();
      sub = nc.subscribe(inbox, {
        callback: (error, msg) => {
          if (error !== null) return finish();
          try {
            const [ok, a, b] = decode(msg.data) as [number, unknown, unknown];
            answers.push(ok === 1 ? { ok: true, args: (a ?? []) as unknown[], kwargs: (b ?? {}) as Dict } : { ok: false, uri: a as string, args: (b ?? []) as unknown[] });
          } catch (e) {
            this.log('warn', 'cluster: bad meta answer', e);
          }
          if (answers.length >= expected) finish();
        },
      });
      nc.publish(`${this.prefix}.meta.${realmToken}`, encode(data), { reply: inbox });
    });
  }

  // Registrations: claims and the directory ----------------------------------------------------

  private keys(bridge: RealmBridge, uri: string, match: MatchPolicy, session: number): { rKey: string; cKey: string } {
    const base = `${bridge.token}.${MATCH_LETTER[match]}.${token(uri)}`;
    return { rKey: `r.${base}`, cKey: `c.${base}.${this.nodeId}.${session}` };
  }

  /** @internal */
  async claim(bridge: RealmBridge, peer: RouterPeer, uri: string, match: MatchPolicy, invoke: InvocationPolicy, discloseCaller: boolean): Promise<ClusterClaim> {
    const { rKey, cKey } = this.keys(bridge, uri, match, peer.id);
    const entry: DirectoryEntry = {
      node: this.nodeId, session: peer.id, realm: bridge.realm.name, uri, match, invoke, discloseCaller,
      features: calleeFeatures(peer.roles), authid: peer.authid, authrole: peer.authrole,
    };
    const value = JSON.stringify(entry);
    const claimValue = JSON.stringify({ i: invoke, n: this.nodeId } satisfies Claim);
    const kv = this.kv;
    if (kv === undefined || this.connectedSince === 0 || this.closing) {
      // Degraded: serve the local session; the entry is written when NATS is back.
      this.own.set(cKey, value);
      this.ownClaims.set(rKey, claimValue);
      return { order: LATE_ORDER };
    }
    try {
      const refused = await this.claimKey(kv, bridge, rKey, claimValue, uri, match, invoke);
      if (refused !== undefined) return refused;
      this.ownClaims.set(rKey, claimValue);
      this.own.set(cKey, value);
      const revision = await kv.put(cKey, value);
      return { order: revision };
    } catch (error) {
      this.log('warn', `cluster: claiming ${uri} failed (${String(error)}); registered on this node only until NATS answers`);
      this.own.set(cKey, value);
      this.ownClaims.set(rKey, claimValue);
      return { order: LATE_ORDER };
    }
  }

  private async claimKey(kv: KV, bridge: RealmBridge, rKey: string, mine: string, uri: string, match: MatchPolicy, invoke: InvocationPolicy): Promise<ClusterClaim | undefined> {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await kv.create(rKey, mine);
        return undefined;
      } catch (error) {
        if (!isWrongSequence(error)) throw error;
      }
      const current = await kv.get(rKey);
      if (current === null || current.operation !== 'PUT') continue;
      const held = current.json<Claim>();
      if (held.i !== 'single' && held.i === invoke) return undefined; // joining a shared registration
      if (!(await this.holderGone(bridge, held, current.created, uri, match))) {
        return held.i === 'single'
          ? { error: ErrorUri.PROCEDURE_ALREADY_EXISTS, message: `"${uri}" (${match}) is already registered in the cluster` }
          : { error: ErrorUri.PROCEDURE_EXISTS_WITH_DIFFERENT_INVOCATION_POLICY, message: `"${uri}" (${match}) is registered in the cluster with invoke "${held.i}", not "${invoke}"` };
      }
      try {
        await kv.update(rKey, mine, current.revision);
        return undefined;
      } catch (error) {
        if (!isWrongSequence(error)) throw error;
      }
    }
    return { error: ErrorUri.PROCEDURE_ALREADY_EXISTS, message: `"${uri}" (${match}) is being registered elsewhere in the cluster` };
  }

  /** True when the holder of a claim is gone (its node died, or a stale claim), so the claim may be taken over. */
  private async holderGone(bridge: RealmBridge, held: Claim, created: Date, uri: string, match: MatchPolicy): Promise<boolean> {
    if (held.i !== 'single') {
      // A shared claim with no callee known here, old enough for the directory to have shown them.
      return !bridge.hasRegistration(uri, match) && Date.now() - created.getTime() > 2 * this.options.heartbeatInterval;
    }
    if (held.n === this.nodeId) return !bridge.hasRegistration(uri, match);
    // A node killed a moment ago still looks alive; its NATS subscriptions are gone at once though.
    if (this.liveness.isAlive(held.n) && (await this.ping(held.n))) return false;
    const deadline = Date.now() + this.options.nodeTimeout + this.options.heartbeatInterval;
    // A late node may be dying (its clients reconnecting here re-register): wait for the verdict.
    while (Date.now() < deadline) {
      const now = Date.now();
      if (!this.liveness.isAlive(held.n) && this.isStable(now)) return true;
      await sleep(Math.min(100, this.options.heartbeatInterval / 2));
    }
    return !this.liveness.isAlive(held.n);
  }

  /** True when `node` answers on its subject within two heartbeat intervals. */
  private async ping(node: string): Promise<boolean> {
    const nc = this.nc;
    if (nc === undefined || this.connectedSince === 0) return true;
    try {
      await nc.request(`${this.prefix}.n.${node}`, encode([0]), { timeout: 2 * this.options.heartbeatInterval });
      return true;
    } catch {
      return false; // no responders (its connection is gone) or no answer in time
    }
  }

  /** Connected long enough to have heard every live node. */
  private isStable(now: number): boolean {
    return this.connectedSince > 0 && now - this.connectedSince >= this.options.nodeTimeout;
  }

  /** @internal */
  released(bridge: RealmBridge, peer: RouterPeer, uri: string, match: MatchPolicy, invoke: InvocationPolicy, deleted: boolean): void {
    const { rKey, cKey } = this.keys(bridge, uri, match, peer.id);
    this.own.delete(cKey);
    const kv = this.kv;
    if (kv !== undefined && this.connectedSince > 0) kv.delete(cKey).catch((error: unknown) => this.log('warn', `cluster: removing ${uri} from the directory failed`, error));
    if (deleted) {
      this.ownClaims.delete(rKey);
      void this.releaseClaim(rKey, invoke !== 'single');
    }
  }

  /** Deletes a claim if this node holds it (or, with `shared`, whoever made it). */
  private async releaseClaim(rKey: string, shared = false): Promise<void> {
    const kv = this.kv;
    if (kv === undefined || this.connectedSince === 0) return;
    try {
      const current = await kv.get(rKey);
      if (current === null || current.operation !== 'PUT') return;
      const held = current.json<Claim>();
      if (held.n !== this.nodeId && !(shared && held.i !== 'single')) return;
      await kv.delete(rKey, { previousSeq: current.revision });
    } catch (error) {
      if (!isWrongSequence(error)) this.log('debug', 'cluster: releasing a claim failed', error);
    }
  }

  private applyEntry(watched: KvWatchEntry): void {
    const key = watched.key;
    if (watched.operation !== 'PUT') {
      const known = this.entries.get(key);
      this.entries.delete(key);
      this.cleaning.delete(key);
      if (known !== undefined && known.entry.node !== this.nodeId) {
        const gone = known.entry;
        this.bridgeOf(gone)?.detachEntry(gone);
        this.reattach((entry) => entry.realm === gone.realm && entry.uri === gone.uri && entry.match === gone.match);
      }
      // Our own entry vanished (another node thought us dead): write it again.
      const mine = this.own.get(key);
      if (mine !== undefined && this.kv !== undefined && this.connectedSince > 0 && !this.closing) {
        this.kv.put(key, mine).catch((error: unknown) => this.log('warn', 'cluster: re-writing a directory entry failed', error));
      }
      return;
    }
    let entry: DirectoryEntry;
    try {
      entry = watched.json<DirectoryEntry>();
      if (matchOf(MATCH_LETTER[entry.match]) === undefined || typeof entry.session !== 'number') throw new TypeError('bad entry');
    } catch (error) {
      this.log('warn', `cluster: ignoring a malformed directory entry ${key}`, error);
      return;
    }
    const previous = this.entries.get(key);
    this.entries.set(key, { entry, revision: watched.revision });
    if (entry.node === this.nodeId) return;
    if (previous !== undefined) return; // a re-write: already attached (its order stays)
    if (this.liveness.isAlive(entry.node)) this.bridgeOf(entry)?.attachEntry(entry, watched.revision);
  }

  private bridgeOf(entry: DirectoryEntry): RealmBridge | undefined {
    return this.bridges.get(token(entry.realm));
  }

  /** Deletes directory entries of dead nodes (and stale ones of this node); only while connected and stable. */
  private sweep(now: number): void {
    const kv = this.kv;
    if (kv === undefined || !this.isStable(now) || this.closing) return;
    for (const [key, { entry }] of this.entries) {
      const stale = entry.node === this.nodeId ? !this.own.has(key) : !this.liveness.isAlive(entry.node);
      if (!stale || this.cleaning.has(key)) continue;
      this.cleaning.add(key);
      kv.delete(key).catch((error: unknown) => {
        this.cleaning.delete(key);
        this.log('debug', 'cluster: removing a dead node entry failed', error);
      });
    }
  }

  /** After (re)connecting: our entries and claims may be missing (NATS restarted without its store). */
  private async reassert(): Promise<void> {
    const kv = this.kv;
    if (kv === undefined) return;
    for (const [key, value] of this.own) {
      if (this.entries.has(key)) continue;
      try {
        await kv.put(key, value);
      } catch (error) {
        this.log('warn', 'cluster: re-writing a directory entry failed', error);
      }
    }
    for (const [rKey, value] of this.ownClaims) {
      try {
        await kv.create(rKey, value);
      } catch (error) {
        if (!isWrongSequence(error)) continue;
        const current = await kv.get(rKey).catch(() => null);
        const held = current?.json<Claim>();
        const mine = JSON.parse(value) as Claim;
        if (held !== undefined && held.i === 'single' && held.n !== this.nodeId && mine.i === 'single') {
          this.log('warn', `cluster: a registration made while NATS was unreachable (${rKey}) is now held by node ${held.n} too`);
        }
      }
    }
  }

  // Nodes --------------------------------------------------------------------------------------

  private heartbeat(): void {
    this.lastHeartbeat = Date.now();
    this.publish(`${this.prefix}.hb`, [this.nodeId, 0, this.incarnation]);
  }

  private onHeartbeat(msg: Msg): void {
    let node: string;
    let leaving: number;
    let incarnation: number;
    try {
      [node, leaving, incarnation] = decode(msg.data) as [string, number, number];
    } catch {
      return;
    }
    if (typeof node !== 'string' || node === this.nodeId) return;
    if (leaving === 1) {
      if (this.liveness.forget(node)) this.nodeDown(node);
      return;
    }
    const known = this.incarnations.get(node);
    this.incarnations.set(node, incarnation);
    // Restarted under the same ID: what the old process had is gone (its pending calls fail now).
    if (known !== undefined && known !== incarnation && this.liveness.forget(node)) this.nodeDown(node);
    if (!this.liveness.heard(node, Date.now())) return;
    this.log('info', `cluster: node ${node} is up`);
    for (const { entry, revision } of this.entries.values()) if (entry.node === node) this.bridgeOf(entry)?.attachEntry(entry, revision);
    this.emit('node-up', node);
    this.statusChanged();
    // Answer a newcomer at once so it learns about us within a round trip.
    if (Date.now() - this.lastHeartbeat > 20) this.heartbeat();
  }

  private nodeDown(node: string): void {
    this.log('info', `cluster: node ${node} is down`);
    for (const bridge of this.bridges.values()) bridge.nodeDown(node);
    // Entries that conflicted with the dead node's (a callee that moved) can be routed now.
    this.reattach(() => true);
    this.emit('node-down', node);
    this.statusChanged();
  }

  /** Attaches again the live nodes' entries picked by `pick` (attaching is idempotent). */
  private reattach(pick: (entry: DirectoryEntry) => boolean): void {
    for (const { entry, revision } of this.entries.values()) {
      if (entry.node !== this.nodeId && this.liveness.isAlive(entry.node) && pick(entry)) this.bridgeOf(entry)?.attachEntry(entry, revision);
    }
  }

  private tick(): void {
    const now = Date.now();
    for (const node of this.liveness.expire(now)) this.nodeDown(node);
    this.sweep(now);
  }

  private setState(state: ClusterState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.stateSince = Date.now();
    this.statusChanged();
  }

  private statusChanged(): void {
    const status = this.status();
    this.emit('status', status);
    for (const bridge of this.bridges.values()) {
      try {
        bridge.realm.broker.publishInternal('junction.cluster.on_status', [status]);
      } catch (error) {
        this.log('error', 'cluster: publishing the status failed', error);
      }
    }
  }

  // Start --------------------------------------------------------------------------------------

  private connectionOptions(): ConnectionOptions {
    const nats = this.options.nats;
    const options: ConnectionOptions = {
      servers: nats.servers,
      name: nats.name ?? `junction-${this.nodeId}`,
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      reconnectJitter: 100,
      pingInterval: 2000,
      maxPingOut: 2,
      noEcho: true, // a node never receives its own events, heartbeats or meta requests
    };
    if (nats.credentials !== undefined) {
      const creds = nats.credentials.startsWith('-----BEGIN') ? nats.credentials : readFileSync(nats.credentials, 'utf8');
      options.authenticator = credsAuthenticator(new TextEncoder().encode(creds));
    }
    if (nats.user !== undefined) options.user = nats.user;
    if (nats.pass !== undefined) options.pass = nats.pass;
    if (nats.token !== undefined) options.token = nats.token;
    if (nats.tls !== undefined && nats.tls !== false) {
      options.tls = nats.tls === true ? {} : { ...nats.tls };
    }
    return options;
  }

  private async start(): Promise<void> {
    const nc = await connect(this.connectionOptions());
    this.nc = nc;
    if (this.closing) {
      await nc.close();
      return;
    }
    this.connectedSince = Date.now();
    void this.watchStatus(nc);
    const p = this.prefix;
    nc.subscribe(`${p}.hb`, { callback: (error, msg) => { if (error === null) this.onHeartbeat(msg); } });
    nc.subscribe(`${p}.n.${this.nodeId}`, { callback: (error, msg) => { if (error === null) this.onNodeMessage(msg); } });
    nc.subscribe(`${p}.meta.*`, { callback: (error, msg) => { if (error === null) this.onMetaRequest(msg); } });
    for (const bridge of this.bridges.values()) this.subscribeBridge(nc, bridge);
    const kvm = new Kvm(jetstream(nc, { timeout: this.options.kvTimeout }));
    this.kv = await kvm.create(`${p}_registrations`, { history: 1, replicas: this.options.kvReplicas });
    const empty = (await this.kv.status()).values === 0;
    // Every key (claims too): the watcher marks the last of the initial values `isUpdate`.
    const watcher = await this.kv.watch();
    const loaded = new Promise<void>((resolve) => {
      if (empty) resolve();
      void (async () => {
        for await (const entry of watcher) {
          try {
            if (entry.key.startsWith('c.')) this.applyEntry(entry);
          } catch (error) {
            this.log('error', 'cluster: applying a directory entry failed', error);
          }
          if (entry.isUpdate) resolve();
        }
        resolve();
      })();
      setTimeout(resolve, 2000).unref?.();
    });
    await loaded;
    if (this.closing) return;
    this.heartbeat();
    const interval = this.options.heartbeatInterval;
    this.timers.push(setInterval(() => this.heartbeat(), interval), setInterval(() => this.tick(), Math.max(25, interval / 4)));
    for (const timer of this.timers) timer.unref?.();
    await this.reassert();
    // Other nodes answer our first heartbeat at once: give them a moment.
    await sleep(Math.min(200, interval));
    this.setState('connected');
  }

  /** Subscribes the events of one realm (meta requests for every realm share one subscription). */
  private subscribeBridge(nc: NatsConnection, bridge: RealmBridge): void {
    const p = this.prefix;
    nc.subscribe(`${p}.ev.${bridge.token}`, {
      callback: (error, msg) => {
        if (error !== null) return;
        try {
          bridge.receiveEvent(decode(msg.data));
        } catch (e) {
          this.log('error', 'cluster: a remote event failed', e);
        }
      },
    });
  }

  /**
   * A meta request of another node. A node without that realm (not created here, or filtered
   * out) answers too, with an error the merge skips, so the asker need not wait `metaTimeout`.
   */
  private onMetaRequest(msg: Msg): void {
    const bridge = this.bridges.get(msg.subject.slice(this.prefix.length + '.meta.'.length));
    if (bridge === undefined) {
      msg.respond(encode([0, ErrorUri.NO_SUCH_REALM, ['the realm is not clustered on this node']]));
      return;
    }
    let data: unknown[];
    try {
      data = decode(msg.data);
    } catch (error) {
      this.log('warn', 'cluster: malformed meta request', error);
      return;
    }
    bridge.answerMeta(data).then(
      (answer) => msg.respond(encode(answer)),
      (e: unknown) => this.log('error', 'cluster: a meta request failed', e),
    );
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (this.closing) continue;
      if (status.type === 'disconnect') {
        this.connectedSince = 0;
        this.setState('degraded');
        this.log('warn', 'cluster: NATS connection lost; serving local sessions only');
      } else if (status.type === 'reconnect') {
        this.connectedSince = Date.now();
        this.setState('connected');
        this.log('info', 'cluster: NATS connection back');
        this.heartbeat();
        void this.reassert();
      }
    }
  }

  private onNodeMessage(msg: Msg): void {
    let data: unknown[];
    try {
      data = decode(msg.data);
    } catch (error) {
      this.log('warn', 'cluster: malformed node message', error);
      return;
    }
    if (data[0] === 0) {
      msg.respond(encode([1])); // ping
      return;
    }
    const bridge = this.bridges.get(data[1] as string);
    if (bridge === undefined) return;
    try {
      bridge.receiveNodeMessage(data);
    } catch (error) {
      this.log('error', 'cluster: handling a node message failed', error);
    }
  }
}

/**
 * Joins `router` to a cluster: its realms (all of them, also those added later, or those named
 * in `options.realms`) span every router attached to the same NATS system with the same
 * `prefix`. Returns at once; the router serves its local sessions meanwhile and `cluster.ready`
 * resolves when NATS was reached. `router.close()` leaves the cluster first (a `beforeClose`
 * hook); `cluster.close()` leaves it and keeps the router running.
 *
 * ```ts
 * const router = new Router({ realms: [{ name: 'realm1' }] });
 * const cluster = attachCluster(router, { nats: { servers: 'nats://127.0.0.1:4222' } });
 * await cluster.ready;
 * await router.listen({ port: 8080 });
 * ```
 */
export function attachCluster(router: Router, options: ClusterOptions): Cluster {
  return new Cluster(router, options);
}
