'use strict';
// The generic call node in a real Node-RED (packed package), mixed with the log node on one portal under the
// standard limit (burst 50, 2 a second): both share the portal's one queue, so together they cause no 503, and every
// call is answered exactly once.
const assert = require('node:assert/strict');
const { Bitrix24Emulator } = require('../../dist/emulator');
const { startNodeRed } = require('../support/node-red-runtime');

const SECRET = 'CallNodeCanarySecret77';

function mixedFlow(webhookUrl) {
  const debug = (id, complete) => ({ id, type: 'debug', z: 'tab', name: id, active: true, tosidebar: true, console: false, complete, targetType: 'msg', x: 700, y: 100, wires: [] });
  return [
    { id: 'tab', type: 'tab', label: 'mixed' },
    { id: 'portal', type: 'bitrix24-portal', name: 'emulator', authType: 'webhook', rateLimit: 'standard', credentials: { webhookUrl } },
    { id: 'in', type: 'http in', z: 'tab', url: '/mix', method: 'post', x: 100, y: 100, wires: [['fan', 'answer']] },
    { id: 'answer', type: 'http response', z: 'tab', statusCode: '200', x: 300, y: 200, wires: [] },
    {
      id: 'fan',
      type: 'function',
      z: 'tab',
      name: 'one message per line and per deal',
      func: [
        'for (const line of msg.payload.lines) node.send([{ event_token: line.token, payload: line.text, topic: line.text }, null]);',
        'for (const id of msg.payload.deals) node.send([null, { payload: { id }, topic: `deal ${id}` }]);',
        'return null;',
      ].join('\n'),
      outputs: 2,
      x: 300,
      y: 100,
      wires: [['log'], ['call']],
    },
    { id: 'log', type: 'bitrix24-bizproc-log', z: 'tab', portal: 'portal', eventToken: 'event_token', eventTokenType: 'msg', message: 'payload', messageType: 'msg', x: 500, y: 80, wires: [['logged'], ['failed']] },
    { id: 'call', type: 'bitrix24-call', z: 'tab', portal: 'portal', method: 'crm.deal.get', methodType: 'str', params: 'payload', paramsType: 'msg', repeatable: true, allPages: false, x: 500, y: 140, wires: [['called'], ['failed']] },
    debug('logged', 'topic'),
    debug('called', 'payload.ID'),
    debug('failed', 'error'),
    // Bad input, to see which input each error names.
    { id: 'bad-in', type: 'http in', z: 'tab', url: '/bad', method: 'post', x: 100, y: 300, wires: [['bad-fan', 'bad-answer']] },
    { id: 'bad-answer', type: 'http response', z: 'tab', statusCode: '200', x: 300, y: 360, wires: [] },
    {
      id: 'bad-fan',
      type: 'function',
      z: 'tab',
      func: 'node.send([{ topic: msg.payload.method, payload: msg.payload.params }, { payload: "a line" }]);\nreturn null;',
      outputs: 2,
      x: 300,
      y: 300,
      wires: [['bad-call'], ['bad-log']],
    },
    { id: 'bad-call', type: 'bitrix24-call', z: 'tab', portal: 'portal', method: 'topic', methodType: 'msg', params: 'payload', paramsType: 'msg', x: 500, y: 300, wires: [[], ['refused']] },
    { id: 'bad-log', type: 'bitrix24-bizproc-log', z: 'tab', portal: 'portal', eventToken: 'event_token', eventTokenType: 'msg', message: 'payload', messageType: 'msg', x: 500, y: 340, wires: [[], ['refused']] },
    debug('refused', 'error'),
  ];
}

