// A raw WAMP peer for protocol-level tests: the `ws` package plus our serializers, with no
// client logic, so tests can send anything (malformed, out of order) and read every reply.
import WebSocket from 'ws';
import { serializerByName } from '@junction/wamp';
import type { SerializerName, WampMessage } from '@junction/wamp';
import { Router, type RouterOptions } from '../../src/index.js';

/** Roles a raw peer announces: everything, so the router sends every feature. */
export const ALL_ROLES = {
  caller: { features: { progressive_call_results: true, call_canceling: true, caller_identification: true } },
  callee: { features: { progressive_call_results: true, call_canceling: true, caller_identification: true, pattern_based_registration: true, shared_registration: true } },
  publisher: { features: { publisher_exclusion: true, publisher_identification: true, subscriber_blackwhite_listing: true } },
  subscriber: { features: { pattern_based_subscription: true, publisher_identification: true } },
};

export interface CloseInfo {
  code: number;
  reason: string;
}

export class RawPeer {
  readonly socket: WebSocket;
  readonly serializer: SerializerName;
  sessionId = 0;
  /** Resolves when the connection closed. */
  readonly closed: Promise<CloseInfo>;
  private readonly inbox: WampMessage[] = [];
  private readonly waiters: { match: (m: WampMessage) => boolean; resolve: (m: WampMessage) => void; reject: (e: Error) => void }[] = [];
  private isClosed = false;
  private requestId = 0;

  private constructor(socket: WebSocket, serializer: SerializerName) {
    this.socket = socket;
    this.serializer = serializer;
    const codec = serializerByName(serializer)!;
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      const message = codec.decode(isBinary ? new Uint8Array(data) : data.toString('utf8')) as WampMessage;
      const index = this.waiters.findIndex((w) => w.match(message));
      if (index >= 0) this.waiters.splice(index, 1)[0]!.resolve(message);
      else this.inbox.push(message);
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => {
      socket.on('close', (code: number, reason: Buffer) => {
        this.isClosed = true;
        for (const w of this.waiters.splice(0)) w.reject(new Error(`connection closed (${code} ${reason.toString()}) while waiting for a message`));
        resolve({ code, reason: reason.toString() });
      });
    });
  }

  /** Opens a WebSocket with `serializer`'s subprotocol (no HELLO yet). */
  static async open(url: string, serializer: SerializerName = 'json', options: WebSocket.ClientOptions = {}): Promise<RawPeer> {
    const socket = new WebSocket(url, [serializerByName(serializer)!.protocol], options);
    const peer = new RawPeer(socket, serializer);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return peer;
  }

  /** Opens and joins `realm` (anonymous unless `details` say otherwise); rejects on ABORT. */
  static async join(url: string, realm = 'realm1', serializer: SerializerName = 'json', details: Record<string, unknown> = {}): Promise<RawPeer> {
    const peer = await RawPeer.open(url, serializer);
    const reply = await peer.hello(realm, details);
    if (reply[0] !== 2) throw new Error(`expected WELCOME, got ${JSON.stringify(reply)}`);
    return peer;
  }

  /** Sends HELLO and returns the answer (WELCOME, CHALLENGE or ABORT). */
  async hello(realm = 'realm1', details: Record<string, unknown> = {}): Promise<WampMessage> {
    this.send([1, realm, { roles: ALL_ROLES, ...details }]);
    const reply = await this.next((m) => m[0] === 2 || m[0] === 3 || m[0] === 4);
    if (reply[0] === 2) this.sessionId = reply[1] as number;
    return reply;
  }

  /** The next request ID. */
  nextId(): number {
    return ++this.requestId;
  }

  /** Sends one message, encoded with this peer's serializer. */
  send(message: unknown[]): void {
    const codec = serializerByName(this.serializer)!;
    const bytes = codec.encode(message);
    this.socket.send(codec.binary ? bytes : Buffer.from(bytes).toString('utf8'));
  }

  /** Sends raw data: a string as a text frame, bytes as a binary frame. */
  sendRaw(data: string | Uint8Array): void {
    this.socket.send(data);
  }

  /** The next message `match` accepts (earlier non-matching ones stay queued); any message by default. */
  next(match: (m: WampMessage) => boolean = () => true, timeout = 5000): Promise<WampMessage> {
    const index = this.inbox.findIndex(match);
    if (index >= 0) return Promise.resolve(this.inbox.splice(index, 1)[0]!);
    if (this.isClosed) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (m: WampMessage) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no matching message within ${timeout} ms; queued: ${JSON.stringify(this.inbox).slice(0, 500)}`));
      }, timeout);
      this.waiters.push(waiter);
    });
  }

  /** Messages received and not yet taken. */
  get pending(): readonly WampMessage[] {
    return this.inbox;
  }

  /** CALL and wait for its RESULT or ERROR. */
  async call(procedure: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}, options: Record<string, unknown> = {}): Promise<WampMessage> {
    const id = this.nextId();
    this.send([48, id, options, procedure, args, kwargs]);
    return this.next((m) => (m[0] === 50 && m[1] === id) || (m[0] === 8 && m[1] === 48 && m[2] === id));
  }

  /** SUBSCRIBE and wait for SUBSCRIBED or ERROR. */
  async subscribe(topic: string, options: Record<string, unknown> = {}): Promise<WampMessage> {
    const id = this.nextId();
    this.send([32, id, options, topic]);
    return this.next((m) => (m[0] === 33 && m[1] === id) || (m[0] === 8 && m[1] === 32 && m[2] === id));
  }

  /** REGISTER and wait for REGISTERED or ERROR. */
  async register(procedure: string, options: Record<string, unknown> = {}): Promise<WampMessage> {
    const id = this.nextId();
    this.send([64, id, options, procedure]);
    return this.next((m) => (m[0] === 65 && m[1] === id) || (m[0] === 8 && m[1] === 64 && m[2] === id));
  }

  /** PUBLISH with acknowledge and wait for PUBLISHED or ERROR. */
  async publishAck(topic: string, args: unknown[] = [], options: Record<string, unknown> = {}): Promise<WampMessage> {
    const id = this.nextId();
    this.send([16, id, { ...options, acknowledge: true }, topic, args]);
    return this.next((m) => (m[0] === 17 && m[1] === id) || (m[0] === 8 && m[1] === 16 && m[2] === id));
  }

  /** Closes the WebSocket (no GOODBYE). */
  close(): void {
    this.socket.close();
  }

  /** Drops the TCP connection. */
  terminate(): void {
    this.socket.terminate();
  }
}

/** Message type matchers. */
export const isType = (code: number) => (m: WampMessage) => m[0] === code;

/** A router listening on 127.0.0.1 port 0, with realm1 by default; `stop()` closes it and every peer. */
export async function startRouter(options: RouterOptions = { realms: [{ name: 'realm1' }] }): Promise<{ router: Router; url: string; port: number; peers: RawPeer[]; stop: () => Promise<void> }> {
  const router = new Router({ log: () => {}, goodbyeTimeout: 200, ...options });
  const { url, port } = await router.listen({ port: 0, host: '127.0.0.1' });
  const peers: RawPeer[] = [];
  return {
    router,
    url,
    port,
    peers,
    stop: async () => {
      for (const peer of peers) peer.terminate();
      await router.close();
    },
  };
}

/** Waits until `condition` holds (polling each few ms), or fails after `timeout`. */
export async function until(condition: () => boolean, timeout = 5000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeout) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
