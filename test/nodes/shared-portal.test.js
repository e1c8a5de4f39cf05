'use strict';
const assert = require('node:assert/strict');
const helper = require('node-red-node-test-helper');
const portalNode = require('../../nodes/bitrix24-portal.js');
const logNode = require('../../nodes/bitrix24-bizproc-log.js');
const { Bitrix24Emulator } = require('../../dist/emulator');
const { placed, nextMessage, collect } = require('../support/node-flow');

helper.init(require.resolve('node-red'));

/** Two log nodes on one portal whose bucket of `burst` lets that less its headroom through, then (practically) none. */
function twoNodeFlow(burst) {
  const logNodeDef = (id) => ({
    id, type: 'bitrix24-bizproc-log', z: 'tab', portal: 'portal', eventToken: 'event_token', eventTokenType: 'msg',
    message: 'payload', messageType: 'msg', wires: [['ok'], ['err']],
  });
  return placed([
    { id: 'tab', type: 'tab', label: 'test' },
    { id: 'portal', type: 'bitrix24-portal', authType: 'webhook', rateLimit: 'custom', burst, drainRate: 0.0001, maxQueue: 100, maxWait: 600 },
    logNodeDef('logA'),
    logNodeDef('logB'),
    { id: 'ok', type: 'helper', z: 'tab' },
    { id: 'err', type: 'helper', z: 'tab' },
  ]);
}

describe('nodes sharing one portal', function () {
  let emulator;

  // Settings are the helper's (a singleton shared by every test file): set them for this file's tests only.
  before(() => helper.settings({ bitrix24PortalCloseGrace: 200 }));
  after(() => helper.settings({}));

  beforeEach(async () => {
    emulator = new Bitrix24Emulator({ rateLimit: false });
    await emulator.start();
  });
  afterEach(async () => {
    await helper.unload();
    await emulator.stop();
  });

  it('share one queue and one rate limit: what one node used, the other must wait for', async () => {
    // A burst of 3 less one request of headroom: two requests go, then the bucket is full.
    await helper.load([portalNode, logNode], twoNodeFlow(3), { portal: { webhookUrl: emulator.webhookUrl() } });
    const [logA, logB, ok] = ['logA', 'logB', 'ok'].map((id) => helper.getNode(id));
    const { workflowId, eventToken } = emulator.startWorkflow();
    const delivered = collect(ok);
    let arrived = nextMessage(ok);
    logA.receive({ event_token: eventToken, payload: 'A1' });
    await arrived;
    arrived = nextMessage(ok);
    logA.receive({ event_token: eventToken, payload: 'A2' });
    await arrived;
    // The bucket is used up by node A: node B's line has to wait in the same queue.
    const statuses = [];
    const setStatus = logB.status.bind(logB);
    logB.status = (status) => {
      statuses.push(status);
      setStatus(status);
    };
    logB.receive({ event_token: eventToken, payload: 'B1' });
    await emulator.waitForRequests(2);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(delivered.map((m) => m.payload), [true, true]);
    assert.equal(emulator.requests.length, 2);
    assert.equal(helper.getNode('portal').queue().queued, 1, 'one portal queue holds node B’s call');
    assert.equal(statuses.at(-1).fill, 'blue', 'node B shows its waiting message');
    assert.deepEqual(emulator.logOf(workflowId).map((l) => l.message), ['A1', 'A2']);
  });

  it('on close, ends every waiting message once with done(err) NODE_CLOSED and warns once with the count', async () => {
    await helper.load([portalNode, logNode], twoNodeFlow(1), { portal: { webhookUrl: emulator.webhookUrl() } });
    const [logA, ok, err] = ['logA', 'ok', 'err'].map((id) => helper.getNode(id));
    const { eventToken } = emulator.startWorkflow();
    const okMessages = collect(ok);
    const errMessages = collect(err);
    // Instance wrappers: the helper's prototype spies are removed by unload, before close runs.
    const ended = [];
    const warnings = [];
    logA.error = (error) => ended.push(error);
    logA.warn = (warning) => warnings.push(warning);
    const arrived = nextMessage(ok);
    logA.receive({ event_token: eventToken, payload: 'sent' });
    await arrived;
    // The bucket (one request) is used up: these wait.
    for (const line of ['waits 1', 'waits 2', 'waits 3']) logA.receive({ event_token: eventToken, payload: line });
    await emulator.waitForRequests(1);
    await helper.unload();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(okMessages.length, 1);
    assert.equal(errMessages.length, 0, 'nothing downstream acts on a closing flow');
    assert.equal(ended.length, 3);
    assert.ok(ended.every((e) => e.code === 'NODE_CLOSED'));
    assert.equal(warnings.length, 1);
    assert.match(String(warnings[0]), /closedWithPending/);
  });
});