describe('bitrix24-call in Node-RED (packed package), mixed with the log node under the standard limit', function () {
  this.timeout(120_000);
  let emulator;
  let runtime;
  let debug;

  before(async () => {
    emulator = new Bitrix24Emulator({ webhookSecret: SECRET, scopes: ['bizproc', 'crm'], rateLimit: { burst: 50, drainPerSecond: 2 } });
    await emulator.start();
    runtime = await startNodeRed();
    debug = await runtime.watchDebug();
    await runtime.deploy(mixedFlow(emulator.webhookUrl()));
  });
  after(async () => {
    await runtime?.stop();
    await emulator?.stop();
  });

  it('shares one queue and one limit: no 503, every call answered once, every line written once in order', async () => {
    const workflows = Array.from({ length: 20 }, () => emulator.startWorkflow());
    const deals = emulator.seedDeals(200);
    const lines = [];
    // A burst that batches (the nodes' calls travel together), then calls arriving one by one, which go alone and
    // spend the portal's burst: together more requests than the burst allows, so the limit must hold them back.
    const burst = { lines: [], deals: deals.slice(0, 100) };
    for (let i = 0; i < 100; i += 1) burst.lines.push({ token: workflows[i % 20].eventToken, text: `burst ${i}` });
    lines.push(...burst.lines);
    assert.equal((await runtime.request('POST', 'mix', { body: burst })).status, 200);
    for (let i = 0; i < 100; i += 1) {
      const one = { lines: [{ token: workflows[i % 20].eventToken, text: `single ${i}` }], deals: [deals[100 + i]] };
      lines.push(...one.lines);
      assert.equal((await runtime.request('POST', 'mix', { body: one })).status, 200);
    }
    const expected = lines.length + deals.length;
    const arrived = await debug.waitFor((messages) => messages.filter((m) => ['logged', 'called', 'failed'].includes(m.name)).length >= expected, 90_000);
    const of = (name) => arrived.filter((m) => m.name === name).map((m) => m.msg);
    assert.deepEqual(of('failed'), []);
    assert.deepEqual([...of('logged')].sort(), lines.map((line) => line.text).sort());
    assert.deepEqual(of('called').map(Number).sort((a, b) => a - b), deals);
    for (const [index, workflow] of workflows.entries()) {
      const own = lines.filter((_, i) => (i < 100 ? i : i - 100) % 20 === index).map((line) => line.text);
      assert.deepEqual(emulator.logOf(workflow.workflowId).map((line) => line.message), own, `workflow ${index}: once each, in order`);
    }
    const statuses = emulator.requests.map((request) => request.status);
    // At least one request per two single calls: past the burst, so the package's copy of the limit had to hold them.
    assert.ok(statuses.length > 50, `${statuses.length} requests: the limit was not reached`);
    assert.equal(statuses.filter((status) => status === 503).length, 0, 'the package caused a 503');
    assert.ok(emulator.requests.some((request) => request.restMethod === 'batch' && request.commands === 50), 'log lines and calls batched together');
  });

  it('names the input each refusal is about, in the catalogue’s words, and sends nothing', async () => {
    const before = emulator.requests.length;
    const refusals = async (body, count) => {
      assert.equal((await runtime.request('POST', 'bad', { body })).status, 200);
      const found = await debug.waitFor((messages) => messages.filter((m) => m.name === 'refused').length >= count, 20_000);
      return found.filter((m) => m.name === 'refused').map((m) => JSON.parse(m.msg));
    };
    const [method, token] = await refusals({ method: '../../oauth/token', params: {} }, 2);
    const both = [method, token].sort((a, b) => a.code.localeCompare(b.code));
    assert.equal(both[0].code, 'INVALID_EVENT_TOKEN');
    assert.match(both[0].message, /msg\.event_token/);
    assert.equal(both[1].code, 'INVALID_METHOD');
    assert.match(both[1].message, /msg\.topic/);
    assert.ok(!both[1].message.includes('oauth'), 'the refused value is not repeated');
    const params = (await refusals({ method: 'crm.deal.list', params: 'text' }, 4)).find((error) => error.code === 'INVALID_PARAMS');
    assert.match(params.message, /msg\.payload/);
    assert.equal(emulator.requests.length, before, 'nothing was sent');
  });
});
