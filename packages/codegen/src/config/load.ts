/** Reading `junction.config.json`: the file, its JSON, then its shape (schema.ts). */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from './check.js';
import { findJsonError, lineAndColumn } from './json-position.js';
import { validateConfig, type JunctionConfigFile } from './schema.js';

/** A config file that cannot be used: one line naming the file, the field and the reason. */
export class ConfigFileError extends Error {
  constructor(
    /** The file as the user named it. */
    readonly file: string,
    /** The field path, empty when the whole file is at fault (unreadable, not JSON). */
    readonly field: string,
    /** What is wrong. */
    readonly reason: string,
  ) {
    super(`${file}: ${field === '' ? '' : `${field}: `}${reason}`);
    this.name = 'ConfigFileError';
  }
}

/**
 * Reads and checks a config file. `shownAs` is how messages name it (the path the user gave).
 * Throws a {@link ConfigFileError} for a missing file, bad JSON (with line and column) or a bad field.
 */
export async function loadConfigFile(file: string, shownAs: string = file): Promise<JunctionConfigFile> {
  let text: string;
  try {
    text = (await readFile(file, 'utf8')).replace(/^\uFEFF/, ''); // editors on Windows may add a BOM
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigFileError(shownAs, '', code === 'ENOENT' ? 'no such file' : `cannot read it (${(error as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigFileError(shownAs, '', `not valid JSON: ${jsonProblem(text, (error as Error).message)}`);
  }
  return checkConfig(raw, path.resolve(file), shownAs);
}

/** Checks an already parsed config; `file` anchors relative paths. */
export function checkConfig(raw: unknown, file: string, shownAs: string = file): JunctionConfigFile {
  try {
    return validateConfig(raw, file);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigFileError(shownAs, error.field, error.reason);
    throw error;
  }
}

/** Where and why the text is not JSON (our scanner's verdict, else JSON.parse's first line). */
function jsonProblem(text: string, message: string): string {
  const found = findJsonError(text);
  if (found === undefined) return message.split('\n')[0]!;
  const { line, column } = lineAndColumn(text, found.offset);
  return `${found.reason} at line ${line}, column ${column}`;
}
