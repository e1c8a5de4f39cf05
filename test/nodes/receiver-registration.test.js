'use strict';
// The receiver registering its robot or activity on deploy (keepRegistered), in Node-RED's test helper, against the
// emulator's application side over real sockets: added once, no call on an unchanged redeploy, updated on a change,
// and every refusal on the status and in the log with a code, the receiver listening all the while.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const helper = require('node-red-node-test-helper');
const portalNode = require('../../nodes/bitrix24-portal.js');
const activityInNode = require('../../nodes/bitrix24-bizproc-activity-in.js');
const { Bitrix24Emulator } = require('../../dist/emulator');
const { placed, nextMessage, StatusLog } = require('../support/node-flow');
const { HttpNodeServer, interpolatingTranslator } = require('../support/http-node');

helper.init(require.resolve('node-red'));

const CLIENT_ID = 'local.0123456789abcd.44444444';
const CLIENT_SECRET = 'CanaryReceiverSecret3e4r5t6y';
const APP_TOKEN = 'receiverRegistrationAppToken';
const PATH = '/bitrix24/reserve-stock';
const NS = 'bitrix24-bizproc-activity-in';

/** The issue's example robot, as the receiver saves it. */
const ROBOT = {
  registerAs: 'robot',
  code: 'reserve_stock',
  activityName: { ru: 'Зарезервировать товар', en: 'Reserve stock' },
  description: '',
  properties: {
    item: { Name: 'Item', Type: 'string', Required: 'Y', Multiple: 'N', Default: '' },
    quantity: { Name: 'Quantity', Type: 'int', Required: 'Y', Multiple: 'N', Default: '1' },
  },
  returnProperties: {
    reserved: { Name: 'Reserved', Type: 'bool', Required: 'N', Multiple: 'N', Default: 'N' },
    note: { Name: 'Note', Type: 'string', Required: 'N', Multiple: 'N', Default: '' },
  },
  useSubscription: 'Y',
  keepRegistered: true,
};

