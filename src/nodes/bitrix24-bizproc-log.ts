import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { ACTIVITY_LOG_METHOD, ActivityLogResult, Bitrix24Error, prepareActivityLog, sendActivityLog } from '../bitrix24';
import type { PortalNode } from './bitrix24-portal';
import { describeSource, PropertySource, withProperties } from './node-property';
import { MessageLifecycle } from './message-lifecycle';

/** The log node's properties as saved in the flow: a public contract, flows depend on these names. */
export interface BizprocLogNodeDef extends NodeDef {
  portal: string;
  eventToken?: string;
  eventTokenType?: string;
  message?: string;
  messageType?: string;
}

type Send = (msg: NodeMessage | Array<NodeMessage | null>) => void;
type Done = (err?: Error) => void;

/** Output 1: the API result in `msg.payload`, the call's details in `msg.bitrix24`. */
function applyOutcome(msg: NodeMessage, outcome: ActivityLogResult): void {
  msg.payload = outcome.result;
  msg.bitrix24 = { method: ACTIVITY_LOG_METHOD, time: outcome.time, ...(outcome.truncated ? { truncated: true } : {}) };
}

export = function registerBizprocLogNode(RED: NodeAPI): void {
  function BizprocLogNode(this: Node, def: BizprocLogNodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const portal = RED.nodes.getNode(def.portal) as PortalNode | null;
    const tokenSource: PropertySource = { value: def.eventToken || 'event_token', type: def.eventTokenType || 'msg' };
    const messageSource: PropertySource = { value: def.message || 'payload', type: def.messageType || 'msg' };
    const sources = [tokenSource, messageSource];
    const lifecycle = new MessageLifecycle<ActivityLogResult>(RED, node, applyOutcome, sourceOf);

    portal?.register(node);
    if (portal === null) lifecycle.unusable('NO_PORTAL');

    /** Names where the faulty input came from, so the error message can say which property to fix. */
    function sourceOf(error: Bitrix24Error): string {
      if (error.code === 'INVALID_EVENT_TOKEN') return describeSource(tokenSource);
      if (error.code === 'EMPTY_LOG_MESSAGE' || error.code === 'INVALID_LOG_MESSAGE') return describeSource(messageSource);
      return '';
    }

    node.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
      lifecycle.accept(msg, send, done, ({ signal, started }) => {
        if (portal === null) throw new Bitrix24Error('NO_PORTAL', 'No Bitrix24 portal is configured for this node.');
        const client = portal.client();
        return withProperties(RED, node, sources, msg, ([token, message]) => {
          const request = prepareActivityLog(token, message);
          started();
          return sendActivityLog(client, request, { signal });
        });
      });
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      portal?.deregister(node);
      lifecycle.close(done);
    });
  }

  RED.nodes.registerType('bitrix24-bizproc-log', BizprocLogNode);
};
