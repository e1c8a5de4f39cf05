'use strict';
const assert = require('node:assert/strict');
const http = require('node:http');
const { Bitrix24Client, OAuthAuth, MemoryTokenStore, MessageAuth, parseMessageAuth, Bitrix24Error, logActivity } = require('../../dist/bitrix24');
const { ManualScheduler } = require('../../dist/bitrix24/delivery/scheduler');
const { failure } = require('../support/failure');
const { Bitrix24Emulator } = require('../../dist/emulator');

const CLIENT_ID = 'local.0123456789abcd.11111111';
const CLIENT_SECRET = 'CanaryClientSecretQ9w8e7r6t5';

describe('OAuth application tokens against the emulator', function () {
  let clock;
  let emulator;
  let clients;

  beforeEach(async () => {
    clock = new ManualScheduler(Date.UTC(2026, 5, 1));
    emulator = new Bitrix24Emulator({ rateLimit: false, clock, oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } });
    await emulator.start();
    clients = [];
  });
  afterEach(async () => {
    for (const client of clients) await client.close();
    await emulator.stop();
  });

  /** A client on the emulator's application endpoint, starting from a freshly issued pair. */
  function oauthClient({ tokens = emulator.issueTokens(), store, app = {}, onReauthorisationChange } = {}) {
    const tokenStore = store ?? new MemoryTokenStore(tokens);
    const auth = new OAuthAuth({
      clientEndpoint: `${emulator.url}/rest/`,
      app: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, authServer: `${emulator.url}/`, ...app },
      store: tokenStore,
      now: () => clock.now(),
      onReauthorisationChange,
    });
    const client = new Bitrix24Client({ auth });
    clients.push(client);
    return { client, auth, store: tokenStore };
  }

  const refreshes = () => emulator.oauthRequests.filter((r) => r.grantType === 'refresh_token');

  it('calls with auth=<access token>, refreshes once on expired_token, and repeats the call', async () => {
    const { client, store } = oauthClient();
    const first = emulator.startWorkflow();
    assert.equal((await logActivity(client, first.eventToken, 'before expiry')).result, true);
    emulator.expireAccessTokens();
    assert.equal((await logActivity(client, first.eventToken, 'after expiry')).result, true);
    assert.equal(refreshes().length, 1);
    assert.deepEqual(emulator.logOf(first.workflowId).map((l) => l.message), ['before expiry', 'after expiry']);
    const saved = await store.load();
    assert.notEqual(saved.refreshToken, undefined);
  });

  it('refreshes ahead of expiry instead of meeting an expired token', async () => {
    const { client } = oauthClient();
    const { eventToken } = emulator.startWorkflow();
    await logActivity(client, eventToken, 'a');
    clock.advance(3_590_000);
    await logActivity(client, eventToken, 'b');
    assert.equal(refreshes().length, 1);
    assert.equal(emulator.requests.filter((r) => r.status === 401).length, 0);
  });

  it('refreshes short-lived tokens ahead by half their life, not on every call', async () => {
    const shortLived = new Bitrix24Emulator({ rateLimit: false, clock, oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, accessTokenTtlSeconds: 2 } });
    await shortLived.start();
    try {
      const auth = new OAuthAuth({
        clientEndpoint: `${shortLived.url}/rest/`,
        app: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, authServer: `${shortLived.url}/` },
        store: new MemoryTokenStore(shortLived.issueTokens()),
        now: () => clock.now(),
      });
      const client = new Bitrix24Client({ auth });
      clients.push(client);
      const { eventToken } = shortLived.startWorkflow();
      for (let i = 0; i < 20; i += 1) {
        await logActivity(client, eventToken, `line ${i}`);
        clock.advance(500);
      }
      const refreshCount = shortLived.oauthRequests.filter((r) => r.grantType === 'refresh_token').length;
      // 10 s of 2-second tokens refreshed a second before expiry: about one refresh a second, not one per call.
      assert.ok(refreshCount >= 5 && refreshCount <= 11, `${refreshCount} refreshes for 20 calls`);
      assert.equal(shortLived.requests.filter((r) => r.status === 401).length, 0);
    } finally {
      await shortLived.stop();
    }
  });

  it('50 concurrent calls on an expired token cause exactly one refresh', async () => {
    const { client } = oauthClient();
    const { workflowId, eventToken } = emulator.startWorkflow();
    await logActivity(client, eventToken, 'warm-up');
    emulator.expireAccessTokens();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => logActivity(client, eventToken, `line ${i}`)));
    assert.ok(results.every((r) => r.result === true));
    assert.equal(refreshes().length, 1);
    assert.equal(emulator.logOf(workflowId).length, 51);
  });

  it('a refresh token used elsewhere fails as REAUTH_REQUIRED, once, without a refresh loop', async () => {
    const tokens = emulator.issueTokens();
    const changes = [];
    const { client, auth } = oauthClient({ tokens, onReauthorisationChange: (required) => changes.push(required) });
    // Someone else (another instance without a shared store) rotates the pair: ours is dead.
    const stolen = new MemoryTokenStore(tokens);
    const other = oauthClient({ tokens, store: stolen });
    emulator.expireAccessTokens();
    await other.client.call('scope', {});
    const { eventToken } = emulator.startWorkflow();
    const error = await failure(() => logActivity(client, eventToken, 'x'));
    assert.equal(error.code, 'REAUTH_REQUIRED');
    assert.equal(auth.needsReauthorisation, true);
    const before = emulator.oauthRequests.length;
    const again = await failure(() => logActivity(client, eventToken, 'y'));
    assert.equal(again.code, 'REAUTH_REQUIRED');
    assert.equal(emulator.oauthRequests.length, before, 'no further refresh attempt');
    assert.deepEqual(changes, [true]);
    await auth.replaceTokens(emulator.issueTokens());
    assert.deepEqual(changes, [true, false], 'new tokens end the re-authorise state');
    assert.equal((await logActivity(client, eventToken, 'z')).result, true);
  });

  it('saves the rotated pair before using it: a store that cannot save stops the call', async () => {
    const tokens = emulator.issueTokens();
    const store = { load: async () => tokens, save: async () => { throw new Bitrix24Error('TOKEN_STORE_WRITE_FAILED', 'disk full'); } };
    const { client } = oauthClient({ tokens, store });
    emulator.expireAccessTokens();
    const restCallsBefore = emulator.requests.length;
    const error = await failure(() => client.call('scope', {}));
    assert.equal(error.code, 'TOKEN_STORE_WRITE_FAILED');
    assert.equal(emulator.requests.length, restCallsBefore + 1, 'only the call that met the expired token');
  });

  it('starts from the stored pair when there is one (a restart after rotations)', async () => {
    const first = oauthClient();
    emulator.expireAccessTokens();
    await first.client.call('scope', {});
    const rotated = await first.store.load();
    const second = oauthClient({ store: new MemoryTokenStore(rotated) });
    assert.deepEqual((await second.client.call('scope', {})).result, ['bizproc']);
    assert.equal(refreshes().length, 1);
  });

  it('sends the client secret to the auth server only, never to the portal', async () => {
    const bodies = [];
    let answered = 0;
    const portal = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        bodies.push(`${req.url} ${body}`);
        answered += 1;
        res.setHeader('content-type', 'application/json');
        if (answered === 1) {
          res.statusCode = 401;
          res.end(JSON.stringify({ error: 'expired_token', error_description: 'The access token provided has expired.' }));
        } else {
          res.end(JSON.stringify({ result: true, time: {} }));
        }
      });
    });
    await new Promise((resolve) => portal.listen(0, '127.0.0.1', resolve));
    try {
      const auth = new OAuthAuth({
        clientEndpoint: `http://127.0.0.1:${portal.address().port}/rest/`,
        app: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, authServer: `${emulator.url}/` },
        store: new MemoryTokenStore(emulator.issueTokens()),
        now: () => clock.now(),
      });
      const client = new Bitrix24Client({ auth });
      clients.push(client);
      await client.call('scope', {});
      assert.equal(bodies.length, 2);
      assert.ok(bodies.every((b) => !b.includes(CLIENT_SECRET)), 'the portal never saw the secret');
      assert.ok(bodies.every((b) => b.includes('"auth":"')), 'each call carried auth');
      assert.equal(refreshes().length, 1);
    } finally {
      await new Promise((resolve) => portal.close(resolve));
    }
  });
});

