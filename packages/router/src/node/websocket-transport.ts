import { ProtocolViolation } from '@junction/wamp';
import type { EncodedCache, MessageTransport, Serializer, TransportCloseInfo, WampMessage } from '@junction/wamp';
import type { WebSocket } from '@junction/websocket';

/** Close code of a dropped slow consumer (policy violation). */
const SLOW_CONSUMER = 1008;

/**
 * A `MessageTransport` over a server-side `@junction/websocket` socket and the serializer
 * its subprotocol chose. Messages the broker shares between subscribers come with a cache: the
 * first subscriber on each serializer encodes, the others reuse those bytes.
 *
 * A message that does not decode is handed to the session as a `ProtocolViolation`, which
 * ABORTs it with `wamp.error.protocol_violation`.
 */
export class WebSocketTransport implements MessageTransport {
  readonly serializer: string;
  /**
   * Largest message accepted, in bytes; larger ones close the connection with 1009. The socket
   * already enforces the server's `maxPayload`; the session lowers this to its realm's
   * `maxMessageSize` once it joined.
   */
  maxMessageSize = Infinity;
  onmessage: ((message: unknown) => void) | null = null;
  onclose: ((info: TransportCloseInfo) => void) | null = null;
  private readonly ws: WebSocket;
  private readonly codec: Serializer;
  private readonly options: { binary: boolean };

  constructor(ws: WebSocket, codec: Serializer) {
    this.ws = ws;
    this.codec = codec;
    this.serializer = codec.name;
    this.options = { binary: codec.binary };
    ws.on('message', (data) => this.receive(data));
    ws.on('close', (code, reason) => {
      const onclose = this.onclose;
      this.onclose = null;
      this.onmessage = null;
      onclose?.({ code, reason, wasClean: code !== 1006 });
    });
    // Errors (protocol failures, resets) are followed by `close`; nothing else to do here.
    ws.on('error', () => {});
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  send(message: WampMessage, shared?: EncodedCache): void {
    let bytes: Uint8Array;
    if (shared === undefined) {
      bytes = this.codec.encode(message);
    } else {
      const name = this.serializer;
      const cached = shared[name];
      bytes = cached === undefined ? (shared[name] = this.codec.encode(message)) : cached;
    }
    this.ws.send(bytes, this.options);
  }

  pauseReading(): void {
    this.ws.pause();
  }

  resumeReading(): void {
    this.ws.resume();
  }

  close(code = 1000, reason = ''): void {
    // A slow consumer is not reading: a closing handshake would wait behind its backlog.
    if (code === SLOW_CONSUMER) this.ws.terminate();
    else this.ws.close(code, reason);
  }

  private receive(data: Buffer): void {
    const onmessage = this.onmessage;
    if (onmessage === null) return;
    if (data.length > this.maxMessageSize) {
      const reason = `message over ${this.maxMessageSize} bytes`;
      this.ws.close(1009, reason);
      // The session ends now, not after the closing handshake.
      const onclose = this.onclose;
      this.onclose = null;
      this.onmessage = null;
      onclose?.({ code: 1009, reason, wasClean: false });
      return;
    }
    let message: unknown;
    try {
      message = this.codec.decode(data);
    } catch (err) {
      onmessage(new ProtocolViolation(`the message is not valid ${this.serializer}: ${(err as Error)?.message ?? String(err)}`.slice(0, 300)));
      return;
    }
    onmessage(message);
  }
}
