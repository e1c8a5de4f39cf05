import type { Node, NodeAPI, NodeDef } from 'node-red';
import { EVENT_SEND_METHOD, prepareEventSend, sendEvent } from '../bitrix24';
import { describeSource, PropertySource } from './node-property';
import { servePortalCalls } from './portal-call-node';

/** The event.send node's properties as saved in the flow: a public contract, flows depend on these names. */
export interface BizprocEventSendNodeDef extends NodeDef {
  portal: string;
  eventToken?: string;
  eventTokenType?: string;
  returnValues?: string;
  returnValuesType?: string;
  /** Empty: no log line is sent with the answer. */
  logMessage?: string;
  logMessageType?: string;
  /** Where the auth block is read when the portal takes auth from each message; default `msg.auth`. */
  messageAuth?: string;
  messageAuthType?: string;
}

export = function registerBizprocEventSendNode(RED: NodeAPI): void {
  function BizprocEventSendNode(this: Node, def: BizprocEventSendNodeDef): void {
    RED.nodes.createNode(this, def);
    const tokenSource: PropertySource = { value: def.eventToken || 'event_token', type: def.eventTokenType || 'msg' };
    const valuesSource: PropertySource = { value: def.returnValues || 'payload', type: def.returnValuesType || 'msg' };
    const lineSource: PropertySource | undefined = def.logMessage ? { value: def.logMessage, type: def.logMessageType || 'str' } : undefined;
    servePortalCalls(RED, this, def.portal, {
      method: EVENT_SEND_METHOD,
      sources: [tokenSource, valuesSource, lineSource],
      prepare: ([token, values, line]) => prepareEventSend(token, values, line),
      send: sendEvent,
      successStatus: 'answered',
      authSource: { value: def.messageAuth || 'auth', type: def.messageAuthType || 'msg' },
      sourceOf: (error) => {
        if (error.code === 'INVALID_EVENT_TOKEN') return describeSource(tokenSource);
        if (error.code === 'INVALID_RETURN_VALUES') return describeSource(valuesSource);
        if ((error.code === 'EMPTY_LOG_MESSAGE' || error.code === 'INVALID_LOG_MESSAGE') && lineSource) return describeSource(lineSource);
        return '';
      },
    });
  }

  RED.nodes.registerType('bitrix24-bizproc-event-send', BizprocEventSendNode);
};
