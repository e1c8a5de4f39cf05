'use strict';
const assert = require('node:assert/strict');
const http = require('node:http');
const { startOAuthEmulator, callApp, requestToken, authorize, CLIENT_ID, CLIENT_SECRET, TOKEN_SHAPE } = require('./oauth-harness');

const INVALID_CODE = { error: 'invalid_grant', error_description: 'The authorization code is invalid or expired.' };
const HANDLER = 'http://localhost:8080/install?tab=1';

function exchange(emulator, code, extra = {}) {
  return requestToken(emulator, { grant_type: 'authorization_code', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, code, ...extra });
}

describe('OAuth: the authorisation page and the code grant', () => {
  let emulator;
  let clock;
  beforeEach(async () => {
    ({ emulator, clock } = await startOAuthEmulator({ oauth: { memberId: 'member0123' } }));
  });
  afterEach(() => emulator.stop());

  it('approves at once and redirects with code, state, domain, member_id, scope and server_domain', async () => {
    const state = 'a b&c=d<"x">/é?#';
    const answer = await authorize(emulator, { client_id: CLIENT_ID, response_type: 'code', state, redirect_uri: HANDLER });
    assert.equal(answer.status, 302);
    const location = answer.location;
    assert.equal(`${location.origin}${location.pathname}`, 'http://localhost:8080/install');
    const host = new URL(emulator.url).host;
    assert.deepEqual([...location.searchParams.keys()], ['tab', 'code', 'state', 'domain', 'member_id', 'scope', 'server_domain']);
    assert.equal(location.searchParams.get('tab'), '1');
    assert.match(location.searchParams.get('code'), TOKEN_SHAPE);
    assert.equal(location.searchParams.get('state'), state);
    assert.equal(location.searchParams.get('domain'), host);
    assert.equal(location.searchParams.get('member_id'), 'member0123');
    assert.equal(location.searchParams.get('scope'), 'bizproc');
    assert.equal(location.searchParams.get('server_domain'), host);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    assert.equal(answer.text.includes('<"x">'), false, 'the page escapes what it echoes');
  });

  it('runs the whole flow: authorize, follow the Location to the handler, exchange the code, call REST', async () => {
    // The application's handler: a real server the browser would be sent to, which records what it received.
    const received = [];
    const handler = http.createServer((request, response) => {
      received.push(new URL(request.url, 'http://handler'));
      response.end('installed');
    });
    await new Promise((resolve) => handler.listen(0, '127.0.0.1', resolve));
    try {
      const handlerUrl = `http://127.0.0.1:${handler.address().port}/handler`;
      const approved = await authorize(emulator, { client_id: CLIENT_ID, state: 's1', redirect_uri: handlerUrl });
      assert.equal(approved.status, 302);
      const followed = await fetch(approved.location);
      assert.equal(await followed.text(), 'installed');
      const [arrival] = received;
      assert.equal(arrival.pathname, '/handler');
      assert.equal(arrival.searchParams.get('state'), 's1');
      const tokens = await exchange(emulator, arrival.searchParams.get('code'));
      assert.equal(tokens.status, 200);
      assert.equal(tokens.body.member_id, 'member0123');
      assert.equal(tokens.body.client_endpoint, `${emulator.url}/rest/`);
      const call = await callApp(emulator, 'scope', tokens.body.access_token);
      assert.deepEqual(call.body.result, ['bizproc']);
      const renewed = await requestToken(emulator, {
        grant_type: 'refresh_token', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, refresh_token: tokens.body.refresh_token,
      });
      assert.equal(renewed.status, 200);
      assert.deepEqual(emulator.oauthRequests.map((record) => [record.grantType, record.ok]), [['authorization_code', true], ['refresh_token', true]]);
    } finally {
      await new Promise((resolve) => handler.close(resolve));
    }
  });

  it('accepts a code once only', async () => {
    const code = (await authorize(emulator, { client_id: CLIENT_ID, redirect_uri: HANDLER })).location.searchParams.get('code');
    assert.equal((await exchange(emulator, code)).status, 200);
    const reused = await exchange(emulator, code);
    assert.equal(reused.status, 400);
    assert.deepEqual(reused.body, INVALID_CODE);
  });

  it('lets a code expire 30 s after it was issued, by the emulator clock', async () => {
    const first = (await authorize(emulator, { client_id: CLIENT_ID, redirect_uri: HANDLER })).location.searchParams.get('code');
    const second = (await authorize(emulator, { client_id: CLIENT_ID, redirect_uri: HANDLER })).location.searchParams.get('code');
    clock.advance(29_999);
    assert.equal((await exchange(emulator, first)).status, 200);
    clock.advance(1);
    assert.deepEqual((await exchange(emulator, second)).body, INVALID_CODE);
  });

  it('checks the client before the code, so a wrong secret does not burn the code', async () => {
    const code = (await authorize(emulator, { client_id: CLIENT_ID, redirect_uri: HANDLER })).location.searchParams.get('code');
    const refused = await exchange(emulator, code, { client_secret: 'wrong' });
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error, 'invalid_client');
    assert.equal((await exchange(emulator, code)).status, 200);
  });

  it('refuses a missing or unknown client_id with a 400 page that echoes nothing', async () => {
    for (const query of [{ redirect_uri: HANDLER }, { client_id: '<script>alert(1)</script>', redirect_uri: HANDLER }]) {
      const refused = await authorize(emulator, query);
      assert.equal(refused.status, 400);
      assert.equal(refused.location, undefined);
      assert.match(refused.headers.get('content-type'), /^text\/html/);
      assert.match(refused.text, /Unknown client_id/);
      assert.equal(refused.text.includes('<script>'), false);
    }
  });

  it('refuses a missing, non-http(s), relative or fragment redirect URI, and response types other than code', async () => {
    const cases = [
      [{}, /redirect_uri is required/],
      [{ redirect_uri: 'javascript:alert(1)' }, /http or https/],
      [{ redirect_uri: 'data:text/html,<b>x</b>' }, /http or https/],
      [{ redirect_uri: '/relative' }, /absolute URL/],
      [{ redirect_uri: 'https://app.example.test/#frag' }, /fragment/],
      [{ redirect_uri: `https://app.example.test/${'a'.repeat(2100)}` }, /at most 2048/],
      [{ redirect_uri: HANDLER, response_type: 'token' }, /response_type=code/],
      [{ redirect_uri: HANDLER, state: 's'.repeat(1025) }, /state must be at most/],
      [{ redirect_uri: 'https://evil.example.test/handler' }, /must be on this machine/],
      [{ redirect_uri: 'http://127.0.0.1.evil.example.test/' }, /must be on this machine/],
    ];
    for (const [query, reason] of cases) {
      const refused = await authorize(emulator, { client_id: CLIENT_ID, ...query });
      assert.equal(refused.status, 400, JSON.stringify(query).slice(0, 80));
      assert.equal(refused.location, undefined);
      assert.match(refused.text, reason);
      assert.equal(refused.text.includes('<b>'), false);
    }
  });

  it('answers only GET and HEAD', async () => {
    const refused = await fetch(`${emulator.url}/oauth/authorize?client_id=${CLIENT_ID}`, { method: 'POST', redirect: 'manual' });
    assert.equal(refused.status, 405);
    await refused.text();
  });
});

describe('OAuth: a registered handler URL', () => {
  let emulator;
  beforeEach(async () => {
    ({ emulator } = await startOAuthEmulator({ oauth: { redirectUri: 'https://app.example.test/handler' } }));
  });
  afterEach(() => emulator.stop());

  it('is used when redirect_uri is absent, and a given one must be on its host', async () => {
    const defaulted = await authorize(emulator, { client_id: CLIENT_ID, state: 'x' });
    assert.equal(defaulted.status, 302);
    assert.equal(`${defaulted.location.origin}${defaulted.location.pathname}`, 'https://app.example.test/handler');
    const sameHost = await authorize(emulator, { client_id: CLIENT_ID, redirect_uri: 'https://app.example.test/other' });
    assert.equal(sameHost.location.pathname, '/other');
    const otherHost = await authorize(emulator, { client_id: CLIENT_ID, redirect_uri: 'https://evil.example.test/handler' });
    assert.equal(otherHost.status, 400);
    assert.match(otherHost.text, /registered host/);
  });
});
