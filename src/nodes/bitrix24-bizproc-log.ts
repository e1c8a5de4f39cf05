import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import {
  ACTIVITY_LOG_METHOD,
  ActivityLogResult,
  Bitrix24Error,
  prepareActivityLog,
  redactSecrets,
  sendActivityLog,
} from '../bitrix24';
import type { PortalNode } from './bitrix24-portal';
import { describeSource, evaluateProperty, PropertySource } from './node-property';
import { RequestStatus } from './request-status';
import { failureReporter } from './failure-output';

/** The log node's properties as saved in the flow: a public contract, flows depend on these names. */
export interface BizprocLogNodeDef extends NodeDef {
  portal: string;
  eventToken?: string;
  eventTokenType?: string;
  message?: string;
  messageType?: string;
}

/** How long close waits for calls already sent, below Node-RED's 15 s close timeout. */
const CLOSE_GRACE_MS = 10_000;

type Send = (msg: NodeMessage | Array<NodeMessage | null>) => void;
type Done = (err?: Error) => void;

export = function registerBizprocLogNode(RED: NodeAPI): void {
  function BizprocLogNode(this: Node, def: BizprocLogNodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const portal = RED.nodes.getNode(def.portal) as PortalNode | null;
    const tokenSource: PropertySource = { value: def.eventToken || 'event_token', type: def.eventTokenType || 'msg' };
    const messageSource: PropertySource = { value: def.message || 'payload', type: def.messageType || 'msg' };
    const status = new RequestStatus(node, RED);
    const report = failureReporter(RED, node);
    const inFlight = new Set<Promise<void>>();

    portal?.register(node);
    if (portal === null) status.unusable('NO_PORTAL');

    async function handle(msg: NodeMessageInFlow, send: Send, done: Done): Promise<void> {
      let started = false;
      let outcome: ActivityLogResult;
      try {
        if (portal === null) throw new Bitrix24Error('NO_PORTAL', 'No Bitrix24 portal is configured for this node.');
        const client = portal.client();
        const [token, message] = await Promise.all([
          evaluateProperty(RED, node, tokenSource, msg),
          evaluateProperty(RED, node, messageSource, msg),
        ]);
        const request = prepareActivityLog(token, message);
        status.started();
        started = true;
        outcome = await sendActivityLog(client, request);
      } catch (error) {
        const failure = toBitrix24Error(error);
        status.failed(failure.code, started);
        report(failure, msg, send, done, sourceOf(failure));
        return;
      }
      msg.payload = outcome.result;
      msg.bitrix24 = {
        method: ACTIVITY_LOG_METHOD,
        time: outcome.time,
        ...(outcome.truncated ? { truncated: true } : {}),
      };
      status.succeeded();
      send([msg, null]);
      done();
    }

    /** Names where the faulty input came from, so the error message can say which property to fix. */
    function sourceOf(error: Bitrix24Error): string {
      if (error.code === 'INVALID_EVENT_TOKEN') return describeSource(tokenSource);
      if (error.code === 'EMPTY_LOG_MESSAGE' || error.code === 'INVALID_LOG_MESSAGE') return describeSource(messageSource);
      return '';
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

  RED.nodes.registerType('bitrix24-bizproc-log', BizprocLogNode);
};

/** Anything thrown on the way (a bug included) becomes a Bitrix24Error, so the message still leaves the node. */
function toBitrix24Error(error: unknown): Bitrix24Error {
  if (error instanceof Bitrix24Error) return error;
  const detail = redactSecrets(error instanceof Error ? error.message : String(error));
  return new Bitrix24Error('INTERNAL_ERROR', `Unexpected internal error in the Bitrix24 node: ${detail}`, {
    description: detail,
  });
}
