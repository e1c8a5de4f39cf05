'use strict';
// A robot defined in a receiver, in a real Node-RED that installed the packed package (adminAuth on), against the
// emulator playing the OAuth application's portal: registered once on deploy, no call on an unchanged redeploy,
// updated when a property changes, started from the emulator with the loop completing, a webhook portal refused with
// a clear code and nothing sent, and the admin routes guarded by bitrix24-portal.write and JSON only.
const assert = require('node:assert/strict');
const path = require('node:path');
const { Bitrix24Emulator } = require('../../dist/emulator');
const { startNodeRed } = require('../support/node-red-runtime');
const { CommsListener } = require('../support/node-red-comms');

const bcrypt = require(require.resolve('bcryptjs', { paths: [path.dirname(require.resolve('@node-red/editor-api/package.json'))] }));

const CLIENT_ID = 'local.robot.e2e.0001';
const CLIENT_SECRET = 'RobotE2eClientSecretCanary64';
const APP_TOKEN = 'robotE2eApplicationTokenCanary';
const WEBHOOK_SECRET = 'RobotE2eWebhookCanary55';
const USERS = { admin: 'admin-password', reader: 'reader-password' };
const TAB = 'robot-tab';
const ROBOT = 'robot-in';
const WEBHOOK_ROBOT = 'robot-in-webhook';

