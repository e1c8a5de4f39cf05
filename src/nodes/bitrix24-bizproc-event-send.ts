// bizproc event send: answers the activity waiting on `msg.event_token` with its return values, which closes it.
import { EVENT_SEND_METHOD, prepareEventSend, sendEvent } from '../bitrix24';
import { portalCallNode } from './portal-call-node';

export = portalCallNode('bitrix24-bizproc-event-send', {
  // Saved as eventToken, returnValues and logMessage (each with its Type): a public contract, flows depend on them.
  inputs: {
    eventToken: { property: 'eventToken', default: { value: 'event_token', type: 'msg' } },
    returnValues: { property: 'returnValues', default: { value: 'payload', type: 'msg' } },
    // Empty: no log line is sent with the answer.
    logMessage: { property: 'logMessage', default: { value: '', type: 'str' }, optional: true },
  },
  prepare: (values) => prepareEventSend(values.eventToken, values.returnValues, values.logMessage),
  call: sendEvent,
  write(msg, outcome) {
    msg.payload = outcome.result;
    msg.bitrix24 = { method: EVENT_SEND_METHOD, time: outcome.time };
  },
  successStatus: 'answered',
});
