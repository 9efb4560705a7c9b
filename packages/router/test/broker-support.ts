// Plain fakes for driving the broker without sockets: peers that record what they are sent and a
// realm that records what the broker registers and logs.
import type { Dict, EncodedCache, EventMessage, WampMessage } from '@junction/wamp';
import { Broker } from '../src/broker.js';
import type { BrokerOptions } from '../src/broker.js';
import { resolveLimits } from '../src/limits.js';
import type { BrokerApi, DealerApi, InternalProcedure, RealmContext, RouterLimits, RouterPeer } from '../src/realm-context.js';

export class FakePeer implements RouterPeer {
  readonly sent: { message: WampMessage; cache: EncodedCache | undefined }[] = [];
  readonly authmethod = 'anonymous';
  readonly authprovider = 'static';
  readonly roles: Dict = {};
  readonly serializer = 'json';
  open = true;
  constructor(
    readonly id: number,
    readonly authid = `user${id}`,
    readonly authrole = 'anonymous',
  ) {}
  send(message: WampMessage, shared?: EncodedCache): void {
    this.sent.push({ message, cache: shared });
  }
  abort(): void {
    this.open = false;
  }
  /** Messages of one type sent so far. */
  ofType(type: number): WampMessage[] {
    return this.sent.filter((s) => s.message[0] === type).map((s) => s.message);
  }
  events(): EventMessage[] {
    return this.ofType(36) as EventMessage[];
  }
  last(): WampMessage {
    return this.sent[this.sent.length - 1]!.message;
  }
  clear(): void {
    this.sent.length = 0;
  }
}

export class FakeRealm implements RealmContext {
  readonly name = 'realm1';
  readonly sessions = new Map<number, RouterPeer>();
  readonly procedures = new Map<string, InternalProcedure>();
  readonly logs: { level: string; message: string }[] = [];
  readonly limits: RouterLimits;
  broker!: BrokerApi;
  dealer: DealerApi;
  constructor(limits: Partial<RouterLimits> = {}) {
    this.limits = resolveLimits(limits);
    const procedures = this.procedures;
    const fail = (): never => {
      throw new Error('not used by the broker');
    };
    this.dealer = {
      register: fail, unregister: fail, call: fail, cancel: fail, yield: fail, invocationError: fail, detach: fail,
      registerInternal(uri, procedure) {
        procedures.set(uri, procedure);
      },
    };
  }
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void {
    this.logs.push({ level, message });
  }
  /** Calls a registered meta procedure as `caller`. */
  async call(caller: RouterPeer, uri: string, args: unknown[] = [], kwargs: Dict = {}) {
    const procedure = this.procedures.get(uri);
    if (procedure === undefined) throw new Error(`no internal procedure ${uri}`);
    return procedure(caller, args, kwargs);
  }
}

/** A realm with a broker, and peers joined to it. */
export function setup(limits: Partial<RouterLimits> = {}, options?: BrokerOptions) {
  const realm = new FakeRealm(limits);
  const broker = new Broker(realm, options);
  realm.broker = broker;
  let nextRequest = 1;
  const peer = (id: number, authid?: string, authrole?: string) => {
    const p = new FakePeer(id, authid, authrole);
    realm.sessions.set(id, p);
    return p;
  };
  /** Subscribes and returns the subscription ID (throws on ERROR). */
  const subscribe = (p: FakePeer, topic: string, options: Dict = {}): number => {
    const request = nextRequest++;
    const before = p.sent.length;
    broker.subscribe(p, [32, request, options, topic]);
    const reply = p.sent[before]!.message;
    if (reply[0] !== 33) throw new Error(`SUBSCRIBE failed: ${JSON.stringify(reply)}`);
    return reply[2] as number;
  };
  const publish = (p: FakePeer, topic: string, options: Dict = {}, args?: unknown[], kwargs?: Dict) => {
    const request = nextRequest++;
    const message: [16, number, Dict, string, unknown[]?, Dict?] = [16, request, options, topic];
    if (args !== undefined) message.push(args);
    if (kwargs !== undefined) {
      if (args === undefined) message.push([]);
      message.push(kwargs);
    }
    broker.publish(p, message as never);
    return request;
  };
  return { realm, broker, peer, subscribe, publish };
}
