/**
 * An AsyncAPI 3.0 document of one or more contract descriptions, written from the service's
 * side: a procedure is a channel (its URI) with an operation that receives the CALL and replies
 * with the RESULT, progressive RESULTs or a declared ERROR; a topic is a channel with an operation
 * that sends EVENTs. Schemas move to `components.schemas` (their `$defs` too, `$ref`s rewritten)
 * in the draft-07 form AsyncAPI schemas use (`prefixItems` -> `items` + `additionalItems`).
 */
import type { ContractDescription, JsonSchema } from '../description.js';

/** The WAMP WebSocket subprotocols a Junction router speaks. */
export const WAMP_SUBPROTOCOLS = ['wamp.2.json', 'wamp.2.msgpack', 'wamp.2.cbor'] as const;

/** Options of {@link toAsyncApi}. */
export interface AsyncApiOptions {
  /** The router's WebSocket URL (`ws://host:port/ws`), written as the document's server. */
  url?: string;
  /** The realm to join, noted on the server. */
  realm?: string;
  /** Document title (default: the contract's title, or the prefixes). */
  title?: string;
}

type Json = Record<string, unknown>;

/** A key usable in AsyncAPI components and channel maps (`^[\w\d.\-_]+$`). */
function key(text: string): string {
  return text.replace(/[^\w.\-]/g, '_');
}

