'use strict';
const assert = require('node:assert/strict');
const { startEmulator, callRest, logLine, encodePhpQuery } = require('./emulator-harness');
const { startOAuthEmulator, callApp, CLIENT_SECRET, TOKEN_SHAPE } = require('./oauth-harness');

const EXPIRED = { error: 'expired_token', error_description: 'The access token provided has expired.' };
const INVALID = { error: 'invalid_token', error_description: 'The access token provided is invalid.' };
const NO_AUTH = { error: 'NO_AUTH_FOUND', error_description: 'Wrong authorization data' };

describe('OAuth: REST calls with an access token', () => {
  let emulator;
  let clock;
  let tokens;
  beforeEach(async () => {
    ({ emulator, clock } = await startOAuthEmulator({ webhookSecret: 'oauthrestsecret1' }));
    tokens = emulator.issueTokens();
  });
  afterEach(() => emulator.stop());

  it('issues realistic tokens that expire an hour later by the emulator clock', () => {
    assert.match(tokens.accessToken, TOKEN_SHAPE);
    assert.match(tokens.refreshToken, TOKEN_SHAPE);
    assert.notEqual(tokens.accessToken, tokens.refreshToken);
    assert.equal(tokens.expiresAt, clock.now() + 3600_000);
  });

  it('runs a call authorised by auth in a JSON body, a form body or the query, with any key case and suffix', async () => {
    const { workflowId, eventToken } = emulator.startWorkflow();
    const line = (message) => ({ EVENT_TOKEN: eventToken, LOG_MESSAGE: message });
    assert.equal((await callApp(emulator, 'bizproc.activity.log', tokens.accessToken, line('json'))).status, 200);
    assert.equal((await callApp(emulator, 'bizproc.activity.log.json', tokens.accessToken, line('form'), { form: true })).status, 200);
    assert.equal((await callApp(emulator, 'bizproc.activity.log', tokens.accessToken, line('query'), { httpMethod: 'GET' })).status, 200);
    const upper = await callRest(emulator, 'scope', { AUTH: tokens.accessToken }, { base: `${emulator.url}/rest/` });
    assert.deepEqual(upper.body.result, ['bizproc']);
    assert.deepEqual(emulator.logOf(workflowId).map((entry) => entry.message), ['json', 'form', 'query']);
  });

  it('answers the same {result, time} envelope as a webhook call', async () => {
    const viaToken = await callApp(emulator, 'scope', tokens.accessToken);
    const viaWebhook = await callRest(emulator, 'scope');
    assert.deepEqual(viaToken.body, viaWebhook.body);
  });

  it('refuses the token with 401 expired_token once the clock passes its expiry', async () => {
    clock.advance(3600_000 - 1);
    assert.equal((await callApp(emulator, 'scope', tokens.accessToken)).status, 200);
    clock.advance(1);
    const refused = await callApp(emulator, 'scope', tokens.accessToken);
    assert.equal(refused.status, 401);
    assert.deepEqual(refused.body, EXPIRED);
  });

  it('expires every access token at once on expireAccessTokens(), later pairs working again', async () => {
    const second = emulator.issueTokens();
    emulator.expireAccessTokens();
    for (const token of [tokens.accessToken, second.accessToken]) {
      assert.deepEqual((await callApp(emulator, 'scope', token)).body, EXPIRED);
    }
    assert.equal((await callApp(emulator, 'scope', emulator.issueTokens().accessToken)).status, 200);
  });

  it('refuses an unknown or malformed token with 401 invalid_token', async () => {
    for (const auth of [tokens.refreshToken, 'f'.repeat(72), `${tokens.accessToken}x`]) {
      const refused = await callApp(emulator, 'scope', auth);
      assert.equal(refused.status, 401);
      assert.deepEqual(refused.body, INVALID);
    }
    const array = await callApp(emulator, 'scope', [tokens.accessToken]);
    assert.deepEqual(array.body, INVALID);
  });

  it('refuses a call without auth (or with an empty one) with 401 NO_AUTH_FOUND', async () => {
    for (const auth of [undefined, '']) {
      const refused = await callApp(emulator, 'scope', auth);
      assert.equal(refused.status, 401);
      assert.deepEqual(refused.body, NO_AUTH);
    }
  });

  it('does not let a token rescue a webhook path with a wrong secret', async () => {
    const refused = await callRest(emulator, 'scope', { auth: tokens.accessToken }, { base: `${emulator.url}/rest/1/wrongsecret/` });
    assert.deepEqual(refused.body, NO_AUTH);
  });

  it('reads auth from the query when the JSON body is broken, then answers INVALID_REQUEST', async () => {
    const query = `?${encodePhpQuery({ auth: tokens.accessToken })}`;
    const answer = await callRest(emulator, `scope${query}`, {}, { base: `${emulator.url}/rest/`, rawBody: '{', headers: { 'content-type': 'application/json' } });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error, 'INVALID_REQUEST');
  });

  it('lets the auth of a batch authorise all its commands', async () => {
    const { workflowId, eventToken } = emulator.startWorkflow();
    const command = (message) => `bizproc.activity.log?${encodePhpQuery({ EVENT_TOKEN: eventToken, LOG_MESSAGE: message })}`;
    const answer = await callApp(emulator, 'batch', tokens.accessToken, { halt: 0, cmd: { a: command('one'), b: command('two'), c: 'scope' } });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body.result.result, { a: true, b: true, c: ['bizproc'] });
    assert.deepEqual(emulator.logOf(workflowId).map((entry) => entry.message), ['one', 'two']);
    emulator.expireAccessTokens();
    const refused = await callApp(emulator, 'batch', tokens.accessToken, { cmd: { a: command('three') } }, { form: true });
    assert.deepEqual(refused.body, EXPIRED);
    assert.equal(emulator.logOf(workflowId).length, 2);
  });

  it('shares the rate bucket with the webhook and applies injected faults', async () => {
    emulator.setRateLimit({ burst: 2, drainPerSecond: 0 });
    assert.equal((await callRest(emulator, 'scope')).status, 200);
    assert.equal((await callApp(emulator, 'scope', tokens.accessToken)).status, 200);
    assert.equal((await callApp(emulator, 'scope', tokens.accessToken)).status, 503);
    assert.equal((await callApp(emulator, 'scope', 'unknown')).status, 401, 'a refused token must not reach the bucket');
    emulator.setRateLimit(false);
    emulator.injectFault({ type: 'status', status: 500, body: { error: 'INTERNAL_SERVER_ERROR' } }, { method: 'scope' });
    assert.equal((await callApp(emulator, 'scope', tokens.accessToken)).status, 500);
  });

  it('records token calls like webhook calls, without the token', async () => {
    emulator.resetRequests();
    await callApp(emulator, 'scope', tokens.accessToken);
    await callApp(emulator, 'batch', tokens.accessToken, { cmd: { a: 'scope', b: 'scope' } });
    await callApp(emulator, 'scope', 'unknown');
    await emulator.waitForRequests(3);
    assert.deepEqual(emulator.requests, [
      { at: clock.now(), httpMethod: 'POST', restMethod: 'scope', commands: 1, status: 200, authorised: true },
      { at: clock.now(), httpMethod: 'POST', restMethod: 'batch', commands: 2, status: 200, authorised: true },
      { at: clock.now(), httpMethod: 'POST', restMethod: 'scope', commands: 1, status: 401, authorised: false },
    ]);
    const text = JSON.stringify(emulator.requests);
    assert.equal(text.includes(tokens.accessToken), false);
  });

  it('masks tokens and never shows the client secret on the log page and in the workflow list', async () => {
    const { eventToken } = emulator.startWorkflow({ name: `deal ${tokens.refreshToken}` });
    await logLine(emulator, eventToken, `auth=${tokens.accessToken}`);
    for (const path of ['/', '/emulator/api/workflows']) {
      const text = await (await fetch(`${emulator.url}${path}`)).text();
      assert.equal(text.includes(tokens.accessToken), false, path);
      assert.equal(text.includes(tokens.refreshToken), false, path);
      assert.equal(text.includes(CLIENT_SECRET), false, path);
      assert.match(text, /auth=\[hidden\]/);
    }
  });

  it('keeps the webhook routes working unchanged', async () => {
    assert.equal((await callRest(emulator, 'scope')).status, 200);
    assert.equal((await callRest(emulator, 'scope', {}, { base: `${emulator.url}/rest/1/wrongsecret/` })).status, 401);
  });
});

describe('OAuth side off', () => {
  it('refuses /rest/<method> even with an auth parameter, and the controls say the option is needed', async () => {
    const { emulator } = await startEmulator();
    try {
      assert.deepEqual((await callApp(emulator, 'scope', 'f'.repeat(72))).body, NO_AUTH);
      assert.equal((await fetch(`${emulator.url}/oauth/token/`)).status, 404);
      assert.equal((await fetch(`${emulator.url}/oauth/authorize/`)).status, 404);
      assert.throws(() => emulator.issueTokens(), /needs the oauth option/);
      assert.throws(() => emulator.expireAccessTokens(), /needs the oauth option/);
      assert.deepEqual(emulator.oauthRequests, []);
    } finally {
      await emulator.stop();
    }
  });
});
