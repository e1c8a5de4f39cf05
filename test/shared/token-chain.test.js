'use strict';
// One OAuth token chain shared by two processes' clients through a real redis-server, against the emulator's OAuth
// server (which, as Bitrix24, kills a refresh token the first time it is redeemed): one refresh per rotation, the
// other process takes the new pair; a crashed holder's lock expires; Redis down, nothing forks the chain; Redis holds
// nothing usable.
const assert = require('node:assert/strict');
const { Bitrix24Client, MemoryTokenStore, OAuthAuth, RedisLink, RedisTokenChain, SharedKeys, parseRedisUrl } = require('../../dist/bitrix24');
const { credentialSealer } = require('../../dist/nodes/credential-sealer');
const { Bitrix24Emulator } = require('../../dist/emulator');
const { startRedis } = require('../support/redis-server');

const CLIENT_ID = 'local.0123456789abcd.22222222';
const CLIENT_SECRET = 'CanaryChainClientSecretZ1x2c3';
const SEALER = credentialSealer('chain-test-credential-secret');

describe('an OAuth token chain shared through Redis', function () {
  this.timeout(60_000);
  let redis;
  let emulator;
  let opened;

  before(async () => {
    redis = await startRedis({ password: 'chain-test-redis-password' });
  });
  after(async () => {
    await redis?.remove();
  });
  beforeEach(async () => {
    emulator = new Bitrix24Emulator({ rateLimit: false, oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } });
    await emulator.start();
    opened = [];
  });
  afterEach(async () => {
    for (const { client, link } of opened) {
      await client.close();
      await link.close();
    }
    await emulator.stop();
  });

  /** One process: its own Redis connection, chain, local store (seeded with `typed`) and client. */
  function processOn(typed, { app = CLIENT_ID, lockTtlMs, seed = 'typed-seed-digest', onReauthorisationChange } = {}) {
    const link = new RedisLink(parseRedisUrl(redis.url));
    const local = new MemoryTokenStore(typed);
    const chain = new RedisTokenChain({ link, keys: new SharedKeys(new URL(emulator.url).host, app), sealer: SEALER, local, seed, lockTtlMs, pollMs: 50 });
    const auth = new OAuthAuth({
      clientEndpoint: `${emulator.url}/rest/`,
      app: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, authServer: `${emulator.url}/` },
      store: chain,
      onReauthorisationChange,
    });
    const client = new Bitrix24Client({ auth });
    opened.push({ client, link });
    return { client, auth, chain, link, local };
  }

  const refreshes = () => emulator.oauthRequests.filter((r) => r.grantType === 'refresh_token');
  // A refresh token as typed into both instances: no access token yet, so the first call refreshes.
  const typedPair = () => ({ accessToken: '', refreshToken: emulator.issueTokens().refreshToken, expiresAt: 0 });

  it('refreshes once per rotation for both processes, busy at once: no invalid_grant, every call answered', async () => {
    const typed = typedPair();
    const a = processOn(typed, { app: 'busy' });
    const b = processOn(typed, { app: 'busy' });
    for (let round = 0; round < 5; round += 1) {
      if (round > 0) emulator.expireAccessTokens();
      const calls = [];
      for (let i = 0; i < 5; i += 1) calls.push(a.client.call('scope', {}), b.client.call('scope', {}));
      const answers = await Promise.all(calls);
      assert.ok(answers.every((answer) => Array.isArray(answer.result)));
    }
    assert.equal(refreshes().length, 5, 'one refresh per rotation, whichever process made it');
    assert.ok(refreshes().every((r) => r.ok), 'no refresh token was redeemed twice (invalid_grant)');
  });

  it('lets the lock of a holder that crashed mid-refresh expire, then the other refreshes', async () => {
    const typed = typedPair();
    const crashed = processOn(typed, { app: 'crash', lockTtlMs: 1_500 });
    const survivor = processOn(typed, { app: 'crash', lockTtlMs: 1_500 });
    const seeded = await crashed.chain.load();
    // The holder takes the lock and dies before its refresh reaches the OAuth server: its connection goes with it.
    let holding;
    const locked = new Promise((resolve) => {
      holding = resolve;
    });
    void crashed.chain.rotate(seeded, () => {
      holding();
      return new Promise(() => {});
    });
    await locked;
    await crashed.link.close();
    const started = Date.now();
    const answer = await survivor.client.call('scope', {});
    assert.ok(Array.isArray(answer.result));
    assert.ok(Date.now() - started >= 1_000, 'the survivor waited for the lock to expire');
    assert.equal(refreshes().length, 1);
    assert.ok(refreshes()[0].ok);
  });

  it('never refreshes while Redis is down: a valid token still works, an expired one waits for Redis', async () => {
    const typed = typedPair();
    const a = processOn(typed, { app: 'outage' });
    assert.ok(Array.isArray((await a.client.call('scope', {})).result));
    await redis.stop();
    try {
      assert.ok(Array.isArray((await a.client.call('scope', {})).result), 'the access token in hand still works');
      emulator.expireAccessTokens();
      await assert.rejects(a.client.call('scope', {}), { code: 'SHARED_STATE_UNAVAILABLE' });
      assert.equal(refreshes().length, 1, 'no refresh without the lock');
    } finally {
      await redis.start();
    }
    await new Promise((resolve) => (a.link.up ? resolve() : a.link.onChange((state) => state.up && resolve())));
    assert.ok(Array.isArray((await a.client.call('scope', {})).result));
    assert.equal(refreshes().length, 2);
    assert.ok(refreshes().every((r) => r.ok));
  });

  it('starts the chain again from a refresh token typed anew, never from one that seeded it before', async () => {
    const first = typedPair();
    const a = processOn(first, { app: 'retyped', seed: 'first' });
    await a.client.call('scope', {});
    const rotated = await a.chain.latest();
    // An instance still configured with the first (now dead) token takes the chain's pair.
    const stale = processOn(first, { app: 'retyped', seed: 'first' });
    assert.equal((await stale.chain.load()).refreshToken, rotated.refreshToken);
    // One given a new token (re-authorised) restarts the chain with it, and the others follow.
    const second = typedPair();
    const retyped = processOn(second, { app: 'retyped', seed: 'second' });
    assert.equal((await retyped.chain.load()).refreshToken, second.refreshToken);
    assert.equal((await a.chain.latest()).refreshToken, second.refreshToken);
  });

  it('keeps only sealed values in Redis', async () => {
    const typed = typedPair();
    const a = processOn(typed, { app: 'sealed' });
    await a.client.call('scope', {});
    const tokens = await a.chain.latest();
    const { default: Redis } = require('ioredis');
    const raw = new Redis(redis.url);
    try {
      const keys = await raw.keys('b24bp:*');
      assert.ok(keys.some((key) => key.includes(':app:sealed:oauth:pair')), keys.join(', '));
      let dump = '';
      for (const key of keys) {
        const type = await raw.type(key);
        if (type === 'hash') dump += JSON.stringify(await raw.hgetall(key));
        else if (type === 'string') dump += await raw.get(key);
        else if (type === 'set') dump += JSON.stringify(await raw.smembers(key));
      }
      for (const secret of [tokens.accessToken, tokens.refreshToken, typed.refreshToken, CLIENT_SECRET]) {
        assert.ok(!dump.includes(secret), 'no token or secret in Redis');
      }
    } finally {
      raw.disconnect();
    }
  });
});
