'use strict';
// Portal nodes with a Redis URL in Node-RED's test helper, against a real redis-server: two portal nodes (two queues,
// as two instances would have) share one bucket; Redis stopped, the nodes say so through the catalogue and warn once,
// without the URL; a malformed URL makes the portal unusable, without repeating it.
const assert = require('node:assert/strict');
const helper = require('node-red-node-test-helper');
const portalNode = require('../../nodes/bitrix24-portal.js');
const logNode = require('../../nodes/bitrix24-bizproc-log.js');
const { Bitrix24Emulator } = require('../../dist/emulator');
const { placed, nextMessage } = require('../support/node-flow');
const { startRedis } = require('../support/redis-server');

helper.init(require.resolve('node-red'));

const REDIS_PASSWORD = 'CanaryRedisPasswordK3j4h5';

/** Two portals on the same webhook (and Redis URL), each with its own log node: two queues on one portal. */
function twoPortalsFlow({ burst = 3, drainRate = 2 } = {}) {
  const portal = (id) => ({ id, type: 'bitrix24-portal', authType: 'webhook', rateLimit: 'custom', burst, drainRate, maxQueue: 100, maxWait: 600 });
  const log = (id, portalId) => ({
    id, type: 'bitrix24-bizproc-log', z: 'tab', portal: portalId, eventToken: 'event_token', eventTokenType: 'msg',
    message: 'payload', messageType: 'msg', wires: [['ok'], ['err']],
  });
  return placed([
    { id: 'tab', type: 'tab', label: 'test' },
    portal('portalA'),
    portal('portalB'),
    log('logA', 'portalA'),
    log('logB', 'portalB'),
    { id: 'ok', type: 'helper', z: 'tab' },
    { id: 'err', type: 'helper', z: 'tab' },
  ]);
}

describe('portal nodes sharing their portal through Redis', function () {
  this.timeout(30_000);
  let redis;
  let emulator;

  before(async () => {
    redis = await startRedis({ password: REDIS_PASSWORD });
    helper.settings({ credentialSecret: 'redis portal test secret', bitrix24PortalCloseGrace: 200 });
  });
  after(async () => {
    helper.settings({});
    await redis?.remove();
  });
  beforeEach(async () => {
    emulator = new Bitrix24Emulator({ rateLimit: false });
    await emulator.start();
  });
  afterEach(async () => {
    await helper.unload();
    await emulator.stop();
  });

  const credentials = (redisUrl = redis.url) => {
    const portal = { webhookUrl: emulator.webhookUrl(), redisUrl };
    return { portalA: portal, portalB: { ...portal } };
  };

  /** The status texts a node shows from now on. */
  function statusesOf(node) {
    const texts = [];
    const set = node.status.bind(node);
    node.status = (status) => {
      texts.push(status.text);
      set(status);
    };
    return texts;
  }

  it('share one bucket: what one portal node used, the other waits for', async () => {
    // Burst 3 less one of headroom: two requests go at once, the third waits half a second of drain.
    await helper.load([portalNode, logNode], twoPortalsFlow(), credentials());
    const [logA, logB, ok] = ['logA', 'logB', 'ok'].map((id) => helper.getNode(id));
    const { workflowId, eventToken } = emulator.startWorkflow();
    for (const line of ['A1', 'A2']) {
      const arrived = nextMessage(ok);
      logA.receive({ event_token: eventToken, payload: line });
      await arrived;
    }
    const sentAt = Date.now();
    const arrived = nextMessage(ok);
    logB.receive({ event_token: eventToken, payload: 'B1' });
    await arrived;
    assert.ok(Date.now() - sentAt >= 400, `the other portal node waited ${Date.now() - sentAt} ms for room`);
    assert.deepEqual(emulator.logOf(workflowId).map((l) => l.message), ['A1', 'A2', 'B1']);
  });

  it('shows "Redis unreachable" while Redis is down and warns once, never with the URL; clears when it is back', async () => {
    await helper.load([portalNode, logNode], twoPortalsFlow(), credentials());
    const [portalA, logA] = ['portalA', 'logA'].map((id) => helper.getNode(id));
    const shown = statusesOf(logA);
    const down = new Promise((resolve) => portalA.on('call:warn', resolve));
    await redis.stop();
    try {
      await down;
      assert.match(shown.at(-1), /bitrix24\.status\.sharedDown$/);
      // The spies sit on Node.prototype: only this portal node's calls count.
      const warned = portalA.warn.getCalls().filter((call) => call.thisValue === portalA).map((call) => String(call.args[0]));
      assert.equal(warned.length, 1);
      assert.match(warned[0], /bitrix24\.warnings\.sharedDown\.unreachable$/);
    } finally {
      await redis.start();
    }
    const up = new Promise((resolve) => portalA.on('call:log', resolve));
    await up;
    assert.match(portalA.log.getCalls().filter((call) => call.thisValue === portalA).map((call) => String(call.args[0])).at(-1), /bitrix24\.warnings\.sharedUp$/);
    assert.doesNotMatch(String(shown.at(-1)), /sharedDown/);
    for (const text of [...shown, ...portalA.warn.getCalls().map((c) => JSON.stringify(c.args))]) {
      assert.ok(!String(text).includes(REDIS_PASSWORD) && !String(text).includes(String(redis.port)), text);
    }
  });

  it('refuses a malformed Redis URL: the portal is unusable (INVALID_REDIS_URL), and the URL is never repeated', async () => {
    const typed = `redis://:${REDIS_PASSWORD}@127.0.0.1:6379/?tls=false`;
    await helper.load([portalNode, logNode], twoPortalsFlow(), credentials(typed));
    const [portalA, logA, err] = ['portalA', 'logA', 'err'].map((id) => helper.getNode(id));
    const failed = nextMessage(err);
    logA.receive({ event_token: emulator.startWorkflow().eventToken, payload: 'line' });
    const msg = await failed;
    assert.equal(msg.error.code, 'INVALID_REDIS_URL');
    const everything = JSON.stringify([msg.error, portalA.error.getCalls().map((c) => c.args), portalA.warn.getCalls().map((c) => c.args)]);
    assert.ok(!everything.includes(REDIS_PASSWORD), everything);
    assert.equal(emulator.requests.length, 0);
  });
});
