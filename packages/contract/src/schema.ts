// zod's core only (not the classic `zod` API): contracts written with `zod/mini` keep browser
// bundles small, and classic `zod` schemas are core schemas too.
import * as core from 'zod/v4/core';
import { ErrorUri, WampError } from '@junction/wamp';

/** Any zod 4 schema (classic `zod` or `zod/mini`). */
export type Schema = core.$ZodType;

/** A schema whose values are plain objects: what procedure inputs and error details must be (they travel as WAMP kwargs). */
export type ObjectSchema = core.$ZodType<Record<string, unknown>, Record<string, unknown>>;

/** The type a schema accepts (before defaults and transforms). */
export type In<S> = S extends Schema ? core.input<S> : never;
/** The type a schema produces (after defaults and transforms). */
export type Out<S> = S extends Schema ? core.output<S> : never;

/**
 * One validation problem as it travels in `wamp.error.invalid_argument` kwargs (`{ issues: [...] }`):
 * `path` locates the field (`['address', 'zip']`, `['items', 2]`), so a client can show `message`
 * next to that form field; `code` is zod's issue code (`invalid_type`, `too_small`...).
 */
export interface WireIssue {
  /** Path of the offending field inside the value; empty for the value itself. */
  path: (string | number)[];
  /** Human-readable message. */
  message: string;
  /** zod's issue code. */
  code: string;
}

/** The outcome of {@link check}. */
export type CheckResult<T> = { ok: true; value: T } | { ok: false; issues: WireIssue[] };

/** zod issues in their wire form (symbols in paths become strings). */
export function toWireIssues(issues: readonly core.$ZodIssue[]): WireIssue[] {
  return issues.map((issue) => ({
    path: issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key)),
    message: issue.message,
    code: issue.code,
  }));
}

/**
 * Validates synchronously when the schema allows it (the common case: no extra microtask), and
 * falls back to async parsing for schemas with async refinements.
 */
export function check<S extends Schema>(schema: S, value: unknown): CheckResult<core.output<S>> | Promise<CheckResult<core.output<S>>> {
  let outcome: ParseOutcome<core.output<S>>;
  try {
    outcome = core.safeParse(schema, value);
  } catch (error) {
    if (!(error instanceof core.$ZodAsyncError)) throw error;
    return core.safeParseAsync(schema, value).then(settle);
  }
  return settle(outcome);
}

type ParseOutcome<T> = { success: true; data: T } | { success: false; error: core.$ZodError };

function settle<T>(outcome: ParseOutcome<T>): CheckResult<T> {
  return outcome.success ? { ok: true, value: outcome.data } : { ok: false, issues: toWireIssues(outcome.error.issues) };
}

/** Formats issues in one line: `a: expected number; b.c: required`. */
export function describeIssues(issues: readonly WireIssue[]): string {
  return issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
}

/**
 * The `wamp.error.invalid_argument` error for invalid input: args `[summary]`, kwargs `{ issues }`
 * (see {@link WireIssue}).
 */
export function invalidArgument(what: string, issues: WireIssue[]): WampError {
  return new WampError(ErrorUri.INVALID_ARGUMENT, [`invalid ${what}: ${describeIssues(issues)}`], { issues });
}

/** Reads the issues of a `wamp.error.invalid_argument` error (empty when it carries none). */
export function issuesOf(error: unknown): WireIssue[] {
  if (!(error instanceof WampError) || !Array.isArray(error.kwargs.issues)) return [];
  return error.kwargs.issues.filter((issue): issue is WireIssue => typeof issue === 'object' && issue !== null && Array.isArray((issue as WireIssue).path));
}

/** The kind of a schema (`object`, `string`, `union`...), from zod's definition. */
export function schemaKind(schema: Schema): string {
  return schema._zod.def.type;
}
