/** `junction generate`: writes the typed client module of a contract (or checks that it is current). */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateClient } from '../generate-client.js';
import { parseFlags, UsageError, type Command } from '../cli/args.js';
import { readSource, SOURCE_HELP } from '../cli/sources.js';

const FLAGS = { contract: 'string', export: 'string', url: 'string', realm: 'string', prefix: 'string', out: 'string', validate: 'boolean', check: 'boolean', help: 'boolean' } as const;

export const generateCommand: Command = {
  name: 'generate',
  summary: 'write typed client stubs (one TypeScript module) for a contract',
  help: `usage: junction generate (--contract FILE [--export NAME] | --url URL [--realm REALM] [--prefix PREFIX]) --out FILE [--validate] [--check]

Writes one standalone TypeScript module: the types of every input, output, progress, payload and
error, and createApi(client) with a typed function per procedure and a typed topic per topic.
At run time it needs only @junction/client (and zod with --validate).

${SOURCE_HELP}
  --out FILE          the module to write (e.g. src/generated/api.ts)
  --validate          also validate on the client side (the module then imports zod)
  --check             write nothing; exit 1 when FILE is missing or differs from what would be generated
`,
  async run(argv, io) {
    const flags = parseFlags(argv, FLAGS);
    if (flags.help) {
      io.out(this.help);
      return 0;
    }
    if (flags.out === undefined) throw new UsageError('--out FILE is required');
    const { descriptions, source } = await readSource(flags, io.cwd, false);
    const text = generateClient(descriptions[0]!, { validate: flags.validate === true, ...(source !== undefined ? { source } : {}) });
    const out = path.resolve(io.cwd, flags.out);
    const shown = path.relative(io.cwd, out) || out;
    if (flags.check) {
      const current = await readFile(out, 'utf8').catch(() => undefined);
      if (current === text) {
        io.out(`${shown} is up to date\n`);
        return 0;
      }
      io.err(`junction generate --check: ${shown} is ${current === undefined ? 'missing' : 'stale'}; run junction generate without --check to update it\n`);
      return 1;
    }
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, text);
    io.out(`wrote ${shown} (${descriptions[0]!.prefix} ${descriptions[0]!.version})\n`);
    return 0;
  },
};
