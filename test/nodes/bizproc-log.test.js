'use strict';
const assert = require('node:assert/strict');
const helper = require('node-red-node-test-helper');
const portalNode = require('../../nodes/bitrix24-portal.js');
const logNode = require('../../nodes/bitrix24-bizproc-log.js');
const { Bitrix24Emulator } = require('../../dist/emulator');
const { logFlow, nextMessage, collect } = require('../support/node-flow');

helper.init(require.resolve('node-red'));
// Status texts are keys of the shared catalogue, namespaced by the package's name.
const CATALOGUE = `${require('../../package.json').name}/bitrix24-portal:bitrix24`;

describe('bitrix24-bizproc-log node', function () {
  let emulator;
  let credentials;

  before(async () => {
    emulator = new Bitrix24Emulator({ rateLimit: false });
    await emulator.start();
    credentials = { portal: { webhookUrl: emulator.webhookUrl() } };
  });
  after(() => emulator.stop());
  afterEach(async () => {
    emulator.clearFaults();
    await helper.unload();
  });

  async function load(options = {}) {
    await helper.load([portalNode, logNode], logFlow(options), options.credentials ?? credentials);
    return { log: helper.getNode('log'), ok: helper.getNode('ok'), err: helper.getNode('err') };
  }

  it('writes the line and sends the API result on output 1', async () => {
    const { log, ok } = await load();
    const { workflowId, eventToken } = emulator.startWorkflow();
    const arrived = nextMessage(ok);
    log.receive({ event_token: eventToken, payload: 'Step 1 done', topic: 'kept' });
    const msg = await arrived;
    assert.equal(msg.payload, true);
    assert.equal(msg.topic, 'kept');
    assert.equal(msg.bitrix24.method, 'bizproc.activity.log');
    assert.equal(typeof msg.bitrix24.time.duration, 'number');
    assert.equal(msg.bitrix24.truncated, undefined);
    assert.deepEqual(emulator.logOf(workflowId).map((line) => line.message), ['Step 1 done']);
  });

  it('routes a portal error to output 2 with its code and status', async () => {
    const { log, err } = await load();
    const arrived = nextMessage(err);
    const forged = emulator.startWorkflow().eventToken.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    log.receive({ event_token: forged, payload: 'x' });
    const msg = await arrived;
    assert.equal(msg.error.code, 'ACCESS_DENIED');
    assert.equal(msg.error.statusCode, 403);
    assert.equal(msg.error.description, 'Access denied!');
    assert.equal(typeof msg.error.message, 'string');
    assert.equal(msg.payload, 'x', 'the message is sent on unchanged but for msg.error');
  });

  it('sends an error to Catch nodes through done(err) when output 2 is not wired', async () => {
    const extra = [{ id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] }, { id: 'caught', type: 'helper', z: 'tab' }];
    const { log, err } = await load({ wireErrors: false, extra });
    const errMessages = collect(err);
    const arrived = nextMessage(helper.getNode('caught'));
    log.receive({ event_token: 'not-a-real-token', payload: 'x', _marker: 7 });
    const msg = await arrived;
    assert.equal(msg.error.code, 'ACCESS_DENIED');
    assert.equal(msg.error.source.id, 'log');
    assert.equal(msg._marker, 7);
    assert.equal(errMessages.length, 0);
  });

  it('lets Complete nodes fire on success', async () => {
    const extra = [{ id: 'complete', type: 'complete', z: 'tab', scope: ['log'], uncaught: false, wires: [['completed']] }, { id: 'completed', type: 'helper', z: 'tab' }];
    const { log } = await load({ extra });
    const arrived = nextMessage(helper.getNode('completed'));
    log.receive({ event_token: emulator.startWorkflow().eventToken, payload: 'done', _marker: 'c' });
    assert.equal((await arrived)._marker, 'c');
  });

  it('shows calls in flight, then the outcome, and clears the status on close', async () => {
    const { log, ok, err } = await load();
    const statuses = [];
    const setStatus = log.status.bind(log);
    log.status = (status) => {
      statuses.push(status);
      setStatus(status);
    };
    let arrived = nextMessage(ok);
    log.receive({ event_token: emulator.startWorkflow().eventToken, payload: 'a' });
    await arrived;
    arrived = nextMessage(err);
    log.receive({ event_token: emulator.startWorkflow().eventToken, payload: '' });
    await arrived;
    await helper.unload();
    assert.deepEqual(
      statuses.map((s) => `${s.fill ?? ''}:${s.text ?? ''}`),
      [
        `blue:${CATALOGUE}.status.sending`,
        `green:${CATALOGUE}.status.ok`,
        `red:${CATALOGUE}.status.failed.input`,
        ':',
      ],
    );
  });

  it('marks a line cut to fit the log column', async () => {
    const { log, ok } = await load();
    const { workflowId, eventToken } = emulator.startWorkflow();
    const arrived = nextMessage(ok);
    log.receive({ event_token: eventToken, payload: 'x'.repeat(70000) });
    const msg = await arrived;
    assert.equal(msg.bitrix24.truncated, true);
    assert.ok(Buffer.byteLength(emulator.logOf(workflowId)[0].message) <= 65535);
  });

  describe('TypedInput sources', () => {
    const cases = [
      { name: 'msg properties', log: { eventToken: 'req.token', message: 'data.text' }, msg: (t) => ({ req: { token: t }, data: { text: 'from msg' } }), expect: 'from msg' },
      { name: 'flow context', log: { eventTokenType: 'flow', eventToken: 'token', messageType: 'flow', message: 'line' }, context: 'flow', expect: 'from flow' },
      { name: 'global context', log: { eventTokenType: 'global', eventToken: 'token', messageType: 'global', message: 'line' }, context: 'global', expect: 'from global' },
      { name: 'a fixed string message', log: { messageType: 'str', message: 'fixed text' }, msg: (t) => ({ event_token: t }), expect: 'fixed text' },
      { name: 'an environment variable', log: { messageType: 'env', message: 'BITRIX24_TEST_LINE' }, msg: (t) => ({ event_token: t }), expect: 'from env' },
      { name: 'a JSONata expression', log: { messageType: 'jsonata', message: '"Order " & order.id & " paid"' }, msg: (t) => ({ event_token: t, order: { id: 42 } }), expect: 'Order 42 paid' },
    ];
    for (const c of cases) {
      it(`reads ${c.name}`, async () => {
        process.env.BITRIX24_TEST_LINE = 'from env';
        const { log, ok } = await load({ log: c.log });
        const { workflowId, eventToken } = emulator.startWorkflow();
        if (c.context) {
          const context = c.context === 'flow' ? log.context().flow : log.context().global;
          context.set('token', eventToken);
          context.set('line', `from ${c.context}`);
        }
        const arrived = nextMessage(ok);
        log.receive(c.msg ? c.msg(eventToken) : {});
        await arrived;
        assert.deepEqual(emulator.logOf(workflowId).map((line) => line.message), [c.expect]);
      });
    }
  });

  it('reports a configuration without a portal as NO_PORTAL', async () => {
    const { log, err } = await load({ log: { portal: 'missing' } });
    const arrived = nextMessage(err);
    log.receive({ event_token: 't', payload: 'x' });
    assert.equal((await arrived).error.code, 'NO_PORTAL');
  });

  it('reports a malformed webhook URL as INVALID_WEBHOOK_URL without repeating it', async () => {
    const secretish = 'zz9secretzz9';
    const { log, err } = await load({ credentials: { portal: { webhookUrl: `http://example.com/rest/1/${secretish}/` } } });
    const arrived = nextMessage(err);
    log.receive({ event_token: 't', payload: 'x' });
    const msg = await arrived;
    assert.equal(msg.error.code, 'INVALID_WEBHOOK_URL');
    assert.ok(!JSON.stringify(msg).includes(secretish));
  });

  describe('bad input: every message leaves once, on output 2, with a stable code', () => {
    const circular = { a: 1 };
    circular.self = circular;
    const token = () => emulator.startWorkflow().eventToken;
    const table = [
      ['no event token', () => ({ payload: 'x' }), 'INVALID_EVENT_TOKEN'],
      ['a null event token', () => ({ event_token: null, payload: 'x' }), 'INVALID_EVENT_TOKEN'],
      ['an empty event token', () => ({ event_token: '', payload: 'x' }), 'INVALID_EVENT_TOKEN'],
      ['a blank event token', () => ({ event_token: '  \n', payload: 'x' }), 'INVALID_EVENT_TOKEN'],
      ['a numeric event token', () => ({ event_token: 123, payload: 'x' }), 'INVALID_EVENT_TOKEN'],
      ['an object event token', () => ({ event_token: { a: 1 }, payload: 'x' }), 'INVALID_EVENT_TOKEN'],
      ['an array event token', () => ({ event_token: ['t'], payload: 'x' }), 'INVALID_EVENT_TOKEN'],
      ['a Buffer event token', () => ({ event_token: Buffer.from('abc'), payload: 'x' }), 'INVALID_EVENT_TOKEN'],
      ['an event token with spaces', () => ({ event_token: 'a b|c', payload: 'x' }), 'INVALID_EVENT_TOKEN'],
      ['an event token with a control character', () => ({ event_token: 'a\u0007b', payload: 'x' }), 'INVALID_EVENT_TOKEN'],
      ['an over-long event token', () => ({ event_token: 'x'.repeat(5000), payload: 'x' }), 'INVALID_EVENT_TOKEN'],
      ['a forged event token', () => ({ event_token: 'wf|A1|abc.def', payload: 'x' }), 'ACCESS_DENIED'],
      ['no message', () => ({ event_token: token() }), 'EMPTY_LOG_MESSAGE'],
      ['a null message', () => ({ event_token: token(), payload: null }), 'EMPTY_LOG_MESSAGE'],
      ['an empty message', () => ({ event_token: token(), payload: '' }), 'EMPTY_LOG_MESSAGE'],
      ['a white-space message', () => ({ event_token: token(), payload: ' \t\r\n' }), 'EMPTY_LOG_MESSAGE'],
      ['the message "0"', () => ({ event_token: token(), payload: '0' }), 'EMPTY_LOG_MESSAGE'],
      ['the number 0', () => ({ event_token: token(), payload: 0 }), 'EMPTY_LOG_MESSAGE'],
      ['an empty Buffer', () => ({ event_token: token(), payload: Buffer.alloc(0) }), 'EMPTY_LOG_MESSAGE'],
      ['a circular object', () => ({ event_token: token(), payload: circular }), 'INVALID_LOG_MESSAGE'],
      ['an object holding a BigInt', () => ({ event_token: token(), payload: { n: 10n } }), 'INVALID_LOG_MESSAGE'],
      ['a function', () => ({ event_token: token(), payload: () => 1 }), 'INVALID_LOG_MESSAGE'],
      ['an invalid date', () => ({ event_token: token(), payload: new Date('nope') }), 'INVALID_LOG_MESSAGE'],
      ['an empty message and no token (token checked first)', () => ({ payload: '' }), 'INVALID_EVENT_TOKEN'],
    ];

    it(`has at least 20 cases (${table.length})`, () => assert.ok(table.length >= 20));

    for (const [name, makeMsg, code] of table) {
      it(`${name} → ${code}`, async () => {
        const { log, ok, err } = await load();
        const okMessages = collect(ok);
        const errMessages = collect(err);
        const sentinel = nextMessage(ok);
        log.receive({ ...makeMsg(), _case: name });
        // A valid message sent afterwards arrives after the bad one has been answered, locally or by the portal.
        log.receive({ event_token: emulator.startWorkflow().eventToken, payload: 'sentinel', _case: 'sentinel' });
        await sentinel;
        await new Promise((resolve) => setImmediate(resolve));
        assert.deepEqual(errMessages.map((m) => [m._case, m.error.code]), [[name, code]]);
        assert.deepEqual(okMessages.map((m) => m._case), ['sentinel']);
      });
    }

    it('a JSONata expression that fails → PROPERTY_ERROR', async () => {
      const { log, err } = await load({ log: { messageType: 'jsonata', message: '$notAFunction(' } });
      const arrived = nextMessage(err);
      log.receive({ event_token: emulator.startWorkflow().eventToken });
      assert.equal((await arrived).error.code, 'PROPERTY_ERROR');
    });
  });
});
