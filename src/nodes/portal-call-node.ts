// The one shape of a node that calls the portal. A node type is a declaration (its named inputs, the call it makes,
// how a success is written into the message); this file turns a declaration into the Node-RED node: a message's way
// from `input` to `send`/`done` reads top to bottom in `PortalCallNode` below. Every message leaves exactly once:
// output 1, output 2, or done(err). On close: when the deploy keeps the node, the messages on their way leave through
// the instance it starts instead (node-succession.ts); when it removes the node, its waiting calls are withdrawn; when
// Node-RED stops, its calls finish within the grace and those still waiting end with NODE_CLOSED, in one warning.

import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { Bitrix24Error, CallOptions, readField, redactSecrets, RestCaller } from '../bitrix24';
import { nodeClosedError } from '../bitrix24/errors';
import { CallStatus } from './call-status';
import { CATALOGUE } from './localised-error';
import { DeployWatch } from './deploy-watch';
import { Done, failureEnding, Send } from './message-error';
import { InputDeclaration, InputValues, NodeInputs } from './node-inputs';
import { Exit, Instance, NodeSuccession } from './node-succession';
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
    const watch = DeployWatch.of(RED);

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
      // The count of the node's messages lives in its succession (`line`), which an instance a deploy starts joins;
      // the status reads it only once the line exists (registration with the portal below).
      const status = new CallStatus(RED, node, () => line.pending, declaration.successStatus);
      const instance: Instance = { node, status, endFailure: failureEnding(RED, node), describe: (field) => inputs.describe(field) };
      const line = NodeSuccession.join(RED, instance, (callback) => watch.whenStarted(callback));
      let closed = false;
      let endedByClose = 0;

      if (portal === null) status.unusable('NO_PORTAL');
      else portal.register(status);
      status.counted();

      node.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
        if (closed) {
          endFailure({ send, done }, instance, msg, nodeClosedError());
          return;
        }
        line.pending += 1;
        let outcome: Promise<Outcome>;
        try {
          outcome = callPortal(msg);
        } catch (error) {
          outcome = Promise.reject(error);
        }
        const own: Exit = { send, done };
        outcome
          .then(
            (result) => succeed(own, msg, result),
            (error: unknown) => fail(own, msg, error),
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
          const signal = line.abort.signal;
          return declaration.call(queue, request, auth === undefined ? { signal } : { signal, auth });
        });
      }

      function succeed(own: Exit, msg: NodeMessage, outcome: Outcome): void {
        try {
          declaration.write(msg, outcome);
        } catch (error) {
          fail(own, msg, error);
          return;
        }
        line.route(instance, own, msg, (exit, through) => {
          line.left();
          through.status.succeeded();
          exit.send([msg, null]);
          exit.done();
        }, true);
      }

      function fail(own: Exit, msg: NodeMessage, error: unknown): void {
        const failure = toBitrix24Error(error);
        line.route(instance, own, msg, (exit, through) => {
          line.left();
          endFailure(exit, through, msg, failure);
        }, false);
      }

      /** Ends a failed message through `exit`, as the instance `through` shows and routes failures. */
      function endFailure(exit: Exit, through: Instance, msg: NodeMessage, failure: Bitrix24Error): void {
        through.status.failed(failure);
        if (failure.code === 'NODE_CLOSED') {
          // The flow is being torn down: nothing downstream should act on it, but Catch nodes still hear of it.
          endedByClose += 1;
          exit.done(Object.assign(new Error(failure.message), { code: failure.code }));
          return;
        }
        through.endFailure(failure, msg, exit.send, exit.done, through.describe(failure.field));
      }

      node.on('close', (_removed: boolean, done: () => void) => {
        closed = true;
        portal?.deregister(status);
        const next = watch.nextDefinition(node.id);
        if (next !== undefined && next.type === node.type) {
          // The deploy keeps this node: its successor takes over the messages still on their way.
          line.handOver();
          watch.whenStarted(() => line.endIfUnclaimed());
          status.clear();
          done();
          return;
        }
        const removed = watch.deploying;
        const finish = (): void => {
          line.end();
          if (removed) {
            const { written, failed } = line.leftovers;
            if (endedByClose + written + failed > 0) node.warn(RED._(`${CATALOGUE}.warnings.removedWithPending`, { count: endedByClose, written, failed }));
          } else if (endedByClose > 0) {
            node.warn(RED._(`${CATALOGUE}.warnings.closedWithPending`, { count: endedByClose }));
          }
          status.clear();
          done();
        };
        if (removed) {
          // The deploy removes this node: nothing can deliver its results any more, so its waiting calls are not
          // sent at all; those already on the wire are waited for and counted.
          line.abort.abort(nodeClosedError());
          void line.idleWithin(CLOSE_IN_FLIGHT_MS).then(finish, finish);
          return;
        }
        // Node-RED stops the flows: send what the limit allows within the grace, then end the rest.
        void line
          .idleWithin(closeGraceOf(RED))
          .then((idle) => {
            if (idle) return true;
            line.abort.abort(nodeClosedError());
            return line.idleWithin(CLOSE_IN_FLIGHT_MS);
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
