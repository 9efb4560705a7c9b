/** `junction docs`: writes the API docs site (index.html) and asyncapi.json. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderDocs } from '../docs/render.js';
import { permissionsFromRoles } from '../docs/permissions.js';
import type { ContractDescription } from '../description.js';
import { parseFlags, UsageError, type Command } from '../cli/args.js';
import { readSource, SOURCE_HELP } from '../cli/sources.js';

const FLAGS = { contract: 'string', export: 'string', url: 'string', realm: 'string', prefix: 'string', out: 'string', server: 'string', title: 'string', permissions: 'string', help: 'boolean' } as const;

export const docsCommand: Command = {
  name: 'docs',
  summary: 'write the API docs site (index.html) and asyncapi.json for a contract',
  help: `usage: junction docs (--contract FILE [--export NAME] | --url URL [--realm REALM] [--prefix PREFIX]) --out DIR [--server URL] [--title TEXT] [--permissions FILE]

Writes DIR/index.html, one self-contained page with a searchable index of the procedures and
topics, field tables of their schemas, examples and errors, and DIR/asyncapi.json, an AsyncAPI 3.0
document of the same API. Without --export, a module's contracts all go on one page.

${SOURCE_HELP}
  --out DIR           the directory to write (e.g. api-docs)
  --server URL        the router URL to show and to put in asyncapi.json servers (default: --url if given)
  --title TEXT        the page title (default: the contract's title)
  --permissions FILE  JSON: the router's roles ([{ "name", "permissions": [...] }], as in its realm
                      config) or a map from URI or dotted name to lines to show ({ "users.get": ["call: admin"] })
`,
  async run(argv, io) {
    const flags = parseFlags(argv, FLAGS);
    if (flags.help) {
      io.out(this.help);
      return 0;
    }
    if (flags.out === undefined) throw new UsageError('--out DIR is required');
    const { descriptions } = await readSource(flags, io.cwd, true);
    const server = flags.server ?? flags.url;
    if (server !== undefined && !URL.canParse(server)) throw new UsageError(`--server: "${server}" is not a URL`);
    const permissions = flags.permissions !== undefined ? await readPermissions(path.resolve(io.cwd, flags.permissions), flags.permissions, descriptions) : undefined;
    const files = renderDocs(descriptions, {
      ...(permissions !== undefined ? { permissions } : {}),
      ...(server !== undefined ? { url: server } : {}),
      ...(flags.realm !== undefined || flags.url !== undefined ? { realm: flags.realm ?? 'realm1' } : {}),
      ...(flags.title !== undefined ? { title: flags.title } : {}),
    });
    const dir = path.resolve(io.cwd, flags.out);
    await mkdir(dir, { recursive: true });
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
    io.out(`wrote ${Object.keys(files).map((n) => path.relative(io.cwd, path.join(dir, n))).join(', ')} (${descriptions.map((d) => `${d.prefix} ${d.version}`).join(', ')})\n`);
    return 0;
  },
};

/** The page's permissions from a roles file (computed with the router's own rules) or a ready map. */
async function readPermissions(file: string, label: string, descriptions: ContractDescription[]): Promise<Record<string, string[]>> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--permissions: cannot read ${label} (${error instanceof Error ? error.message : String(error)})`);
  }
  if (Array.isArray(value)) {
    const { Permissions } = await import('@junction/router');
    const roles = value as { name: string; permissions: [] }[];
    return permissionsFromRoles(descriptions, new Permissions(roles), roles.map((r) => r.name));
  }
  const map = value as Record<string, unknown>;
  if (typeof value !== 'object' || value === null || !Object.values(map).every((v) => Array.isArray(v) && v.every((x) => typeof x === 'string'))) {
    throw new UsageError(`--permissions: ${label} must hold a list of roles or an object of string lists`);
  }
  return map as Record<string, string[]>;
}
