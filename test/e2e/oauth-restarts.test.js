'use strict';
// An OAuth portal in a real Node-RED (packed package), restarted three times across token refreshes: every restart
// must find the newest rotated pair (refresh tokens rotate; the typed one is dead after the first refresh), and no
// token or client secret may show in the Admin API, the credentials API, the token store file or the console.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { Bitrix24Emulator } = require('../../dist/emulator');
const { startNodeRed } = require('../support/node-red-runtime');

const CLIENT_ID = 'local.e2e0000000000.33333333';
const CLIENT_SECRET = 'CanaryE2eClientSecretP0o9i8u7';
const PORTAL_ID = 'e2eoauthportal01';

/** POST /oauth-log {token, line} -> the log node -> the answer: `ok`, or the error code from output 2. */
function oauthFlow(emulatorUrl, refreshToken, tokenStore = '') {
  return [
    { id: 'e2eoauthtab00001', type: 'tab', label: 'oauth' },
    {
      id: PORTAL_ID, type: 'bitrix24-portal', name: 'OAuth emulator', authType: 'oauth', portalUrl: emulatorUrl,
      authServer: `${emulatorUrl}/`, tokenStore,
      credentials: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshToken },
    },
    { id: 'e2eoauthin000001', type: 'http in', z: 'e2eoauthtab00001', url: '/oauth-log', method: 'post', upload: false, x: 100, y: 100, wires: [['e2eoauthlog00001']] },
    {
      id: 'e2eoauthlog00001', type: 'bitrix24-bizproc-log', z: 'e2eoauthtab00001', portal: PORTAL_ID, eventToken: 'payload.token',
      eventTokenType: 'msg', message: 'payload.line', messageType: 'msg', x: 300, y: 100, wires: [['e2eoauthok000001'], ['e2eoautherr00001']],
    },
    {
      id: 'e2eoauthok000001', type: 'change', z: 'e2eoauthtab00001', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'ok', tot: 'str' }],
      x: 500, y: 60, wires: [['e2eoauthres00001']],
    },
    {
      id: 'e2eoautherr00001', type: 'change', z: 'e2eoauthtab00001', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'error.code', tot: 'msg' }],
      x: 500, y: 140, wires: [['e2eoauthres00001']],
    },
    { id: 'e2eoauthres00001', type: 'http response', z: 'e2eoauthtab00001', statusCode: '', headers: {}, x: 700, y: 100, wires: [] },
  ];
}

describe('OAuth portal across Node-RED restarts (packed package)', function () {
  this.timeout(180_000);
  let emulator;
  let runtime;
  const secrets = [CLIENT_SECRET];

  before(async () => {
    emulator = new Bitrix24Emulator({ rateLimit: false, oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } });
    await emulator.start();
  });
  after(async () => {
    await runtime?.stop();
    await emulator?.stop();
  });

  async function logLine(eventToken, line) {
    const answer = await runtime.request('POST', 'oauth-log', { body: { token: eventToken, line } });
    return answer.text;
  }

  it('stays authorised through three restarts, each after the access token expired', async () => {
    const typed = emulator.issueTokens();
    secrets.push(typed.accessToken, typed.refreshToken);
    runtime = await startNodeRed();
    await runtime.deploy(oauthFlow(emulator.url, typed.refreshToken));
    const { workflowId, eventToken } = emulator.startWorkflow();
    assert.equal(await logLine(eventToken, 'first start'), 'ok');
    for (let restart = 1; restart <= 3; restart += 1) {
      await runtime.stop({ keepUserDir: true });
      emulator.expireAccessTokens();
      runtime = await startNodeRed({ userDir: runtime.userDir });
      await runtime.loadedFlowsStarted();
      assert.equal(await logLine(eventToken, `after restart ${restart}`), 'ok', runtime.output());
    }
    assert.deepEqual(emulator.logOf(workflowId).map((l) => l.message), ['first start', 'after restart 1', 'after restart 2', 'after restart 3']);
    const refreshes = emulator.oauthRequests.filter((r) => r.grantType === 'refresh_token');
    assert.equal(refreshes.length, 4, 'one refresh at the first call, one after each expiry');
    assert.ok(refreshes.every((r) => r.ok), JSON.stringify(refreshes));
  });

  it('shows no token or client secret in /flows, /credentials, the token store file or the console', async () => {
    const flows = JSON.stringify(await runtime.flows());
    const credentials = await runtime.request('GET', `credentials/bitrix24-portal/${PORTAL_ID}`);
    assert.deepEqual(credentials.body, {
      has_webhookUrl: false,
      has_applicationToken: false,
      clientId: CLIENT_ID,
      has_clientSecret: true,
      has_refreshToken: true,
      has_accessToken: false,
      has_redisUrl: false,
    });
    const store = fs.readFileSync(path.join(runtime.userDir, '.bitrix24-bizproc-tokens.json'), 'utf8');
    const credentialsFile = fs.readFileSync(path.join(runtime.userDir, 'flows_cred.json'), 'utf8');
    for (const secret of secrets) {
      assert.ok(!flows.includes(secret), 'GET /flows');
      assert.ok(!credentials.text.includes(secret), 'GET /credentials');
      assert.ok(!store.includes(secret), 'token store file');
      assert.ok(!credentialsFile.includes(secret), 'flows_cred.json');
      assert.ok(!runtime.output().includes(secret), 'console');
    }
    assert.ok(!/"(access|refresh)Token"/.test(store), 'the store is encrypted as a whole');
  });
  it('keeps the rotated pair in a named context store instead, when asked (one shared by several instances)', async () => {
    await runtime.stop();
    const typed = emulator.issueTokens();
    secrets.push(typed.accessToken, typed.refreshToken);
    // A file-backed context store stands in for a shared one (Redis, say): it outlives the process.
    const settings = { contextStorage: { default: { module: 'memory' }, shared: { module: 'localfilesystem', config: { flushInterval: 0 } } } };
    runtime = await startNodeRed({ settings });
    await runtime.deploy(oauthFlow(emulator.url, typed.refreshToken, 'shared'));
    const { workflowId, eventToken } = emulator.startWorkflow();
    assert.equal(await logLine(eventToken, 'before restart'), 'ok');
    await runtime.stop({ keepUserDir: true });
    emulator.expireAccessTokens();
    runtime = await startNodeRed({ userDir: runtime.userDir, settings });
    await runtime.loadedFlowsStarted();
    assert.equal(await logLine(eventToken, 'after restart'), 'ok', runtime.output());
    assert.deepEqual(emulator.logOf(workflowId).map((l) => l.message), ['before restart', 'after restart']);
    assert.ok(!fs.existsSync(path.join(runtime.userDir, '.bitrix24-bizproc-tokens.json')), 'the file store was not used');
    const contextFiles = fs.readdirSync(path.join(runtime.userDir, 'context', 'global')).map((f) => fs.readFileSync(path.join(runtime.userDir, 'context', 'global', f), 'utf8')).join('');
    assert.match(contextFiles, /bitrix24-bizproc-token:oauth-tokens/);
    for (const secret of secrets) assert.ok(!contextFiles.includes(secret), 'the context store holds sealed values only');
  });
});
