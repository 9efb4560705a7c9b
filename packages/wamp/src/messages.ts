import { MessageType, messageTypeName } from './message-type.js';
import { MAX_ID } from './ids.js';

/** A WAMP dictionary (Details, Options, ArgumentsKw, Extra). */
export type Dict = Record<string, unknown>;
/** Positional arguments. */
export type Args = unknown[];

// Messages stay the arrays they are on the wire: no object per message on the hot path.
/** `[HELLO, Realm|uri, Details|dict]` */
export type HelloMessage = [typeof MessageType.HELLO, string, Dict];
/** `[WELCOME, Session|id, Details|dict]` */
export type WelcomeMessage = [typeof MessageType.WELCOME, number, Dict];
/** `[ABORT, Details|dict, Reason|uri, Arguments?, ArgumentsKw?]` */
export type AbortMessage = [typeof MessageType.ABORT, Dict, string, Args?, Dict?];
/** `[CHALLENGE, AuthMethod|string, Extra|dict]` */
export type ChallengeMessage = [typeof MessageType.CHALLENGE, string, Dict];
/** `[AUTHENTICATE, Signature|string, Extra|dict]` */
export type AuthenticateMessage = [typeof MessageType.AUTHENTICATE, string, Dict];
/** `[GOODBYE, Details|dict, Reason|uri]` */
export type GoodbyeMessage = [typeof MessageType.GOODBYE, Dict, string];
/** `[ERROR, REQUEST.Type|int, REQUEST.Request|id, Details|dict, Error|uri, Arguments?, ArgumentsKw?]` */
export type ErrorMessage = [typeof MessageType.ERROR, number, number, Dict, string, Args?, Dict?];
/** `[PUBLISH, Request|id, Options|dict, Topic|uri, Arguments?, ArgumentsKw?]` */
export type PublishMessage = [typeof MessageType.PUBLISH, number, Dict, string, Args?, Dict?];
/** `[PUBLISHED, PUBLISH.Request|id, Publication|id]` */
export type PublishedMessage = [typeof MessageType.PUBLISHED, number, number];
/** `[SUBSCRIBE, Request|id, Options|dict, Topic|uri]` */
export type SubscribeMessage = [typeof MessageType.SUBSCRIBE, number, Dict, string];
/** `[SUBSCRIBED, SUBSCRIBE.Request|id, Subscription|id]` */
export type SubscribedMessage = [typeof MessageType.SUBSCRIBED, number, number];
/** `[UNSUBSCRIBE, Request|id, SUBSCRIBED.Subscription|id]` */
export type UnsubscribeMessage = [typeof MessageType.UNSUBSCRIBE, number, number];
/** `[UNSUBSCRIBED, UNSUBSCRIBE.Request|id, Details?]` */
export type UnsubscribedMessage = [typeof MessageType.UNSUBSCRIBED, number, Dict?];
/** `[EVENT, SUBSCRIBED.Subscription|id, PUBLISHED.Publication|id, Details|dict, Arguments?, ArgumentsKw?]` */
export type EventMessage = [typeof MessageType.EVENT, number, number, Dict, Args?, Dict?];
/** `[CALL, Request|id, Options|dict, Procedure|uri, Arguments?, ArgumentsKw?]` */
export type CallMessage = [typeof MessageType.CALL, number, Dict, string, Args?, Dict?];
/** `[CANCEL, CALL.Request|id, Options|dict]` */
export type CancelMessage = [typeof MessageType.CANCEL, number, Dict];
/** `[RESULT, CALL.Request|id, Details|dict, Arguments?, ArgumentsKw?]` */
export type ResultMessage = [typeof MessageType.RESULT, number, Dict, Args?, Dict?];
/** `[REGISTER, Request|id, Options|dict, Procedure|uri]` */
export type RegisterMessage = [typeof MessageType.REGISTER, number, Dict, string];
/** `[REGISTERED, REGISTER.Request|id, Registration|id]` */
export type RegisteredMessage = [typeof MessageType.REGISTERED, number, number];
/** `[UNREGISTER, Request|id, REGISTERED.Registration|id]` */
export type UnregisterMessage = [typeof MessageType.UNREGISTER, number, number];
/** `[UNREGISTERED, UNREGISTER.Request|id, Details?]` */
export type UnregisteredMessage = [typeof MessageType.UNREGISTERED, number, Dict?];
/** `[INVOCATION, Request|id, REGISTERED.Registration|id, Details|dict, Arguments?, ArgumentsKw?]` */
export type InvocationMessage = [typeof MessageType.INVOCATION, number, number, Dict, Args?, Dict?];
/** `[INTERRUPT, INVOCATION.Request|id, Options|dict]` */
export type InterruptMessage = [typeof MessageType.INTERRUPT, number, Dict];
/** `[YIELD, INVOCATION.Request|id, Options|dict, Arguments?, ArgumentsKw?]` */
export type YieldMessage = [typeof MessageType.YIELD, number, Dict, Args?, Dict?];

