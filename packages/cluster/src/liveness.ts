/**
 * Which other nodes are alive, from their heartbeats (sans-I/O: the cluster feeds it heartbeats
 * and clock ticks and acts on what it returns).
 */
export class Liveness {
  /** Last heartbeat time (ms) of each live node. */
  private readonly lastSeen = new Map<string, number>();

  constructor(
    readonly selfId: string,
    /** A node silent for this long is dead. */
    readonly nodeTimeout: number,
    /** The expected heartbeat interval (a node silent for 2 of them is "suspect"). */
    readonly heartbeatInterval: number,
  ) {}

  /** A heartbeat from `node` at `now`; true when the node was not alive before (it joined or came back). */
  heard(node: string, now: number): boolean {
    if (node === this.selfId) return false;
    const fresh = !this.lastSeen.has(node);
    this.lastSeen.set(node, now);
    return fresh;
  }

  /** True when `node` is this one or alive. */
  isAlive(node: string): boolean {
    return node === this.selfId || this.lastSeen.has(node);
  }

  /** True when `node` is alive but late (no heartbeat for two intervals): it may be dying. */
  isSuspect(node: string, now: number): boolean {
    const seen = this.lastSeen.get(node);
    return seen !== undefined && now - seen > 2 * this.heartbeatInterval;
  }

  /** The other live nodes. */
  nodes(): string[] {
    return [...this.lastSeen.keys()];
  }

  /** Number of other live nodes. */
  get size(): number {
    return this.lastSeen.size;
  }

  /** Forgets the nodes silent for longer than the timeout and returns them. */
  expire(now: number): string[] {
    const dead: string[] = [];
    for (const [node, seen] of this.lastSeen) if (now - seen > this.nodeTimeout) dead.push(node);
    for (const node of dead) this.lastSeen.delete(node);
    return dead;
  }

  /** Forgets `node` (it said it leaves); true when it was alive. */
  forget(node: string): boolean {
    return this.lastSeen.delete(node);
  }

  /** Forgets every node (this node lost NATS for good, or closes); returns them. */
  clear(): string[] {
    const all = this.nodes();
    this.lastSeen.clear();
    return all;
  }
}
