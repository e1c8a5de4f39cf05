// The plumbing every node that calls one REST method per message shares: read the TypedInputs, validate, call through
// the portal's shared caller, then output 1 or output 2 (or done(err)), the status, and a close that waits for calls
// already sent. A node only says what to read, how to validate it and which call to make.

import type { Node, NodeAPI, NodeMessage, NodeMessageInFlow } from 'node-red';
import { Bitrix24Error, redactSecrets, ResponseTime, RestCaller } from '../bitrix24';
import type { PortalNode } from './bitrix24-portal';
import { failureReporter } from './failure-output';
import { evaluateProperty, PropertySource } from './node-property';
import { RequestStatus } from './request-status';

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
  /** Makes the call. */
  send(caller: RestCaller, request: Request): Promise<Outcome>;
  /** Fields added to `msg.bitrix24` besides `method` and `time`. */
  details?(outcome: Outcome): Record<string, unknown>;
  /** Names the input an error is about (`msg.event_token`), or '' when it is about none. */
  sourceOf(error: Bitrix24Error): string;
  /** The shared catalogue's status key shown after a success; default `ok`. */
  successStatus?: string;
}

/** How long close waits for calls already sent, below Node-RED's 15 s close timeout. */
const CLOSE_GRACE_MS = 10_000;

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
  const status = new RequestStatus(node, RED);
  const report = failureReporter(RED, node);
  const inFlight = new Set<Promise<void>>();

  portal?.register(node);
  if (portal === null) status.unusable('NO_PORTAL');

  async function handle(msg: NodeMessageInFlow, send: Send, done: Done): Promise<void> {
    let started = false;
    let outcome: Outcome;
    try {
      if (portal === null) throw new Bitrix24Error('NO_PORTAL', 'No Bitrix24 portal is configured for this node.');
      const client = portal.client();
      const values = await Promise.all(
        call.sources.map((source) => (source === undefined ? undefined : evaluateProperty(RED, node, source, msg))),
      );
      const request = call.prepare(values);
      status.started();
      started = true;
      outcome = await call.send(client, request);
    } catch (error) {
      const failure = toBitrix24Error(error);
      status.failed(failure.code, started);
      report(failure, msg, send, done, call.sourceOf(failure));
      return;
    }
    msg.payload = outcome.result;
    msg.bitrix24 = { method: call.method, time: outcome.time, ...(call.details?.(outcome) ?? {}) };
    status.succeeded(call.successStatus);
    send([msg, null]);
    done();
  }

  node.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
    const work = handle(msg, send, done);
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  });

  node.on('close', (_removed: boolean, done: () => void) => {
    portal?.deregister(node);
    const finish = (): void => {
      status.clear();
      done();
    };
    if (inFlight.size === 0) {
      finish();
      return;
    }
    const timer = setTimeout(finish, CLOSE_GRACE_MS);
    void Promise.all([...inFlight]).then(() => {
      clearTimeout(timer);
      finish();
    });
  });
}

/** Anything thrown on the way (a bug included) becomes a Bitrix24Error, so the message still leaves the node. */
function toBitrix24Error(error: unknown): Bitrix24Error {
  if (error instanceof Bitrix24Error) return error;
  const detail = redactSecrets(error instanceof Error ? error.message : String(error));
  return new Bitrix24Error('INTERNAL_ERROR', `Unexpected internal error in the Bitrix24 node: ${detail}`, {
    description: detail,
  });
}