/** Every WAMP message. */
export type WampMessage =
  | HelloMessage | WelcomeMessage | AbortMessage | ChallengeMessage | AuthenticateMessage | GoodbyeMessage
  | ErrorMessage | PublishMessage | PublishedMessage | SubscribeMessage | SubscribedMessage | UnsubscribeMessage
  | UnsubscribedMessage | EventMessage | CallMessage | CancelMessage | ResultMessage | RegisterMessage
  | RegisteredMessage | UnregisterMessage | UnregisteredMessage | InvocationMessage | InterruptMessage | YieldMessage;

/** Messages a router accepts from a client. */
export type ClientToRouterMessage =
  | HelloMessage | AbortMessage | AuthenticateMessage | GoodbyeMessage | ErrorMessage | PublishMessage
  | SubscribeMessage | UnsubscribeMessage | CallMessage | CancelMessage | RegisterMessage | UnregisterMessage
  | YieldMessage;

/** Messages a client accepts from a router. */
export type RouterToClientMessage =
  | WelcomeMessage | AbortMessage | ChallengeMessage | GoodbyeMessage | ErrorMessage | PublishedMessage
  | SubscribedMessage | UnsubscribedMessage | EventMessage | ResultMessage | RegisteredMessage
  | UnregisteredMessage | InvocationMessage | InterruptMessage;

/** A message broke the protocol: the session is ABORTed with `wamp.error.protocol_violation` and this text. */
export class ProtocolViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolViolation';
  }
}

// Field kinds, checked by position after the type code.
const ID = 1; // integer in [1, 2^53]
const DICT = 2; // plain object
const URI = 3; // non-empty string (URI rules are checked where the URI is used, with ERROR replies)
const STRING = 4; // any string
const LIST = 5; // array
const INT = 6; // non-negative integer
const ID0 = 7; // integer in [0, 2^53] (Autobahn|JS sends 0 for some replies' unused ids)

const FIELD_NAMES: Record<number, string> = { [ID]: 'an ID', [DICT]: 'a dict', [URI]: 'a URI', [STRING]: 'a string', [LIST]: 'a list', [INT]: 'an integer', [ID0]: 'an ID' };

interface Shape {
  /** Field kinds after the type code: the required ones, then the optional ones. */
  fields: number[];
  names: string[];
  required: number;
}

function shape(required: [number, string][], optional: [number, string][] = []): Shape {
  const all = [...required, ...optional];
  return { fields: all.map((f) => f[0]), names: all.map((f) => f[1]), required: required.length };
}

const PAYLOAD: [number, string][] = [[LIST, 'Arguments'], [DICT, 'ArgumentsKw']];

const SHAPES: (Shape | undefined)[] = [];
SHAPES[MessageType.HELLO] = shape([[URI, 'Realm'], [DICT, 'Details']]);
SHAPES[MessageType.WELCOME] = shape([[ID, 'Session'], [DICT, 'Details']]);
SHAPES[MessageType.ABORT] = shape([[DICT, 'Details'], [URI, 'Reason']], PAYLOAD);
SHAPES[MessageType.CHALLENGE] = shape([[STRING, 'AuthMethod'], [DICT, 'Extra']]);
SHAPES[MessageType.AUTHENTICATE] = shape([[STRING, 'Signature'], [DICT, 'Extra']]);
SHAPES[MessageType.GOODBYE] = shape([[DICT, 'Details'], [URI, 'Reason']]);
SHAPES[MessageType.ERROR] = shape([[INT, 'REQUEST.Type'], [ID, 'REQUEST.Request'], [DICT, 'Details'], [URI, 'Error']], PAYLOAD);
SHAPES[MessageType.PUBLISH] = shape([[ID, 'Request'], [DICT, 'Options'], [URI, 'Topic']], PAYLOAD);
SHAPES[MessageType.PUBLISHED] = shape([[ID, 'PUBLISH.Request'], [ID, 'Publication']]);
SHAPES[MessageType.SUBSCRIBE] = shape([[ID, 'Request'], [DICT, 'Options'], [URI, 'Topic']]);
SHAPES[MessageType.SUBSCRIBED] = shape([[ID, 'SUBSCRIBE.Request'], [ID, 'Subscription']]);
SHAPES[MessageType.UNSUBSCRIBE] = shape([[ID, 'Request'], [ID, 'SUBSCRIBED.Subscription']]);
SHAPES[MessageType.UNSUBSCRIBED] = shape([[ID0, 'UNSUBSCRIBE.Request']], [[DICT, 'Details']]);
SHAPES[MessageType.EVENT] = shape([[ID, 'SUBSCRIBED.Subscription'], [ID, 'PUBLISHED.Publication'], [DICT, 'Details']], PAYLOAD);
SHAPES[MessageType.CALL] = shape([[ID, 'Request'], [DICT, 'Options'], [URI, 'Procedure']], PAYLOAD);
SHAPES[MessageType.CANCEL] = shape([[ID, 'CALL.Request'], [DICT, 'Options']]);
SHAPES[MessageType.RESULT] = shape([[ID, 'CALL.Request'], [DICT, 'Details']], PAYLOAD);
SHAPES[MessageType.REGISTER] = shape([[ID, 'Request'], [DICT, 'Options'], [URI, 'Procedure']]);
SHAPES[MessageType.REGISTERED] = shape([[ID, 'REGISTER.Request'], [ID, 'Registration']]);
SHAPES[MessageType.UNREGISTER] = shape([[ID, 'Request'], [ID, 'REGISTERED.Registration']]);
SHAPES[MessageType.UNREGISTERED] = shape([[ID0, 'UNREGISTER.Request']], [[DICT, 'Details']]);
SHAPES[MessageType.INVOCATION] = shape([[ID, 'Request'], [ID, 'REGISTERED.Registration'], [DICT, 'Details']], PAYLOAD);
SHAPES[MessageType.INTERRUPT] = shape([[ID, 'INVOCATION.Request'], [DICT, 'Options']]);
SHAPES[MessageType.YIELD] = shape([[ID, 'INVOCATION.Request'], [DICT, 'Options']], PAYLOAD);

