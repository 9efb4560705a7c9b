/**
 * What `junction call`, `publish` and `subscribe` share: the connection and auth flags, joining
 * the router, and reading a payload from the command line.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Client, ClientAuth, ClientOptions } from '@junction/client';
import { UsageError, type CommandIo } from './args.js';

/** The connection flags (merge into a command's flag spec). */
export const CONNECTION_FLAGS = {
  url: 'string',
  realm: 'string',
  authid: 'string',
  ticket: 'string',
  secret: 'string',
  'private-key': 'string',
  serializer: 'string',
  ca: 'string',
  bearer: 'string',
  cookie: 'string',
  quiet: 'boolean',
  help: 'boolean',
} as const;

/** The connection flags as parsed. */
export interface ConnectionFlags {
  url?: string;
  realm?: string;
  authid?: string;
  ticket?: string;
  secret?: string;
  'private-key'?: string;
  serializer?: string;
  ca?: string;
  bearer?: string;
  cookie?: string;
  quiet?: boolean;
}

/** Default router URL of the client commands. */
export const DEFAULT_URL = 'ws://127.0.0.1:8080/ws';

/** Help text of the connection flags. */
export const CONNECTION_HELP = `Connection:
  --url URL           the router (default ${DEFAULT_URL}); wss:// for TLS
  --realm REALM       the realm to join (default realm1)
  --serializer NAME   json, msgpack or cbor (default: offer all three, the router picks)
  --ca FILE           PEM CA certificate(s) to trust for wss:// (e.g. a self-signed router certificate)
  --quiet, -q         no progress lines on stderr

Authentication (default anonymous):
  --authid ID         the principal; needed with --ticket and --secret
  --ticket TICKET     ticket authentication
  --secret SECRET     wampcra (challenge-response) with this secret or password
  --private-key HEX   cryptosign with this Ed25519 key (32-byte seed or 64-byte secret key, hex);
                      --authid optional (the router may find the principal by the public key)
  --bearer TOKEN      send Authorization: Bearer TOKEN with the WebSocket upgrade (the router's
                      upgradeAuth); needs no WAMP authentication method
  --cookie NAME=VALUE
                      send this cookie with the WebSocket upgrade`;

/** The client auth named by the flags, or undefined for anonymous. */
export async function authFromFlags(flags: ConnectionFlags): Promise<ClientAuth | undefined> {
  const given = (['ticket', 'secret', 'private-key'] as const).filter((name) => flags[name] !== undefined);
  if (given.length > 1) throw new UsageError(`give one of --ticket, --secret and --private-key (got ${given.map((g) => `--${g}`).join(' and ')})`);
  if (given.length === 0) {
    if (flags.authid !== undefined) throw new UsageError('--authid needs --ticket, --secret or --private-key');
    return undefined;
  }
  const client = await import('@junction/client');
  if (flags.ticket !== undefined) {
    if (flags.authid === undefined) throw new UsageError('--ticket needs --authid');
    return client.ticketAuth({ authid: flags.authid, ticket: flags.ticket });
  }
  if (flags.secret !== undefined) {
    if (flags.authid === undefined) throw new UsageError('--secret needs --authid');
    return client.wampcraAuth({ authid: flags.authid, secret: flags.secret });
  }
  const key = flags['private-key']!;
  if (!/^([0-9a-fA-F]{64}|[0-9a-fA-F]{128})$/.test(key)) throw new UsageError('--private-key must be 64 hex digits (the Ed25519 seed) or 128 (seed and public key)');
  return client.cryptosignAuth({ privateKey: key, ...(flags.authid !== undefined ? { authid: flags.authid } : {}) });
}

