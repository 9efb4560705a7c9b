/**
 * Reading contract descriptions (`contract.describe()`, format `junction.contract/1`): the types
 * come from `@junction/contract` (type-only; nothing of it is loaded at run time), plus a check
 * that a JSON value really is such a description (for ones fetched from a router).
 */
import type { ContractDescription } from '@junction/contract';

export type { ContractDescription, ErrorDescription, JsonSchema, ProcedureDescription, TopicDescription } from '@junction/contract';

/** The description format this package reads. */
export const SUPPORTED_FORMAT = 'junction.contract/1';

/** Throws a clear error unless `value` looks like a `ContractDescription` (of `@junction/contract`) of a supported format. */
export function assertDescription(value: unknown, where = 'description'): asserts value is ContractDescription {
  if (typeof value !== 'object' || value === null) throw new TypeError(`${where} is not an object`);
  const d = value as Record<string, unknown>;
  if (d.format !== SUPPORTED_FORMAT) throw new TypeError(`${where} has format ${JSON.stringify(d.format)}; this generator reads ${SUPPORTED_FORMAT}`);
  for (const key of ['procedures', 'topics', 'errors'] as const) {
    if (typeof d[key] !== 'object' || d[key] === null) throw new TypeError(`${where} has no ${key}`);
  }
  if (typeof d.prefix !== 'string' || typeof d.version !== 'string') throw new TypeError(`${where} has no prefix or version`);
}

/** A title for docs: the description's title, else its prefix. */
export function titleOf(description: ContractDescription): string {
  return description.title ?? description.prefix;
}
