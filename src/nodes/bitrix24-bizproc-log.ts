// bizproc log: writes `msg.payload` into the log of the business process waiting on `msg.event_token`.
import { ACTIVITY_LOG_METHOD, prepareActivityLog, sendActivityLog } from '../bitrix24';
import { portalCallNode } from './portal-call-node';

export = portalCallNode('bitrix24-bizproc-log', {
  // Saved as eventToken/eventTokenType and message/messageType: a public contract, flows depend on these names.
  inputs: {
    eventToken: { property: 'eventToken', default: { value: 'event_token', type: 'msg' } },
    message: { property: 'message', default: { value: 'payload', type: 'msg' } },
  },
  prepare: (values) => prepareActivityLog(values.eventToken, values.message),
  call: sendActivityLog,
  write(msg, outcome) {
    msg.payload = outcome.result;
    msg.bitrix24 = { method: ACTIVITY_LOG_METHOD, time: outcome.time, ...(outcome.truncated ? { truncated: true } : {}) };
  },
  successStatus: 'ok',
});