function pointer(...parts: string[]): string {
  return `#/${parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}

/** Builds the AsyncAPI 3.0.0 document (a plain JSON object). */
export function toAsyncApi(descriptions: ContractDescription | readonly ContractDescription[], options: AsyncApiOptions = {}): Record<string, unknown> {
  const list = Array.isArray(descriptions) ? (descriptions as ContractDescription[]) : [descriptions as ContractDescription];
  const schemas: Json = {};
  const channels: Json = {};
  const operations: Json = {};
  const first = list[0];
  const title = options.title ?? (list.length === 1 && first?.title !== undefined ? first.title : list.map((d) => d.title ?? d.prefix).join(', '));

  const schemaRef = (name: string, schema: JsonSchema): Json => {
    hoist(name, schema, schemas);
    return { $ref: pointer('components', 'schemas', name) };
  };

  for (const d of list) {
    for (const [name, p] of Object.entries(d.procedures)) {
      const id = key(p.uri);
      const messages: Json = {};
      const call: Json = {
        name: 'call',
        title: `Call ${name}`,
        summary: 'CALL: the input travels as ArgumentsKw (kwargs).',
        payload: schemaRef(`${id}.input`, p.input),
        'x-wamp-message': 'CALL',
      };
      if (p.description !== undefined) call.description = p.description;
      const callExamples = p.examples.map((e) => ({ ...(e.title !== undefined ? { name: key(e.title) } : {}), payload: e.input }));
      if (callExamples.length > 0) call.examples = callExamples;
      messages.call = call;
      const result: Json = {
        name: 'result',
        title: `Result of ${name}`,
        summary: 'RESULT: the result travels as Arguments[0].',
        payload: p.output !== undefined ? schemaRef(`${id}.output`, p.output) : { type: 'null', description: 'no result (Arguments empty)' },
        'x-wamp-message': 'RESULT',
      };
      const resultExamples = p.examples.filter((e) => e.output !== undefined).map((e) => ({ ...(e.title !== undefined ? { name: key(e.title) } : {}), payload: e.output }));
      if (resultExamples.length > 0) result.examples = resultExamples;
      messages.result = result;
      const replies = ['result'];
      if (p.progress !== undefined) {
        messages.progress = {
          name: 'progress',
          title: `Progressive result of ${name}`,
          summary: 'RESULT with Details.progress = true, sent when the caller asked for receive_progress; the value travels as Arguments[0].',
          payload: schemaRef(`${id}.progress`, p.progress),
          'x-wamp-message': 'RESULT',
        };
        replies.push('progress');
      }
      for (const errorName of p.errors) {
        const error = d.errors[errorName];
        if (error === undefined) continue;
        const messageName = `error.${key(errorName)}`;
        messages[messageName] = {
          name: messageName,
          title: `Error ${errorName}`,
          summary: `ERROR ${error.uri}: Arguments [message], the details as ArgumentsKw.`,
          ...(error.description !== undefined ? { description: error.description } : {}),
          payload: schemaRef(`${key(d.prefix)}.errors.${key(errorName)}`, error.details),
          'x-wamp-message': 'ERROR',
          'x-wamp-error': error.uri,
        };
        replies.push(messageName);
      }
      channels[id] = {
        address: p.uri,
        title: name,
        ...(p.description !== undefined ? { description: p.description } : {}),
        messages,
        bindings: { ws: { method: 'GET', bindingVersion: '0.1.0' } },
        'x-wamp-kind': 'procedure',
      };
      const channelRef = { $ref: pointer('channels', id) };
      operations[key(`call.${p.uri}`)] = {
        action: 'receive',
        channel: channelRef,
        title: `Call ${name}`,
        ...(p.description !== undefined ? { summary: p.description } : {}),
        ...(p.deprecated === true ? { 'x-deprecated': true } : {}),
        messages: [{ $ref: pointer('channels', id, 'messages', 'call') }],
        reply: { channel: channelRef, messages: replies.map((m) => ({ $ref: pointer('channels', id, 'messages', m) })) },
      };
    }
    for (const [name, t] of Object.entries(d.topics)) {
      const id = key(t.uri);
      const event: Json = {
        name: 'event',
        title: `Event on ${name}`,
        summary: 'EVENT (PUBLISH): the payload travels as Arguments[0].',
        payload: schemaRef(`${id}.payload`, t.payload),
        'x-wamp-message': 'EVENT',
      };
      if (t.description !== undefined) event.description = t.description;
      if (t.examples.length > 0) event.examples = t.examples.map((payload) => ({ payload }));
      channels[id] = {
        address: t.uri,
        title: name,
        ...(t.description !== undefined ? { description: t.description } : {}),
        messages: { event },
        bindings: { ws: { method: 'GET', bindingVersion: '0.1.0' } },
        'x-wamp-kind': 'topic',
      };
      operations[key(`publish.${t.uri}`)] = {
        action: 'send',
        channel: { $ref: pointer('channels', id) },
        title: `Events on ${name}`,
        ...(t.description !== undefined ? { summary: t.description } : {}),
        ...(t.deprecated === true ? { 'x-deprecated': true } : {}),
        messages: [{ $ref: pointer('channels', id, 'messages', 'event') }],
      };
    }
  }

  const descriptionText = [
    ...list.map((d) => d.description).filter((s): s is string => s !== undefined),
    `A WAMP v2 API (WebSocket subprotocols ${WAMP_SUBPROTOCOLS.join(', ')}). Each procedure is a channel whose address is its URI: the service receives CALLs (input as kwargs) and replies with a RESULT (value as args[0]), progressive RESULTs, or a declared ERROR (details as kwargs). Each topic is a channel on which the service sends EVENTs (payload as args[0]).`,
  ].join('\n\n');
  const doc: Json = {
    asyncapi: '3.0.0',
    info: { title, version: list.map((d) => d.version).join(', ') || '0.0.0', description: descriptionText },
    defaultContentType: 'application/json',
  };
  if (options.url !== undefined) {
    const url = new URL(options.url);
    doc.servers = {
      router: {
        host: url.host,
        pathname: url.pathname || '/',
        protocol: url.protocol.replace(/:$/, ''),
        title: 'WAMP router',
        description: `WAMP v2 router over WebSocket; subprotocols ${WAMP_SUBPROTOCOLS.join(', ')}${options.realm !== undefined ? `; realm ${options.realm}` : ''}.`,
        'x-wamp-subprotocols': [...WAMP_SUBPROTOCOLS],
        ...(options.realm !== undefined ? { 'x-wamp-realm': options.realm } : {}),
      },
    };
  }
  doc.channels = channels;
  doc.operations = operations;
  doc.components = { schemas };
  doc['x-junction'] = { format: 'junction.contract/1', contracts: list.map((d) => ({ prefix: d.prefix, version: d.version })), subprotocols: [...WAMP_SUBPROTOCOLS] };
  return doc;
}

/** Puts `schema` in `components` as `name`, its `$defs` as `name.def.X`, with `$ref`s rewritten. */
function hoist(name: string, schema: JsonSchema, components: Json): void {
  if (name in components) return;
  const defs = (typeof schema.$defs === 'object' && schema.$defs !== null ? schema.$defs : {}) as Record<string, unknown>;
  const names = new Map(Object.keys(defs).map((k) => [k, `${name}.def.${key(k)}`]));
  const rewrite = (ref: string): string => {
    if (ref === '#') return pointer('components', 'schemas', name);
    const match = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(ref);
    const target = match !== null ? names.get(match[1]!.replace(/~1/g, '/').replace(/~0/g, '~')) : undefined;
    return target !== undefined ? pointer('components', 'schemas', target) : ref;
  };
  const { $defs: _defs, $schema: _schema, ...root } = schema;
  components[name] = toDraft07(root, rewrite);
  for (const [k, def] of Object.entries(defs)) components[names.get(k)!] = toDraft07(def, rewrite);
}

/** A copy in draft-07 form, with `$ref`s rewritten. */
function toDraft07(node: unknown, rewrite: (ref: string) => string): unknown {
  if (Array.isArray(node)) return node.map((n) => toDraft07(n, rewrite));
  if (typeof node !== 'object' || node === null) return node;
  const source = node as Json;
  const out: Json = {};
  for (const [k, v] of Object.entries(source)) {
    if (k === '$ref' && typeof v === 'string') out.$ref = rewrite(v);
    else if (k === 'prefixItems' && Array.isArray(v)) out.items = v.map((n) => toDraft07(n, rewrite));
    else if (k === 'items' && Array.isArray(source.prefixItems)) out.additionalItems = toDraft07(v, rewrite);
    else if (k === 'properties' || k === 'patternProperties' || k === '$defs' || k === 'definitions') {
      out[k] = Object.fromEntries(Object.entries(v as Json).map(([pk, pv]) => [pk, toDraft07(pv, rewrite)]));
    } else if (k === 'examples' || k === 'default' || k === 'const' || k === 'enum') out[k] = v;
    else out[k] = toDraft07(v, rewrite);
  }
  return out;
}
