import type { Dict, EncodedCache, WampMessage } from '@junction/wamp';
import type { RouterPeer } from '@junction/router';

/** Callee features a remote callee announced, as they travel in the directory. */
export interface CalleeFeatures {
  call_canceling: boolean;
  progressive_call_results: boolean;
  progressive_call_invocations: boolean;
}

/** Reads the callee features of a session's HELLO roles. */
export function calleeFeatures(roles: Dict): CalleeFeatures {
  const features = ((roles.callee as Dict | undefined)?.features ?? {}) as Dict;
  return {
    call_canceling: features.call_canceling === true,
    progressive_call_results: features.progressive_call_results === true,
    progressive_call_invocations: features.progressive_call_invocations === true,
  };
}

/**
 * A stand-in, inside this node's dealer, for a session on another node: a callee there (the
 * dealer sends it INVOCATION and INTERRUPT) or all the callers of that node (the dealer sends
 * them RESULT and ERROR). `send` hands each message to the cluster, which forwards it over NATS.
 */
export class RemotePeer implements RouterPeer {
  readonly authmethod = 'cluster';
  readonly serializer = 'cluster';
  open = true;

  constructor(
    readonly id: number,
    /** The node the session lives on. */
    readonly node: string,
    readonly authid: string,
    readonly authrole: string,
    readonly roles: Dict,
    private readonly forward: (peer: RemotePeer, message: WampMessage) => void,
  ) {}

  get authprovider(): string {
    return `cluster:${this.node}`;
  }

  send(message: WampMessage, _shared?: EncodedCache): void {
    if (this.open) this.forward(this, message);
  }

  abort(): void {
    // A protocol violation by a stand-in is this router's bug, not a peer's: nothing to close.
  }
}
