'use strict';
// The generic call node in Node-RED's test helper: any method through the portal's queue, its outputs and errors,
// all pages of a list, repeatable reads, message auth, and the status.
const assert = require('node:assert/strict');
const helper = require('node-red-node-test-helper');
const portalNode = require('../../nodes/bitrix24-portal.js');
const callNode = require('../../nodes/bitrix24-call.js');
const { Bitrix24Emulator } = require('../../dist/emulator');
const { callFlow, nextMessage, collect, StatusLog } = require('../support/node-flow');

helper.init(require.resolve('node-red'));

const { name: PACKAGE_NAME } = require('../../package.json');

const CATALOGUE = `${PACKAGE_NAME}/bitrix24-portal:bitrix24`;

describe('bitrix24-call node', function () {
  let emulator;
  let credentials;

  before(async () => {
    emulator = new Bitrix24Emulator({ rateLimit: false, scopes: ['bizproc', 'crm'] });
    await emulator.start();
    credentials = { portal: { webhookUrl: emulator.webhookUrl() } };
  });
  after(() => emulator.stop());
  afterEach(async () => {
    emulator.clearFaults();
    emulator.resetRequests();
    await helper.unload();
  });

  async function load({ node = {}, portal = {}, ...options } = {}) {
    const flow = callFlow({
      ...options,
      portal,
      node: { id: 'call', type: 'bitrix24-call', name: 'call', method: 'crm.deal.list', methodType: 'str', params: 'payload', paramsType: 'msg', repeatable: false, allPages: false, ...node },
    });
    await helper.load([portalNode, callNode], flow, options.credentials ?? credentials);
    return { call: helper.getNode('call'), ok: helper.getNode('ok'), err: helper.getNode('err') };
  }

  it('calls the method with msg.payload as parameters: result, total and next on output 1', async () => {
    emulator.seedDeals(60, { STAGE_ID: 'LOSE' });
    const { call, ok } = await load();
    const arrived = nextMessage(ok);
    call.receive({ payload: { filter: { STAGE_ID: 'LOSE' } }, topic: 'kept' });
    const msg = await arrived;
    assert.equal(msg.payload.length, 50);
    assert.ok(msg.payload.every((deal) => deal.STAGE_ID === 'LOSE'));
    assert.equal(msg.topic, 'kept');
    assert.equal(msg.bitrix24.method, 'crm.deal.list');
    assert.deepEqual([msg.bitrix24.total, msg.bitrix24.next], [60, 50]);
    assert.equal(typeof msg.bitrix24.time.duration, 'number');
  });

  it('reads the method from the message when told to, and calls without parameters when there are none', async () => {
    const { call, ok } = await load({ node: { method: 'topic', methodType: 'msg' } });
    const arrived = nextMessage(ok);
    call.receive({ topic: 'profile' });
    const msg = await arrived;
    assert.equal(msg.payload.NAME, 'Emulator');
    assert.equal(msg.bitrix24.method, 'profile');
  });

  it('refuses a method name that is not one, and parameters that are not an object, before any call', async () => {
    const { call, err } = await load({ node: { method: 'topic', methodType: 'msg' } });
    const errors = collect(err);
    call.receive({ topic: '../../oauth/token', payload: {} });
    call.receive({ topic: 'crm.deal.list', payload: 'not an object' });
    call.receive({ topic: 'crm.deal.list', payload: [1, 2] });
    while (errors.length < 3) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(errors.map((m) => m.error.code), ['INVALID_METHOD', 'INVALID_PARAMS', 'INVALID_PARAMS']);
    assert.ok(!errors[0].error.message.includes('oauth/token'), 'the refused value is not repeated');
    assert.equal(emulator.requests.length, 0);
  });

  it('routes a portal error to output 2 with its code and status', async () => {
    const { call, err } = await load({ node: { method: 'crm.deal.get' } });
    const arrived = nextMessage(err);
    call.receive({ payload: { id: 999999 } });
    const msg = await arrived;
    assert.equal(msg.error.code, 'NOT_FOUND');
    assert.equal(msg.error.statusCode, 400);
    assert.equal(msg.error.description, 'Not found');
  });

  it('follows every page with allPages: the first page alone, the rest as one batch', async () => {
    emulator.seedDeals(180, { STAGE_ID: 'PAGES' });
    const { call, ok } = await load({ node: { allPages: true } });
    emulator.resetRequests();
    const arrived = nextMessage(ok);
    call.receive({ payload: { filter: { STAGE_ID: 'PAGES' }, order: { ID: 'DESC' } } });
    const msg = await arrived;
    assert.equal(msg.payload.length, 180);
    const ids = msg.payload.map((deal) => Number(deal.ID));
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
    assert.deepEqual([msg.bitrix24.total, msg.bitrix24.next, msg.bitrix24.pages], [180, undefined, 4]);
    assert.deepEqual(emulator.requests.map((r) => [r.restMethod, r.commands]), [
      ['crm.deal.list', 1],
      ['batch', 3],
    ]);
  });

  it('sends a repeatable call again after a failure that may have run; a write is not sent twice', async () => {
    const read = await load({ node: { method: 'profile', repeatable: true } });
    emulator.injectFault({ type: 'lost-after' });
    const arrived = nextMessage(read.ok);
    read.call.receive({ payload: {} });
    assert.equal((await arrived).payload.NAME, 'Emulator');
    assert.equal(emulator.requests.length, 2);
    await helper.unload();

    const write = await load({ node: { method: 'crm.deal.add' } });
    emulator.resetRequests();
    const before = emulator.dealsNow().length;
    emulator.injectFault({ type: 'lost-after' });
    const failed = nextMessage(write.err);
    write.call.receive({ payload: { fields: { TITLE: 'once' } } });
    const msg = await failed;
    assert.equal(msg.error.code, 'NETWORK_ERROR');
    assert.equal(msg.error.ambiguous, true);
    assert.equal(emulator.dealsNow().length, before + 1, 'the portal ran it once, and it was not sent again');
  });

  it('takes the auth of each message when the portal says so, and refuses a foreign portal’s', async () => {
    const oauthEmulator = new Bitrix24Emulator({ rateLimit: false, scopes: ['bizproc', 'crm'], oauth: { clientId: 'app', clientSecret: 'secret' } });
    await oauthEmulator.start();
    try {
      const tokens = oauthEmulator.issueTokens();
      const { call, ok, err } = await load({
        node: { method: 'profile' },
        portal: { authType: 'message', portalUrl: oauthEmulator.url },
        credentials: { portal: {} },
      });
      const host = new URL(oauthEmulator.url).host;
      let arrived = nextMessage(ok);
      call.receive({ payload: {}, auth: { access_token: tokens.accessToken, domain: host } });
      assert.equal((await arrived).payload.NAME, 'Emulator');
      arrived = nextMessage(err);
      call.receive({ payload: {}, auth: { access_token: tokens.accessToken, domain: 'elsewhere.bitrix24.com' } });
      assert.equal((await arrived).error.code, 'AUTH_DOMAIN_MISMATCH');
    } finally {
      await helper.unload();
      await oauthEmulator.stop();
    }
  });

  it('shows calls in flight, then done or the kind of error, never a code, and clears the status on close', async () => {
    const { call, ok, err } = await load({ node: { method: 'topic', methodType: 'msg' } });
    const statuses = new StatusLog();
    statuses.watch(call);
    let arrived = nextMessage(ok);
    call.receive({ topic: 'profile' });
    await arrived;
    arrived = nextMessage(err);
    call.receive({ topic: 'crm.deal.get', payload: { id: 424242 } });
    await arrived;
    await helper.unload();
    assert.deepEqual(
      statuses.of('call').map((s) => `${s.fill ?? ''}:${s.text ?? ''}`),
      [`blue:${CATALOGUE}.status.sending`, `green:${CATALOGUE}.status.called`, `blue:${CATALOGUE}.status.sending`, `red:${CATALOGUE}.status.failed.refused`, ':'],
    );
  });

  it('shows the portal’s own trouble instead of call results, and ends messages with NO_PORTAL without one', async () => {
    const broken = await load({ portal: { authType: 'webhook' }, credentials: { portal: { webhookUrl: 'not a webhook' } } });
    // The portal told the node at once, while it started: Node-RED's own status spy saw it.
    const shown = () => broken.call.status.getCalls().filter((c) => c.thisValue === broken.call).map((c) => c.args[0].text);
    assert.deepEqual(shown(), [`${CATALOGUE}.status.failed.config`]);
    const failed = nextMessage(broken.err);
    broken.call.receive({ payload: {} });
    assert.equal((await failed).error.code, 'INVALID_WEBHOOK_URL');
    assert.deepEqual(shown(), [`${CATALOGUE}.status.failed.config`], 'the call’s own failure does not hide the portal’s state');
    await helper.unload();

    const orphan = callFlow({ node: { id: 'call', type: 'bitrix24-call', method: 'profile', methodType: 'str' } }).map((node) => (node.id === 'call' ? { ...node, portal: 'missing' } : node));
    await helper.load([portalNode, callNode], orphan, credentials);
    const alone = helper.getNode('call');
    const ended = nextMessage(helper.getNode('err'));
    alone.receive({ payload: {} });
    assert.equal((await ended).error.code, 'NO_PORTAL');
  });
});
