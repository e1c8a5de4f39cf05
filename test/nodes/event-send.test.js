'use strict';
const assert = require('node:assert/strict');
const helper = require('node-red-node-test-helper');
const portalNode = require('../../nodes/bitrix24-portal.js');
const eventSendNode = require('../../nodes/bitrix24-bizproc-event-send.js');
const { Bitrix24Emulator } = require('../../dist/emulator');
const { callFlow, nextMessage, collect, StatusLog } = require('../support/node-flow');

helper.init(require.resolve('node-red'));
// Status texts are keys of the shared catalogue, namespaced by the package's name.
const CATALOGUE = `${require('../../package.json').name}/bitrix24-portal:bitrix24`;

describe('bitrix24-bizproc-event-send node', function () {
  let emulator;
  let credentials;

  before(async () => {
    emulator = new Bitrix24Emulator({ rateLimit: false });
    await emulator.start();
    credentials = { portal: { webhookUrl: emulator.webhookUrl() } };
  });
  after(() => emulator.stop());
  afterEach(() => helper.unload());

  async function load({ node = {}, ...options } = {}) {
    const flow = callFlow({
      ...options,
      node: {
        id: 'send',
        type: 'bitrix24-bizproc-event-send',
        name: 'send',
        eventToken: 'event_token',
        eventTokenType: 'msg',
        returnValues: 'payload',
        returnValuesType: 'msg',
        logMessage: '',
        logMessageType: 'str',
        ...node,
      },
    });
    await helper.load([portalNode, eventSendNode], flow, credentials);
    return { send: helper.getNode('send'), ok: helper.getNode('ok'), err: helper.getNode('err') };
  }

  it('delivers the return values, closes the activity and sends the API result on output 1', async () => {
    const { send, ok } = await load();
    const { workflowId, eventToken } = emulator.startWorkflow();
    const arrived = nextMessage(ok);
    send.receive({ event_token: eventToken, payload: { outputString: 'done', count: 2 }, topic: 'kept' });
    const msg = await arrived;
    assert.equal(msg.payload, true);
    assert.equal(msg.topic, 'kept');
    assert.equal(msg.bitrix24.method, 'bizproc.event.send');
    assert.equal(typeof msg.bitrix24.time.duration, 'number');
    assert.deepEqual(emulator.returnValuesOf(workflowId), { outputString: 'done', count: 2 });
    assert.deepEqual(emulator.logOf(workflowId), [], 'no log line when none is configured');
  });

  it('sends the optional log line with the answer', async () => {
    const { send, ok } = await load({ node: { logMessage: 'summary', logMessageType: 'msg' } });
    const { workflowId, eventToken } = emulator.startWorkflow();
    const arrived = nextMessage(ok);
    send.receive({ event_token: eventToken, payload: {}, summary: 'All steps finished' });
    await arrived;
    assert.deepEqual(emulator.logOf(workflowId).map((line) => line.message), ['All steps finished']);
  });

  it('sends no line when the configured log line evaluates to nothing', async () => {
    const { send, ok } = await load({ node: { logMessage: 'summary', logMessageType: 'msg' } });
    const { workflowId, eventToken } = emulator.startWorkflow();
    const arrived = nextMessage(ok);
    send.receive({ event_token: eventToken, payload: { a: 1 } });
    await arrived;
    assert.deepEqual(emulator.logOf(workflowId), []);
    assert.deepEqual(emulator.returnValuesOf(workflowId), { a: 1 });
  });

  it('takes fixed JSON return values', async () => {
    const { send, ok } = await load({ node: { returnValues: '{"outputString":"fixed"}', returnValuesType: 'json' } });
    const { workflowId, eventToken } = emulator.startWorkflow();
    const arrived = nextMessage(ok);
    send.receive({ event_token: eventToken });
    await arrived;
    assert.deepEqual(emulator.returnValuesOf(workflowId), { outputString: 'fixed' });
  });

  it('reports an activity answered already as ERROR_ACTIVITY_CLOSED on output 2', async () => {
    const { send, ok, err } = await load();
    const { workflowId, eventToken } = emulator.startWorkflow();
    let arrived = nextMessage(ok);
    send.receive({ event_token: eventToken, payload: { first: true } });
    await arrived;
    arrived = nextMessage(err);
    send.receive({ event_token: eventToken, payload: { second: true } });
    const msg = await arrived;
    assert.equal(msg.error.code, 'ERROR_ACTIVITY_CLOSED');
    assert.equal(msg.error.statusCode, 400);
    assert.deepEqual(emulator.returnValuesOf(workflowId), { first: true });
  });

  describe('return values that are not an object never reach the portal', () => {
    const cases = [
      ['text', 'done'],
      ['a number', 42],
      ['a boolean', true],
      ['null', null],
      ['an array', ['a', 'b']],
      ['a Buffer', Buffer.from('{}')],
      ['nothing', undefined],
    ];
    for (const [name, payload] of cases) {
      it(`${name} → INVALID_RETURN_VALUES`, async () => {
        const { send, err } = await load();
        const { workflowId, eventToken } = emulator.startWorkflow();
        emulator.resetRequests();
        const arrived = nextMessage(err);
        send.receive({ event_token: eventToken, payload });
        const msg = await arrived;
        assert.equal(msg.error.code, 'INVALID_RETURN_VALUES');
        assert.equal(typeof msg.error.message, 'string');
        assert.equal(emulator.requests.length, 0);
        assert.equal(emulator.returnValuesOf(workflowId), undefined, 'the activity still waits');
      });
    }
  });

  it('checks the token before the return values', async () => {
    const { send, err } = await load();
    const arrived = nextMessage(err);
    send.receive({ payload: 'not an object' });
    assert.equal((await arrived).error.code, 'INVALID_EVENT_TOKEN');
  });

  it('sends an error to Catch nodes through done(err) when output 2 is not wired', async () => {
    const extra = [{ id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] }, { id: 'caught', type: 'helper', z: 'tab' }];
    const { send, err } = await load({ wireErrors: false, extra });
    const errMessages = collect(err);
    const arrived = nextMessage(helper.getNode('caught'));
    send.receive({ event_token: emulator.startWorkflow().eventToken, payload: [1] });
    const msg = await arrived;
    assert.equal(msg.error.code, 'INVALID_RETURN_VALUES');
    assert.equal(msg.error.source.id, 'send');
    assert.equal(errMessages.length, 0);
  });

  it('shows calls in flight, then "answered" or the kind of error, and clears the status on close', async () => {
    const { send, ok, err } = await load();
    const statuses = new StatusLog();
    statuses.watch(send);
    let arrived = nextMessage(ok);
    send.receive({ event_token: emulator.startWorkflow().eventToken, payload: {} });
    await arrived;
    arrived = nextMessage(err);
    send.receive({ event_token: emulator.startWorkflow().eventToken, payload: 'x' });
    await arrived;
    await helper.unload();
    assert.deepEqual(
      statuses.of('send').map((s) => `${s.fill ?? ''}:${s.text ?? ''}`),
      [
        `blue:${CATALOGUE}.status.sending`,
        `green:${CATALOGUE}.status.answered`,
        `red:${CATALOGUE}.status.failed.input`,
        ':',
      ],
    );
  });
});
