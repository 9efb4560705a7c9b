/** A scripted in-memory transport: the test plays the router, message by message. */
import type { MessageTransport, TransportCloseInfo, WampMessage } from '@junction/wamp';

export class FakeTransport implements MessageTransport {
  readonly serializer = 'local';
  bufferedAmount = 0;
  onmessage: ((message: unknown) => void) | null = null;
  onclose: ((info: TransportCloseInfo) => void) | null = null;
  /** Every message the session sent, in order. */
  readonly sent: WampMessage[] = [];
  closed: { code?: number; reason?: string } | null = null;
  /** Called for every message the session sends (auto-responders). */
  onsend: ((message: WampMessage) => void) | null = null;

  send(message: WampMessage): void {
    if (this.closed) return;
    // A copy, as a serializer would make, so later mutation by the session cannot fool a test.
    this.sent.push(structuredClone(message));
    this.onsend?.(message);
  }

  close(code?: number, reason?: string): void {
    if (this.closed) return;
    this.closed = { code, reason };
    queueMicrotask(() => this.onclose?.({ code: code ?? 1000, reason: reason ?? '', wasClean: true }));
  }

  /** The router sends `message` (delivered synchronously, as one decoded message). */
  deliver(message: unknown): void {
    this.onmessage?.(message);
  }

  /** The connection drops (no GOODBYE, no ABORT). */
  drop(code = 1006): void {
    if (this.closed) return;
    this.closed = { code };
    this.onclose?.({ code, reason: '', wasClean: false });
  }

  /** The last message sent (fails the test when there is none). */
  last(): WampMessage {
    const message = this.sent[this.sent.length - 1];
    if (message === undefined) throw new Error('nothing was sent');
    return message;
  }

  /** Messages sent of one type. */
  ofType(type: number): WampMessage[] {
    return this.sent.filter((m) => m[0] === type);
  }
}

/** Lets pending promise callbacks run. */
export async function flush(times = 5): Promise<void> {
  for (let i = 0; i < times; i++) await Promise.resolve();
}

/** A WELCOME whose dealer supports canceling and whose broker has the usual features. */
export function welcome(session = 1001, extra: Record<string, unknown> = {}): WampMessage {
  return [2, session, {
    authid: 'anon', authrole: 'anonymous', authmethod: 'anonymous',
    roles: { broker: { features: { event_retention: true } }, dealer: { features: { call_canceling: true, progressive_call_results: true } } },
    ...extra,
  }];
}
