import { ErrorUri, WampError, isDict, isWampId, type Args, type MatchPolicy } from '@junction/wamp';
import type { InternalProcedure, InternalResult } from '../realm-context.js';
import type { Registration } from './registration.js';
import type { RegistrationTable } from './registration-table.js';

/**
 * The registration meta API (spec "Registration Meta API"): the procedures, answered from the
 * registration table, and the topics of the events the dealer publishes.
 */

/** Topics of the registration meta events. */
export const RegistrationMetaTopic = {
  /** `[session, RegistrationDetails]`: a registration was created. */
  ON_CREATE: 'wamp.registration.on_create',
  /** `[session, registration]`: a callee was attached to a registration. */
  ON_REGISTER: 'wamp.registration.on_register',
  /** `[session, registration]`: a callee was detached from a registration. */
  ON_UNREGISTER: 'wamp.registration.on_unregister',
  /** `[session, registration]`: a registration was deleted after its last callee left. */
  ON_DELETE: 'wamp.registration.on_delete',
} as const;

function invalid(text: string): WampError {
  return new WampError(ErrorUri.INVALID_ARGUMENT, [text]);
}

function procedureArg(args: Args, name: string): string {
  const procedure = args[0];
  if (typeof procedure !== 'string' || procedure.length === 0) throw invalid(`${name} expects a procedure URI as its first argument`);
  return procedure;
}

function registrationArg(table: RegistrationTable, args: Args, name: string): Registration {
  const id = args[0];
  if (!isWampId(id)) throw invalid(`${name} expects a registration ID as its first argument`);
  const registration = table.get(id);
  if (registration === undefined) throw new WampError(ErrorUri.NO_SUCH_REGISTRATION, [`no registration with ID ${id}`]);
  return registration;
}

function matchOption(value: unknown): MatchPolicy {
  if (value === undefined) return 'exact';
  if (value === 'exact' || value === 'prefix' || value === 'wildcard') return value;
  throw invalid('options.match must be "exact", "prefix" or "wildcard"');
}

/** The meta procedures by URI, for `DealerApi.registerInternal`. */
export function registrationMetaProcedures(table: RegistrationTable): Record<string, InternalProcedure> {
  return {
    'wamp.registration.list': (): InternalResult => {
      const lists: Record<MatchPolicy, number[]> = { exact: [], prefix: [], wildcard: [] };
      for (const registration of table.values()) lists[registration.match].push(registration.id);
      return { args: [lists] };
    },
    'wamp.registration.lookup': (_caller, args): InternalResult => {
      const procedure = procedureArg(args, 'wamp.registration.lookup');
      const options = args[1];
      if (options !== undefined && options !== null && !isDict(options)) throw invalid('wamp.registration.lookup expects options as a dict');
      const match = matchOption(options?.match);
      return { args: [table.lookup(procedure, match)?.id ?? null] };
    },
    'wamp.registration.match': (_caller, args): InternalResult => {
      const procedure = procedureArg(args, 'wamp.registration.match');
      return { args: [table.best(procedure)?.value.id ?? null] };
    },
    'wamp.registration.get': (_caller, args): InternalResult => {
      return { args: [registrationArg(table, args, 'wamp.registration.get').details()] };
    },
    'wamp.registration.list_callees': (_caller, args): InternalResult => {
      const registration = registrationArg(table, args, 'wamp.registration.list_callees');
      return { args: [registration.callees.map((entry) => entry.callee.peer.id)] };
    },
    'wamp.registration.count_callees': (_caller, args): InternalResult => {
      return { args: [registrationArg(table, args, 'wamp.registration.count_callees').callees.length] };
    },
  };
}
