'use strict';
// Drives the activity loop (receiver, log, answer) through success and every kind of refusal with distinctive
// secrets, and proves that the application token never leaves the receiver, and that event tokens and OAuth tokens
// appear only where a flow needs them (msg.event_token, msg.auth): never in a status, a log line, an HTTP answer,
// an error, or anything else the nodes add to a message.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const util = require('node:util');
const helper = require('node-red-node-test-helper');
const { Bitrix24Emulator } = require('../../dist/emulator');
const { encodePhpQuery } = require('../../dist/bitrix24/php-query');
const { placed, nextMessage, StatusLog } = require('../support/node-flow');
const { HttpNodeServer } = require('../support/http-node');

helper.init(require.resolve('node-red'));

const CANARY_APP_TOKEN = 'CanaryApplicationToken9x7';
const CANARY_SECRET = 'CanaryWebhookSecret5k3m';
const PATH = '/canary/activity';

describe('secrets never leave the activity loop (canary)', function () {
  let emulator;
  let server;
  let userDir;
  const statuses = new StatusLog();
  const observed = [];
  const eventTokens = [];
  const oauthTokens = [];

  before(async () => {
    emulator = new Bitrix24Emulator({ rateLimit: false, webhookSecret: CANARY_SECRET, applicationToken: CANARY_APP_TOKEN });
    await emulator.start();
    server = new HttpNodeServer();
    await server.start();
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'b24-canary-'));
    helper.settings({ userDir, credentialSecret: 'canary credential secret' });
  });
  after(async () => {
    await helper.unload();
    await server.stop();
    await emulator.stop();
    helper.settings({});
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  const handlerUrl = () => `${server.url}${PATH}`;

  /** Receiver → log → answer, every output into helper nodes, errors also into a Catch node. */
  async function load({ applicationToken = CANARY_APP_TOKEN, capture = false, answerErrorsWired = true } = {}) {
    const flow = placed([
      { id: 'tab', type: 'tab', label: 'canary' },
      { id: 'portal', type: 'bitrix24-portal', name: 'Canary portal', authType: 'webhook' },
      { id: 'in', type: 'bitrix24-bizproc-activity-in', z: 'tab', portal: 'portal', url: PATH, captureApplicationToken: capture, wires: [['received', 'log']] },
      { id: 'log', type: 'bitrix24-bizproc-log', z: 'tab', portal: 'portal', eventToken: 'event_token', eventTokenType: 'msg', message: 'properties.line', messageType: 'msg', wires: [['logged', 'answer'], ['errors']] },
      { id: 'answer', type: 'bitrix24-bizproc-event-send', z: 'tab', portal: 'portal', eventToken: 'event_token', eventTokenType: 'msg', returnValues: 'properties.values', returnValuesType: 'msg', logMessage: 'Finished', logMessageType: 'str', wires: [['answered'], answerErrorsWired ? ['errors'] : []] },
      { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['errors']] },
      ...['received', 'logged', 'answered', 'errors'].map((id) => ({ id, type: 'helper', z: 'tab' })),
    ]);
    const portal = { webhookUrl: emulator.webhookUrl(), ...(applicationToken ? { applicationToken } : {}) };
    const nodes = [
      require('../../nodes/bitrix24-portal.js'),
      server.wrap(require('../../nodes/bitrix24-bizproc-activity-in.js'), { statuses }),
      require('../../nodes/bitrix24-bizproc-log.js'),
      require('../../nodes/bitrix24-bizproc-event-send.js'),
    ];
    await helper.load(nodes, flow, { portal });
    for (const id of ['received', 'logged', 'answered', 'errors']) {
      helper.getNode(id).on('input', (msg) => observe(id, msg));
    }
  }

  function observe(where, msg) {
    if (where === 'received') {
      // The receiver hands the flow the event token and the auth block on purpose; nothing else may hold a secret.
      assert.ok(!util.inspect(msg, { depth: 20 }).includes(CANARY_APP_TOKEN), 'the application token reached a message');
      const { event_token: eventToken, auth, ...rest } = msg;
      oauthTokens.push(auth.access_token, auth.refresh_token);
      observed.push({ where, rest });
    } else {
      observed.push({ where, payload: msg.payload, bitrix24: msg.bitrix24, error: msg.error });
    }
  }

  /** Dispatches an activity and records its event token. */
  async function dispatch(options) {
    const dispatched = await emulator.dispatchActivity({ handlerUrl: handlerUrl(), ...options });
    eventTokens.push(dispatched.eventToken);
    return dispatched;
  }

  async function unloadAndCollect(scenario) {
    observed.push(...helper.log().getCalls().map((call) => ({ scenario, log: call.args })));
    await helper.unload();
  }

  it('runs the loop: success, forged and missing tokens, malformed requests, portal and input errors, capture', async () => {
    await load();
    let ended = nextMessage(helper.getNode('answered'));
    await dispatch({ properties: { line: 'working', values: { outputString: 'ok' } } });
    await ended;

    for (const applicationToken of [`${CANARY_APP_TOKEN}x`, 'short', '']) {
      const answer = await dispatch({ applicationToken, properties: { line: 'x', values: {} } });
      observed.push({ scenario: 'forged', status: answer.status });
    }
    const bodies = [
      [encodePhpQuery({ auth: { application_token: 'forged' }, event_token: eventTokens[0] }), 'application/x-www-form-urlencoded'],
      [encodePhpQuery({ auth: { application_token: CANARY_APP_TOKEN }, workflow_id: 'w' }), 'application/x-www-form-urlencoded'],
      [`{"auth":{"application_token":"${CANARY_APP_TOKEN}"},"event_token":`, 'application/json'],
      [encodePhpQuery({ auth: { application_token: CANARY_APP_TOKEN, access_token: 'CanaryAccessToken' }, event_token: 'a b' }), 'text/plain'],
    ];
    for (const [body, contentType] of bodies) {
      const response = await fetch(handlerUrl(), { method: 'POST', headers: { 'Content-Type': contentType }, body });
      observed.push({ scenario: 'refused', status: response.status, body: await response.text() });
    }

    // The portal refuses an answer to a closed activity; return values that are no object; an empty log line.
    const closed = emulator.startWorkflow();
    eventTokens.push(closed.eventToken);
    emulator.closeActivity(closed.eventToken);
    ended = nextMessage(helper.getNode('errors'));
    helper.getNode('answer').receive({ event_token: closed.eventToken, properties: { values: { a: 1 } } });
    await ended;
    ended = nextMessage(helper.getNode('errors'));
    await dispatch({ properties: { line: 'bad values', values: 'not an object' } });
    await ended;
    ended = nextMessage(helper.getNode('errors'));
    await dispatch({ properties: { line: '', values: {} } });
    await ended;
    await unloadAndCollect('loop');

    // Output 2 of the answer unwired: errors go through done(err) to the Catch node.
    await load({ answerErrorsWired: false });
    ended = nextMessage(helper.getNode('errors'));
    await dispatch({ properties: { line: 'x', values: ['list'] } });
    await ended;
    await unloadAndCollect('unwired');

    // Capture from ONAPPINSTALL, then a forged reinstall.
    await load({ applicationToken: null, capture: true });
    observed.push({ scenario: 'install', status: (await emulator.dispatchInstall({ handlerUrl: handlerUrl() })).status });
    observed.push({ scenario: 'forged install', status: (await emulator.dispatchInstall({ handlerUrl: handlerUrl(), applicationToken: 'other' })).status });
    ended = nextMessage(helper.getNode('answered'));
    await dispatch({ properties: { line: 'after capture', values: { done: 'yes' } } });
    await ended;
    await unloadAndCollect('capture');
  });

  it('found no secret in anything observed', () => {
    const statusText = util.inspect([...statuses.byNode.entries()], { depth: 10 });
    const text = util.inspect(observed, { depth: 20, maxArrayLength: null, maxStringLength: null }) + statusText;
    assert.ok(observed.length > 20, `observed ${observed.length} things`);
    for (const code of ['ERROR_ACTIVITY_CLOSED', 'INVALID_RETURN_VALUES', 'EMPTY_LOG_MESSAGE', 'INVALID_APPLICATION_TOKEN', 'INVALID_ACTIVITY_REQUEST']) {
      assert.ok(text.includes(code), `the scenario for ${code} ran`);
    }
    assert.ok(!text.includes(CANARY_APP_TOKEN), 'the application token leaked');
    assert.ok(!text.includes(CANARY_SECRET), 'the webhook secret leaked');
    assert.ok(!text.includes('CanaryAccessToken'), 'an access token leaked');
    assert.ok(oauthTokens.length >= 8 && oauthTokens.every((token) => typeof token === 'string' && token.length >= 32));
    for (const token of oauthTokens) assert.ok(!text.includes(token), 'an OAuth token leaked');
    assert.ok(eventTokens.length >= 8);
    for (const eventToken of eventTokens) {
      assert.ok(!text.includes(eventToken), 'an event token leaked');
      assert.ok(!text.includes(eventToken.split('.').pop()), 'an event token signature leaked');
    }
  });
});
