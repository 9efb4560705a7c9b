import type { EncodedCache, MessageTransport, TransportCloseInfo, WampMessage } from '@junction/wamp';

/**
 * One end of an in-process link: message arrays pass to the other end as they are, with no
 * serialization. Delivery happens on a microtask, in order, so that a handler that sends from
 * inside `onmessage` never re-enters the other side's code in the middle of its own work.
 *
 * Both ends share the messages they pass: neither side may modify a message after sending it
 * or after receiving it (the router and our client never do).
 */
class LocalEnd implements MessageTransport {
  readonly serializer = 'local';
  /** Nothing waits in the OS: messages are delivered within the same turn of the event loop. */
  readonly bufferedAmount = 0;
  onmessage: ((message: unknown) => void) | null = null;
  onclose: ((info: TransportCloseInfo) => void) | null = null;
  /** The other end; set right after both exist. */
  peer!: LocalEnd;
  /** True once either end closed: nothing more is sent either way. */
  private closed = false;
  /** Messages for this end not yet delivered, then possibly the close. */
  private inbox: unknown[] = [];
  private closeInfo: TransportCloseInfo | null = null;
  private scheduled = false;
  private readonly deliver = (): void => this.drain();

  send(message: WampMessage, _shared?: EncodedCache): void {
    if (this.closed) return;
    this.peer.enqueue(message);
  }

  close(code = 1000, reason = ''): void {
    if (this.closed) return;
    const info: TransportCloseInfo = { code, reason, wasClean: true };
    this.closed = true;
    this.peer.closed = true;
    // Each end hears the close after the messages already on their way to it.
    this.peer.enqueueClose(info);
    this.enqueueClose(info);
  }

  private enqueue(message: unknown): void {
    this.inbox.push(message);
    this.schedule();
  }

  private enqueueClose(info: TransportCloseInfo): void {
    this.closeInfo = info;
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(this.deliver);
  }

  private drain(): void {
    this.scheduled = false;
    const inbox = this.inbox;
    // Messages that arrive while these are handled wait for the next microtask (a new array),
    // so a long exchange cannot starve the close or other work in this turn.
    this.inbox = [];
    for (let i = 0; i < inbox.length; i++) {
      try {
        this.onmessage?.(inbox[i]);
      } catch (err) {
        // A throwing handler loses its message, not the ones behind it (nor the process).
        console.error('junction: an in-process link handler threw', err);
      }
    }
    const info = this.closeInfo;
    if (info !== null && this.inbox.length === 0) {
      this.closeInfo = null;
      const onclose = this.onclose;
      this.onclose = null;
      this.onmessage = null;
      onclose?.(info);
    }
  }
}

/** The two ends of an in-process link: give `router` to the router and `client` to a client. */
export interface LocalLink {
  /** The end the router serves (a router session runs over it). */
  readonly router: MessageTransport;
  /** The end a client uses (e.g. `connect({ transport: () => link.client })`). */
  readonly client: MessageTransport;
}

/**
 * Creates an in-process message link: what one end sends, the other receives as the very same
 * array, on a microtask; closing either end closes both (each `onclose` fires once, after the
 * messages sent before the close were delivered).
 */
export function createLocalLink(): LocalLink {
  const router = new LocalEnd();
  const client = new LocalEnd();
  router.peer = client;
  client.peer = router;
  return { router, client };
}
