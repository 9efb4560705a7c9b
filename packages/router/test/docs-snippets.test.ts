// Every ```ts / ```typescript block of docs/*.md (and of the README) compiles against the workspace packages.
//
// Each block becomes one ES module that exists only in memory, in docs/ (so `@junction/*` and zod
// resolve through the workspace node_modules, against the built `dist/*.d.ts`: build first), and
// one TypeScript program typechecks them all: module NodeNext, strict, types node, DOM lib (browser
// snippets), top-level await allowed. Info-string flags after the language:
// `no-check` skips a block (for fragments that cannot stand alone, such as a signature listing),
// `continue` appends a block to the previous checked block of the same page (one module, so later
// blocks see earlier declarations), `dir=<path from the repository root>` places the module in that
// directory (so an excerpt of an example can import its real neighbours, e.g. './contract.js').
// A failure names the page and the line in it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const docsDir = join(repoRoot, 'docs');

/** One checked module: the concatenated code of a block (and the blocks that continue it). */
interface Snippet {
  /** The page, as a path from the repository root (`docs/client.md`). */
  doc: string;
  /** Directory the module lives in, relative to the repository root (default `docs/.snippets`, which exists only in memory). */
  dir: string;
  /** Line (1-based) of the opening fence in the page. */
  line: number;
  code: string[];
  /** For each line of `code`, its line number in the page. */
  docLines: number[];
}

interface Extraction {
  snippets: Snippet[];
  skipped: number;
  problems: string[];
}

const TS_LANGUAGES = new Set(['ts', 'typescript']);
const FLAGS = new Set(['no-check', 'continue']);
const DEFAULT_DIR = 'docs/.snippets';

/** Splits a page into its checked TypeScript snippets; fences may be indented (inside list items). */
function extractSnippets(doc: string, text: string): Extraction {
  const lines = text.split(/\r?\n/);
  const snippets: Snippet[] = [];
  const problems: string[] = [];
  let skipped = 0;
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, info] = open as unknown as [string, string, string, string];
    const [language = '', ...flags] = info.trim().split(/\s+/);
    const close = new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    const body: string[] = [];
    const bodyLines: number[] = [];
    let j = i + 1;
    for (; j < lines.length && !close.test(lines[j]!); j++) {
      // Strip the fence's indentation (list items), as CommonMark does.
      const raw = lines[j]!;
      body.push(raw.startsWith(indent) ? raw.slice(indent.length) : raw.trimStart());
      bodyLines.push(j + 1);
    }
    if (j === lines.length) problems.push(`${doc}:${i + 1}: code block never closed`);
    const at = i + 1;
    i = j;
    if (!TS_LANGUAGES.has(language.toLowerCase())) continue;
    let dir = DEFAULT_DIR;
    const unknown = flags.filter((flag) => {
      if (!flag.startsWith('dir=')) return !FLAGS.has(flag);
      dir = flag.slice(4);
      if (!existsSync(join(repoRoot, dir))) problems.push(`${doc}:${at}: no directory ${dir}`);
      return false;
    });
    if (unknown.length > 0) problems.push(`${doc}:${at}: unknown code block flag(s) ${unknown.join(', ')}`);
    if (flags.includes('no-check')) {
      skipped++;
      continue;
    }
    if (flags.includes('continue')) {
      const previous = snippets.at(-1);
      if (previous === undefined || previous.doc !== doc) {
        problems.push(`${doc}:${at}: \`continue\` block with no checked block before it`);
        continue;
      }
      previous.code.push(...body);
      previous.docLines.push(...bodyLines);
      continue;
    }
    snippets.push({ doc, dir, line: at, code: body, docLines: bodyLines });
  }
  return { snippets, skipped, problems };
}

function docPages(): string[] {
  return readdirSync(docsDir)
    .filter((name) => name.endsWith('.md'))
    .sort();
}

/** Parsed files of the disk (lib, @types/node, the packages), shared by the programs of this file. */
const parsed = new Map<string, ts.SourceFile | undefined>();

