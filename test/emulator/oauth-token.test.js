'use strict';
const assert = require('node:assert/strict');
const { startOAuthEmulator, callApp, requestToken, refresh, CLIENT_ID, CLIENT_SECRET, TOKEN_SHAPE } = require('./oauth-harness');

const INVALID_GRANT = { error: 'invalid_grant', error_description: 'The refresh token is invalid or expired.' };
const INVALID_CLIENT = { error: 'invalid_client', error_description: 'The client credentials are invalid.' };

describe('OAuth: the token server', () => {
  let emulator;
  let clock;
  let tokens;
  beforeEach(async () => {
    ({ emulator, clock } = await startOAuthEmulator({ userId: 5, oauth: { memberId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90' } }));
    tokens = emulator.issueTokens();
  });
  afterEach(() => emulator.stop());

  it('answers a refresh with a new pair in the body Bitrix24 sends, never cached', async () => {
    clock.advance(1500);
    const answer = await refresh(emulator, tokens.refreshToken);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    const { access_token, refresh_token, ...rest } = answer.body;
    assert.match(access_token, TOKEN_SHAPE);
    assert.match(refresh_token, TOKEN_SHAPE);
    assert.notEqual(access_token, tokens.accessToken);
    assert.notEqual(refresh_token, tokens.refreshToken);
    const host = new URL(emulator.url).host;
    assert.deepEqual(rest, {
      expires: Math.floor(clock.now() / 1000) + 3600,
      expires_in: 3600,
      scope: 'bizproc',
      domain: host,
      server_endpoint: `${emulator.url}/oauth/rest/`,
      client_endpoint: `${emulator.url}/rest/`,
      member_id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
      user_id: 5,
      status: 'L',
    });
    assert.deepEqual(Object.keys(answer.body).slice(0, 4), ['access_token', 'refresh_token', 'expires', 'expires_in']);
  });

  it('rotates: the new pair works, the old refresh token is dead, the old access token lives until its expiry', async () => {
    const first = await refresh(emulator, tokens.refreshToken);
    assert.equal(first.status, 200);
    assert.equal((await callApp(emulator, 'scope', first.body.access_token)).status, 200);
    const reused = await refresh(emulator, tokens.refreshToken);
    assert.equal(reused.status, 400);
    assert.deepEqual(reused.body, INVALID_GRANT);
    assert.equal((await callApp(emulator, 'scope', tokens.accessToken)).status, 200, 'old access token still valid');
    clock.advance(3600_000);
    assert.equal((await callApp(emulator, 'scope', tokens.accessToken)).body.error, 'expired_token');
    const second = await refresh(emulator, first.body.refresh_token);
    assert.equal(second.status, 200);
    assert.equal((await callApp(emulator, 'scope', second.body.access_token)).status, 200);
  });

  it('refuses an unknown refresh token and one older than its lifetime with invalid_grant', async () => {
    assert.deepEqual((await refresh(emulator, 'f'.repeat(72))).body, INVALID_GRANT);
    assert.deepEqual((await refresh(emulator, '')).body, INVALID_GRANT);
    clock.advance(180 * 24 * 3600_000);
    const expired = await refresh(emulator, tokens.refreshToken);
    assert.equal(expired.status, 400);
    assert.deepEqual(expired.body, INVALID_GRANT);
  });

  it('honours a shorter refresh-token lifetime, to the millisecond', async () => {
    const short = await startOAuthEmulator({ oauth: { refreshTokenTtlSeconds: 60, accessTokenTtlSeconds: 10 } });
    try {
      const pair = short.emulator.issueTokens();
      assert.equal(pair.expiresAt, short.clock.now() + 10_000);
      short.clock.advance(59_999);
      const renewed = await refresh(short.emulator, pair.refreshToken);
      assert.equal(renewed.body.expires_in, 10);
      short.clock.advance(60_000);
      assert.deepEqual((await refresh(short.emulator, renewed.body.refresh_token)).body, INVALID_GRANT);
    } finally {
      await short.emulator.stop();
    }
  });

  it('refuses a wrong or missing client id or secret with 401 invalid_client, leaving the refresh token usable', async () => {
    for (const extra of [{ client_secret: 'wrong' }, { client_id: 'local.other.1' }, { client_secret: `${CLIENT_SECRET}x` }]) {
      const refused = await refresh(emulator, tokens.refreshToken, extra);
      assert.equal(refused.status, 401, JSON.stringify(extra));
      assert.deepEqual(refused.body, INVALID_CLIENT);
    }
    const missing = await requestToken(emulator, { grant_type: 'refresh_token', refresh_token: tokens.refreshToken });
    assert.deepEqual(missing.body, INVALID_CLIENT);
    assert.equal((await refresh(emulator, tokens.refreshToken)).status, 200);
  });

  it('answers 400 unsupported_grant_type for a missing or unknown grant type', async () => {
    for (const params of [{}, { grant_type: 'password' }, { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET }]) {
      const refused = await requestToken(emulator, params);
      assert.equal(refused.status, 400);
      assert.deepEqual(refused.body, { error: 'unsupported_grant_type' });
    }
  });

  it('accepts GET with a query, POST with JSON, and the path without the trailing slash', async () => {
    const params = (refreshToken) => ({ grant_type: 'refresh_token', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, refresh_token: refreshToken });
    const viaGet = await requestToken(emulator, params(tokens.refreshToken), { httpMethod: 'GET', path: '/oauth/token' });
    assert.equal(viaGet.status, 200);
    const viaJson = await requestToken(emulator, params(viaGet.body.refresh_token), { json: true });
    assert.equal(viaJson.status, 200);
    const upperKeys = await requestToken(emulator, { GRANT_TYPE: 'refresh_token', Client_Id: CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN: viaJson.body.refresh_token });
    assert.equal(upperKeys.status, 200);
  });

  it('refuses other HTTP methods and broken JSON', async () => {
    const put = await requestToken(emulator, {}, { httpMethod: 'PUT' });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get('allow'), 'GET, POST');
    const broken = await fetch(`${emulator.url}/oauth/token/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    assert.equal(broken.status, 400);
    assert.equal((await broken.json()).error, 'invalid_request');
  });

  it('records every call with its grant type and outcome, but no secret, token or code', async () => {
    const renewed = await refresh(emulator, tokens.refreshToken);
    clock.advance(10);
    await refresh(emulator, tokens.refreshToken);
    await refresh(emulator, renewed.body.refresh_token, { client_secret: 'wrong' });
    await requestToken(emulator, { grant_type: tokens.accessToken });
    await requestToken(emulator, { grant_type: 'authorization_code', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, code: 'nope' });
    assert.deepEqual(emulator.oauthRequests, [
      { at: clock.now() - 10, grantType: 'refresh_token', ok: true },
      { at: clock.now(), grantType: 'refresh_token', ok: false, error: 'invalid_grant' },
      { at: clock.now(), grantType: 'refresh_token', ok: false, error: 'invalid_client' },
      { at: clock.now(), grantType: '(invalid)', ok: false, error: 'unsupported_grant_type' },
      { at: clock.now(), grantType: 'authorization_code', ok: false, error: 'invalid_grant' },
    ]);
    const text = JSON.stringify(emulator.oauthRequests);
    for (const secret of [CLIENT_SECRET, tokens.accessToken, tokens.refreshToken, renewed.body.refresh_token, renewed.body.access_token]) {
      assert.equal(text.includes(secret), false);
    }
    assert.equal(emulator.requests.length, 0, 'token-server calls are not REST requests');
  });
});
