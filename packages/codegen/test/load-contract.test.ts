/** Loading contracts for --contract: TypeScript modules through esbuild, JSON descriptions, choosing one. */
import { afterAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { loadContracts, pickContract } from '../src/index.js';
import { api } from './fixtures/api.js';
import { fixturesDir, workdir } from './support/workdir.js';

const work = workdir();
afterAll(() => work.remove());

const TWO = `import { z } from 'zod';
import { defineContract, procedure } from '@junction/contract';
import { helper } from './helper.js';
interface Unused { a: number }
export const first = defineContract({ prefix: 'com.example.first', version: '1.0.0', procedures: { hello: procedure({ output: z.string().describe(helper) }) } });
export const second = defineContract({ prefix: 'com.example.second', version: '1.0.0' });
export default first;
export const notAContract = { kind: 'other' };
`;

describe('loadContracts', () => {
  it('loads a TypeScript contract module (its relative TS imports bundled) and leaves no temporary file', async () => {
    const found = await loadContracts(path.join(fixturesDir, 'api.ts'));
    expect(found.map((c) => c.name)).toEqual(['api']);
    expect(found[0]!.description).toEqual(JSON.parse(JSON.stringify(api.describe())));
    expect(readdirSync(fixturesDir).filter((f) => f.startsWith('.junction-'))).toEqual([]);
  });

  it('finds every exported contract once; pickContract chooses by export name or prefix', async () => {
    work.write('helper.ts', "export const helper: string = 'from a relative .ts import';\n");
    const file = work.write('two.ts', TWO);
    const found = await loadContracts(file, 'two.ts');
    expect(found.map((c) => c.name)).toEqual(['first', 'second']);
    expect(found[0]!.description.procedures.hello!.output).toMatchObject({ description: 'from a relative .ts import' });
    expect(() => pickContract(found, 'two.ts')).toThrow('two.ts has several contracts (first, second): choose one with --export');
    expect(pickContract(found, 'two.ts', 'second').description.prefix).toBe('com.example.second');
    expect(pickContract(found, 'two.ts', 'com.example.first').name).toBe('first');
    expect(() => pickContract([], 'none.ts')).toThrow('none.ts exports no contract (made by defineContract)');
    expect(readdirSync(work.dir).filter((f) => f.startsWith('.junction-'))).toEqual([]);
  });

  it('reads descriptions from JSON, and refuses what is not one', async () => {
    const file = work.write('api.json', JSON.stringify([api.describe(), { ...api.describe(), prefix: 'com.example.copy' }]));
    expect((await loadContracts(file)).map((c) => c.name)).toEqual(['com.example.shop', 'com.example.copy']);
    const bad = work.write('bad.json', JSON.stringify({ format: 'junction.contract/9' }));
    await expect(loadContracts(bad, 'bad.json')).rejects.toThrow('bad.json has format "junction.contract/9"; this generator reads junction.contract/1');
  });

  it('reports modules that do not compile or throw while loading, naming the file', async () => {
    await expect(loadContracts(work.write('syntax.ts', 'export const x = ;\n'), 'syntax.ts')).rejects.toThrow(/^cannot compile syntax\.ts: Unexpected ";" \(.*syntax\.ts:1\)$/);
    await expect(loadContracts(work.write('throws.ts', "throw new Error('no database');\n"), 'throws.ts')).rejects.toThrow('throws.ts failed to load: no database');
    await expect(loadContracts(path.join(work.dir, 'missing.ts'), 'missing.ts')).rejects.toThrow('contract file missing.ts not found');
  });
});
