/**
 * Scratch directories inside packages/codegen/test (so that generated modules resolve
 * `@junction/client` and `zod` like real user code does), removed after the tests, and a tsc
 * check of files written there.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const testDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** The fixtures directory. */
export const fixturesDir = path.join(testDir, 'fixtures');

/** A fresh scratch directory; call `remove()` when done. */
export function workdir(): { dir: string; write(name: string, text: string): string; remove(): void } {
  const dir = mkdtempSync(path.join(testDir, '.tmp-'));
  return {
    dir,
    write(name, text) {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      return file;
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Strict compiler options, stricter than the repository's (users may turn any of these on). */
export const STRICT_OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2022.d.ts'],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  types: ['node'],
  skipLibCheck: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  noPropertyAccessFromIndexSignature: true,
  noImplicitOverride: true,
  noImplicitReturns: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  verbatimModuleSyntax: true,
};

/** Type-checks `files`; returns the diagnostics as `file(line,col): message` lines (empty when clean). */
export function typecheck(files: string[], options: ts.CompilerOptions = STRICT_OPTIONS): string[] {
  const program = ts.createProgram(files, options);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (d.file === undefined || d.start === undefined) return message;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${path.basename(d.file.fileName)}(${line + 1},${character + 1}): ${message}`;
  });
}
