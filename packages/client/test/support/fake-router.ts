/**
 * An in-memory auto-responder for Client tests: every `transport()` call opens a new FakeTransport
 * whose HELLO, REGISTER, SUBSCRIBE, UNSUBSCRIBE, UNREGISTER, GOODBYE and acknowledged PUBLISH are
 * answered as a router would (same subscription ID for the same topic within one connection).
 * CALLs go to `oncall` when set. Not a router: just enough to drive the client.
 */
import { MessageType as T, type WampMessage } from '@junction/wamp';
import { FakeTransport, welcome } from './fake-transport.js';

export class FakeRouter {
  readonly connections: FakeTransport[] = [];
  /** Answer to the next HELLOs (default: WELCOME). */
  onhello: ((transport: FakeTransport, hello: WampMessage) => void) | null = null;
  oncall: ((transport: FakeTransport, call: WampMessage) => void) | null = null;
  /** REGISTER / SUBSCRIBE of these URIs get ERROR with the given error URI. */
  readonly refuse = new Map<string, string>();
  /** REGISTER / SUBSCRIBE of these URIs get no answer at all (a hung router). */
  readonly silent = new Set<string>();
  /** Fail the next N transport opens. */
  failOpens = 0;
  private nextId = 100;

  /** The `transport` option of connect(). */
  readonly transport = async (): Promise<FakeTransport> => {
    if (this.failOpens > 0) {
      this.failOpens--;
      throw new Error('connection refused (fake)');
    }
    const transport = new FakeTransport();
    const topics = new Map<string, number>();
    transport.onsend = (message) => queueMicrotask(() => this.answer(transport, message, topics));
    this.connections.push(transport);
    return transport;
  };

  get current(): FakeTransport {
    const transport = this.connections[this.connections.length - 1];
    if (!transport) throw new Error('no connection yet');
    return transport;
  }

  private answer(transport: FakeTransport, message: WampMessage, topics: Map<string, number>): void {
    if (transport.closed) return;
    if ((message[0] === T.REGISTER || message[0] === T.SUBSCRIBE) && this.silent.has(message[3] as string)) return;
    if ((message[0] === T.REGISTER || message[0] === T.SUBSCRIBE) && this.refuse.has(message[3] as string)) {
      transport.deliver([T.ERROR, message[0], message[1], {}, this.refuse.get(message[3] as string)!]);
      return;
    }
    switch (message[0]) {
      case T.HELLO:
        if (this.onhello) this.onhello(transport, message);
        else transport.deliver(welcome(this.nextId++));
        return;
      case T.REGISTER:
        transport.deliver([T.REGISTERED, message[1], this.nextId++]);
        return;
      case T.UNREGISTER:
        transport.deliver([T.UNREGISTERED, message[1]]);
        return;
      case T.SUBSCRIBE: {
        const key = `${String((message[2] as Record<string, unknown>).match ?? 'exact')} ${message[3]}`;
        let id = topics.get(key);
        if (id === undefined) topics.set(key, (id = this.nextId++));
        transport.deliver([T.SUBSCRIBED, message[1], id]);
        return;
      }
      case T.UNSUBSCRIBE:
        for (const [key, id] of topics) if (id === message[2]) topics.delete(key);
        transport.deliver([T.UNSUBSCRIBED, message[1]]);
        return;
      case T.PUBLISH:
        if ((message[2] as Record<string, unknown>).acknowledge === true) transport.deliver([T.PUBLISHED, message[1], this.nextId++]);
        return;
      case T.GOODBYE:
        transport.deliver([T.GOODBYE, {}, 'wamp.close.goodbye_and_out']);
        return;
      case T.CALL:
        this.oncall?.(transport, message);
        return;
      default:
    }
  }
}