describe('a robot registered from Node-RED (real Node-RED, packed package)', function () {
  this.timeout(120_000);
  let emulator;
  let runtime;
  let debug;
  let refreshToken;

  before(async () => {
    emulator = new Bitrix24Emulator({ rateLimit: false, applicationToken: APP_TOKEN, webhookSecret: WEBHOOK_SECRET, oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } });
    await emulator.start();
    const adminAuth = {
      type: 'credentials',
      users: [
        { username: 'admin', password: bcrypt.hashSync(USERS.admin, 8), permissions: '*' },
        { username: 'reader', password: bcrypt.hashSync(USERS.reader, 8), permissions: 'read' },
      ],
    };
    runtime = await startNodeRed({ settings: { adminAuth } });
    await runtime.login('admin', USERS.admin);
    debug = await runtime.watchDebug();
    refreshToken = emulator.issueTokens().refreshToken;
  });
  after(async () => {
    await runtime?.stop();
    await emulator?.stop();
  });

  /** The flows: the robot on the application's portal, answered by log and event send; another on a webhook portal. */
  function flows({ quantityDefault = '1' } = {}) {
    const robot = {
      registerAs: 'robot',
      activityName: { ru: 'Зарезервировать товар', en: 'Reserve stock' },
      description: '',
      properties: {
        item: { Name: 'Item', Type: 'string', Required: 'Y', Multiple: 'N', Default: '' },
        quantity: { Name: 'Quantity', Type: 'int', Required: 'Y', Multiple: 'N', Default: quantityDefault },
      },
      returnProperties: { reserved: { Name: 'Reserved', Type: 'bool' }, note: { Name: 'Note', Type: 'string' } },
      useSubscription: 'Y',
      keepRegistered: true,
      captureApplicationToken: false,
    };
    return [
      { id: TAB, type: 'tab', label: 'Robot' },
      { id: ROBOT, type: 'bitrix24-bizproc-activity-in', z: TAB, name: 'Reserve stock', portal: 'app-portal', url: '/bitrix24/reserve-stock', code: 'reserve_stock', ...robot, x: 100, y: 100, wires: [['line']] },
      { id: 'line', type: 'change', z: TAB, rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '"Reserving " & properties.quantity & " x " & properties.item', tot: 'jsonata' }], x: 300, y: 100, wires: [['log']] },
      { id: 'log', type: 'bitrix24-bizproc-log', z: TAB, portal: 'app-portal', eventToken: 'event_token', eventTokenType: 'msg', message: 'payload', messageType: 'msg', x: 500, y: 100, wires: [['values'], []] },
      { id: 'values', type: 'change', z: TAB, rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '{"reserved": "Y", "note": "ok " & properties.item}', tot: 'jsonata' }], x: 300, y: 200, wires: [['answer']] },
      { id: 'answer', type: 'bitrix24-bizproc-event-send', z: TAB, portal: 'app-portal', eventToken: 'event_token', eventTokenType: 'msg', returnValues: 'payload', returnValuesType: 'msg', logMessage: 'Reserved', logMessageType: 'str', x: 500, y: 200, wires: [['answered'], []] },
      { id: 'answered', type: 'debug', z: TAB, active: true, tosidebar: true, complete: 'bitrix24', targetType: 'msg', x: 700, y: 200, wires: [] },
      { id: WEBHOOK_ROBOT, type: 'bitrix24-bizproc-activity-in', z: TAB, name: 'On a webhook', portal: 'webhook-portal', url: '/bitrix24/webhook-robot', code: 'webhook_robot', ...robot, x: 100, y: 300, wires: [[]] },
      {
        id: 'app-portal', type: 'bitrix24-portal', name: 'Application', authType: 'oauth', portalUrl: emulator.url, authServer: `${emulator.url}/`, publicUrl: runtime.nodeUrl, rateLimit: 'off',
        credentials: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshToken, applicationToken: APP_TOKEN },
      },
      { id: 'webhook-portal', type: 'bitrix24-portal', name: 'Webhook', authType: 'webhook', publicUrl: runtime.nodeUrl, credentials: { webhookUrl: emulator.webhookUrl(), applicationToken: APP_TOKEN } },
    ];
  }

  /**
   * Deploys and resolves once both receivers have ended their registration: each shows its final status (listening,
   * or not registered) after the one it showed while registering.
   */
  async function deployAndSettle(flowSet) {
    const statuses = await CommsListener.open(runtime.url, [`status/${ROBOT}`, `status/${WEBHOOK_ROBOT}`], runtime.token);
    try {
      await runtime.deploy(flowSet);
      const settled = (id) => statuses.next((data, topic, retained) => !retained && topic === `status/${id}` && typeof data.text === 'string' && !/registering/.test(data.text));
      const [robot, webhook] = await Promise.all([settled(ROBOT), settled(WEBHOOK_ROBOT)]);
      return { robot, webhook };
    } finally {
      statuses.close();
    }
  }

  const robotCalls = () => emulator.requests.map((record) => record.restMethod).filter((method) => /^bizproc\.(robot|activity)\./.test(method));

  it('registers the robot once on deploy; refuses the webhook portal with a code, sending nothing', async () => {
    emulator.resetRequests();
    const { robot, webhook } = await deployAndSettle(flows());
    assert.equal(robot.text, 'listening');
    assert.deepEqual(webhook, { fill: 'red', shape: 'ring', text: 'not registered: REGISTRATION_NEEDS_APPLICATION' });
    assert.deepEqual(robotCalls(), ['bizproc.robot.add'], 'one call: the application portal\'s add; none from the webhook portal');
    const [registered] = emulator.registrationsNow();
    assert.deepEqual([registered.kind, registered.code, registered.handler], ['robot', 'reserve_stock', `${runtime.nodeUrl}bitrix24/reserve-stock`]);
    assert.match(runtime.output(), /Could not register the robot webhook_robot in Bitrix24 \(REGISTRATION_NEEDS_APPLICATION\): A webhook cannot register/);
    assert.match(runtime.output(), /Registered the robot reserve_stock in Bitrix24/);
  });

  it('makes no call at all on an unchanged redeploy, and updates the robot when a property changes', async () => {
    emulator.resetRequests();
    const unchanged = await deployAndSettle(flows());
    assert.equal(unchanged.robot.text, 'listening');
    assert.deepEqual(robotCalls(), []);

    emulator.resetRequests();
    await deployAndSettle(flows({ quantityDefault: '3' }));
    assert.deepEqual(robotCalls(), ['bizproc.robot.update']);
    assert.equal(emulator.registrationsNow()[0].properties.quantity.DEFAULT, '3');
  });

  it('completes the loop when the emulator starts the registered robot: received, logged, answered', async () => {
    const answered = debug.next((m) => m.id === 'answered');
    const started = await fetch(`${emulator.url}/emulator/api/registrations/start`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code: 'reserve_stock', properties: { item: 'chair' } }),
    });
    const { workflowId, status } = await started.json();
    assert.equal(status, 200);
    await answered;
    assert.deepEqual(emulator.logOf(workflowId).map((line) => line.message), ['Reserving 3 x chair', 'Reserved']);
    assert.deepEqual(emulator.returnValuesOf(workflowId), { reserved: 'Y', note: 'ok chair' });
  });

  it('lists registrations with the receiver serving each, through the admin route', async () => {
    const answer = await runtime.request('POST', 'bitrix24-portal/registrations', { body: { id: 'app-portal' } });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body.robots, [{ kind: 'robot', code: 'reserve_stock', nodes: [{ id: ROBOT, name: 'Reserve stock', flow: 'Robot' }] }]);
    assert.deepEqual(answer.body.activities, []);
    assert.deepEqual(answer.body.missing, []);
    const refused = await runtime.request('POST', 'bitrix24-portal/registrations', { body: { id: 'webhook-portal' } });
    assert.deepEqual([refused.body.ok, refused.body.code, refused.body.reason], [false, 'REGISTRATION_NEEDS_APPLICATION', 'webhook']);
  });

  it('registers and removes through the admin routes, reporting what was done', async () => {
    const definition = {
      portal: 'app-portal', registerAs: 'activity', code: 'from_dialog', activityName: 'From the dialog', url: '/bitrix24/from-dialog',
      properties: { a: { Name: 'A', Type: 'string' } }, returnProperties: {}, useSubscription: 'Y',
    };
    const added = await runtime.request('POST', 'bitrix24-bizproc-activity-in/register', { body: definition });
    assert.deepEqual(added.body, { ok: true, outcome: 'added', kind: 'activity', code: 'from_dialog', handlerUrl: `${runtime.nodeUrl}bitrix24/from-dialog` });
    assert.equal((await runtime.request('POST', 'bitrix24-bizproc-activity-in/register', { body: definition })).body.outcome, 'updated');
    const listed = await runtime.request('POST', 'bitrix24-portal/registrations', { body: { id: 'app-portal' } });
    assert.deepEqual(listed.body.activities, [{ kind: 'activity', code: 'from_dialog', nodes: [] }], 'an orphan: no deployed node serves it');
    const removed = await runtime.request('POST', 'bitrix24-bizproc-activity-in/unregister', { body: { portal: 'app-portal', registerAs: 'activity', code: 'from_dialog' } });
    assert.deepEqual(removed.body, { ok: true, outcome: 'removed', kind: 'activity', code: 'from_dialog' });
    const again = await runtime.request('POST', 'bitrix24-bizproc-activity-in/unregister', { body: { portal: 'app-portal', registerAs: 'activity', code: 'from_dialog' } });
    assert.equal(again.body.outcome, 'absent');
    const invalid = await runtime.request('POST', 'bitrix24-bizproc-activity-in/register', { body: { ...definition, code: 'bad code' } });
    assert.deepEqual([invalid.body.ok, invalid.body.code, invalid.body.reason], [false, 'INVALID_ACTIVITY_DEFINITION', 'code']);
    const noPath = await runtime.request('POST', 'bitrix24-bizproc-activity-in/register', { body: { ...definition, url: '/' } });
    assert.deepEqual([noPath.body.code, noPath.body.reason], ['INVALID_ACTIVITY_DEFINITION', 'url']);
    const undeployed = await runtime.request('POST', 'bitrix24-bizproc-activity-in/register', { body: { ...definition, portal: 'not-deployed' } });
    assert.equal(undeployed.body.code, 'DEPLOY_FIRST');
  });

  it('guards the routes: bitrix24-portal.write, and JSON only', async () => {
    const routes = ['bitrix24-bizproc-activity-in/register', 'bitrix24-bizproc-activity-in/unregister', 'bitrix24-portal/registrations'];
    for (const route of routes) {
      assert.equal((await runtime.request('POST', route, { body: { id: 'app-portal' }, token: null })).status, 401, `${route} without a token`);
      const form = await runtime.request('POST', route, { form: 'id=app-portal&portal=app-portal&registerAs=robot&code=reserve_stock' });
      assert.equal(form.status, 415, `${route} with a form`);
    }
    const admin = runtime.token;
    try {
      await runtime.login('reader', USERS.reader, 'read');
      for (const route of routes) assert.equal((await runtime.request('POST', route, { body: { id: 'app-portal' } })).status, 401, `${route} read-only`);
    } finally {
      runtime.token = admin;
    }
    assert.deepEqual(emulator.registrationsNow().map((r) => r.code), ['reserve_stock'], 'nothing was removed');
  });

  it('shows no secret in the output, the flows or what debug nodes published', async () => {
    const seen = [runtime.output(), JSON.stringify(await runtime.flows()), JSON.stringify(debug.messages)].join('\n');
    for (const secret of [CLIENT_SECRET, APP_TOKEN, WEBHOOK_SECRET, refreshToken]) assert.ok(!seen.includes(secret), 'a secret leaked');
  });
});
