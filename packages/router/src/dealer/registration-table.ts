import { randomId, type MatchPolicy } from '@junction/wamp';
import { PatternTable } from '../pattern-table.js';
import type { InvocationPolicy } from './invocation-policy.js';
import { Registration } from './registration.js';

/** The registrations of one realm: by (URI, match policy) for routing, and by ID. */
export class RegistrationTable {
  private readonly patterns = new PatternTable<Registration>();
  private readonly byId = new Map<number, Registration>();
  /** Cluster: the ID a new registration gets (the same on every node); random when unset or taken. */
  idFor: ((uri: string, match: MatchPolicy) => number) | undefined = undefined;

  /** Number of registrations. */
  get size(): number {
    return this.byId.size;
  }

  /** The registration with this ID. */
  get(id: number): Registration | undefined {
    return this.byId.get(id);
  }

  /** The registration for exactly this pattern and match policy. */
  lookup(uri: string, match: MatchPolicy): Registration | undefined {
    return this.patterns.get(uri, match);
  }

  /** The registration a call to `uri` goes to: exact, else longest prefix, else most specific wildcard. */
  best(uri: string): { value: Registration; match: MatchPolicy; pattern: string } | undefined {
    return this.patterns.best(uri);
  }

  /** Creates an empty registration with a fresh random ID (the caller attaches its first callee). */
  create(uri: string, match: MatchPolicy, invoke: InvocationPolicy): Registration {
    let id = this.idFor?.(uri, match) ?? randomId();
    while (this.byId.has(id)) id = randomId();
    const registration = new Registration(id, uri, match, invoke);
    this.byId.set(id, registration);
    this.patterns.set(uri, match, registration);
    return registration;
  }

  /** Removes a registration (after its last callee left). */
  delete(registration: Registration): void {
    this.byId.delete(registration.id);
    this.patterns.delete(registration.uri, registration.match);
  }

  /** Every registration. */
  values(): IterableIterator<Registration> {
    return this.byId.values();
  }
}
