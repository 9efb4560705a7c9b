import { describe, expect, it } from 'vitest';
import {
  MessageType, ProtocolViolation, isDict, messageTypeName, validateClientMessage, validateRouterMessage,
} from '../src/index.js';
import { SAMPLE_MESSAGES } from './samples.js';

const FROM_CLIENT: number[] = [MessageType.HELLO, MessageType.ABORT, MessageType.AUTHENTICATE, MessageType.GOODBYE, MessageType.ERROR,
  MessageType.PUBLISH, MessageType.SUBSCRIBE, MessageType.UNSUBSCRIBE, MessageType.CALL, MessageType.CANCEL, MessageType.REGISTER,
  MessageType.UNREGISTER, MessageType.YIELD];
const FROM_ROUTER: number[] = [MessageType.WELCOME, MessageType.ABORT, MessageType.CHALLENGE, MessageType.GOODBYE, MessageType.ERROR,
  MessageType.PUBLISHED, MessageType.SUBSCRIBED, MessageType.UNSUBSCRIBED, MessageType.EVENT, MessageType.RESULT, MessageType.REGISTERED,
  MessageType.UNREGISTERED, MessageType.INVOCATION, MessageType.INTERRUPT];

/** [type, required field count, optional field count] per the spec. */
const COUNTS: [number, number, number][] = [
  [MessageType.HELLO, 2, 0], [MessageType.WELCOME, 2, 0], [MessageType.ABORT, 2, 2], [MessageType.CHALLENGE, 2, 0],
  [MessageType.AUTHENTICATE, 2, 0], [MessageType.GOODBYE, 2, 0], [MessageType.ERROR, 4, 2], [MessageType.PUBLISH, 3, 2],
  [MessageType.PUBLISHED, 2, 0], [MessageType.SUBSCRIBE, 3, 0], [MessageType.SUBSCRIBED, 2, 0], [MessageType.UNSUBSCRIBE, 2, 0],
  [MessageType.UNSUBSCRIBED, 1, 1], [MessageType.EVENT, 3, 2], [MessageType.CALL, 3, 2], [MessageType.CANCEL, 2, 0],
  [MessageType.RESULT, 2, 2], [MessageType.REGISTER, 3, 0], [MessageType.REGISTERED, 2, 0], [MessageType.UNREGISTER, 2, 0],
  [MessageType.UNREGISTERED, 1, 1], [MessageType.INVOCATION, 3, 2], [MessageType.INTERRUPT, 2, 0], [MessageType.YIELD, 2, 2],
];

/** The fullest sample of a type (the one with most fields). */
function fullest(type: number): unknown[] {
  const samples = SAMPLE_MESSAGES.filter((m) => m[0] === type).sort((a, b) => b.length - a.length);
  return [...samples[0]!];
}

function validatorFor(type: number): (message: unknown) => unknown {
  return FROM_CLIENT.includes(type) ? validateClientMessage : validateRouterMessage;
}

