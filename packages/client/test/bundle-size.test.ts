/**
 * The client's browser bundle size (docs/performance.md, "Client bundle size"). esbuild bundles
 * small apps against the built package, resolved as a browser bundler resolves it (the package's
 * `exports`, default condition: dist/index.js, the `sideEffects` flags), minified ESM for
 * `platform: 'browser'`; the output is gzipped at level 9. A JSON-only app must stay under 15 KB
 * gzipped and carry neither msgpackr nor cbor-x; MessagePack and CBOR cost only when imported.
 * Needs a built dist (`npx tsc -b packages/client`; `npm test` builds first).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { jsonSerializer } from '@junction/wamp/json';
import { msgpackSerializer as wampMsgpack } from '@junction/wamp/msgpack';
import { connect, resolveSerializers } from '../src/index.js';

/** The target of issue 5 section 6: the client without zod, minified + gzipped. */
const GZIP_LIMIT = 15 * 1024;

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** What an app does with the client: connect, call, and the connection's serializer. */
const USE = "const c = await connect({ url: 'wss://example.com/ws', realm: 'realm1'$OPTIONS });\nconsole.log((await c.call('com.example.add', [2, 3])).args, c.serializer);\nawait c.close();\n";

const APPS = {
  json: `import { connect } from '@junction/client';\n${USE.replace('$OPTIONS', '')}`,
  msgpack: `import { connect } from '@junction/client';\nimport { msgpackSerializer } from '@junction/client/msgpack';\n${USE.replace('$OPTIONS', ", serializers: [msgpackSerializer, 'json']")}`,
  all: `import { connect } from '@junction/client';\nimport '@junction/client/msgpack';\nimport '@junction/client/cbor';\n${USE.replace('$OPTIONS', '')}`,
};

interface Measured {
  minified: number;
  gzipped: number;
  /** Files with code in the bundle, as esbuild names them. */
  inputs: string[];
}

/** Bundles `source` as a browser app (no externals: an unresolvable import, e.g. any Node built-in, fails the build). */
async function bundle(source: string): Promise<Measured> {
  const out = await esbuild.build({
    stdin: { contents: source, resolveDir: packageDir, sourcefile: 'app.js', loader: 'js' },
    bundle: true,
    minify: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = out.outputFiles[0]!.contents;
  // The files with code in the output (metafile.inputs would also list files read and then dropped).
  const [output] = Object.values(out.metafile.outputs);
  const inputs = Object.entries(output!.inputs).filter(([, use]) => use.bytesInOutput > 0).map(([path]) => path);
  return { minified: code.length, gzipped: gzipSync(code, { level: 9 }).length, inputs };
}

const from = (inputs: string[], fragment: string): boolean => inputs.some((path) => path.includes(fragment));

describe('browser bundle size', () => {
  it('a Node built-in fails the browser build instead of being left external', async () => {
    await expect(bundle("import { readFileSync } from 'node:fs';\nconsole.log(readFileSync);")).rejects.toThrow(/Could not resolve "node:fs"/);
    await expect(bundle("import { EventEmitter } from 'events';\nimport { Socket } from 'net';\nconsole.log(EventEmitter, Socket);")).rejects.toThrow(/Could not resolve "net"/);
  });

  it('a JSON-only app stays under 15 KB gzipped, without msgpackr, cbor-x or Node code', async () => {
    expect(existsSync(new URL('../dist/msgpack.js', import.meta.url)), 'dist is missing or stale: run npx tsc -b packages/client').toBe(true);
    const [json, msgpack, all] = await Promise.all([bundle(APPS.json), bundle(APPS.msgpack), bundle(APPS.all)]);
    const line = (m: Measured): string => `${m.minified} B minified, ${m.gzipped} B gzipped`;
    console.log(
      `[bundle-size] @junction/client browser bundle (esbuild, minified ESM, gzip -9): JSON only ${line(json)} (limit ${GZIP_LIMIT} B gzipped); ` +
        `+ MessagePack ${line(msgpack)}; + MessagePack + CBOR ${line(all)}`,
    );

    expect(json.gzipped).toBeLessThan(GZIP_LIMIT);
    expect(from(json.inputs, 'node_modules/msgpackr/')).toBe(false);
    expect(from(json.inputs, 'node_modules/cbor-x/')).toBe(false);
    expect(from(json.inputs, 'packages/client/dist/index.js')).toBe(true);

    expect(from(msgpack.inputs, 'node_modules/msgpackr/')).toBe(true);
    expect(from(msgpack.inputs, 'node_modules/cbor-x/')).toBe(false);
    expect(from(all.inputs, 'node_modules/cbor-x/')).toBe(true);
    expect(msgpack.gzipped).toBeGreaterThan(json.gzipped);

    for (const m of [json, msgpack, all]) {
      expect(m.inputs.filter((path) => path.startsWith('node:') || path.includes('packages/websocket/'))).toEqual([]);
    }
  }, 60_000);

  it('importing jsonSerializer from @junction/wamp (the main entry) pulls in neither msgpackr nor cbor-x', async () => {
    const { inputs } = await bundle("import { jsonSerializer, MessageType } from '@junction/wamp';\nconsole.log(jsonSerializer.encode([MessageType.HELLO, 'realm1', {}]));");
    expect(from(inputs, 'node_modules/msgpackr/') || from(inputs, 'node_modules/cbor-x/')).toBe(false);
  });
});

// This file imports the browser entry and nothing that loads MessagePack or CBOR (test files do
// not share modules), so it sees the serializers exactly as a browser bundle does.
describe('serializers in the browser entry', () => {
  it('defaults to JSON, names the import a missing serializer needs, and takes serializer objects', async () => {
    expect(resolveSerializers()).toEqual([jsonSerializer]);
    await expect(connect({ url: 'ws://127.0.0.1:9', realm: 'realm1', serializers: ['json', 'msgpack'] })).rejects.toThrow(
      `WAMP serializer "msgpack" is not loaded (the browser entry loads JSON only): add \`import '@junction/client/msgpack';\``,
    );
    expect(() => resolveSerializers(['cbor'])).toThrow("import '@junction/client/cbor'");
    expect(() => resolveSerializers(['xml' as 'json'])).toThrow('unknown WAMP serializer "xml"');
    expect(resolveSerializers([wampMsgpack, 'json'])).toEqual([wampMsgpack, jsonSerializer]);

    const { msgpackSerializer } = await import('../src/msgpack.js');
    expect(msgpackSerializer).toBe(wampMsgpack);
    expect(resolveSerializers(['msgpack'])).toEqual([wampMsgpack]);
    expect(resolveSerializers()).toEqual([wampMsgpack, jsonSerializer]);
    const { cborSerializer } = await import('../src/cbor.js');
    expect(resolveSerializers().map((s) => s.name)).toEqual(['msgpack', 'cbor', 'json']);
    expect(resolveSerializers(['cbor', 'json'])).toEqual([cborSerializer, jsonSerializer]);
  });
});
