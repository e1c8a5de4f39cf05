// Bitrix24 call: any REST method, through the portal's queue, so every call a flow makes shares the portal's limit.
import { AllPagesResult, callAllPages, callMethod, MethodCall, prepareMethodCall, RestResult } from '../bitrix24';
import { portalCallNode } from './portal-call-node';

/** One message's call: the method and parameters, and the node's settings for it. */
interface CallRequest {
  call: MethodCall;
  allPages: boolean;
  repeatable: boolean;
}

export = portalCallNode('bitrix24-call', {
  // Saved as method/methodType and params/paramsType, beside repeatable and allPages: a public contract.
  inputs: {
    method: { property: 'method', default: { value: '', type: 'str' } },
    params: { property: 'params', default: { value: 'payload', type: 'msg' } },
  },
  prepare: (values, def): CallRequest => ({
    call: prepareMethodCall(values.method, values.params),
    allPages: def.allPages === true,
    repeatable: def.repeatable === true,
  }),
  async call(queue, request, options) {
    const callOptions = { ...options, repeatable: request.repeatable };
    const answer: RestResult | AllPagesResult = request.allPages
      ? await callAllPages(queue, request.call, callOptions)
      : await callMethod(queue, request.call, callOptions);
    return { method: request.call.method, answer };
  },
  write(msg, { method, answer }) {
    msg.payload = answer.result;
    msg.bitrix24 = { method, time: answer.time, total: answer.total, next: answer.next, ...('pages' in answer ? { pages: answer.pages } : {}) };
  },
  successStatus: 'called',
});