/** Client options of the flags (no reconnects: a command fails fast with one clear line). */
export async function clientOptions(flags: ConnectionFlags, cwd: string): Promise<ClientOptions> {
  const url = flags.url ?? DEFAULT_URL;
  if (!/^wss?:\/\//i.test(url) || !URL.canParse(url)) throw new UsageError(`--url must be a ws:// or wss:// URL (got "${url}")`);
  const options: ClientOptions = { url, realm: flags.realm ?? 'realm1', reconnect: false };
  if (flags.serializer !== undefined) {
    if (!['json', 'msgpack', 'cbor'].includes(flags.serializer)) throw new UsageError(`--serializer must be json, msgpack or cbor (got "${flags.serializer}")`);
    options.serializers = [flags.serializer as 'json' | 'msgpack' | 'cbor'];
  }
  const auth = await authFromFlags(flags);
  if (auth !== undefined) options.auth = auth;
  const headers: Record<string, string> = {};
  if (flags.bearer !== undefined) headers['authorization'] = `Bearer ${flags.bearer}`;
  if (flags.cookie !== undefined) {
    if (!flags.cookie.includes('=')) throw new UsageError('--cookie must be NAME=VALUE');
    headers['cookie'] = flags.cookie;
  }
  const webSocketOptions: NonNullable<ClientOptions['webSocketOptions']> = {};
  if (Object.keys(headers).length > 0) webSocketOptions.headers = headers;
  if (flags.ca !== undefined) {
    try {
      webSocketOptions.tls = { ca: readFileSync(path.resolve(cwd, flags.ca)) };
    } catch (error) {
      throw new UsageError(`--ca: cannot read ${flags.ca} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }
  if (Object.keys(webSocketOptions).length > 0) options.webSocketOptions = webSocketOptions;
  return options;
}

/** Joins the router named by the flags, saying so on stderr unless `--quiet`. */
export async function connectFromFlags(flags: ConnectionFlags, io: CommandIo): Promise<Client> {
  const options = await clientOptions(flags, io.cwd);
  const progress = (text: string): void => {
    if (flags.quiet !== true) io.err(text);
  };
  progress(`connecting to ${options.url} (realm ${options.realm})...\n`);
  const { connect } = await import('@junction/client');
  try {
    const client = await connect(options);
    const welcome = client.welcome as { authid?: string; authrole?: string } | null;
    progress(`joined as ${welcome?.authid ?? '?'} (role ${welcome?.authrole ?? '?'}, ${client.serializer})\n`);
    return client;
  } catch (error) {
    const wamp = error instanceof Error && error.name === 'WampError' ? (error as Error & { uri: string; args: unknown[] }) : null;
    if (wamp !== null && wamp.uri !== 'junction.error.connection_refused') throw error; // the router's ABORT says it all
    // A refused handshake's first arg is the server's answer ("Unexpected server response: 401 ...").
    const why = wamp !== null && typeof wamp.args[0] === 'string' ? wamp.args[0] : error instanceof Error ? error.message : String(error);
    throw new Error(`cannot connect to ${options.url}: ${why}`);
  }
}

/** The payload flags of `call` and `publish`. */
export const PAYLOAD_FLAGS = { args: 'string', kwargs: 'string' } as const;

/** Help text of the payload. */
export const PAYLOAD_HELP = `Payload:
  [json]              a JSON array: the positional arguments; a JSON object: the keyword
                      arguments; any other JSON value: the only positional argument
  --args JSON         the positional arguments, explicitly (a JSON array)
  --kwargs JSON       the keyword arguments, explicitly (a JSON object)`;

/** Positional and keyword arguments from `[json]` or `--args` / `--kwargs`. */
export function readPayload(json: string | undefined, flags: { args?: string; kwargs?: string }): { args?: unknown[]; kwargs?: Record<string, unknown> } {
  if (json !== undefined && (flags.args !== undefined || flags.kwargs !== undefined)) throw new UsageError('give either [json] or --args/--kwargs, not both');
  const parse = (text: string, what: string): unknown => {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new UsageError(`${what} is not valid JSON (${(error as Error).message.split('\n')[0]}); quote strings, e.g. '"hello"'`);
    }
  };
  if (json !== undefined) {
    const value = parse(json, 'the payload');
    if (Array.isArray(value)) return { args: value };
    if (value !== null && typeof value === 'object') return { kwargs: value as Record<string, unknown> };
    return { args: [value] };
  }
  const out: { args?: unknown[]; kwargs?: Record<string, unknown> } = {};
  if (flags.args !== undefined) {
    const value = parse(flags.args, '--args');
    if (!Array.isArray(value)) throw new UsageError('--args must be a JSON array, e.g. --args \'[1, "two"]\'');
    out.args = value;
  }
  if (flags.kwargs !== undefined) {
    const value = parse(flags.kwargs, '--kwargs');
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UsageError('--kwargs must be a JSON object, e.g. --kwargs \'{"name": "x"}\'');
    out.kwargs = value as Record<string, unknown>;
  }
  return out;
}

/** The URI argument of a command, checked loosely (the router has the final word). */
export function readUri(uri: string | undefined, what: string): string {
  if (uri === undefined) throw new UsageError(`give the ${what} URI, e.g. com.example.${what === 'procedure' ? 'add' : 'news'}`);
  if (uri.startsWith('-')) throw new UsageError(`unknown option ${uri}`);
  return uri;
}