/** Typechecks all snippets in one program; returns one message per diagnostic, in page terms. */
function typecheck(snippets: Snippet[]): string[] {
  const files = new Map<string, Snippet>();
  snippets.forEach((snippet, index) => {
    // Files live only in memory, named so that they collide with nothing on disk.
    const name = `.docs-snippet-${snippet.doc.replace(/\.md$/, '').replace(/\//g, '-')}-L${snippet.line}-${index}.ts`;
    files.set(join(repoRoot, snippet.dir, name), snippet);
  });
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    moduleDetection: ts.ModuleDetectionKind.Force,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    esModuleInterop: true,
    types: ['node'],
    typeRoots: [join(repoRoot, 'node_modules/@types')],
  };
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (path) => files.has(path) || fileExists.call(host, path);
  host.readFile = (path) => {
    const snippet = files.get(path);
    return snippet ? snippet.code.join('\n') : readFile.call(host, path);
  };
  host.getSourceFile = (path, languageVersion, onError, shouldCreate) => {
    const snippet = files.get(path);
    if (snippet) return ts.createSourceFile(path, snippet.code.join('\n'), languageVersion, true);
    if (!parsed.has(path)) parsed.set(path, getSourceFile.call(host, path, languageVersion, onError, shouldCreate));
    return parsed.get(path);
  };
  const program = ts.createProgram([...files.keys()], options, host);
  const diagnostics = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
  for (const path of files.keys()) {
    const source = program.getSourceFile(path)!;
    diagnostics.push(...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source));
  }
  return diagnostics.map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n  ');
    const snippet = diagnostic.file ? files.get(diagnostic.file.fileName) : undefined;
    if (!diagnostic.file || snippet === undefined) {
      const where = diagnostic.file ? relative(repoRoot, diagnostic.file.fileName) : 'options';
      return `${where}: TS${diagnostic.code}: ${message}`;
    }
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    return `${snippet.doc}:${snippet.docLines[line] ?? snippet.line} (block at line ${snippet.line}): TS${diagnostic.code}: ${message}`;
  });
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, each space a hyphen. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of a page (headings outside code blocks; repeated headings get -1, -2...). */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  let fence: string | null = null;
  for (const line of text.split(/\r?\n/)) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker !== undefined && (fence === null || marker[0] === fence[0])) {
      fence = fence === null ? marker : null;
      continue;
    }
    const heading = fence === null ? /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1] : undefined;
    if (heading === undefined) continue;
    const base = slug(heading);
    let anchor = base;
    for (let n = 1; anchors.has(anchor); n++) anchor = `${base}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

/** Relative links of a page (`file`: its path from the repository root) whose file or heading does not exist. */
function brokenLinks(file: string, text: string): string[] {
  const page = join(repoRoot, file);
  const broken: string[] = [];
  let inFence = false;
  text.split(/\r?\n/).forEach((line, index) => {
    if (/^\s*(`{3,}|~{3,})/.test(line)) inFence = !inFence;
    if (inFence) return;
    for (const [, target] of line.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target!)) continue; // http:, https:, mailto:
      const [path = '', anchor] = target!.split('#');
      const linked = path === '' ? page : resolve(dirname(page), path);
      if (!existsSync(linked)) {
        broken.push(`${file}:${index + 1}: ${target} (no such file)`);
      } else if (anchor !== undefined && linked.endsWith('.md') && !anchorsOf(readFileSync(linked, 'utf8')).has(anchor)) {
        broken.push(`${file}:${index + 1}: ${target} (no such heading)`);
      }
    }
  });
  return broken;
}

