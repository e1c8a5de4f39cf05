'use strict';
// A redeploy in the middle of the work: the portal's queue outlives it when the new flows keep the portal as it is,
// and the results of messages on their way come out of the node the deploy started in place of the one that took
// them in. A node the deploy removes withdraws its waiting calls. Node-RED's own deploys (helper.setFlows), over the
// emulator's real sockets; the messages that arrive anywhere are seen through Node-RED's onReceive hook, which
// outlives the node instances.
const assert = require('node:assert/strict');
const helper = require('node-red-node-test-helper');
const portalNode = require('../../nodes/bitrix24-portal.js');
const logNode = require('../../nodes/bitrix24-bizproc-log.js');
const { Bitrix24Emulator } = require('../../dist/emulator');
const { placed } = require('../support/node-flow');

helper.init(require.resolve('node-red'));

/** A portal whose bucket lets one request through a second, one log node, and its two ends. */
function flow({ log = {}, portal = {}, withLog = true } = {}) {
  return placed([
    { id: 'tab', type: 'tab', label: 'redeploy' },
    { id: 'portal', type: 'bitrix24-portal', name: 'emulator', authType: 'webhook', rateLimit: 'custom', burst: 2, drainRate: 1, maxQueue: 1000, maxWait: 600, ...portal },
    ...(withLog
      ? [{ id: 'log', type: 'bitrix24-bizproc-log', z: 'tab', portal: 'portal', eventToken: 'event_token', eventTokenType: 'msg', message: 'payload', messageType: 'msg', wires: [['ok'], ['err']], ...log }]
      : []),
    { id: 'ok', type: 'helper', z: 'tab' },
    { id: 'err', type: 'helper', z: 'tab' },
  ]);
}

describe('a redeploy while calls wait and are in flight', function () {
  this.timeout(30_000);
  let emulator;
  let credentials;
  let arrivals;

  before(async () => {
    emulator = new Bitrix24Emulator({ rateLimit: false });
    await emulator.start();
    credentials = { portal: { webhookUrl: emulator.webhookUrl() } };
    // A grace far shorter than the bucket's pace: a queue that did not outlive the deploy could not drain in it.
    helper.settings({ bitrix24PortalCloseGrace: 100 });
  });
  after(async () => {
    helper.settings({});
    await emulator.stop();
  });
  beforeEach(() => {
    arrivals = [];
    helper._RED.hooks.add('onReceive.redeployTest', (event) => {
      if (event.destination.id === 'ok' || event.destination.id === 'err') arrivals.push({ at: event.destination.id, msg: event.msg });
    });
  });
  afterEach(async () => {
    helper._RED.hooks.remove('*.redeployTest');
    emulator.clearFaults();
    await helper.unload();
  });

  /** Resolves once `count` messages have arrived at ok or err, from any instance of them. */
  async function arrived(count) {
    const giveUpAt = Date.now() + 20_000;
    while (arrivals.length < count) {
      if (Date.now() > giveUpAt) throw new Error(`${arrivals.length} of ${count} messages arrived`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    return arrivals;
  }

  /** Sends `count` lines for one workflow; the first goes at once, held in flight by a delay, the rest wait. */
  async function sendLines(count) {
    const { workflowId, eventToken } = emulator.startWorkflow();
    emulator.injectFault({ type: 'delay', ms: 400 });
    const log = helper.getNode('log');
    log.receive({ event_token: eventToken, payload: 'line 0' });
    await emulator.waitForRequests(1);
    for (let i = 1; i < count; i += 1) log.receive({ event_token: eventToken, payload: `line ${i}` });
    return workflowId;
  }

  it('keeps the portal’s queue: every line written once, every result out of the new node', async () => {
    await helper.load([portalNode, logNode], flow(), credentials);
    emulator.resetRequests();
    const workflowId = await sendLines(60);
    await helper.setFlows(flow({ log: { name: 'renamed' } }), 'full', credentials);
    const ended = await arrived(60);
    assert.deepEqual(ended.map((a) => a.at), Array(60).fill('ok'), JSON.stringify(ended.filter((a) => a.at === 'err').map((a) => a.msg.error)));
    assert.deepEqual(emulator.logOf(workflowId).map((l) => l.message), Array.from({ length: 60 }, (_, i) => `line ${i}`));
    assert.equal(helper.getNode('log').name, 'renamed', 'the results came out of the new instance');
  });

  it('keeps the queue in a deploy of the changed nodes only', async () => {
    await helper.load([portalNode, logNode], flow(), credentials);
    const workflowId = await sendLines(30);
    await helper.setFlows(flow({ log: { name: 'changed' } }), 'nodes', credentials);
    const ended = await arrived(30);
    assert.ok(ended.every((a) => a.at === 'ok'));
    assert.equal(emulator.logOf(workflowId).length, 30);
  });

  it('hands the messages to the new node even when the portal changed, which drains its old queue', async () => {
    await helper.load([portalNode, logNode], flow(), credentials);
    const workflowId = await sendLines(20);
    // Another timeout: another connection. The old queue sends what its grace allows, the rest end NODE_CLOSED.
    await helper.setFlows(flow({ portal: { timeout: 30 } }), 'full', credentials);
    assert.deepEqual(emulator.logOf(workflowId).map((l) => l.message), ['line 0'], 'the line in flight was written, the waiting ones withdrawn');
    // The grace ended while the line's answer was still held back: cut off, it may have run, and says so.
    const [outcome] = await arrived(1);
    assert.ok(outcome.at === 'ok' || outcome.msg.error.ambiguous === true, JSON.stringify(outcome.msg.error));
    assert.ok(helper.getNode('log'), 'through the node the deploy started');
  });

  it('withdraws the waiting calls of a node the deploy removes, and counts what was in flight in one warning', async () => {
    await helper.load([portalNode, logNode], flow(), credentials);
    const old = helper.getNode('log');
    const warnings = [];
    old.warn = (text) => warnings.push(String(text));
    const workflowId = await sendLines(10);
    await helper.setFlows(flow({ withLog: false }), 'full', credentials);
    assert.deepEqual(emulator.logOf(workflowId).map((l) => l.message), ['line 0'], 'only the line in flight was written');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /removedWithPending/);
    assert.deepEqual(arrivals, [], 'nothing comes out of a removed node');
  });
});
