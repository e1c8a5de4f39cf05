'use strict';
// The portal dialog's "Test connection" endpoint (POST /bitrix24-portal/test) in a real Node-RED with adminAuth,
// against emulators: a working webhook, a wrong secret, a webhook without the bizproc scope, stored credentials.
const assert = require('node:assert/strict');
const path = require('node:path');
const { Bitrix24Emulator } = require('../../dist/emulator');
const { startNodeRed } = require('../support/node-red-runtime');

const bcrypt = require(require.resolve('bcryptjs', { paths: [path.dirname(require.resolve('@node-red/editor-api/package.json'))] }));

const SECRET = 'ConnectionTestCanary77';
const PORTAL_ID = 'connection-test-portal';
const USERS = { admin: 'admin-password', reader: 'reader-password' };

describe('portal connection test endpoint (real Node-RED, adminAuth)', function () {
  this.timeout(90_000);
  let bizproc;
  let crmOnly;
  let runtime;

  before(async () => {
    bizproc = new Bitrix24Emulator({ rateLimit: false, webhookSecret: SECRET });
    crmOnly = new Bitrix24Emulator({ rateLimit: false, webhookSecret: `${SECRET}Crm`, scopes: ['crm', 'user'] });
    await Promise.all([bizproc.start(), crmOnly.start()]);
    const adminAuth = {
      type: 'credentials',
      users: [
        { username: 'admin', password: bcrypt.hashSync(USERS.admin, 8), permissions: '*' },
        { username: 'reader', password: bcrypt.hashSync(USERS.reader, 8), permissions: 'read' },
      ],
    };
    runtime = await startNodeRed({ settings: { adminAuth }, env: { BITRIX24_E2E_WEBHOOK: bizproc.webhookUrl() } });
    await runtime.login('admin', USERS.admin);
    await runtime.deploy([{ id: PORTAL_ID, type: 'bitrix24-portal', name: 'stored', authType: 'webhook', credentials: { webhookUrl: bizproc.webhookUrl() } }]);
  });
  after(async () => {
    await runtime?.stop();
    await Promise.all([bizproc?.stop(), crmOnly?.stop()]);
  });

  /** Posts a test as the dialog does and checks that no secret comes back. */
  async function test(body, token) {
    const answer = await runtime.request('POST', 'bitrix24-portal/test', { body, token });
    assert.ok(!answer.text.includes(SECRET), `the answer repeats a secret: ${answer.text}`);
    return answer;
  }

  it('reports a working webhook with the bizproc scope', async () => {
    const answer = await test({ id: 'new-node', authType: 'webhook', credentials: { webhookUrl: bizproc.webhookUrl() } });
    assert.equal(answer.status, 200);
    const host = new URL(bizproc.url).host;
    assert.deepEqual(answer.body, {
      connected: true,
      bizproc: true,
      host,
      scopes: ['bizproc'],
      message: `Connected to ${host}; the bizproc scope is granted.`,
    });
  });

  it('reports a wrong secret as refused credentials', async () => {
    const wrong = bizproc.webhookUrl().replace(SECRET, `${SECRET}Wrong`);
    const answer = await test({ id: 'new-node', authType: 'webhook', credentials: { webhookUrl: wrong } });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.connected, false);
    assert.equal(answer.body.bizproc, false);
    assert.equal(answer.body.code, 'NO_AUTH_FOUND');
    assert.equal(answer.body.statusCode, 401);
    assert.match(answer.body.message, /NO_AUTH_FOUND/);
  });

  it('reports a webhook without the bizproc scope', async () => {
    const answer = await test({ id: 'new-node', authType: 'webhook', credentials: { webhookUrl: crmOnly.webhookUrl() } });
    assert.equal(answer.body.connected, true);
    assert.equal(answer.body.bizproc, false);
    assert.equal(answer.body.code, 'MISSING_BIZPROC_SCOPE');
    assert.deepEqual(answer.body.scopes, ['crm', 'user']);
    assert.match(answer.body.message, /lacks the bizproc scope/);
  });

  it('uses the stored credentials of a deployed portal when the field is left untouched', async () => {
    const untouched = await test({ id: PORTAL_ID, authType: 'webhook', credentials: { webhookUrl: '__PWRD__' } });
    assert.equal(untouched.body.connected, true);
    assert.equal(untouched.body.bizproc, true);
    const noField = await test({ id: PORTAL_ID });
    assert.equal(noField.body.bizproc, true);
  });

  it('has nothing to test for an untouched field of a portal that was never deployed', async () => {
    const answer = await test({ id: 'never-deployed', authType: 'webhook', credentials: { webhookUrl: '__PWRD__' } });
    assert.equal(answer.body.connected, false);
    assert.equal(answer.body.code, 'INVALID_WEBHOOK_URL');
  });

  it('refuses a malformed URL without calling anything or repeating it', async () => {
    const typed = `http://example.com/rest/1/${SECRET}/`;
    const answer = await test({ id: 'new-node', authType: 'webhook', credentials: { webhookUrl: typed } });
    assert.equal(answer.body.code, 'INVALID_WEBHOOK_URL');
    assert.ok(!answer.text.includes('example.com'));
  });

  it('reads ${ENV} from the environment, as Node-RED does for credentials', async () => {
    const answer = await test({ id: 'new-node', authType: 'webhook', credentials: { webhookUrl: '${BITRIX24_E2E_WEBHOOK}' } });
    assert.equal(answer.body.bizproc, true);
  });

  it('reports a portal that cannot be reached', async () => {
    const gone = new Bitrix24Emulator({ rateLimit: false, webhookSecret: SECRET });
    await gone.start();
    const webhookUrl = gone.webhookUrl();
    await gone.stop();
    const answer = await test({ id: 'new-node', authType: 'webhook', credentials: { webhookUrl } });
    assert.equal(answer.body.connected, false);
    assert.equal(answer.body.code, 'NETWORK_ERROR');
  });

  it('needs the bitrix24-portal.write permission', async () => {
    const body = { id: PORTAL_ID, authType: 'webhook' };
    assert.equal((await test(body, null)).status, 401);
    const admin = runtime.token;
    try {
      await runtime.login('reader', USERS.reader, 'read');
      assert.equal((await test(body)).status, 401);
    } finally {
      runtime.token = admin;
    }
  });
});
