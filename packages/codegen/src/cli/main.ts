/** Dispatch of `junction <command>`; testable without a process (see {@link CommandIo}). */
import { generateCommand } from '../commands/generate.js';
import { docsCommand } from '../commands/docs.js';
import { routerCommand } from '../commands/router.js';
import { callCommand } from '../commands/call.js';
import { publishCommand } from '../commands/publish.js';
import { subscribeCommand } from '../commands/subscribe.js';
import { UsageError, type Command, type CommandIo } from './args.js';

/** The commands of the `junction` bin, in help order. Later issues add theirs here. */
export const COMMANDS: readonly Command[] = [routerCommand, callCommand, publishCommand, subscribeCommand, generateCommand, docsCommand];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `usage: junction <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run junction <command> --help for its options.
`;
}

/** Runs the `junction` CLI with `argv` (the arguments after the program); resolves to the exit code. */
export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(overview());
    return name === undefined ? 1 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    io.err(`junction: unknown command "${name}" (commands: ${COMMANDS.map((c) => c.name).join(', ')}; see junction --help)\n`);
    return 1;
  }
  try {
    return await command.run(rest.map((a) => (a === '-h' ? '--help' : a)), io);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.err(`junction ${command.name}: ${message.split('\n')[0]}${error instanceof UsageError ? ` (see junction ${command.name} --help)` : ''}\n`);
    return 1;
  }
}
