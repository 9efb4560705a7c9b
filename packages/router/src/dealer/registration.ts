import type { Dict, MatchPolicy } from '@junction/wamp';
import type { DealerPeer } from './dealer-peer.js';
import { pickIndex, type InvocationPolicy } from './invocation-policy.js';

/** One callee attached to a registration, with its own registration options. */
export interface RegisteredCallee {
  readonly callee: DealerPeer;
  /** `REGISTER.Options.disclose_caller`: every INVOCATION carries the caller's identity. */
  readonly discloseCaller: boolean;
  /**
   * Place among the callees (ascending; equal orders keep registration order). 0 on a standalone
   * router; in a cluster, an order shared by every node so that `first` and `last` agree.
   */
  readonly order?: number;
}

/**
 * A registration: one (URI, match policy) with one or more callees (more than one only for
 * shared registrations), in the order they registered.
 */
export class Registration {
  /** Callees in registration order ("first" and "last" refer to this order). */
  readonly callees: RegisteredCallee[] = [];
  /** When the registration was created (ISO 8601), for the meta API. */
  readonly created = new Date().toISOString();
  /** Index of the next callee for `roundrobin`. */
  private cursor = 0;

  constructor(
    readonly id: number,
    readonly uri: string,
    readonly match: MatchPolicy,
    readonly invoke: InvocationPolicy,
  ) {}

  /** The callee the next call goes to, by the invocation policy. The registration has at least one. */
  pick(): RegisteredCallee {
    const callees = this.callees;
    if (callees.length === 1) return callees[0]!;
    const index = pickIndex(this.invoke, callees.length, this.cursor);
    this.cursor = index + 1;
    return callees[index]!;
  }

  /** The entry of `callee`, if it is attached. */
  find(callee: DealerPeer): RegisteredCallee | undefined {
    for (const entry of this.callees) if (entry.callee === callee) return entry;
    return undefined;
  }

  /** Attaches a callee after every callee of a lower or equal {@link RegisteredCallee.order}. */
  add(entry: RegisteredCallee): void {
    const callees = this.callees;
    const order = entry.order ?? 0;
    let index = callees.length;
    while (index > 0 && (callees[index - 1]!.order ?? 0) > order) index--;
    callees.splice(index, 0, entry);
    if (index < this.cursor) this.cursor++;
  }

  /** Detaches a callee; true when it was attached. Keeps the round-robin order of the others. */
  remove(callee: DealerPeer): boolean {
    const index = this.callees.findIndex((entry) => entry.callee === callee);
    if (index < 0) return false;
    this.callees.splice(index, 1);
    if (index < this.cursor) this.cursor--;
    return true;
  }

  /** `RegistrationDetails` of the meta API. */
  details(): Dict {
    return { id: this.id, created: this.created, uri: this.uri, match: this.match, invoke: this.invoke };
  }
}
