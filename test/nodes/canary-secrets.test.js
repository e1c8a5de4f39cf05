'use strict';
// Runs the suite's scenarios with a distinctive webhook secret and event tokens, and proves that none of them
// reaches a log line, a status, an error, or anything the nodes add to a message.
const assert = require('node:assert/strict');
const util = require('node:util');
const helper = require('node-red-node-test-helper');
const portalNode = require('../../nodes/bitrix24-portal.js');
const logNode = require('../../nodes/bitrix24-bizproc-log.js');
const { Bitrix24Emulator } = require('../../dist/emulator');
const { logFlow, nextMessage } = require('../support/node-flow');

helper.init(require.resolve('node-red'));

const CANARY_SECRET = 'CanaryWebhookSecret7q9z';

describe('secrets never leave the nodes (canary)', function () {
  let emulator;
  const seenTokens = [];
  const observed = [];

  before(async () => {
    emulator = new Bitrix24Emulator({ rateLimit: false, webhookSecret: CANARY_SECRET });
    await emulator.start();
  });
  after(() => emulator.stop());
  afterEach(() => emulator.clearFaults());

  function token() {
    const { eventToken } = emulator.startWorkflow();
    seenTokens.push(eventToken);
    return eventToken;
  }

  /** Loads a flow, watches statuses of every node, and returns what a flow author could see of each message. */
  async function run(scenario, { wireErrors = true, webhookUrl = emulator.webhookUrl(), messages }) {
    const extra = [
      { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'tab' },
    ];
    await helper.load([portalNode, logNode], logFlow({ wireErrors, extra }), { portal: { webhookUrl } });
    const log = helper.getNode('log');
    const setStatus = log.status.bind(log);
    log.status = (status) => {
      observed.push({ scenario, status });
      setStatus(status);
    };
    const ends = [helper.getNode('ok'), helper.getNode('err'), helper.getNode('caught')];
    for (const msg of messages) {
      const arrived = Promise.race(ends.map((node) => nextMessage(node)));
      log.receive(msg);
      const out = await arrived;
      // What the node added; msg.event_token is the flow's own property, passed on untouched.
      observed.push({ scenario, payload: out.payload, bitrix24: out.bitrix24, error: out.error });
    }
    observed.push(...helper.log().getCalls().map((call) => ({ scenario, log: call.args })));
    await helper.unload();
  }

  it('success, portal errors, local errors and every transport fault', async () => {
    await run('success', { messages: [{ event_token: token(), payload: 'ok' }] });
    await run('forged token', { messages: [{ event_token: token().replace(/[0-9a-f]$/, 'x'), payload: 'x' }] });
    await run('token with a space', { messages: [{ event_token: `${token()} extra`, payload: 'x' }] });
    await run('empty message', { messages: [{ event_token: token(), payload: '' }] });
    await run('unwired errors', { wireErrors: false, messages: [{ event_token: `${token()}x`, payload: 'x' }, { payload: 'no token' }] });
    const faults = [
      { type: 'status', status: 500, body: { error: 'INTERNAL_SERVER_ERROR', error_description: `failed ${emulator.webhookUrl()}` } },
      { type: 'status', status: 400, body: { error: 'INVALID_REQUEST', error_description: `bad token ${seenTokens[0]}` } },
      { type: 'html', status: 502 },
      { type: 'malformed-json', status: 200 },
      { type: 'reset-before' },
      { type: 'lost-after' },
      { type: 'redirect', status: 302, location: `${emulator.webhookUrl().replace('127.0.0.1', 'localhost')}bizproc.activity.log` },
    ];
    for (const fault of faults) {
      emulator.injectFault(fault);
      await run(`fault ${fault.type}`, { messages: [{ event_token: token(), payload: 'x' }] });
      await run(`fault ${fault.type}, unwired`, { wireErrors: false, messages: [] });
    }
    await run('wrong secret', { webhookUrl: emulator.webhookUrl().replace(CANARY_SECRET, `${CANARY_SECRET}Wrong`), messages: [{ event_token: token(), payload: 'x' }] });
    await run('malformed webhook URL', { webhookUrl: `http://example.com/rest/1/${CANARY_SECRET}/`, messages: [{ event_token: token(), payload: 'x' }] });
  });

  it('found no secret in anything observed', () => {
    const text = util.inspect(observed, { depth: 20, maxArrayLength: null, maxStringLength: null });
    assert.ok(observed.length > 40, `observed ${observed.length} things`);
    assert.ok(text.includes('ACCESS_DENIED') && text.includes('NO_AUTH_FOUND'), 'the scenarios ran');
    assert.ok(!text.includes(CANARY_SECRET), 'the webhook secret leaked');
    for (const eventToken of seenTokens) {
      const signature = eventToken.split('.').pop();
      assert.ok(!text.includes(eventToken), 'an event token leaked');
      assert.ok(!text.includes(signature), 'an event token signature leaked');
    }
  });
});
