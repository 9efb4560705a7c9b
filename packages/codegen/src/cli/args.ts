/** A small flag parser for the `junction` commands: `--name value`, `--name=value`, `--flag`. */

/** The flags a command takes: string options and boolean switches. */
export type FlagSpec = Record<string, 'string' | 'boolean'>;

/** Parsed flags: strings, booleans (absent ones are undefined). */
export type Flags<S extends FlagSpec> = { [K in keyof S]?: S[K] extends 'string' ? string : boolean };

/** A user error: printed as one line, exit code 1 (no stack). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Parses `argv` against `spec`; unknown flags and positional arguments are errors. */
export function parseFlags<S extends FlagSpec>(argv: readonly string[], spec: S): Flags<S> {
  const flags: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const kind = spec[name];
    if (kind === undefined) throw new UsageError(`unknown option --${name}`);
    if (kind === 'boolean') {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq === -1 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    flags[name] = value;
  }
  return flags as Flags<S>;
}

/** A `junction` command: one module each under src/commands. */
export interface Command {
  /** The word after `junction`. */
  name: string;
  /** One line for `junction --help`. */
  summary: string;
  /** The text of `junction <name> --help`. */
  help: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(argv: readonly string[], io: CommandIo): Promise<number>;
}

/** Where a command writes (process streams, or buffers in tests). */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
  /** The working directory paths are relative to. */
  cwd: string;
}

/** Flags and positional arguments of a command line (see {@link parseCommandLine}). */
export interface CommandLine<S extends FlagSpec> {
  flags: Flags<S>;
  positionals: string[];
}

/**
 * Like {@link parseFlags}, but collects positional arguments (at most `maxPositionals`) instead
 * of refusing them; `-q` stands for `--quiet` where the spec has it. `--` ends the options: what follows is positional even if it starts with `--`.
 */
export function parseCommandLine<S extends FlagSpec>(argv: readonly string[], spec: S, maxPositionals: number): CommandLine<S> {
  const options: string[] = [];
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-q' && spec['quiet'] === 'boolean') {
      options.push('--quiet');
      continue;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    options.push(arg);
    // The value of a string option is the next argument unless given inline.
    const name = arg.includes('=') ? undefined : arg.slice(2);
    if (name !== undefined && spec[name] === 'string' && i + 1 < argv.length) options.push(argv[++i]!);
  }
  if (positionals.length > maxPositionals) throw new UsageError(`unexpected argument "${positionals[maxPositionals]}"`);
  return { flags: parseFlags(options, spec), positionals };
}
