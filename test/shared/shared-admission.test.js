'use strict';
// Two queues (two processes' worth: each its own client, queue and Redis connection) on one portal, sharing its
// bucket through a real redis-server: together they stay within the portal's limit, where two local buckets overrun
// it; a 503 and a 429 met by one reach the other; Redis gone, each falls back to a bucket of its own at a fraction of
// the limit, and comes back to the shared one when Redis does.
const assert = require('node:assert/strict');
const {
  BatchDispatcher, Bitrix24Client, WebhookAuth, RedisLink, SharedAdmission, SharedKeys, parseRedisUrl,
} = require('../../dist/bitrix24');
const { Bitrix24Emulator } = require('../../dist/emulator');
const { startRedis } = require('../support/redis-server');

// Tight enough that two senders at the rate each may use alone overrun it within a second: headroom 9 (half a second
// of drain), so each request waits 50 ms for the one before.
const LIMIT = { burst: 10, drainPerSecond: 20 };

describe('a bucket shared through Redis', function () {
  this.timeout(60_000);
  let redis;
  let emulator;
  const opened = [];

  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis?.remove();
  });
  beforeEach(async () => {
    emulator = new Bitrix24Emulator({ rateLimit: LIMIT });
    await emulator.start();
  });
  afterEach(async () => {
    for (const { dispatcher, admission, link } of opened.splice(0)) {
      await dispatcher.close(0);
      await admission?.close();
      await link?.close();
    }
    await emulator.stop();
  });

  /** One process' queue on the portal; shared through Redis unless `shared` is false. */
  function queue({ shared = true, maxWaitMs = 60_000, app = 'webhook-a', onModeChange } = {}) {
    const client = new Bitrix24Client({ auth: new WebhookAuth(emulator.webhookUrl()) });
    let link;
    let admission;
    if (shared) {
      link = new RedisLink(parseRedisUrl(redis.url));
      admission = new SharedAdmission({ link, keys: new SharedKeys(new URL(emulator.url).host, app), limit: LIMIT, onModeChange });
    }
    const dispatcher = new BatchDispatcher(client, { rateLimit: LIMIT, maxWaitMs, ...(admission === undefined ? {} : { admission }) });
    opened.push({ dispatcher, admission, link });
    return { dispatcher, admission, link };
  }

  /** Resolves once Redis holds a 429 hold of `method` (read by a connection of the test's own). */
  async function storedHold(key, method) {
    const { default: Redis } = require('ioredis');
    const raw = new Redis(redis.url);
    try {
      const giveUpAt = Date.now() + 5_000;
      while (!(await raw.hexists(key, method))) {
        if (Date.now() > giveUpAt) throw new Error('the hold never reached Redis');
      }
    } finally {
      raw.disconnect();
    }
  }

  // A flow's own `batch` travels alone: one request per call, so the queue cannot save requests by batching.
  const oneRequest = (dispatcher, eventToken, i) =>
    dispatcher.call('batch', { halt: 0, cmd: { line: `bizproc.activity.log?EVENT_TOKEN=${encodeURIComponent(eventToken)}&LOG_MESSAGE=line+${i}` } });

  async function sendFromBoth(a, b, perQueue) {
    const { eventToken } = emulator.startWorkflow();
    const calls = [];
    for (let i = 0; i < perQueue; i += 1) calls.push(oneRequest(a.dispatcher, eventToken, i), oneRequest(b.dispatcher, eventToken, i));
    const outcomes = await Promise.allSettled(calls);
    return { outcomes, refused: emulator.requests.filter((r) => r.status === 503).length };
  }

  it('keeps two queues together within the limit: no 503, every call answered', async () => {
    const { outcomes, refused } = await sendFromBoth(queue(), queue(), 40);
    assert.equal(refused, 0, 'the portal never refused a request for its limit');
    assert.ok(outcomes.every((o) => o.status === 'fulfilled'), JSON.stringify(outcomes.find((o) => o.status === 'rejected')));
    assert.equal(emulator.requests.length, 80);
  });

  it('is needed: two local buckets of the same limit overrun the portal', async () => {
    const { refused } = await sendFromBoth(queue({ shared: false }), queue({ shared: false }), 40);
    assert.ok(refused > 0, 'two queues each within the limit overran it together');
  });

  it('tells every queue of a 503: the shared bucket is full for all', async () => {
    const a = queue();
    const b = queue();
    const { eventToken } = emulator.startWorkflow();
    emulator.injectFault({ type: 'status', status: 503, body: { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' } });
    await oneRequest(a.dispatcher, eventToken, 1);
    const refusedAt = emulator.requests[0].at;
    await oneRequest(b.dispatcher, eventToken, 2);
    const bAt = emulator.requests.find((r, i) => i > 0 && r.restMethod === 'batch' && r.status === 200).at;
    // A full bucket (10) drains to below the capacity (1) in 9.5 requests' worth of drain: 475 ms.
    assert.ok(bAt - refusedAt >= 400, `the other queue waited ${bAt - refusedAt} ms`);
    assert.equal(emulator.requests.filter((r) => r.status === 503).length, 1);
  });

  it("holds a method for every queue once one meets its operating-time limit (429)", async () => {
    const a = queue({ maxWaitMs: 2_000 });
    const b = queue({ maxWaitMs: 2_000 });
    const { eventToken } = emulator.startWorkflow();
    emulator.injectFault({ type: 'status', status: 429, body: { error: 'OPERATION_TIME_LIMIT', error_description: 'Method is blocked due to operation time limit.' } });
    await assert.rejects(a.dispatcher.call('bizproc.activity.log', { EVENT_TOKEN: eventToken, LOG_MESSAGE: 'held' }), { code: 'OPERATION_TIME_LIMIT' });
    // The hold travels on the first queue's connection; the second's asks may not overtake it.
    await storedHold(new SharedKeys(new URL(emulator.url).host, 'webhook-a').holds, 'bizproc.activity.log');
    const sentBefore = emulator.requests.length;
    // The other queue learns of the hold with its next room in the bucket, and never sends the held method.
    await assert.rejects(b.dispatcher.call('bizproc.activity.log', { EVENT_TOKEN: eventToken, LOG_MESSAGE: 'held too' }), (error) => {
      assert.equal(error.code, 'OPERATION_TIME_LIMIT');
      assert.equal(error.reason, 'held');
      return true;
    });
    assert.equal(emulator.requests.length, sentBefore, 'the held call was not sent');
    const other = await b.dispatcher.call('scope', {});
    assert.deepEqual(other.result, ['bizproc'], 'other methods still go');
  });

  it('falls back to a bucket of its own at a fraction of the limit while Redis is down, and comes back', async () => {
    const modes = [];
    let backOnShared;
    const back = new Promise((resolve) => {
      backOnShared = resolve;
    });
    const a = queue({ onModeChange: (shared) => modes.push(shared) && shared && backOnShared() });
    const { eventToken } = emulator.startWorkflow();
    await oneRequest(a.dispatcher, eventToken, 0);
    assert.equal(a.admission.shared, true);
    await redis.stop();
    try {
      const started = Date.now();
      // Starting full, at half the drain: the first request waits two requests' worth of the halved drain.
      const outcomes = await Promise.allSettled([1, 2, 3].map((i) => oneRequest(a.dispatcher, eventToken, i)));
      assert.ok(outcomes.every((o) => o.status === 'fulfilled'), 'calls go on without Redis');
      assert.equal(a.admission.shared, false);
      assert.deepEqual(modes, [false]);
      assert.ok(Date.now() - started >= 150, 'at a fraction of the limit');
    } finally {
      await redis.start();
    }
    // Redis back: the admission asks at once, without waiting for traffic.
    await back;
    await oneRequest(a.dispatcher, eventToken, 4);
    assert.equal(a.admission.shared, true, 'back on the shared bucket');
    assert.deepEqual(modes, [false, true]);
    assert.equal(emulator.requests.filter((r) => r.status === 503).length, 0);
  });
  it('falls back the same way when Redis stops answering (a frozen server), after one command timeout', async () => {
    const modes = [];
    const a = queue({ onModeChange: (shared) => modes.push(shared) });
    const { eventToken } = emulator.startWorkflow();
    await oneRequest(a.dispatcher, eventToken, 0);
    redis.child.kill('SIGSTOP');
    try {
      const started = Date.now();
      await oneRequest(a.dispatcher, eventToken, 1);
      assert.deepEqual(modes, [false], 'on its own bucket');
      assert.ok(Date.now() - started < 5_000, 'the wait was bounded');
    } finally {
      redis.child.kill('SIGCONT');
    }
  });
});
