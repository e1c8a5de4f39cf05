'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const util = require('node:util');
const helper = require('node-red-node-test-helper');
const portalNode = require('../../nodes/bitrix24-portal.js');
const logNode = require('../../nodes/bitrix24-bizproc-log.js');
const { Bitrix24Emulator } = require('../../dist/emulator');
const { logFlow } = require('../support/node-flow');

const CLIENT_ID = 'local.0123456789abcd.22222222';
const CLIENT_SECRET = 'CanaryOAuthClientSecret5x4c3v';
const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'b24-oauth-'));

helper.init(require.resolve('node-red'));
// Status texts are keys of the shared catalogue, namespaced by the package's name.
const CATALOGUE = `${require('../../package.json').name}/bitrix24-portal:bitrix24`;

describe('bitrix24-portal with OAuth and message auth', function () {
  let emulator;
  const observed = [];
  const secrets = [CLIENT_SECRET];

  before(async () => {
    // Settings are the helper's (a singleton shared by every test file): set them for this file's tests only.
    helper.settings({ userDir, credentialSecret: 'test-credential-secret' });
    emulator = new Bitrix24Emulator({ rateLimit: false, oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } });
    await emulator.start();
  });
  after(async () => {
    helper.settings({});
    await emulator.stop();
    fs.rmSync(userDir, { recursive: true, force: true });
  });
  afterEach(async () => {
    const spy = helper.log();
    if (spy) observed.push(...spy.getCalls().map((call) => call.args));
    await helper.unload();
  });

  const issue = () => {
    const tokens = emulator.issueTokens();
    secrets.push(tokens.accessToken, tokens.refreshToken);
    return tokens;
  };

  async function load({ portal, credentials, wireErrors = true }) {
    const flow = logFlow({ portal: { authType: 'oauth', portalUrl: emulator.url, authServer: `${emulator.url}/`, ...portal }, wireErrors });
    await helper.load([portalNode, logNode], flow, { portal: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...credentials } });
    const nodes = { log: helper.getNode('log'), ok: helper.getNode('ok'), err: helper.getNode('err') };
    const setStatus = nodes.log.status.bind(nodes.log);
    nodes.log.status = (status) => {
      observed.push(status);
      setStatus(status);
    };
    nodes.arrivals = [];
    for (const end of [nodes.ok, nodes.err]) {
      end.on('input', (msg) => {
        nodes.arrivals.push(msg);
        observed.push({ payload: msg.payload, bitrix24: msg.bitrix24, error: msg.error });
      });
    }
    return nodes;
  }

  /** Sends one message and resolves with it as it left the node (output 1 or 2). */
  async function logLine(nodes, msg) {
    const before = nodes.arrivals.length;
    nodes.log.receive(msg);
    const giveUpAt = Date.now() + 10_000;
    while (nodes.arrivals.length === before) {
      if (Date.now() > giveUpAt) throw new Error('the message did not leave the node');
      await new Promise((resolve) => setImmediate(resolve));
    }
    return nodes.arrivals[before];
  }

  it('starts from a pasted refresh token, refreshes, and keeps the rotated pair for the next start', async () => {
    const typed = issue();
    let nodes = await load({ portal: { id: 'portal' }, credentials: { refreshToken: typed.refreshToken } });
    const { workflowId, eventToken } = emulator.startWorkflow();
    const first = await logLine(nodes, { event_token: eventToken, payload: 'via OAuth' });
    assert.equal(first.payload, true);
    const refreshesAfterFirst = emulator.oauthRequests.filter((r) => r.grantType === 'refresh_token').length;
    await helper.unload();
    // A restart: the same typed (now dead) refresh token; the stored rotated pair must win.
    nodes = await load({ portal: {}, credentials: { refreshToken: typed.refreshToken } });
    const second = await logLine(nodes, { event_token: eventToken, payload: 'after restart' });
    assert.equal(second.payload, true, JSON.stringify(second.error));
    assert.equal(emulator.oauthRequests.filter((r) => r.grantType === 'refresh_token').length, refreshesAfterFirst);
    assert.deepEqual(emulator.logOf(workflowId).map((l) => l.message), ['via OAuth', 'after restart']);
    const file = fs.readFileSync(path.join(userDir, '.bitrix24-bizproc-tokens.json'), 'utf8');
    for (const secret of secrets) assert.ok(!file.includes(secret), 'the token store is encrypted');
  });

  it('reports REAUTH_REQUIRED on output 2 and in the status once the refresh token is refused', async () => {
    const typed = issue();
    // Rotate it away first, so the typed refresh token is dead.
    await fetch(`${emulator.url}/oauth/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, refresh_token: typed.refreshToken }).toString(),
    });
    const nodes = await load({ portal: {}, credentials: { refreshToken: typed.refreshToken } });
    const failed = await logLine(nodes, { event_token: emulator.startWorkflow().eventToken, payload: 'x' });
    assert.equal(failed.error.code, 'REAUTH_REQUIRED');
    const again = await logLine(nodes, { event_token: emulator.startWorkflow().eventToken, payload: 'y' });
    assert.equal(again.error.code, 'REAUTH_REQUIRED');
    const statuses = observed.filter((s) => s && typeof s.text === 'string');
    assert.equal(statuses.at(-1).text, `${CATALOGUE}.status.reauth`, 'the portal’s state wins over the call’s own failure');
    // New tokens (the Authorize button) end the state on every node using the portal.
    await helper.getNode('portal').oauth.replaceTokens({ ...issue(), expiresAt: Date.now() + 3_600_000 });
    const fine = await logLine(nodes, { event_token: emulator.startWorkflow().eventToken, payload: 'z' });
    assert.equal(fine.payload, true);
    assert.equal(observed.filter((s) => s && typeof s.text === 'string').at(-1).text, `${CATALOGUE}.status.ok`);
  });

  it('the Authorize button: start (state), portal redirect, callback, stored pair, working node', async () => {
    const nodes = await load({ portal: {}, credentials: {} });
    const unauthorised = await logLine(nodes, { event_token: emulator.startWorkflow().eventToken, payload: 'x' });
    assert.equal(unauthorised.error.code, 'REAUTH_REQUIRED');

    const callbackUrl = 'http://127.0.0.1:1880/bitrix24-portal/oauth/callback';
    const start = await helper.request().post('/bitrix24-portal/oauth/start').send({ id: 'portal', portalUrl: emulator.url, authServer: `${emulator.url}/`, clientId: CLIENT_ID, clientSecret: '__PWRD__', callbackUrl }).expect(200);
    const authorizeUrl = new URL(start.body.authorizeUrl);
    assert.equal(authorizeUrl.origin, emulator.url);
    assert.ok(!start.text.includes(CLIENT_SECRET));
    const redirect = await fetch(authorizeUrl, { redirect: 'manual' });
    assert.equal(redirect.status, 302);
    const back = new URL(redirect.headers.get('location'));
    assert.equal(`${back.origin}${back.pathname}`, callbackUrl);

    const forged = await helper.request().get(`/bitrix24-portal/oauth/callback?code=x&state=${'0'.repeat(48)}`);
    assert.equal(forged.status, 400);
    const page = await helper.request().get(`/bitrix24-portal/oauth/callback${back.search}`);
    assert.equal(page.status, 200, page.text);
    const replay = await helper.request().get(`/bitrix24-portal/oauth/callback${back.search}`);
    assert.equal(replay.status, 400, 'the state is single-use');
    const status = await helper.request().get('/bitrix24-portal/oauth/status/portal').expect(200);
    assert.deepEqual(status.body, { status: 'authorised' });

    const { workflowId, eventToken } = emulator.startWorkflow();
    const logged = await logLine(nodes, { event_token: eventToken, payload: 'authorised by the button' });
    assert.equal(logged.payload, true, JSON.stringify(logged.error));
    assert.deepEqual(emulator.logOf(workflowId).map((l) => l.message), ['authorised by the button']);
  });

  it('message auth: uses msg.auth for the configured portal only', async () => {
    const tokens = issue();
    const nodes = await load({ portal: { authType: 'message' }, credentials: {} });
    const host = new URL(emulator.url).host;
    const auth = { access_token: tokens.accessToken, refresh_token: tokens.refreshToken, expires: Math.floor(tokens.expiresAt / 1000), domain: host, client_endpoint: `${emulator.url}/rest/` };
    const { workflowId, eventToken } = emulator.startWorkflow();
    const ok = await logLine(nodes, { event_token: eventToken, payload: 'with the message auth', auth });
    assert.equal(ok.payload, true, JSON.stringify(ok.error));
    const requestsBefore = emulator.requests.length;
    const foreign = await logLine(nodes, { event_token: eventToken, payload: 'elsewhere', auth: { ...auth, domain: 'evil.example.com' } });
    assert.equal(foreign.error.code, 'AUTH_DOMAIN_MISMATCH');
    const missing = await logLine(nodes, { event_token: eventToken, payload: 'no auth' });
    assert.equal(missing.error.code, 'INVALID_AUTH');
    assert.equal(emulator.requests.length, requestsBefore, 'no call left for a refused auth');
    assert.deepEqual(emulator.logOf(workflowId).map((l) => l.message), ['with the message auth']);
  });

  it('keeps rotated tokens sealed in a named context store when asked (restarts: see the e2e test)', async () => {
    const typed = issue();
    const nodes = await load({ portal: { tokenStore: 'default' }, credentials: { refreshToken: typed.refreshToken } });
    const { workflowId, eventToken } = emulator.startWorkflow();
    assert.equal((await logLine(nodes, { event_token: eventToken, payload: 'one' })).payload, true);
    const stored = helper.getNode('log').context().global.get('bitrix24-bizproc-token:oauth-tokens/portal', 'default');
    assert.ok(stored && typeof stored.data === 'string' && typeof stored.tag === 'string', 'a sealed value in the context store');
    const sealed = JSON.stringify(stored);
    for (const secret of secrets) assert.ok(!sealed.includes(secret));
    assert.deepEqual(emulator.logOf(workflowId).map((l) => l.message), ['one']);
  });

  it('never shows a token or the client secret in logs, statuses or messages', () => {
    const text = util.inspect(observed, { depth: 20, maxArrayLength: null, maxStringLength: null });
    assert.ok(observed.length > 10);
    for (const secret of secrets) assert.ok(!text.includes(secret), 'a secret leaked');
  });
});
