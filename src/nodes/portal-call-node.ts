// The plumbing every node that calls one REST method per message shares: read the TypedInputs, validate, call through
// the portal's shared queue, then output 1 or output 2 (or done(err)), the status, and a close that lets calls finish
// and ends the rest with NODE_CLOSED. A node only says what to read, how to validate it and which call to make.

import type { Node, NodeAPI, NodeMessage, NodeMessageInFlow } from 'node-red';
import { Bitrix24Error, CallOptions, ResponseTime, RestCaller } from '../bitrix24';
import type { PortalNode } from './bitrix24-portal';
import { MessageLifecycle } from './message-lifecycle';
import { PropertySource, withProperties } from './node-property';

/** What every call returns: the portal's `result` and its timing. */
export interface PortalCallOutcome {
  result: unknown;
  time?: ResponseTime;
}

/** One node's call: its inputs, their validation, the call itself, and how its success is shown. */
export interface PortalCall<Request, Outcome extends PortalCallOutcome> {
  /** The REST method, reported as `msg.bitrix24.method`. */
  method: string;
  /** The TypedInputs read for each message, in order; undefined for an optional input left empty (reads undefined). */
  sources: Array<PropertySource | undefined>;
  /** Validates the values read, in the order of `sources`; throws a Bitrix24Error. */
  prepare(values: unknown[]): Request;
  /** Makes the call; `options` carries the node's abort signal, so a waiting call is withdrawn on close. */
  send(caller: RestCaller, request: Request, options: CallOptions): Promise<Outcome>;
  /** Fields added to `msg.bitrix24` besides `method` and `time`. */
  details?(outcome: Outcome): Record<string, unknown>;
  /** Names the input an error is about (`msg.event_token`), or '' when it is about none. */
  sourceOf(error: Bitrix24Error): string;
  /** The shared catalogue's status key shown after a success; default `ok`. */
  successStatus?: string;
  /** Where the auth block is read when the portal takes auth from each message (`msg.auth` by default). */
  authSource?: PropertySource;
}

/** Where a handler request's auth block sits in a message by default: `msg.auth`, as the activity receiver emits it. */
export const DEFAULT_AUTH_SOURCE: PropertySource = { value: 'auth', type: 'msg' };

type Send = (msg: NodeMessage | Array<NodeMessage | null>) => void;
type Done = (err?: Error) => void;

/** Makes `node` (just created) answer each input message with one `call` to the portal `portalId`. */
export function servePortalCalls<Request, Outcome extends PortalCallOutcome>(
  RED: NodeAPI,
  node: Node,
  portalId: string,
  call: PortalCall<Request, Outcome>,
): void {
  const portal = RED.nodes.getNode(portalId) as PortalNode | null;
  // One function per node writes a success into the message: no closure per message (100,000 may wait).
  const apply = (msg: NodeMessage, outcome: Outcome): void => {
    msg.payload = outcome.result;
    msg.bitrix24 = { method: call.method, time: outcome.time, ...(call.details?.(outcome) ?? {}) };
  };
  const lifecycle = new MessageLifecycle<Outcome>(RED, node, apply, (error) => call.sourceOf(error), call.successStatus);

  // A portal's auth kind is fixed for its life: the inputs to read are decided once, not per message.
  const sources = portal?.usesMessageAuth ? [...call.sources, call.authSource ?? DEFAULT_AUTH_SOURCE] : call.sources;

  portal?.register(node);
  if (portal === null) lifecycle.unusable('NO_PORTAL');

  node.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
    lifecycle.accept(msg, send, done, ({ signal, started }) => {
      if (portal === null) throw new Bitrix24Error('NO_PORTAL', 'No Bitrix24 portal is configured for this node.');
      const client = portal.client();
      return withProperties(RED, node, sources, msg, (values) => {
        const request = call.prepare(values);
        // Checked before the call is queued: a foreign portal's token must not even wait in our queue.
        const auth = portal.usesMessageAuth ? portal.messageAuth(values[values.length - 1]) : undefined;
        started();
        return call.send(client, request, auth === undefined ? { signal } : { signal, auth });
      });
    });
  });

  node.on('close', (_removed: boolean, done: () => void) => {
    portal?.deregister(node);
    lifecycle.close(done);
  });
}
