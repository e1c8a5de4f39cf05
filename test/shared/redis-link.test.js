'use strict';
// The connection to Redis: TLS with rediss:// (the server's certificate checked), a refused login and an unreachable
// server told apart, a server that stops answering given up on after the command timeout, and every failure a
// SHARED_STATE_UNAVAILABLE in bounded time.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { RedisLink, parseRedisUrl } = require('../../dist/bitrix24');
const { luaScript } = require('../../dist/bitrix24/shared/redis-link');
const { RedisServer } = require('../support/redis-server');

const PING = luaScript("return redis.call('PING')");

/** Resolves with the link's first state once it has one. */
function firstState(link) {
  return new Promise((resolve) => link.onChange(resolve));
}

describe('the link to Redis', function () {
  this.timeout(30_000);
  const servers = [];
  const links = [];

  async function server(options) {
    const started = new RedisServer(options);
    servers.push(started);
    return started.start();
  }
  function link(url, options) {
    const opened = new RedisLink(parseRedisUrl(url), options);
    links.push(opened);
    return opened;
  }
  afterEach(async () => {
    for (const each of links.splice(0)) await each.close();
    for (const each of servers.splice(0)) await each.remove();
  });

  it('speaks TLS with rediss://, checking the server against the CA it is given', async () => {
    const redis = await server({ tls: true });
    const trusted = link(redis.url, { tls: { ca: fs.readFileSync(RedisServer.caFile) } });
    assert.equal(await trusted.run(PING, [], []), 'PONG');
    const untrusted = link(redis.url);
    assert.deepEqual(await firstState(untrusted), { up: false, trouble: 'tls' });
    await assert.rejects(untrusted.run(PING, [], []), { code: 'SHARED_STATE_UNAVAILABLE', reason: 'tls' });
  });

  it('tells a refused login from an unreachable server, and fails at once while down', async () => {
    const redis = await server({ password: 'right-password' });
    const wrong = link(redis.url.replace('right-password', 'wrong-password'));
    assert.deepEqual(await firstState(wrong), { up: false, trouble: 'auth' });
    const started = Date.now();
    await assert.rejects(wrong.run(PING, [], []), { code: 'SHARED_STATE_UNAVAILABLE', reason: 'auth' });
    assert.ok(Date.now() - started < 500, 'no waiting while down');
    await redis.stop();
    const gone = link(redis.url);
    assert.deepEqual(await firstState(gone), { up: false, trouble: 'unreachable' });
  });
  it('gives up on a Redis that stops answering after the command timeout, and works again once it answers', async () => {
    const redis = await server();
    const slow = link(redis.url, { commandTimeoutMs: 300 });
    assert.equal(await slow.run(PING, [], []), 'PONG');
    // Frozen, not closed: the connection stays open and nothing answers, as with an overloaded server.
    redis.child.kill('SIGSTOP');
    try {
      const started = Date.now();
      await assert.rejects(slow.run(PING, [], []), { code: 'SHARED_STATE_UNAVAILABLE', reason: 'timeout' });
      assert.ok(Date.now() - started < 2_000, 'bounded by the command timeout');
    } finally {
      redis.child.kill('SIGCONT');
    }
    assert.equal(await slow.run(PING, [], []), 'PONG');
  });
});
