// Plain fakes for driving the dealer without sessions or sockets: peers that record what they are
// sent, and a realm whose broker records the meta events.
import { MessageType, type Args, type CallMessage, type Dict, type WampMessage } from '@junction/wamp';
import { Dealer } from '../src/dealer.js';
import { resolveLimits } from '../src/limits.js';
import type { BrokerApi, RealmContext, RouterLimits, RouterPeer } from '../src/realm-context.js';

let nextSessionId = 1000;

/** Callee features a fake peer announces. */
export interface FakeFeatures {
  call_canceling?: boolean;
  progressive_call_results?: boolean;
  progressive_call_invocations?: boolean;
  caller_identification?: boolean;
}

/** A joined session as the dealer sees it, recording every message sent to it. */
export class FakePeer implements RouterPeer {
  readonly id = nextSessionId++;
  readonly authmethod = 'anonymous';
  readonly authprovider = 'static';
  readonly serializer = 'json';
  readonly roles: Dict;
  open = true;
  sent: WampMessage[] = [];
  aborted: { reason: string; message: string } | undefined;

  constructor(
    features: FakeFeatures = {},
    readonly authid = `user-${nextSessionId}`,
    readonly authrole = 'user',
  ) {
    this.roles = { caller: { features: {} }, callee: { features: { ...features } } };
  }

  send(message: WampMessage): void {
    this.sent.push(message);
  }

  abort(reason: string, message: string): void {
    this.aborted = { reason, message };
    this.open = false;
  }

  /** The messages sent since the last take. */
  take(): WampMessage[] {
    const sent = this.sent;
    this.sent = [];
    return sent;
  }

  /** The one message sent since the last take (fails otherwise). */
  one(): WampMessage {
    const sent = this.take();
    if (sent.length !== 1) throw new Error(`expected one message, got ${JSON.stringify(sent)}`);
    return sent[0]!;
  }
}

/** A callee that announces every feature (like our client). */
export const FULL_CALLEE: FakeFeatures = {
  call_canceling: true,
  progressive_call_results: true,
  progressive_call_invocations: true,
  caller_identification: true,
};

/** A callee like Autobahn|JS: progressive results, no canceling. */
export const AUTOBAHN_JS_CALLEE: FakeFeatures = { progressive_call_results: true, caller_identification: true };

/** A published meta event. */
export interface PublishedEvent {
  topic: string;
  args: Args | undefined;
}

/** A realm with a recording broker and a real dealer. */
export interface DealerFixture {
  dealer: Dealer;
  realm: RealmContext;
  events: PublishedEvent[];
  logs: { level: string; message: string; detail: unknown }[];
}

export function makeDealer(limits: Partial<RouterLimits> = {}): DealerFixture {
  const events: PublishedEvent[] = [];
  const logs: DealerFixture['logs'] = [];
  const broker: BrokerApi = {
    subscribe() {},
    unsubscribe() {},
    publish() {},
    publishInternal(topic, args) {
      events.push({ topic, args });
    },
    detach() {},
  };
  const realm = {
    name: 'realm1',
    limits: resolveLimits(limits),
    sessions: new Map<number, RouterPeer>(),
    broker,
    dealer: undefined as unknown as Dealer,
    log(level: string, message: string, detail?: unknown) {
      logs.push({ level, message, detail });
    },
  } satisfies RealmContext;
  const dealer = new Dealer(realm);
  realm.dealer = dealer;
  return { dealer, realm, events, logs };
}

let nextRequestId = 1;

/** A fresh request ID (per test file; uniqueness is all the dealer needs). */
export function rid(): number {
  return nextRequestId++;
}

/** Registers `uri` for `callee` and returns the registration ID (fails on an error). */
export function register(dealer: Dealer, callee: FakePeer, uri: string, options: Dict = {}): number {
  const request = rid();
  dealer.register(callee, [MessageType.REGISTER, request, options, uri]);
  const reply = callee.one();
  if (reply[0] !== MessageType.REGISTERED || reply[1] !== request) throw new Error(`register ${uri} failed: ${JSON.stringify(reply)}`);
  return reply[2];
}

/** Sends a CALL and returns its request ID. */
export function call(dealer: Dealer, caller: FakePeer, uri: string, options: Dict = {}, args?: Args, kwargs?: Dict, request = rid()): number {
  const message: CallMessage = [MessageType.CALL, request, options, uri];
  if (args !== undefined) message.push(args);
  if (kwargs !== undefined) {
    if (args === undefined) message.push([]);
    message.push(kwargs);
  }
  dealer.call(caller, message);
  return request;
}

/** The INVOCATION a callee got (fails when it got anything else). */
export function invocation(callee: FakePeer): { id: number; registration: number; details: Dict; args?: Args; kwargs?: Dict } {
  const message = callee.one();
  if (message[0] !== MessageType.INVOCATION) throw new Error(`expected INVOCATION, got ${JSON.stringify(message)}`);
  return { id: message[1], registration: message[2], details: message[3], args: message[4], kwargs: message[5] };
}
