/**
 * A WAMP serializer: turns message arrays into WebSocket payloads and back. Each one is bound to
 * its subprotocol (`wamp.2.json`, `wamp.2.msgpack`, `wamp.2.cbor`).
 */
export interface Serializer {
  /** Short name: `json`, `msgpack` or `cbor`. */
  readonly name: SerializerName;
  /** The WebSocket subprotocol it is used with, e.g. `wamp.2.json`. */
  readonly protocol: string;
  /** True when messages travel in binary frames (msgpack, cbor); JSON uses text frames. */
  readonly binary: boolean;
  /**
   * Encodes one message. JSON returns UTF-8 bytes of the text (sent as a text frame), the binary
   * serializers their bytes. Binary values (Uint8Array) are carried as the spec says for each format.
   */
  encode(message: readonly unknown[]): Uint8Array;
  /**
   * Decodes one WebSocket message (bytes, or a string from a browser's text frame). Throws on
   * malformed input; the result still has to be validated as a WAMP message.
   */
  decode(data: Uint8Array | string): unknown;
}

/** The serializers Junction ships. */
export type SerializerName = 'json' | 'msgpack' | 'cbor';