const FROM_CLIENT = new Set<number>([
  MessageType.HELLO, MessageType.ABORT, MessageType.AUTHENTICATE, MessageType.GOODBYE, MessageType.ERROR,
  MessageType.PUBLISH, MessageType.SUBSCRIBE, MessageType.UNSUBSCRIBE, MessageType.CALL, MessageType.CANCEL,
  MessageType.REGISTER, MessageType.UNREGISTER, MessageType.YIELD,
]);
const FROM_ROUTER = new Set<number>([
  MessageType.WELCOME, MessageType.ABORT, MessageType.CHALLENGE, MessageType.GOODBYE, MessageType.ERROR,
  MessageType.PUBLISHED, MessageType.SUBSCRIBED, MessageType.UNSUBSCRIBED, MessageType.EVENT, MessageType.RESULT,
  MessageType.REGISTERED, MessageType.UNREGISTERED, MessageType.INVOCATION, MessageType.INTERRUPT,
]);

// Plain objects only: what every serializer decodes a map to. A Map, Set or Date (which a CBOR tag or
// a MessagePack extension can produce) is not a dict, nor is a list or binary.
function isDict(value: unknown): value is Dict {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function fieldOk(kind: number, value: unknown): boolean {
  switch (kind) {
    case ID:
      return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_ID;
    case ID0:
      return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_ID;
    case DICT:
      return isDict(value);
    case URI:
      return typeof value === 'string' && value.length > 0;
    case STRING:
      return typeof value === 'string';
    case LIST:
      return Array.isArray(value);
    case INT:
      return typeof value === 'number' && Number.isInteger(value) && value >= 0;
    default:
      return false;
  }
}

function checkShape(message: unknown): WampMessage {
  if (!Array.isArray(message)) throw new ProtocolViolation('a WAMP message must be a list');
  const code = message[0];
  const shape = typeof code === 'number' ? SHAPES[code] : undefined;
  if (shape === undefined) throw new ProtocolViolation(`unknown message type ${JSON.stringify(code) ?? String(code)}`);
  const name = messageTypeName(code);
  const count = message.length - 1;
  if (count < shape.required || count > shape.fields.length) {
    const expected = shape.required === shape.fields.length ? `${shape.required}` : `${shape.required} to ${shape.fields.length}`;
    throw new ProtocolViolation(`${name} must have ${expected} fields after the type, got ${count}`);
  }
  for (let i = 0; i < count; i++) {
    const kind = shape.fields[i]!;
    if (!fieldOk(kind, message[i + 1])) {
      throw new ProtocolViolation(`${name}.${shape.names[i]} must be ${FIELD_NAMES[kind]}`);
    }
  }
  return message as WampMessage;
}

/**
 * Checks a decoded message that a router received from a client: known type, one a client may
 * send, right field count and field types. Throws {@link ProtocolViolation} with a clear text.
 */
export function validateClientMessage(message: unknown): ClientToRouterMessage {
  const checked = checkShape(message);
  if (!FROM_CLIENT.has(checked[0])) throw new ProtocolViolation(`a client must not send ${messageTypeName(checked[0])}`);
  return checked as ClientToRouterMessage;
}

/** Checks a decoded message that a client received from a router; see {@link validateClientMessage}. */
export function validateRouterMessage(message: unknown): RouterToClientMessage {
  const checked = checkShape(message);
  if (!FROM_ROUTER.has(checked[0])) throw new ProtocolViolation(`a router must not send ${messageTypeName(checked[0])}`);
  return checked as RouterToClientMessage;
}

/** True for a plain WAMP dict (not a list, not binary). */
export { isDict };
