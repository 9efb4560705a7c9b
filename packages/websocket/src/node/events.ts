/**
 * The WHATWG event objects handed to `addEventListener` listeners and `on*` properties.
 * Plain classes of our own: Node 20 has no global `CloseEvent`, and these stay cheap.
 */

/** Base of the WebSocket events. */
export class WebSocketEvent {
  /** The event name: `open`, `message`, `close` or `error`. */
  readonly type: string;
  /** The WebSocket that fired it. */
  readonly target: unknown;
  constructor(type: string, target: unknown) {
    this.type = type;
    this.target = target;
  }
  /** Same as {@link target}, as in the DOM. */
  get currentTarget(): unknown {
    return this.target;
  }
}

/** Fired for each message. */
export class MessageEvent extends WebSocketEvent {
  /** A string for text; a Buffer or ArrayBuffer for binary, as `binaryType` says. */
  readonly data: string | Buffer | ArrayBuffer;
  constructor(target: unknown, data: string | Buffer | ArrayBuffer) {
    super('message', target);
    this.data = data;
  }
}

/** Fired once when the connection is closed. */
export class CloseEvent extends WebSocketEvent {
  /** The close code: the peer's, 1005 when its close frame had none, 1006 when there was no closing handshake. */
  readonly code: number;
  /** The close reason. */
  readonly reason: string;
  /** True when the closing handshake completed. */
  readonly wasClean: boolean;
  constructor(target: unknown, code: number, reason: string, wasClean: boolean) {
    super('close', target);
    this.code = code;
    this.reason = reason;
    this.wasClean = wasClean;
  }
}

/** Fired when the connection fails. */
export class ErrorEvent extends WebSocketEvent {
  /** The underlying error. */
  readonly error: Error;
  /** Its message. */
  readonly message: string;
  constructor(target: unknown, error: Error) {
    super('error', target);
    this.error = error;
    this.message = error.message;
  }
}
