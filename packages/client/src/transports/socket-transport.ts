import { ErrorUri, MessageType, type EncodedCache, type MessageTransport, type Serializer, type TransportCloseInfo, type WampMessage } from '@junction/wamp';

/**
 * What the WebSocket transports share: encoding (with the shared per-serializer cache), decoding,
 * and the close notification. Subclasses write bytes to their socket.
 */
export abstract class SocketTransport implements MessageTransport {
  onmessage: ((message: unknown) => void) | null = null;
  onclose: ((info: TransportCloseInfo) => void) | null = null;
  private ended = false;

  constructor(protected readonly codec: Serializer) {}

  /** The serializer's name (`json`, `msgpack`, `cbor`). */
  get serializer(): string {
    return this.codec.name;
  }

  abstract get bufferedAmount(): number;

  /** Writes one encoded message to the socket (text frame for JSON, binary otherwise). */
  protected abstract write(bytes: Uint8Array): void;

  /** Closes the socket. */
  protected abstract closeSocket(code: number, reason: string): void;

  send(message: WampMessage, shared?: EncodedCache): void {
    if (this.ended) return;
    let bytes: Uint8Array | undefined;
    if (shared !== undefined) {
      bytes = shared[this.codec.name];
      if (bytes === undefined) shared[this.codec.name] = bytes = this.codec.encode(message);
    } else {
      bytes = this.codec.encode(message);
    }
    this.write(bytes);
  }

  close(code = 1000, reason = ''): void {
    if (this.ended) return;
    try {
      this.closeSocket(code, reason);
    } catch {
      this.closeSocket(1000, '');
    }
  }

  /** Called by the adapter for every WebSocket message. */
  received(data: Uint8Array | string): void {
    if (this.ended) return;
    let message: unknown;
    try {
      message = this.codec.decode(data);
    } catch (error) {
      // Not a message of our serializer at all: the session never sees it, we abort here.
      const text = `undecodable ${this.codec.name} message: ${error instanceof Error ? error.message : String(error)}`;
      try {
        this.write(this.codec.encode([MessageType.ABORT, { message: text }, ErrorUri.PROTOCOL_VIOLATION]));
      } catch {
        // nothing more to say
      }
      this.close(1000, 'protocol violation');
      return;
    }
    this.onmessage?.(message);
  }

  /** Called by the adapter once, when the socket closed. */
  closed(info: TransportCloseInfo): void {
    if (this.ended) return;
    this.ended = true;
    this.onclose?.(info);
  }
}
