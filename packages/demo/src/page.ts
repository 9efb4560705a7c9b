/**
 * The demo page: HTML and CSS from web/, and the script bundled with esbuild in memory when the
 * server starts. The typed client module (web/api.generated.ts) is generated from the contract
 * during the bundle, so the page always matches the running contract; the checked-in copy is
 * there for the type checker and for reading (test/generated.test.ts keeps it current).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { generateClient } from '@junction/codegen';
import { api } from './contract.js';

/** Where the page's sources live (next to src/ and dist/). */
export const webDir = fileURLToPath(new URL('../web/', import.meta.url));

/** The name the generated client module has in web/, and the source it names in its header. */
export const GENERATED_FILE = 'api.generated.ts';
export const CONTRACT_SOURCE = 'src/contract.ts';

/** A file of the page: its body and content type. */
export interface Asset {
  body: Buffer;
  type: string;
}

/** The page's files by URL path, and the size of the script. */
export interface PageAssets {
  files: Map<string, Asset>;
  /** The bundled script, minified, in bytes; and gzipped. */
  scriptBytes: number;
  scriptGzipBytes: number;
  /** The files bundled into the script (paths relative to the working directory), e.g. to check that no zod ships. */
  inputs: string[];
}

/** The client module `junction generate` writes for the demo contract. */
export function generatedClientSource(): string {
  return generateClient(api.describe(), { source: CONTRACT_SOURCE });
}

/** Bundles web/main.ts (with a freshly generated client module) and reads the HTML and CSS. */
export async function buildPage(): Promise<PageAssets> {
  const generatedPath = path.join(webDir, GENERATED_FILE);
  const fresh: esbuild.Plugin = {
    name: 'junction-generate',
    setup(build) {
      build.onLoad({ filter: /api\.generated\.ts$/ }, (args) =>
        args.path === generatedPath ? { contents: generatedClientSource(), loader: 'ts' } : undefined,
      );
    },
  };
  const [bundle, html, css] = await Promise.all([
    esbuild.build({
      entryPoints: [path.join(webDir, 'main.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      legalComments: 'none',
      write: false,
      logLevel: 'silent',
      metafile: true,
      plugins: [fresh],
    }),
    readFile(path.join(webDir, 'index.html')),
    readFile(path.join(webDir, 'style.css')),
  ]);
  const script = Buffer.from(bundle.outputFiles[0]!.contents);
  const files = new Map<string, Asset>([
    ['/', { body: html, type: 'text/html; charset=utf-8' }],
    ['/app.js', { body: script, type: 'text/javascript; charset=utf-8' }],
    ['/style.css', { body: css, type: 'text/css; charset=utf-8' }],
  ]);
  return {
    files,
    scriptBytes: script.length,
    scriptGzipBytes: gzipSync(script, { level: 9 }).length,
    inputs: Object.keys(bundle.metafile.inputs),
  };
}
