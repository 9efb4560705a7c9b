/**
 * A tiny test-only WAMP responder over @junction/websocket's WebSocketServer (127.0.0.1, port 0):
 * enough of a router to prove our transports and serializer negotiation on real sockets. It
 * WELCOMEs every HELLO; answers CALLs to `com.add`, `com.echo`, `com.fail`, `com.progress`;
 * routes a CALL of a procedure some connection registered to that connection as INVOCATION and
 * relays its YIELD/ERROR; delivers PUBLISH to other connections' exact subscriptions. Not a router.
 */
import type { AddressInfo, Socket } from 'node:net';
import { MessageType as T, ROUTER_ROLES, SERIALIZERS, type Serializer } from '@junction/wamp';
import { WebSocketServer, type WebSocket } from '@junction/websocket';

type Msg = any[];

interface Peer {
  socket: WebSocket;
  serializer: Serializer;
  session: number;
  /** TCP reads of this connection, counted to see how client writes were batched. */
  reads: number;
}

export interface Responder {
  port: number;
  url: string;
  /** Serializer names of the connections accepted so far, in order. */
  readonly accepted: string[];
  readonly peers: Set<Peer>;
  /** Drops every connection without a closing handshake. */
  dropAll(): void;
  close(): Promise<void>;
}

export async function startResponder(serializerNames?: string[]): Promise<Responder> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1', path: '/ws' });
  const peers = new Set<Peer>();
  const accepted: string[] = [];
  const registrations = new Map<string, { peer: Peer; id: number }>();
  const subscriptions = new Map<string, Map<Peer, number>>();
  const invocations = new Map<number, { caller: Peer; request: number }>();
  let nextId = 1000;

  const send = (peer: Peer, message: Msg): void => {
    peer.socket.send(peer.serializer.encode(message), { binary: peer.serializer.binary });
  };

  const handle = (peer: Peer, m: Msg): void => {
    switch (m[0]) {
      case T.HELLO:
        send(peer, [T.WELCOME, peer.session, { authid: 'anon', authrole: 'anonymous', authmethod: 'anonymous', roles: ROUTER_ROLES, realm: m[1] }]);
        return;
      case T.GOODBYE:
        send(peer, [T.GOODBYE, {}, 'wamp.close.goodbye_and_out']);
        peer.socket.close(1000);
        return;
      case T.CALL: {
        const [, request, , procedure, args = [], kwargs = {}] = m;
        const registration = registrations.get(procedure);
        if (registration !== undefined) {
          const invocation = nextId++;
          invocations.set(invocation, { caller: peer, request });
          send(registration.peer, [T.INVOCATION, invocation, registration.id, { caller: peer.session }, args, kwargs]);
        } else if (procedure === 'com.add') send(peer, [T.RESULT, request, {}, [args[0] + args[1]]]);
        else if (procedure === 'com.echo') send(peer, [T.RESULT, request, {}, args, kwargs]);
        else if (procedure === 'com.progress') {
          for (let i = 1; i <= args[0]; i++) send(peer, [T.RESULT, request, { progress: true }, [i]]);
          send(peer, [T.RESULT, request, {}, ['done']]);
        } else if (procedure === 'com.fail') send(peer, [T.ERROR, T.CALL, request, {}, 'com.example.failed', ['it failed'], { code: 42 }]);
        else send(peer, [T.ERROR, T.CALL, request, {}, 'wamp.error.no_such_procedure']);
        return;
      }
      case T.YIELD:
      case T.ERROR: {
        const request = m[0] === T.YIELD ? m[1] : m[2];
        const invocation = invocations.get(request);
        if (invocation === undefined) return;
        invocations.delete(request);
        if (m[0] === T.YIELD) send(invocation.caller, [T.RESULT, invocation.request, {}, ...m.slice(3)]);
        else send(invocation.caller, [T.ERROR, T.CALL, invocation.request, {}, ...m.slice(4)]);
        return;
      }
      case T.REGISTER: {
        const id = nextId++;
        registrations.set(m[3], { peer, id });
        send(peer, [T.REGISTERED, m[1], id]);
        return;
      }
      case T.SUBSCRIBE: {
        const id = nextId++;
        let subscribers = subscriptions.get(m[3]);
        if (subscribers === undefined) subscriptions.set(m[3], (subscribers = new Map()));
        subscribers.set(peer, id);
        send(peer, [T.SUBSCRIBED, m[1], id]);
        return;
      }
      case T.PUBLISH: {
        const publication = nextId++;
        for (const [subscriber, id] of subscriptions.get(m[3]) ?? []) {
          if (subscriber !== peer) send(subscriber, [T.EVENT, id, publication, {}, ...m.slice(4)]);
        }
        if (m[2].acknowledge === true) send(peer, [T.PUBLISHED, m[1], publication]);
        return;
      }
      default:
    }
  };

  const names = serializerNames ?? SERIALIZERS.map((s) => s.name);
  for (const serializer of SERIALIZERS.filter((s) => names.includes(s.name))) {
    server.mount(serializer.protocol, (socket) => {
      const peer: Peer = { socket, serializer, session: nextId++, reads: 0 };
      peers.add(peer);
      accepted.push(serializer.name);
      (socket.socket as Socket | null)?.on('data', () => peer.reads++);
      socket.on('message', (data) => handle(peer, serializer.decode(data) as Msg));
      socket.on('close', () => {
        peers.delete(peer);
        for (const [procedure, registration] of registrations) if (registration.peer === peer) registrations.delete(procedure);
        for (const subscribers of subscriptions.values()) subscribers.delete(peer);
      });
      socket.on('error', () => {});
    });
  }
  await new Promise<void>((resolve) => server.on('listening', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `ws://127.0.0.1:${port}/ws`,
    accepted,
    peers,
    dropAll: () => {
      for (const peer of peers) peer.socket.terminate();
    },
    close: () => server.close(),
  };
}
