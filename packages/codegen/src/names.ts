/** Identifier helpers for generated TypeScript: type names, property keys, unique names. */

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Words that cannot name a type or a value in a module. */
const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in ' +
    'instanceof new null return super switch this throw true try typeof var void while with implements interface let package private ' +
    'protected public static yield any boolean number string symbol unknown never object undefined bigint await'
  ).split(' '),
);

/** True when `name` can be written as a bare property key or identifier. */
export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

/** A single-quoted TypeScript string literal of `text`. */
export function tsString(text: string): string {
  return `'${JSON.stringify(text).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}

/** A property key as written in an object type or literal: bare when possible, else quoted. */
export function propertyKey(name: string): string {
  return isIdentifier(name) ? name : tsString(name);
}

/** `math.add` -> `MathAdd`, `users-get_v2` -> `UsersGetV2`, `__schema0` -> `Schema0`. */
export function pascalCase(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0);
  let out = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  if (out === '' || /^[0-9]/.test(out)) out = `T${out}`;
  return out;
}

/** Hands out unique names: a taken or reserved name gets a numeric suffix (`User`, `User2`...). */
export class NameAllocator {
  private readonly taken = new Set<string>();

  constructor(reserved: Iterable<string> = []) {
    for (const name of reserved) this.taken.add(name);
  }

  /** Reserves and returns `wanted`, or `wanted2`, `wanted3`... when it is taken. */
  allocate(wanted: string): string {
    let name = RESERVED.has(wanted) ? `${wanted}_` : wanted;
    for (let i = 2; this.taken.has(name); i++) name = `${wanted}${i}`;
    this.taken.add(name);
    return name;
  }
}

/** Formats TSDoc lines as a comment at `indent`; empty when there are none. Neutralizes `*\/`. */
export function tsdoc(lines: readonly string[], indent: string): string {
  const body = lines.flatMap((line) => line.replace(/\*\//g, '*\\/').split('\n')).map((l) => l.replace(/\s+$/, ''));
  while (body.length > 0 && body[body.length - 1] === '') body.pop();
  if (body.length === 0) return '';
  if (body.length === 1) return `${indent}/** ${body[0]} */\n`;
  return `${indent}/**\n${body.map((l) => (l === '' ? `${indent} *` : `${indent} * ${l}`)).join('\n')}\n${indent} */\n`;
}

/** A JSON value as compact, deterministic text for docs (keys in their given order). */
export function jsonText(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space) ?? 'undefined';
}
