/** Required permissions for the docs page, from a router's role configuration. */
import type { ContractDescription } from '../description.js';

/** What {@link permissionsFromRoles} asks: the router's `Permissions` (from `@junction/router`) fits. */
export interface PermissionCheck {
  allows(authrole: string, uri: string, action: 'call' | 'register' | 'publish' | 'subscribe'): boolean;
}

/**
 * For each procedure and topic URI, which roles may use it: `call: admin, member`,
 * `subscribe: member`, `publish: admin`, for the docs page's `permissions` option.
 *
 * @example
 * ```ts
 * const permissions = permissionsFromRoles(api.describe(), new Permissions(roles), roles.map((r) => r.name));
 * renderDocs(api.describe(), { permissions });
 * ```
 */
export function permissionsFromRoles(descriptions: ContractDescription | readonly ContractDescription[], check: PermissionCheck, roles: readonly string[]): Record<string, string[]> {
  const list = Array.isArray(descriptions) ? (descriptions as ContractDescription[]) : [descriptions as ContractDescription];
  const out: Record<string, string[]> = {};
  const line = (action: 'call' | 'publish' | 'subscribe', uri: string): string => {
    const allowed = roles.filter((role) => check.allows(role, uri, action));
    return `${action}: ${allowed.length > 0 ? allowed.join(', ') : 'no role'}`;
  };
  for (const d of list) {
    for (const p of Object.values(d.procedures)) out[p.uri] = [line('call', p.uri)];
    for (const t of Object.values(d.topics)) out[t.uri] = [line('subscribe', t.uri), line('publish', t.uri)];
  }
  return out;
}
