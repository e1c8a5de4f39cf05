'use strict';
// The two flows the benchmark compares: this package's log node, and what a user builds today without it
// (a function node building the webhook call, the core http request node, a switch on the status).

const TAB = { id: 'benchtab', type: 'tab', label: 'bench' };
const sink = (id, x) => ({ id, type: 'debug', z: 'benchtab', name: id, active: false, tosidebar: false, console: false, complete: 'false', x, y: 100, wires: [] });

/** The package: one portal (sharing it through Redis when given a URL), one log node, a sink per output. */
function packageFlow({ webhookUrl, rateLimit = 'standard', maxQueue = 100_000, burst, drainRate, redisUrl }) {
  return [
    TAB,
    {
      id: 'benchportal', type: 'bitrix24-portal', name: 'bench', authType: 'webhook', rateLimit, burst, drainRate,
      maxQueue, maxWait: 3600, timeout: 65, retryAmbiguous: false, credentials: { webhookUrl, ...(redisUrl === undefined ? {} : { redisUrl }) },
    },
    {
      id: 'entry', type: 'bitrix24-bizproc-log', z: 'benchtab', name: 'log', portal: 'benchportal',
      eventToken: 'event_token', eventTokenType: 'msg', message: 'payload', messageType: 'msg', x: 200, y: 100,
      wires: [['okSink'], ['errSink']],
    },
    sink('okSink', 400),
    sink('errSink', 400),
  ];
}

/** The generic flow: the webhook URL comes from the environment, as a careful user would keep it out of the flow. */
function genericFlow() {
  const build = [
    "msg.url = env.get('BITRIX24_WEBHOOK') + 'bizproc.activity.log.json';",
    "msg.headers = { 'Content-Type': 'application/json' };",
    'msg.payload = { EVENT_TOKEN: msg.event_token, LOG_MESSAGE: msg.payload };',
    'return msg;',
  ].join('\n');
  return [
    TAB,
    { id: 'entry', type: 'function', z: 'benchtab', name: 'build call', func: build, outputs: 1, x: 100, y: 100, wires: [['request']] },
    {
      id: 'request', type: 'http request', z: 'benchtab', name: 'call', method: 'POST', ret: 'obj', paytoqs: 'ignore',
      url: '', tls: '', persist: false, proxy: '', insecureHTTPParser: false, authType: '', senderr: false, headers: [],
      x: 250, y: 100, wires: [['switch']],
    },
    {
      id: 'switch', type: 'switch', z: 'benchtab', name: 'ok?', property: 'statusCode', propertyType: 'msg',
      rules: [{ t: 'eq', v: '200', vt: 'num' }, { t: 'else' }], checkall: 'false', repair: false, outputs: 2,
      x: 400, y: 100, wires: [['okSink'], ['errSink']],
    },
    // The http request node reports connection failures through Catch, not on its output.
    { id: 'catch', type: 'catch', z: 'benchtab', name: 'failures', scope: null, uncaught: false, x: 400, y: 200, wires: [['errSink']] },
    sink('okSink', 550),
    sink('errSink', 550),
  ];
}

/** Core Node-RED holding the same messages in a rate-limiting delay node: the memory floor of queueing in a flow. */
function coreQueueFlow() {
  return [
    TAB,
    {
      id: 'entry', type: 'delay', z: 'benchtab', name: 'queue', pauseType: 'rate', timeout: '5', timeoutUnits: 'seconds',
      rate: '1', nbRateUnits: '1', rateUnits: 'day', randomFirst: '1', randomLast: '5', randomUnits: 'seconds',
      drop: false, allowrate: false, outputs: 1, x: 200, y: 100, wires: [['okSink']],
    },
    sink('okSink', 400),
    sink('errSink', 400),
  ];
}

module.exports = { packageFlow, genericFlow, coreQueueFlow };