describe('bitrix24-bizproc-activity-in: registering on deploy', function () {
  let emulator;
  let server;
  let userDir;
  let statuses;

  before(async () => {
    emulator = new Bitrix24Emulator({ rateLimit: false, applicationToken: APP_TOKEN, oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } });
    await emulator.start();
    server = new HttpNodeServer();
    await server.start();
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'b24-registration-'));
    // The fingerprints live in the user directory's encrypted store: one for the whole file, as for a real runtime.
    helper.settings({ userDir, credentialSecret: 'registration test secret' });
  });
  after(async () => {
    helper.settings({});
    await server.stop();
    await emulator.stop();
    fs.rmSync(userDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    statuses = new StatusLog();
    emulator.resetRequests();
  });
  afterEach(async () => {
    await helper.unload();
  });

  let refreshToken;
  /** Loads a receiver with `node` settings on a portal of `authType`; resolves once its registration has ended. */
  async function load({ node = {}, portal = {}, authType = 'oauth' } = {}) {
    if (refreshToken === undefined) refreshToken = emulator.issueTokens().refreshToken;
    const portalDef = authType === 'webhook' ? { authType } : { authType, portalUrl: emulator.url, authServer: `${emulator.url}/` };
    const flow = placed([
      { id: 'tab', type: 'tab', label: 'test' },
      { id: 'portal', type: 'bitrix24-portal', name: 'Portal', publicUrl: `${server.url}/`, ...portalDef, ...portal },
      { id: 'in', type: 'bitrix24-bizproc-activity-in', z: 'tab', name: 'in', portal: 'portal', url: PATH, wires: [['out']], ...ROBOT, ...node },
      { id: 'out', type: 'helper', z: 'tab' },
    ]);
    const credentials =
      authType === 'webhook'
        ? { webhookUrl: emulator.webhookUrl(), applicationToken: APP_TOKEN }
        : { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshToken, applicationToken: APP_TOKEN };
    await helper.load([portalNode, server.wrap(activityInNode, { translate: interpolatingTranslator, statuses })], flow, { portal: credentials });
    const status = await statuses.until('in', (s) => !String(s.text).includes('status.registering'));
    return { node: helper.getNode('in'), out: helper.getNode('out'), status };
  }

  const registrationCalls = () => emulator.requests.map((r) => r.restMethod).filter((method) => method !== 'batch');
  const logged = (level) => (helper.log()?.getCalls() ?? []).map((call) => call.args[0]).filter((entry) => entry.id === 'in' && entry.level === level).map((entry) => String(entry.msg));

  it('registers the robot once on deploy, makes no call on an unchanged redeploy, and updates it on a change', async () => {
    const first = await load();
    assert.equal(first.status.text, `${NS}.status.listening`);
    assert.deepEqual(registrationCalls(), ['bizproc.robot.add']);
    assert.ok(logged(40).some((text) => text.startsWith(`${NS}.log.registration.added`)), logged(40).join('\n'));
    const [registered] = emulator.registrationsNow();
    assert.deepEqual([registered.kind, registered.code, registered.handler], ['robot', 'reserve_stock', `${server.url}${PATH}`]);
    assert.deepEqual(registered.name, { RU: 'Зарезервировать товар', EN: 'Reserve stock' });
    assert.equal(registered.useSubscription, 'Y');
    await helper.unload();

    emulator.resetRequests();
    await load();
    assert.deepEqual(registrationCalls(), [], 'unchanged: no call at all');
    assert.ok(logged(40).some((text) => text.startsWith(`${NS}.log.registration.unchanged`)));
    await helper.unload();

    emulator.resetRequests();
    const properties = { ...ROBOT.properties, quantity: { ...ROBOT.properties.quantity, Default: '2' } };
    await load({ node: { properties } });
    assert.deepEqual(registrationCalls(), ['bizproc.robot.update']);
    assert.equal(emulator.registrationsNow()[0].properties.quantity.DEFAULT, '2');
  });

  it('receives the robot\'s requests as the portal sends them once registered', async () => {
    const { out } = await load({ node: { code: 'reserve_stock_2' } });
    const arrived = nextMessage(out);
    const started = await emulator.startRegistered({ code: 'reserve_stock_2', properties: { item: 'chair' } });
    const msg = await arrived;
    assert.equal(started.status, 200);
    assert.deepEqual([msg.code, msg.event_token, msg.use_subscription], ['reserve_stock_2', started.eventToken, 'Y']);
    assert.deepEqual(msg.properties, { item: 'chair', quantity: '1' });
  });

  it('does not register without keepRegistered, nor when registerAs is empty', async () => {
    await load({ node: { code: 'not_kept', keepRegistered: false } });
    await helper.unload();
    await load({ node: { code: 'not_mine', registerAs: '' } });
    assert.deepEqual(registrationCalls(), []);
    assert.equal(emulator.registrationsNow().some((r) => r.code.startsWith('not_')), false);
  });

  for (const [title, options, code] of [
    ['a webhook portal', { authType: 'webhook' }, 'REGISTRATION_NEEDS_APPLICATION'],
    ['a message-auth portal', { portal: { authType: 'message', portalUrl: emulator?.url ?? 'http://127.0.0.1:1/' } }, 'REGISTRATION_NEEDS_APPLICATION'],
    ['no public address', { portal: { publicUrl: '' } }, 'NO_PUBLIC_URL'],
    ['a public address with a query', { portal: { publicUrl: 'https://nodered.example.com/?x=1' } }, 'INVALID_PUBLIC_URL'],
    ['a code Bitrix24 refuses', { node: { code: 'reserve stock' } }, 'INVALID_ACTIVITY_DEFINITION'],
    ['a property code Bitrix24 refuses', { node: { code: 'r3', properties: { '1x': { Name: 'X' } } } }, 'INVALID_ACTIVITY_DEFINITION'],
  ]) {
    it(`shows ${title} on the status and in the log with ${code}, sends nothing, and keeps listening`, async () => {
      const { out, status } = await load(options);
      assert.deepEqual(status, { fill: 'red', shape: 'ring', text: `${NS}.status.notRegistered code=${code}` });
      assert.deepEqual(registrationCalls(), [], 'nothing was sent');
      const errors = logged(20).filter((text) => text.startsWith(`${NS}.error.registration`));
      assert.equal(errors.length, 1, logged(20).join('\n'));
      assert.match(errors[0], new RegExp(`error=${code} `));
      // The receiver still takes requests: registration failures never stop it.
      const arrived = nextMessage(out);
      const dispatched = await emulator.dispatchActivity({ handlerUrl: `${server.url}${PATH}`, code: 'hand_registered' });
      assert.equal(dispatched.status, 200);
      assert.equal((await arrived).code, 'hand_registered');
    });
  }

  it('shows a refusal by Bitrix24 with its code: a robot code taken by an activity', async () => {
    const token = emulator.issueTokens().accessToken;
    const taken = await fetch(`${emulator.url}/rest/bizproc.activity.add`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ auth: token, CODE: 'taken_code', HANDLER: `${server.url}/x`, NAME: 'Activity' }),
    });
    assert.equal((await taken.json()).result, true);
    emulator.resetRequests();
    const { status } = await load({ node: { code: 'taken_code' } });
    assert.deepEqual(status, { fill: 'red', shape: 'ring', text: `${NS}.status.notRegistered code=ERROR_ACTIVITY_NOT_FOUND` });
    // add is refused (the code is the activity's), the update finds no robot of that code.
    assert.deepEqual(registrationCalls(), ['bizproc.robot.add', 'bizproc.robot.update']);
  });
});
