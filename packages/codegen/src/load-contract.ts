/**
 * Loads contract descriptions from a module: a TypeScript (or JavaScript) file is bundled with
 * esbuild (its relative imports included, packages left external) into a temporary `.mjs` next
 * to it, so that its packages resolve as they would for the source, then imported. A `.json`
 * file is read as a description (or a list of them).
 */
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { assertDescription, type ContractDescription } from './description.js';

/** A contract found in a module: the export's name and its description. */
export interface LoadedContract {
  /** The export name (`default` for a default export). */
  name: string;
  description: ContractDescription;
}

interface Describable {
  kind: 'contract';
  describe(): ContractDescription;
}

function isContract(value: unknown): value is Describable {
  return typeof value === 'object' && value !== null && (value as Describable).kind === 'contract' && typeof (value as Describable).describe === 'function';
}

function isDescription(value: unknown): value is ContractDescription {
  return typeof value === 'object' && value !== null && (value as ContractDescription).format === 'junction.contract/1';
}

/** Every exported contract of a module (by export name, alphabetically, `default` last), or the descriptions of a `.json` file. */
export async function loadContracts(file: string, label: string = file): Promise<LoadedContract[]> {
  const absolute = path.resolve(file);
  if (!(await stat(absolute).then((s) => s.isFile(), () => false))) throw new Error(`contract file ${label} not found`);
  if (absolute.endsWith('.json')) return loadJson(absolute, label);
  const exports = await importModule(absolute, label);
  const found: LoadedContract[] = [];
  const seen = new Set<unknown>();
  // Named exports first (a module namespace lists its exports alphabetically, `default` among them).
  const entries = Object.entries(exports).sort(([a], [b]) => Number(a === 'default') - Number(b === 'default'));
  for (const [name, value] of entries) {
    // The same contract exported twice (`export const api`, `export default api`) counts once.
    if (seen.has(value)) continue;
    seen.add(value);
    if (isContract(value)) found.push({ name, description: value.describe() });
    else if (isDescription(value)) found.push({ name, description: value });
  }
  return found;
}

/**
 * The one contract to use: the export named `exportName`, or the only contract of the module.
 * Throws a one-line error otherwise.
 */
export function pickContract(found: LoadedContract[], source: string, exportName?: string): LoadedContract {
  if (exportName !== undefined) {
    const match = found.find((c) => c.name === exportName || c.description.prefix === exportName);
    if (match === undefined) throw new Error(`${source} has no contract "${exportName}" (found: ${found.map((c) => c.name).join(', ') || 'none'})`);
    return match;
  }
  if (found.length === 0) throw new Error(`${source} exports no contract (made by defineContract)`);
  if (found.length > 1) throw new Error(`${source} has several contracts (${found.map((c) => c.name).join(', ')}): choose one with --export`);
  return found[0]!;
}

async function loadJson(file: string, label: string): Promise<LoadedContract[]> {
  const parsed = JSON.parse(await readFile(file, 'utf8')) as unknown;
  const list = Array.isArray(parsed) ? parsed : [parsed];
  return list.map((value, i) => {
    assertDescription(value, `${label}${list.length > 1 ? ` [${i}]` : ''}`);
    return { name: value.prefix, description: value };
  });
}

async function importModule(file: string, label: string): Promise<Record<string, unknown>> {
  const { build } = await import('esbuild');
  let code: string;
  try {
    const result = await build({
      entryPoints: [file],
      bundle: true,
      packages: 'external',
      format: 'esm',
      platform: 'node',
      target: 'node20',
      write: false,
      logLevel: 'silent',
      sourcemap: 'inline',
    });
    code = result.outputFiles[0]!.text;
  } catch (error) {
    const errors = (error as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors;
    const first = errors?.[0];
    if (first !== undefined) throw new Error(`cannot compile ${label}: ${first.text}${first.location ? ` (${first.location.file}:${first.location.line})` : ''}`);
    throw error;
  }
  const temp = path.join(path.dirname(file), `.junction-${process.pid}-${randomBytes(4).toString('hex')}.mjs`);
  await writeFile(temp, code);
  try {
    return (await import(pathToFileURL(temp).href)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${label} failed to load: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    await rm(temp, { force: true });
  }
}
