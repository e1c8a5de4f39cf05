// The one shape of a node that calls the portal. A node type is a declaration (its named inputs, the call it makes,
// how a success is written into the message); this file turns a declaration into the Node-RED node: a message's way
// from `input` to `send`/`done` reads top to bottom in `PortalCallNode` below. Every message leaves exactly once:
// output 1, output 2, or done(err). On close the node stops taking input, lets its calls finish within the grace,
// then ends those still waiting with NODE_CLOSED and says how many in one warning.

import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { Bitrix24Error, CallOptions, readField, redactSecrets, RestCaller } from '../bitrix24';
import { nodeClosedError } from '../bitrix24/errors';
import { CallStatus } from './call-status';
import { CATALOGUE } from './localised-error';
import { Done, failureEnding, Send } from './message-error';
import { InputDeclaration, InputValues, NodeInputs } from './node-inputs';
import type { PortalNode } from './portal-node';
import { closeGraceOf } from './runtime-settings';

/** The properties every node that calls the portal saves, besides its declared inputs. */
export interface PortalCallNodeDef extends NodeDef {
  portal: string;
  [property: string]: unknown;
}

/** What a node type that calls the portal declares. */
export interface PortalCallDeclaration<Field extends string, Request, Outcome> {
  /** The node's inputs by name; a name is also the field a Bitrix24Error names when it is about that input. */
  inputs: Readonly<Record<Field, InputDeclaration>>;
  /** Checks the values read for one message (and the node's own settings); throws a Bitrix24Error naming the field. */
  prepare(values: InputValues<Field>, def: PortalCallNodeDef): Request;
  /** Makes the call through the portal's queue; `options` carries the node's abort signal and any message auth. */
  call(queue: RestCaller, request: Request, options: CallOptions): Promise<Outcome>;
  /** Writes a success into the message that goes out on output 1. */
  write(msg: NodeMessage, outcome: Outcome): void;
  /** The shared catalogue's status key after a success (`status.<key>`). */
  successStatus: string;
}

/** Where a handler request's auth block is read when the portal takes auth from each message: `msg.auth` by default. */
const MESSAGE_AUTH_INPUT: InputDeclaration = { property: 'messageAuth', default: { value: 'auth', type: 'msg' } };

// After the grace, calls in flight get this much longer to answer before close gives up on them.
const CLOSE_IN_FLIGHT_MS = 3_000;

/** The registration function (the node file's export) of a node type made from `declaration`. */
export function portalCallNode<Field extends string, Request, Outcome>(
  type: string,
  declaration: PortalCallDeclaration<Field, Request, Outcome>,
): (RED: NodeAPI) => void {
  return function register(RED: NodeAPI): void {
    function PortalCallNode(this: Node, def: PortalCallNodeDef): void {
      RED.nodes.createNode(this, def);
      const node = this;
      const portal = RED.nodes.getNode(def.portal) as PortalNode | null;
      // A portal's auth kind is fixed for its life: the inputs to read are decided once, not per message.
      const inputs = new NodeInputs<Field | 'auth'>(
        RED,
        node,
        portal?.usesMessageAuth === true ? { ...declaration.inputs, auth: MESSAGE_AUTH_INPUT } : declaration.inputs,
        def,
      );
      const endFailure = failureEnding(RED, node);
      // The one count of this node's messages: accepted and not yet ended.
      let pending = 0;
      const status = new CallStatus(RED, node, () => pending, declaration.successStatus);
      // Aborted when the grace is over: the calls still waiting in the queue are withdrawn.
      const closing = new AbortController();
      const idleWaiters: Array<() => void> = [];
      let closed = false;
      let endedByClose = 0;

      if (portal === null) status.unusable('NO_PORTAL');
      else portal.register(status);

      node.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
        if (closed) {
          fail(msg, send, done, nodeClosedError(), false);
          return;
        }
        pending += 1;
        let outcome: Promise<Outcome>;
        try {
          outcome = callPortal(msg);
        } catch (error) {
          outcome = Promise.reject(error);
        }
        outcome
          .then(
            (result) => succeed(msg, send, done, result),
            (error: unknown) => fail(msg, send, done, error),
          )
          // Node-RED 4 exits on an unhandled rejection: a bug in the handlers above is logged, never fatal.
          .catch((error: unknown) => node.error(redactSecrets(error instanceof Error ? error.message : String(error))));
      });

      /** Reads the inputs, checks them, and hands the call to the portal's queue. */
      function callPortal(msg: NodeMessage): Promise<Outcome> {
        if (portal === null) throw new Bitrix24Error('NO_PORTAL', 'No Bitrix24 portal is configured for this node.');
        const queue = portal.queue();
        return inputs.read(msg, (values) => {
          const request = declaration.prepare(values, def);
          // Checked before the call is queued: a foreign portal's token must not even wait in our queue.
          const auth = portal.usesMessageAuth ? readField('auth', () => portal.messageAuth(values.auth)) : undefined;
          status.counted();
          return declaration.call(queue, request, auth === undefined ? { signal: closing.signal } : { signal: closing.signal, auth });
        });
      }

      function succeed(msg: NodeMessage, send: Send, done: Done, outcome: Outcome): void {
        try {
          declaration.write(msg, outcome);
        } catch (error) {
          fail(msg, send, done, error);
          return;
        }
        leave();
        status.succeeded();
        send([msg, null]);
        done();
      }

      /** Ends a failed message; `counted` is false for one refused on arrival, which never entered the count. */
      function fail(msg: NodeMessage, send: Send, done: Done, error: unknown, counted = true): void {
        const failure = toBitrix24Error(error);
        if (counted) leave();
        status.failed(failure);
        if (failure.code === 'NODE_CLOSED') {
          // The flow is being torn down: nothing downstream should act on it, but Catch nodes still hear of it.
          endedByClose += 1;
          done(Object.assign(new Error(failure.message), { code: failure.code }));
          return;
        }
        endFailure(failure, msg, send, done, inputs.describe(failure.field));
      }

      function leave(): void {
        pending -= 1;
        if (pending === 0) for (const waiter of idleWaiters.splice(0)) waiter();
      }

      /** Resolves true once no message is pending, or false after `ms`. */
      function idleWithin(ms: number): Promise<boolean> {
        if (pending === 0) return Promise.resolve(true);
        return new Promise((resolve) => {
          const timer = setTimeout(() => resolve(false), ms);
          idleWaiters.push(() => {
            clearTimeout(timer);
            resolve(true);
          });
        });
      }

      node.on('close', (_removed: boolean, done: () => void) => {
        closed = true;
        portal?.deregister(status);
        const finish = (): void => {
          if (endedByClose > 0) node.warn(RED._(`${CATALOGUE}.warnings.closedWithPending`, { count: endedByClose }));
          status.clear();
          done();
        };
        void idleWithin(closeGraceOf(RED))
          .then((idle) => {
            if (idle) return true;
            closing.abort(nodeClosedError());
            return idleWithin(CLOSE_IN_FLIGHT_MS);
          })
          .then(finish, finish);
      });
    }

    RED.nodes.registerType(type, PortalCallNode);
  };
}

/** Anything thrown on the way (a bug included) becomes a Bitrix24Error, so the message still leaves the node. */
function toBitrix24Error(error: unknown): Bitrix24Error {
  if (error instanceof Bitrix24Error) return error;
  const detail = redactSecrets(error instanceof Error ? error.message : String(error));
  return new Bitrix24Error('INTERNAL_ERROR', `Unexpected internal error in the Bitrix24 node: ${detail}`, { description: detail });
}