describe('extractSnippets', () => {
  it('takes ts and typescript blocks, strips list indentation, skips no-check, joins continue blocks', () => {
    const page = [
      '# Page', //                     1
      '```ts', //                      2
      'const a = 1;', //               3
      '```', //                        4
      '```sh', //                      5
      'npm test', //                   6
      '```', //                        7
      '```ts no-check', //             8
      'function f(): void;', //        9
      '```', //                       10
      '1. step', //                   11
      '   ```typescript', //          12
      '   const b = 2;', //           13
      '   ```', //                    14
      '```ts continue', //            15
      'console.log(a + b);', //       16
      '```', //                       17
    ].join('\n');
    const { snippets, skipped, problems } = extractSnippets('page.md', page);
    expect(problems).toEqual([]);
    expect(skipped).toBe(1);
    expect(snippets.map((s) => [s.line, s.code, s.docLines])).toEqual([
      [2, ['const a = 1;'], [3]],
      [12, ['const b = 2;', 'console.log(a + b);'], [13, 16]],
    ]);
  });

  it('reports unknown flags, unclosed blocks and a continue with nothing before it', () => {
    expect(extractSnippets('p.md', '```ts continue\nx\n```').problems).toEqual(['p.md:1: `continue` block with no checked block before it']);
    expect(extractSnippets('p.md', '```ts nocheck\nx\n```').problems).toEqual(['p.md:1: unknown code block flag(s) nocheck']);
    expect(extractSnippets('p.md', '```ts\nx').problems).toEqual(['p.md:1: code block never closed']);
    expect(extractSnippets('p.md', '```ts dir=no/such/dir\nx\n```').problems).toEqual(['p.md:1: no directory no/such/dir']);
    expect(extractSnippets('p.md', '```ts dir=packages/router\nx\n```').snippets[0]!.dir).toBe('packages/router');
  });

  it('names the page and the line of a snippet that does not compile', () => {
    const { snippets } = extractSnippets('docs/broken.md', 'text\n\n```ts\nconst n: number = 1;\nconst s: string = n;\n```\n');
    const errors = typecheck(snippets);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^docs\/broken\.md:5 \(block at line 3\): TS2322: Type 'number' is not assignable to type 'string'/);
  });
});

describe('docs snippets', () => {
  it('every ts block of every docs page and of the README compiles', () => {
    const all: Snippet[] = [];
    const problems: string[] = [];
    for (const doc of ['README.md', ...docPages().map((page) => `docs/${page}`)]) {
      const extraction = extractSnippets(doc, readFileSync(join(repoRoot, doc), 'utf8'));
      all.push(...extraction.snippets);
      problems.push(...extraction.problems);
    }
    expect(problems).toEqual([]);
    // Issue 5: every guide has runnable snippets. Not the index (a table of contents) nor the
    // command-line page, whose snippets are shell commands.
    const withSnippets = new Set(all.map((snippet) => snippet.doc));
    const exempt = new Set(['README.md', 'cli.md']);
    expect(docPages().filter((page) => !exempt.has(page) && !withSnippets.has(`docs/${page}`))).toEqual([]);
    expect(all.length).toBeGreaterThan(40);
    expect(typecheck(all)).toEqual([]);
  });
});

describe('docs pages', () => {
  it('docs/README.md and the README link every page', () => {
    const index = readFileSync(join(docsDir, 'README.md'), 'utf8');
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    expect(docPages().filter((page) => page !== 'README.md' && !index.includes(`](${page})`))).toEqual([]);
    expect(docPages().filter((page) => !readme.includes(`](docs/${page})`))).toEqual([]);
  });

  it('relative links between pages point at files and headings that exist', () => {
    expect(slug('Timeouts during the handshake')).toBe('timeouts-during-the-handshake');
    expect(slug('TLS (`wss://`)')).toBe('tls-wss');
    expect(slug("A tour of the demo's code")).toBe('a-tour-of-the-demos-code');
    const sample = '# Top\n[a](router.md#limits) [b](nope.md) [c](router.md#nope) [d](#top) [e](https://x.org/y.md)\n```md\n[f](gone.md)\n```\n';
    expect(brokenLinks('docs/README.md', sample)).toEqual(['docs/README.md:2: nope.md (no such file)', 'docs/README.md:2: router.md#nope (no such heading)', 'docs/README.md:2: #top (no such heading)']);
    const pages = ['README.md', ...docPages().map((doc) => `docs/${doc}`)];
    const broken = pages.flatMap((file) => brokenLinks(file, readFileSync(join(repoRoot, file), 'utf8')));
    expect(broken).toEqual([]);
  });
});
