import type { MessageTransport, Serializer } from '@junction/wamp';
import { serializerForProtocol } from '../serializers.js';
import { SocketTransport } from './socket-transport.js';

/** The part of the WHATWG `WebSocket` the browser transport uses (the global one, or any compatible class). */
export interface WebSocketLike {
  readonly protocol: string;
  readonly bufferedAmount: number;
  binaryType: string;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
}

/** A WHATWG `WebSocket` constructor. */
export type WebSocketConstructor = new (url: string, protocols: string[]) => WebSocketLike;

const textDecoder = new TextDecoder();

class BrowserWebSocketTransport extends SocketTransport {
  constructor(
    private readonly ws: WebSocketLike,
    codec: Serializer,
  ) {
    super(codec);
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  protected write(bytes: Uint8Array): void {
    // JSON travels in text frames: browsers send strings as text, bytes as binary.
    this.ws.send(this.codec.binary ? bytes : textDecoder.decode(bytes));
  }

  protected closeSocket(code: number, reason: string): void {
    this.ws.close(code, reason);
  }
}

/**
 * Opens a WAMP transport over a WHATWG WebSocket (the global `WebSocket` unless `WebSocketClass`
 * is given): offers the serializers' subprotocols in order, and uses the serializer of the one the
 * server chose. Resolves when the WebSocket is open; rejects when it fails to open or `signal` aborts.
 */
export function connectWebSocket(url: string, serializers: readonly Serializer[], signal?: AbortSignal, WebSocketClass?: WebSocketConstructor): Promise<MessageTransport> {
  const Ctor = WebSocketClass ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (Ctor === undefined) return Promise.reject(new Error('no global WebSocket here: in Node, import @junction/client (node entry) or pass a WebSocket class'));
  return new Promise((resolve, reject) => {
    let ws: WebSocketLike;
    try {
      ws = new Ctor(url, serializers.map((s) => s.protocol));
    } catch (error) {
      reject(error);
      return;
    }
    ws.binaryType = 'arraybuffer';
    let transport: BrowserWebSocketTransport | null = null;
    let failure: Error | null = null;
    const onAbort = (): void => {
      failure = new Error(`connecting to ${url} was abandoned`);
      ws.close();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    ws.onopen = () => {
      signal?.removeEventListener('abort', onAbort);
      try {
        transport = new BrowserWebSocketTransport(ws, serializerForProtocol(serializers, ws.protocol));
      } catch (error) {
        failure = error as Error;
        ws.close(1000, 'no usable subprotocol');
        return;
      }
      resolve(transport);
    };
    ws.onmessage = (event) => {
      const data = event.data;
      transport?.received(typeof data === 'string' ? data : new Uint8Array(data as ArrayBuffer));
    };
    ws.onerror = () => {}; // the close event follows and says the rest
    ws.onclose = (event) => {
      signal?.removeEventListener('abort', onAbort);
      if (transport === null) reject(failure ?? new Error(`WebSocket connection to ${url} failed (close code ${event.code})`));
      else transport.closed({ code: event.code, reason: event.reason, wasClean: event.wasClean });
    };
  });
}