describe('auth carried by the message', function () {
  let clock;
  let emulator;

  beforeEach(async () => {
    clock = new ManualScheduler(Date.UTC(2026, 5, 1));
    emulator = new Bitrix24Emulator({ rateLimit: false, clock, oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } });
    await emulator.start();
  });
  afterEach(() => emulator.stop());

  const host = () => new URL(emulator.url).host;
  const authBlock = (tokens, extra = {}) => ({
    access_token: tokens.accessToken,
    refresh_token: tokens.refreshToken,
    expires: Math.floor(tokens.expiresAt / 1000),
    domain: host(),
    client_endpoint: `${emulator.url}/rest/`,
    member_id: 'abc',
    ...extra,
  });

  it('refuses an auth block naming another portal, before any call', () => {
    const tokens = emulator.issueTokens();
    for (const foreign of [{ domain: 'evil.example.com' }, { client_endpoint: 'https://evil.example.com/rest/' }, { domain: undefined, client_endpoint: undefined }]) {
      assert.throws(() => parseMessageAuth(authBlock(tokens, foreign), host()), (error) => error.code === 'AUTH_DOMAIN_MISMATCH');
    }
    assert.throws(() => parseMessageAuth(undefined, host()), (error) => error.code === 'INVALID_AUTH');
    assert.throws(() => parseMessageAuth({ domain: host() }, host()), (error) => error.code === 'INVALID_AUTH');
  });

  it('calls with the message token, and refreshes an expired one when the application is configured', async () => {
    const auth = new MessageAuth({
      clientEndpoint: `${emulator.url}/rest/`,
      app: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, authServer: `${emulator.url}/` },
      now: () => clock.now(),
    });
    const client = new Bitrix24Client({ auth });
    try {
      const tokens = emulator.issueTokens();
      const callAuth = parseMessageAuth(authBlock(tokens), host());
      assert.deepEqual((await client.call('scope', {}, { auth: callAuth })).result, ['bizproc']);
      clock.advance(3_700_000);
      assert.deepEqual((await client.call('scope', {}, { auth: callAuth })).result, ['bizproc']);
      assert.deepEqual((await client.call('scope', {}, { auth: callAuth })).result, ['bizproc'], 'the rotated pair is reused');
      assert.equal(emulator.oauthRequests.filter((r) => r.grantType === 'refresh_token').length, 1);
    } finally {
      await client.close();
    }
  });

  it('fails an expired message token with AUTH_EXPIRED when no application is configured', async () => {
    const client = new Bitrix24Client({ auth: new MessageAuth({ clientEndpoint: `${emulator.url}/rest/`, now: () => clock.now() }) });
    try {
      const callAuth = parseMessageAuth(authBlock(emulator.issueTokens()), host());
      clock.advance(3_700_000);
      const error = await failure(() => client.call('scope', {}, { auth: callAuth }));
      assert.equal(error.code, 'AUTH_EXPIRED');
    } finally {
      await client.close();
    }
  });
});
