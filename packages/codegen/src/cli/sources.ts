/** The description sources shared by `junction generate` and `junction docs`: `--contract` or `--url`. */
import path from 'node:path';
import type { ContractDescription } from '../description.js';
import { loadContracts, pickContract } from '../load-contract.js';
import { fetchDescriptions } from '../reflection.js';
import { UsageError } from './args.js';

/** The source flags of a command. */
export interface SourceFlags {
  contract?: string;
  export?: string;
  url?: string;
  realm?: string;
  prefix?: string;
}

/** Help text of the source flags. */
export const SOURCE_HELP = `  --contract FILE     the contract module (.ts/.js, bundled with esbuild) or a description .json
  --export NAME       which exported contract (needed when the module has several; a prefix works too)
  --url URL           instead: a running router (ws://host:port/ws); contracts are read from their
                      reflection procedures junction.contract.describe.<prefix>
  --realm REALM       the realm to join with --url (default realm1)
  --prefix PREFIX     with --url: which contract (needed when the router describes several)`;

/** The descriptions named by the flags, and a stable label of where they came from. */
export async function readSource(flags: SourceFlags, cwd: string, many: boolean): Promise<{ descriptions: ContractDescription[]; source: string | undefined }> {
  if ((flags.contract === undefined) === (flags.url === undefined)) throw new UsageError('give either --contract FILE or --url URL');
  if (flags.contract !== undefined) {
    const file = path.resolve(cwd, flags.contract);
    const source = path.relative(cwd, file).split(path.sep).join('/');
    const found = await loadContracts(file, source);
    if (many && flags.export === undefined) {
      if (found.length === 0) throw new Error(`${source} exports no contract (made by defineContract)`);
      return { descriptions: found.map((c) => c.description), source };
    }
    return { descriptions: [pickContract(found, source, flags.export).description], source };
  }
  const realm = flags.realm ?? 'realm1';
  const options = { url: flags.url!, realm, ...(flags.prefix !== undefined ? { prefix: flags.prefix } : {}) };
  const descriptions = await fetchDescriptions(options);
  if (descriptions.length === 0) throw new Error(`realm ${realm} at ${flags.url} describes no contract${flags.prefix !== undefined ? ` with prefix ${flags.prefix}` : ''}`);
  if (!many && descriptions.length > 1) throw new UsageError(`realm ${realm} describes several contracts (${descriptions.map((d) => d.prefix).join(', ')}): choose one with --prefix`);
  return { descriptions, source: undefined };
}