describe('message validation', () => {
  it('accepts every sample in the direction it travels and rejects it in the other', () => {
    for (const message of SAMPLE_MESSAGES) {
      const type = message[0];
      if (FROM_CLIENT.includes(type)) expect(validateClientMessage(message)).toBe(message);
      else expect(() => validateClientMessage(message)).toThrow(`a client must not send ${messageTypeName(type)}`);
      if (FROM_ROUTER.includes(type)) expect(validateRouterMessage(message)).toBe(message);
      else expect(() => validateRouterMessage(message)).toThrow(`a router must not send ${messageTypeName(type)}`);
    }
  });

  it('has a sample of every message type', () => {
    expect(new Set(SAMPLE_MESSAGES.map((m) => m[0]))).toEqual(new Set(Object.values(MessageType)));
  });

  it('accepts exactly the spec\'s field counts for every type', () => {
    for (const [type, required, optional] of COUNTS) {
      const validate = validatorFor(type);
      const full = fullest(type);
      expect(full.length - 1, messageTypeName(type)).toBe(required + optional);
      for (let count = required; count <= required + optional; count++) {
        expect(() => validate(full.slice(0, count + 1)), `${messageTypeName(type)} with ${count}`).not.toThrow();
      }
      expect(() => validate(full.slice(0, required))).toThrow(ProtocolViolation);
      expect(() => validate(full.slice(0, required))).toThrow(`${messageTypeName(type)} must have`);
      expect(() => validate([...full, {}])).toThrow(`${messageTypeName(type)} must have`);
    }
  });

  it('rejects a wrong type in every field', () => {
    const wrong: Record<string, unknown[]> = {
      id: [0, -1, 1.5, 2 ** 53 + 2, '1', null, {}, []],
      dict: [[], 'x', 1, null, new Map(), new Date(0), new Uint8Array(1), true],
      uri: ['', 1, null, {}, []],
      string: [1, null, {}, []],
      list: [{}, 'x', 1, null, new Uint8Array(1)],
      int: [-1, 1.5, '1', null],
    };
    const kinds: Record<number, string[]> = {
      [MessageType.HELLO]: ['uri', 'dict'], [MessageType.WELCOME]: ['id', 'dict'], [MessageType.ABORT]: ['dict', 'uri', 'list', 'dict'],
      [MessageType.CHALLENGE]: ['string', 'dict'], [MessageType.AUTHENTICATE]: ['string', 'dict'], [MessageType.GOODBYE]: ['dict', 'uri'],
      [MessageType.ERROR]: ['int', 'id', 'dict', 'uri', 'list', 'dict'], [MessageType.PUBLISH]: ['id', 'dict', 'uri', 'list', 'dict'],
      [MessageType.PUBLISHED]: ['id', 'id'], [MessageType.SUBSCRIBE]: ['id', 'dict', 'uri'], [MessageType.SUBSCRIBED]: ['id', 'id'],
      [MessageType.UNSUBSCRIBE]: ['id', 'id'], [MessageType.UNSUBSCRIBED]: ['id0', 'dict'],
      [MessageType.EVENT]: ['id', 'id', 'dict', 'list', 'dict'], [MessageType.CALL]: ['id', 'dict', 'uri', 'list', 'dict'],
      [MessageType.CANCEL]: ['id', 'dict'], [MessageType.RESULT]: ['id', 'dict', 'list', 'dict'], [MessageType.REGISTER]: ['id', 'dict', 'uri'],
      [MessageType.REGISTERED]: ['id', 'id'], [MessageType.UNREGISTER]: ['id', 'id'], [MessageType.UNREGISTERED]: ['id0', 'dict'],
      [MessageType.INVOCATION]: ['id', 'id', 'dict', 'list', 'dict'], [MessageType.INTERRUPT]: ['id', 'dict'],
      [MessageType.YIELD]: ['id', 'dict', 'list', 'dict'],
    };
    for (const [typeKey, fields] of Object.entries(kinds)) {
      const type = Number(typeKey);
      const validate = validatorFor(type);
      const full = fullest(type);
      fields.forEach((kind, index) => {
        const values = kind === 'id0' ? wrong.id!.filter((v) => v !== 0) : wrong[kind]!;
        for (const value of values) {
          const message = [...full];
          message[index + 1] = value;
          expect(() => validate(message), `${messageTypeName(type)} field ${index + 1} = ${String(value)}`).toThrow(/ must be (an ID|a dict|a URI|a string|a list|an integer)$/);
        }
      });
    }
  });

  it('names the field in its error', () => {
    expect(() => validateClientMessage([MessageType.CALL, 1, {}, 7])).toThrow('CALL.Procedure must be a URI');
    expect(() => validateClientMessage([MessageType.CALL, 0, {}, 'a'])).toThrow('CALL.Request must be an ID');
    expect(() => validateRouterMessage([MessageType.EVENT, 1, 2, []])).toThrow('EVENT.Details must be a dict');
  });

  it('accepts IDs at the bounds and 0 only where Autobahn|JS sends it', () => {
    expect(() => validateClientMessage([MessageType.CALL, 2 ** 53, {}, 'a'])).not.toThrow();
    expect(() => validateClientMessage([MessageType.CALL, 2 ** 53 + 2, {}, 'a'])).toThrow(ProtocolViolation);
    expect(() => validateRouterMessage([MessageType.UNSUBSCRIBED, 0])).not.toThrow();
    expect(() => validateRouterMessage([MessageType.UNREGISTERED, 0, {}])).not.toThrow();
    expect(() => validateRouterMessage([MessageType.SUBSCRIBED, 0, 1])).toThrow(ProtocolViolation);
  });

  it('rejects what is not a message, and unknown types', () => {
    for (const bad of [null, 'x', 48, {}, new Uint8Array(2)]) {
      expect(() => validateClientMessage(bad)).toThrow('a WAMP message must be a list');
    }
    expect(() => validateClientMessage([])).toThrow('unknown message type undefined');
    expect(() => validateClientMessage([7, {}])).toThrow('unknown message type 7');
    expect(() => validateClientMessage(['48', 1, {}, 'a'])).toThrow('unknown message type "48"');
    expect(() => validateRouterMessage([999])).toThrow('unknown message type 999');
    expect(() => validateRouterMessage([48.5])).toThrow('unknown message type 48.5');
  });

  it('throws ProtocolViolation, an Error with its own name', () => {
    try {
      validateClientMessage([MessageType.WELCOME, 1, {}]);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ProtocolViolation);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe('ProtocolViolation');
    }
  });

  it('isDict takes plain objects only', () => {
    expect(isDict({})).toBe(true);
    expect(isDict(Object.create(null))).toBe(true);
    for (const value of [[], null, undefined, 'x', 1, new Map(), new Set(), new Date(0), new Uint8Array(0), /x/]) {
      expect(isDict(value), String(value)).toBe(false);
    }
  });

  it('names message types', () => {
    expect(messageTypeName(48)).toBe('CALL');
    expect(messageTypeName(7)).toBe('type 7');
    expect(messageTypeName('x')).toBe('type x');
  });
});
