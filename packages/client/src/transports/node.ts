import { WampError, type MessageTransport, type Serializer } from '@junction/wamp';
import { WebSocket, WebSocketError, type SendOptions, type WebSocketClientOptions } from '@junction/websocket';
import { ClientErrorUri } from '../errors.js';
import { serializerForProtocol } from '../serializers.js';
import { SocketTransport } from './socket-transport.js';

const BINARY: SendOptions = { binary: true };
const TEXT: SendOptions = { binary: false };

class NodeWebSocketTransport extends SocketTransport {
  private readonly sendOptions: SendOptions;

  constructor(
    private readonly ws: WebSocket,
    codec: Serializer,
  ) {
    super(codec);
    this.sendOptions = codec.binary ? BINARY : TEXT;
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  protected write(bytes: Uint8Array): void {
    // @junction/websocket batches every frame of one tick into one socket write.
    this.ws.send(bytes, this.sendOptions);
  }

  protected closeSocket(code: number, reason: string): void {
    this.ws.close(code, reason);
  }
}

/**
 * Opens a WAMP transport over `@junction/websocket`'s Node client: offers the serializers'
 * subprotocols in order and uses the one the server chose. JSON goes out as text frames from the
 * encoded bytes (no string round trip). Resolves when open; rejects when the handshake fails or
 * `signal` aborts.
 */
export function connectNodeWebSocket(url: string, serializers: readonly Serializer[], signal?: AbortSignal, options?: WebSocketClientOptions): Promise<MessageTransport> {
  return new Promise((resolve, reject) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, serializers.map((s) => s.protocol), options);
    } catch (error) {
      reject(error);
      return;
    }
    let transport: NodeWebSocketTransport | null = null;
    let failure: Error | null = null;
    const onAbort = (): void => {
      failure = new Error(`connecting to ${url} was abandoned`);
      ws.terminate();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    ws.on('open', () => {
      signal?.removeEventListener('abort', onAbort);
      try {
        transport = new NodeWebSocketTransport(ws, serializerForProtocol(serializers, ws.protocol));
      } catch (error) {
        failure = error as Error;
        ws.close(1000, 'no usable subprotocol');
        return;
      }
      resolve(transport);
    });
    ws.on('message', (data) => transport?.received(data));
    ws.on('error', (error) => {
      failure ??= error;
    });
    ws.on('close', (code, reason) => {
      signal?.removeEventListener('abort', onAbort);
      if (transport === null) reject(permanentRefusal(failure) ?? failure ?? new Error(`WebSocket connection to ${url} failed (close code ${code})`));
      else transport.closed({ code, reason, wasClean: code === 1000 || code === 1001 });
    });
  });
}

/** HTTP statuses of a refused handshake after which trying again is still worth it. */
const RETRYABLE_CLIENT_STATUSES = new Set([408, 425, 429]);

/**
 * The WAMP error for a handshake the server refused for good (a 4xx but 408, 425 and 429; see
 * `ClientErrorUri.CONNECTION_REFUSED`), or null for any other failure.
 */
function permanentRefusal(error: Error | null): WampError | null {
  const response = error instanceof WebSocketError ? error.response : undefined;
  if (response === undefined) return null;
  const status = response.statusCode;
  if (status < 400 || status > 499 || RETRYABLE_CLIENT_STATUSES.has(status)) return null;
  return new WampError(ClientErrorUri.CONNECTION_REFUSED, [error!.message], { status, body: response.body });
}
