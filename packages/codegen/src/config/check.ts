/**
 * Small checks for reading a JSON config: each takes the value and its field path
 * (`realms[0].limits.maxMessageSize`) and throws a {@link ConfigError} naming both.
 * Hand-written instead of a schema library: the CLI then has no run-time dependency for it, and
 * every message says what the field must be in words a config author understands.
 */

/** A bad config value: the field path and the reason. */
export class ConfigError extends Error {
  constructor(
    /** Where in the file, e.g. `realms[0].roles[1].permissions[0].match` (empty for the whole file). */
    readonly field: string,
    /** What is wrong, e.g. `must be "exact", "prefix" or "wildcard" (got "regex")`. */
    readonly reason: string,
  ) {
    super(field === '' ? reason : `${field}: ${reason}`);
    this.name = 'ConfigError';
  }
}

/** A short description of a JSON value for error messages: `"abc"`, `12`, `an object`... */
export function shown(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  return String(value);
}

/** The path of member `key` of the object at `path`. */
export function member(path: string, key: string): string {
  const plain = /^[A-Za-z_$][\w$]*$/.test(key);
  if (path === '') return plain ? key : JSON.stringify(key);
  return plain ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** A plain object whose keys are all in `known` (an unknown key is an error, with a suggestion). */
export function object(value: unknown, path: string, known: readonly string[]): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(path, `must be an object (got ${shown(value)})`);
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (known.includes(key)) continue;
    const near = known.find((k) => k.toLowerCase() === key.toLowerCase() || editDistance(k, key) <= 2);
    throw new ConfigError(member(path, key), `unknown field${near !== undefined ? ` (did you mean "${near}"?)` : ` (known: ${known.join(', ')})`}`);
  }
  return record;
}

/** An object used as a table: any keys, each value read by `item`. */
export function table<T>(value: unknown, path: string, item: (value: unknown, path: string, key: string) => T): Map<string, T> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(path, `must be an object (got ${shown(value)})`);
  const out = new Map<string, T>();
  for (const [key, entry] of Object.entries(value as Record<string, unknown>)) out.set(key, item(entry, member(path, key), key));
  return out;
}

/** A list, each item read by `item`. */
export function list<T>(value: unknown, path: string, item: (value: unknown, path: string) => T, options: { nonEmpty?: boolean } = {}): T[] {
  if (!Array.isArray(value)) throw new ConfigError(path, `must be a list (got ${shown(value)})`);
  if (options.nonEmpty === true && value.length === 0) throw new ConfigError(path, 'must not be empty');
  return value.map((entry, i) => item(entry, `${path}[${i}]`));
}

/** A string (non-empty unless `allowEmpty`). */
export function string(value: unknown, path: string, options: { allowEmpty?: boolean } = {}): string {
  if (typeof value !== 'string') throw new ConfigError(path, `must be a string (got ${shown(value)})`);
  if (value.length === 0 && options.allowEmpty !== true) throw new ConfigError(path, 'must not be empty');
  return value;
}

/** A boolean. */
export function boolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new ConfigError(path, `must be true or false (got ${shown(value)})`);
  return value;
}

/** An integer in [min, max]. */
export function integer(value: unknown, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    throw new ConfigError(path, `must be an integer ${range} (got ${shown(value)})`);
  }
  return value;
}

/** One of the given strings. */
export function oneOf<T extends string>(value: unknown, path: string, choices: readonly T[]): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    const words = choices.map((c) => JSON.stringify(c));
    const listed = words.length === 1 ? words[0] : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
    throw new ConfigError(path, `must be ${listed} (got ${shown(value)})`);
  }
  return value as T;
}

/** `check(value)` when the field is present (not undefined), else undefined. */
export function optional<T>(record: Record<string, unknown>, key: string, path: string, check: (value: unknown, path: string) => T): T | undefined {
  const value = record[key];
  return value === undefined ? undefined : check(value, member(path, key));
}

/** Levenshtein distance, for "did you mean" on short field names. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
