import { ErrorUri, WampError } from '@junction/wamp';
import type { WireIssue } from './schema.js';

/**
 * How contract values travel (see docs/contracts.md, "On the wire"):
 * - a procedure's input is the CALL's kwargs (named arguments; Autobahn|Python callers write
 *   `call(uri, a=1, b=2)`), args empty;
 * - its result, each progressive result and each event payload is `args[0]`, kwargs empty;
 * - a declared error has args `[message]` and its details as kwargs.
 */

/** Own error URIs of the contract layer. */
export const ContractErrorUri = {
  /** A result or progressive result failed the caller's optional validation (`bind(..., { validate: true })`). */
  INVALID_RESULT: 'junction.error.invalid_result',
} as const;

const EMPTY: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

function hasKeys(dict: Record<string, unknown>): boolean {
  for (const _ in dict) return true;
  return false;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * The input of an INVOCATION: its kwargs. Callers that cannot send kwargs may send the input
 * object as the only positional argument; no arguments at all is `{}`.
 */
export function readInput(args: unknown[], kwargs: Record<string, unknown>): Record<string, unknown> {
  if (hasKeys(kwargs)) {
    if (args.length === 0) return kwargs;
  } else if (args.length === 0) {
    return EMPTY;
  } else if (args.length === 1 && isPlainObject(args[0])) {
    return args[0];
  }
  const issue: WireIssue = { path: [], message: 'the input travels as keyword arguments (kwargs); positional arguments are not accepted', code: 'invalid_type' };
  throw new WampError(ErrorUri.INVALID_ARGUMENT, [`invalid input: ${issue.message}`], { issues: [issue] });
}

/** The value of a RESULT or EVENT: `args[0]`; from peers that send kwargs only, the kwargs. */
export function readValue(args: unknown[], kwargs: Record<string, unknown>): unknown {
  if (args.length > 0) return args[0];
  return hasKeys(kwargs) ? kwargs : undefined;
}

/**
 * Leaves out object keys whose value is `undefined`, at any depth, so that an optional field the
 * code set to `undefined` is absent on every serializer (JSON drops such keys, but msgpack and
 * CBOR would carry `null`, which the schema refuses). Returns `value` itself when nothing changes.
 */
export function dropUndefined<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const cleaned = dropUndefined(item);
      if (cleaned !== item) (copy ??= value.slice())[i] = cleaned;
    }
    return (copy ?? value) as T;
  }
  if (!isPlainObject(value)) return value;
  let copy: Record<string, unknown> | null = null;
  for (const key in value) {
    const item = value[key];
    if (item === undefined) {
      copy ??= { ...value };
      delete copy[key];
      continue;
    }
    const cleaned = dropUndefined(item);
    if (cleaned !== item) (copy ??= { ...value })[key] = cleaned;
  }
  return (copy ?? value) as T;
}
