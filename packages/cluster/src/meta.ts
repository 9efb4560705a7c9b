import { ErrorUri, WampError } from '@junction/wamp';
import type { Args, Dict } from '@junction/wamp';
import type { InternalResult } from '@junction/router';

/** One node's answer to a meta procedure: its result, or its error. */
export type NodeAnswer = { ok: true; args: Args; kwargs: Dict } | { ok: false; uri: string; args: Args };

/** How the answers of every node make one answer. */
export type Merge = (answers: NodeAnswer[]) => InternalResult;

const oks = (answers: NodeAnswer[]): Array<Extract<NodeAnswer, { ok: true }>> => answers.filter((a): a is Extract<NodeAnswer, { ok: true }> => a.ok);

/** The first error (the local node's comes first), thrown as the caller's error. */
function fail(answers: NodeAnswer[]): never {
  const error = answers.find((a): a is Extract<NodeAnswer, { ok: false }> => !a.ok);
  if (error === undefined) throw new WampError(ErrorUri.RUNTIME_ERROR, ['no node answered']);
  throw new WampError(error.uri, error.args);
}

const sum: Merge = (answers) => {
  const good = oks(answers);
  if (good.length === 0) fail(answers);
  let total = 0;
  for (const a of good) total += typeof a.args[0] === 'number' ? a.args[0] : 0;
  return { args: [total] };
};

const concat: Merge = (answers) => {
  const good = oks(answers);
  if (good.length === 0) fail(answers);
  const all: unknown[] = [];
  const seen = new Set<unknown>();
  for (const a of good) for (const item of (Array.isArray(a.args[0]) ? a.args[0] : []) as unknown[]) if (!seen.has(item)) { seen.add(item); all.push(item); }
  return { args: [all] };
};

const first: Merge = (answers) => {
  const good = oks(answers)[0];
  if (good === undefined) fail(answers);
  return { args: good.args, kwargs: good.kwargs };
};

const firstNonNull: Merge = (answers) => {
  const good = oks(answers);
  if (good.length === 0) fail(answers);
  for (const a of good) if (a.args[0] !== null && a.args[0] !== undefined) return { args: [a.args[0]] };
  return { args: [null] };
};

const unionOrNull: Merge = (answers) => {
  const merged = concat(answers).args![0] as unknown[];
  return { args: [merged.length > 0 ? merged : null] };
};

const unionByPolicy: Merge = (answers) => {
  const good = oks(answers);
  if (good.length === 0) fail(answers);
  const lists: Record<string, Set<unknown>> = { exact: new Set(), prefix: new Set(), wildcard: new Set() };
  for (const a of good) {
    const dict = a.args[0] as Record<string, unknown[]> | undefined;
    for (const key of Object.keys(lists)) for (const id of dict?.[key] ?? []) lists[key]!.add(id);
  }
  return { args: [{ exact: [...lists.exact!], prefix: [...lists.prefix!], wildcard: [...lists.wildcard!] }] };
};

/**
 * The meta procedures answered for the whole cluster by scatter-gather (each node answers for
 * its own sessions and subscriptions), with how their answers merge. `stopAtLocal` procedures
 * ask the other nodes only when the local node has no answer (get, kill).
 */
export const SCATTERED: Record<string, { merge: Merge; stopAtLocal?: boolean }> = {
  'wamp.session.count': { merge: sum },
  'wamp.session.list': { merge: concat },
  'wamp.session.get': { merge: first, stopAtLocal: true },
  'wamp.session.kill': { merge: first, stopAtLocal: true },
  'wamp.session.kill_by_authid': { merge: sum },
  'wamp.session.kill_by_authrole': { merge: sum },
  'wamp.session.kill_all': { merge: sum },
  'wamp.subscription.list': { merge: unionByPolicy },
  'wamp.subscription.lookup': { merge: firstNonNull },
  'wamp.subscription.match': { merge: unionOrNull },
  'wamp.subscription.get': { merge: first, stopAtLocal: true },
  'wamp.subscription.list_subscribers': { merge: concat },
  'wamp.subscription.count_subscribers': { merge: sum },
};
