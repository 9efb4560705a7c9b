/**
 * Interop: our WebSocketServer <-> Python `websockets` client (Debian's
 * python3-websockets under /usr/bin/python3), with compression on and off.
 * The client script is test/peers/python_client.py; it prints JSON lines.
 *
 * Peer detection: /usr/bin/python3 must exist and `import websockets` must work.
 * Missing -> skipped with a printed reason; under CI=true -> failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { WebSocket, WebSocketServer } from '../src/index.js';
import { nextEvent } from './support/interop.js';

import { detectPythonWebsockets, pythonPath, requirePeer } from './support/peers.js';

const peer = detectPythonWebsockets();
const run = requirePeer('python-websockets', peer.available, peer.reason);
if (run) console.info(`[peers] python interop uses ${pythonPath}, websockets ${peer.version}`);

const CLIENT_SCRIPT = fileURLToPath(new URL('./peers/python_client.py', import.meta.url));
const PY_TIMEOUT = 90_000;

type Line = Record<string, any> & { event: string };

function runPython(args: string[]): Promise<{ code: number | null; lines: Line[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(pythonPath, [CLIENT_SCRIPT, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONIOENCODING: 'utf-8', PYTHONDONTWRITEBYTECODE: '1' },
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`python client timed out after ${PY_TIMEOUT} ms\nstdout:\n${out}\nstderr:\n${err}`));
    }, PY_TIMEOUT);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const lines = out
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as Line);
      resolve({ code, lines, stderr: err });
    });
  });
}

interface ServerRecord {
  protocol: string;
  extensions: string;
  received: Array<{ type: 'text' | 'binary'; length: number; sha256: string }>;
  close?: { code: number; reason: string };
}

async function startServer(opts: Record<string, unknown>) {
  const wss = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    maxPayload: 16 * 1024 * 1024,
    ...opts,
  } as any);
  const records: ServerRecord[] = [];
  wss.on('error', () => {});
  wss.on('connection', (socket: WebSocket) => {
    const rec: ServerRecord = {
      protocol: socket.protocol,
      extensions: String(socket.extensions),
      received: [],
    };
    records.push(rec);
    socket.on('error', () => {});
    socket.on('close', (code: number, reason: unknown) => {
      rec.close = { code, reason: String(reason) };
    });
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      rec.received.push({
        type: isBinary ? 'binary' : 'text',
        length: data.length,
        sha256: createHash('sha256').update(data).digest('hex'),
      });
      if (!isBinary && data.toString() === 'please close') {
        socket.close(4002, 'server says bye');
        return;
      }
      socket.send(data, { binary: isBinary });
    });
  });
  await nextEvent(wss as any, 'listening');
  const port = (wss.address() as AddressInfo).port;
  return { wss, records, url: `ws://127.0.0.1:${port}/` };
}

function expectClean(result: Awaited<ReturnType<typeof runPython>>) {
  const errors = result.lines.filter((l) => l.event === 'error');
  expect(errors, `python client errors; stderr:\n${result.stderr}`).toEqual([]);
  expect(result.code, `python exit code; stderr:\n${result.stderr}`).toBe(0);
}

async function waitFor(pred: () => boolean, ms: number, what: string) {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!run)('our WebSocketServer <-> Python websockets client', () => {
  for (const serverDeflate of [false, true]) {
    describe(`server perMessageDeflate ${serverDeflate}`, () => {
      let srv: Awaited<ReturnType<typeof startServer>>;
      beforeAll(async () => {
        srv = await startServer({ perMessageDeflate: serverDeflate, protocols: ['b', 'a'] });
      });
      afterAll(async () => {
        await srv?.wss.close();
      });

      for (const compression of ['deflate', 'deflate-params', 'none'] as const) {
        it(
          `python compression=${compression}: echoes scripted text/binary messages, closes 1000`,
          async () => {
            const before = srv.records.length;
            const result = await runPython([srv.url, '--compression', compression]);
            expectClean(result);
            const open = result.lines.find((l) => l.event === 'open')!;
            const negotiated = serverDeflate && compression !== 'none';
            if (negotiated) expect(open.extensions).toContain('permessage-deflate');
            else expect(open.extensions).toEqual([]);
            expect(open.subprotocol).toBeNull();
            if (negotiated && compression === 'deflate-params') {
              // RFC 7692 §7.1.1.1/§7.1.2.1: accepting this offer means honouring its server_* parameters.
              expect(open.extensions_header).toContain('server_no_context_takeover');
              expect(open.extensions_header).toMatch(/server_max_window_bits=(9|10)\b/);
            }

            const sent = result.lines.filter((l) => l.event === 'sent');
            const received = result.lines.filter((l) => l.event === 'received');
            expect(sent.length).toBe(20);
            // Python got back exactly what it sent, in order.
            const shape = (l: Line) => ({ type: l.type, length: l.length, sha256: l.sha256 });
            expect(received.map(shape)).toEqual(sent.map(shape));
            // Sizes that exercise every length encoding were really sent.
            expect(sent.map((l) => l.length)).toEqual(
              expect.arrayContaining([0, 125, 126, 65535, 65536, 1024 * 1024]),
            );

            // Our server saw exactly what Python sent, and the close code/reason.
            const rec = srv.records[before]!;
            expect(rec).toBeDefined();
            expect(rec.extensions.includes('permessage-deflate')).toBe(negotiated);
            expect(rec.received).toEqual(sent.map(shape));
            await waitFor(() => rec.close !== undefined, 10_000, 'server close event');
            expect(rec.close).toEqual({ code: 1000, reason: 'python done' });
            // Python sees our reply: the code is echoed (RFC 6455 §5.5.1); echoing the reason is optional.
            expect(result.lines.at(-1)).toEqual({
              event: 'close',
              code: 1000,
              reason: expect.toBeOneOf(['', 'python done']),
            });
          },
          PY_TIMEOUT + 10_000,
        );
      }

      it(
        "subprotocols: python offers [a, b], server prefers 'b'",
        async () => {
          const before = srv.records.length;
          const result = await runPython([
            srv.url,
            '--compression',
            'deflate',
            '--subprotocol',
            'a',
            '--subprotocol',
            'b',
            '--mode',
            'server-close',
          ]);
          expectClean(result);
          expect(result.lines.find((l) => l.event === 'open')!.subprotocol).toBe('b');
          expect(srv.records[before]!.protocol).toBe('b');
        },
        PY_TIMEOUT + 10_000,
      );

      it(
        'server-initiated close: python sees code 4002 and reason',
        async () => {
          const before = srv.records.length;
          const result = await runPython([srv.url, '--compression', 'deflate', '--mode', 'server-close']);
          expectClean(result);
          expect(result.lines.at(-1)).toEqual({ event: 'close', code: 4002, reason: 'server says bye' });
          const rec = srv.records[before]!;
          await waitFor(() => rec.close !== undefined, 10_000, 'server close event');
          expect(rec.close).toEqual({ code: 4002, reason: 'server says bye' });
        },
        PY_TIMEOUT + 10_000,
      );
    });
  }
});
