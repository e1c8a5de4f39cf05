import type { Node, NodeAPI, NodeDef } from 'node-red';
import { ACTIVITY_LOG_METHOD, prepareActivityLog, sendActivityLog } from '../bitrix24';
import { describeSource, PropertySource } from './node-property';
import { servePortalCalls } from './portal-call-node';

/** The log node's properties as saved in the flow: a public contract, flows depend on these names. */
export interface BizprocLogNodeDef extends NodeDef {
  portal: string;
  eventToken?: string;
  eventTokenType?: string;
  message?: string;
  messageType?: string;
  /** Where the auth block is read when the portal takes auth from each message; default `msg.auth`. */
  messageAuth?: string;
  messageAuthType?: string;
}

export = function registerBizprocLogNode(RED: NodeAPI): void {
  function BizprocLogNode(this: Node, def: BizprocLogNodeDef): void {
    RED.nodes.createNode(this, def);
    const tokenSource: PropertySource = { value: def.eventToken || 'event_token', type: def.eventTokenType || 'msg' };
    const messageSource: PropertySource = { value: def.message || 'payload', type: def.messageType || 'msg' };
    servePortalCalls(RED, this, def.portal, {
      method: ACTIVITY_LOG_METHOD,
      sources: [tokenSource, messageSource],
      prepare: ([token, message]) => prepareActivityLog(token, message),
      send: sendActivityLog,
      details: (outcome) => (outcome.truncated ? { truncated: true } : {}),
      // Names where the faulty input came from, so the error message can say which property to fix.
      authSource: { value: def.messageAuth || 'auth', type: def.messageAuthType || 'msg' },
      sourceOf: (error) => {
        if (error.code === 'INVALID_EVENT_TOKEN') return describeSource(tokenSource);
        if (error.code === 'EMPTY_LOG_MESSAGE' || error.code === 'INVALID_LOG_MESSAGE') return describeSource(messageSource);
        return '';
      },
    });
  }

  RED.nodes.registerType('bitrix24-bizproc-log', BizprocLogNode);
};
