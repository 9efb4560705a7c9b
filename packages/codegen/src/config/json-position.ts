/**
 * Where a JSON text goes wrong: a scanner that follows the JSON grammar without building values
 * and reports the offset and kind of the first error. Node's own JSON.parse messages do not
 * always carry a position (Node 20: `Unexpected token ']', ..."x" },` for a trailing comma).
 */

/** The first syntax error of `text` as `{ offset, reason }`, or undefined when it is valid JSON. */
export function findJsonError(text: string): { offset: number; reason: string } | undefined {
  let i = 0;
  const fail = (reason: string): never => {
    throw { offset: i, reason };
  };
  const space = (): void => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const unexpected = (expected: string): never =>
    fail(i >= text.length ? `unexpected end of file (expected ${expected})` : `unexpected ${JSON.stringify(text[i])} (expected ${expected})`);
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else unexpected('a value');
  };
  const string = (): void => {
    i++; // the opening quote
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail('a control character (such as a line break) inside a string');
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('a bad \\u escape');
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? '')) fail('a bad escape in a string');
      }
      i++;
    }
    if (i >= text.length) fail('unexpected end of file inside a string');
    i++;
  };
  const number = (): void => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (match === null || match[0] === '' || match[0] === '-') unexpected('a value');
    i += match![0].length;
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{') {
      i++;
      space();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        space();
        if (text[i] === '}') fail('a "," before "}" (trailing commas are not allowed in JSON)');
        if (text[i] !== '"') unexpected('a field name in double quotes');
        string();
        space();
        if (text[i] !== ':') unexpected('":"');
        i++;
        value();
        space();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        unexpected('"," or "}"');
      }
    }
    if (c === '[') {
      i++;
      space();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        space();
        if (text[i] === ']') fail('a "," before "]" (trailing commas are not allowed in JSON)');
        value();
        space();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        unexpected('"," or "]"');
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    return number();
  };
  try {
    value();
    space();
    if (i < text.length) unexpected('the end of the file');
    return undefined;
  } catch (error) {
    return error as { offset: number; reason: string };
  }
}

/** The 1-based line and column of `offset` in `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}
