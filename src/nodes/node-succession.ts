// A calling node's messages outlive the instance that took them in when a deploy keeps the node: Node-RED stops
// routing an instance's sends before its close handler runs, so a result that arrives after the close can only leave
// through the instance the deploy starts in its place. The succession is what the instances of one node id share:
// the count of messages not yet ended, the signal that withdraws their waiting calls, and who delivers them now.

import type { Node, NodeAPI, NodeMessage } from 'node-red';
import type { CallStatus } from './call-status';
import type { Done, FailureEnding, Send } from './message-error';

/** The send and done a message ends with. */
export interface Exit {
  send: Send;
  done: Done;
}

/** One running instance of a calling node, as the messages that leave through it need it. */
export interface Instance {
  readonly node: Node;
  readonly status: CallStatus;
  /** Ends a failed message on this instance's output 2, or towards its Catch nodes. */
  readonly endFailure: FailureEnding;
  /** Where this instance reads input `field` from, in a flow author's words. */
  describe(field: string | undefined): string;
}

/** How the messages of a succession that nobody took over ended: for the one warning the closing node gives. */
export interface Leftovers {
  written: number;
  failed: number;
}

/** The instances of one calling node over redeploys, and what they share. */
export class NodeSuccession {
  /** Messages taken in and not yet ended, by every instance of the node together: the node's one count. */
  pending = 0;
  /** Aborting withdraws every call of the node still waiting in the portal's queue. */
  readonly abort = new AbortController();
  private current: Instance | undefined;
  /** The instance that joined after a hand-over; it delivers once the new flows run, and its wires lead somewhere. */
  private successor: Instance | undefined;
  private ended = false;
  private readonly waiting: Array<() => void> = [];
  private readonly idleWaiters: Array<() => void> = [];
  /** Results that arrived after the node was closed for good. */
  readonly leftovers: Leftovers = { written: 0, failed: 0 };

  private constructor(
    private readonly registry: Map<string, NodeSuccession>,
    private readonly id: string,
  ) {}

  /**
   * The succession `instance` joins: the one an earlier instance of the same node handed over, or a new one. After a
   * hand-over the instance delivers the messages on their way once `whenFlowsStarted` calls back: a message sent
   * before the nodes downstream exist would be lost.
   */
  static join(RED: NodeAPI, instance: Instance, whenFlowsStarted: (callback: () => void) => void): NodeSuccession {
    let registry = registries.get(RED);
    if (registry === undefined) {
      registry = new Map();
      registries.set(RED, registry);
    }
    const handedOver = registry.get(instance.node.id);
    if (handedOver !== undefined && handedOver.current === undefined && handedOver.successor === undefined && !handedOver.ended) {
      handedOver.successor = instance;
      whenFlowsStarted(() => handedOver.activate(instance));
      return handedOver;
    }
    const succession = new NodeSuccession(registry, instance.node.id);
    registry.set(instance.node.id, succession);
    succession.current = instance;
    return succession;
  }

  /**
   * Ends a message the way `finish` says, through the instance running now: the one that took the message in, with
   * its own send and done, or its successor, whose send and error stand in for them. Between instances the message
   * waits for the successor; after the succession ended, it ends through its own (closed) exit, and is counted.
   */
  route(taker: Instance, own: Exit, msg: NodeMessage, finish: (exit: Exit, through: Instance) => void, written: boolean): void {
    if (this.ended) {
      if (written) this.leftovers.written += 1;
      else this.leftovers.failed += 1;
      finish(own, taker);
      return;
    }
    const current = this.current;
    if (current === undefined) {
      this.waiting.push(() => this.route(taker, own, msg, finish, written));
      return;
    }
    finish(current === taker ? own : successorExit(current.node, msg), current);
  }

  /** A message ended (through whatever exit). */
  left(): void {
    this.pending -= 1;
    if (this.pending === 0) for (const waiter of this.idleWaiters.splice(0)) waiter();
  }

  /** The running instance closes and the deploy starts a successor: messages wait for it. */
  handOver(): void {
    this.current = undefined;
    this.successor = undefined;
  }

  /** Ends the succession if no instance took it over (the deploy failed to start the successor). */
  endIfUnclaimed(): void {
    if (this.current === undefined && this.successor === undefined && !this.ended) this.end();
  }

  /** The successor delivers from now on, the messages that waited for it first. */
  private activate(instance: Instance): void {
    if (this.successor !== instance || this.ended) return;
    this.successor = undefined;
    this.current = instance;
    for (const deliver of this.waiting.splice(0)) deliver();
  }

  /** No instance follows: the node is gone (removed, or Node-RED stops); waiting messages end through their own exit. */
  end(): void {
    this.current = undefined;
    this.successor = undefined;
    this.ended = true;
    if (this.registry.get(this.id) === this) this.registry.delete(this.id);
    for (const deliver of this.waiting.splice(0)) deliver();
  }

  /** Resolves true once no message is pending, or false after `ms`. */
  idleWithin(ms: number): Promise<boolean> {
    if (this.pending === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

const registries = new WeakMap<NodeAPI, Map<string, NodeSuccession>>();

/** The exit of a message handed over to `node`: its send, and its error for what done(err) would have said. */
function successorExit(node: Node, msg: NodeMessage): Exit {
  return {
    send: (out) => node.send(out),
    done: (error) => {
      // done() of a handed-over message has nothing to complete: its own flow is gone. Catch nodes of the new flow
      // still hear of a failure, through the successor's error as done(err) would have told them.
      if (error !== undefined) node.error(error, msg);
    },
  };
}
