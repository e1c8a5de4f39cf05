'use strict';
// Two real Node-RED instances from the packed package on one emulated portal, sharing it through a real
// redis-server: 5,000 lines fed half to each at once under the standard limit reach the log once each, in order per
// token, with no 503; with 2-second OAuth tokens and both instances busy, no refresh is refused (invalid_grant) and
// every call is answered; an application token captured by one instance is checked by the other; Redis stopped
// mid-run and started again: no crash, the nodes say "Redis unreachable", every line still arrives once.
const assert = require('node:assert/strict');
const { Bitrix24Emulator } = require('../../dist/emulator');
const { startNodeRed } = require('../support/node-red-runtime');
const { CommsListener } = require('../support/node-red-comms');
const { startRedis } = require('../support/redis-server');

const TAB = 'e2eredistab00001';
const PORTAL = 'e2eredisportal01';
const LOG = 'e2eredislog00001';
const CLIENT_ID = 'local.e2e0000000000.55555555';
const CLIENT_SECRET = 'CanaryE2eRedisClientSecretM4n5';
const REDIS_PASSWORD = 'CanaryE2eRedisPasswordB6v7c8';

/**
 * POST /feed {items: [{token, line}], pace?} -> one message per item (paced by a delay node when asked) -> the log
 * node -> a tally of both outputs -> once every item is answered, the answer of the POST: {ok, failed: {code: n}}.
 */
function feedFlow(portal, { paced = false } = {}) {
  const feed = [
    "flow.set('res', msg.res);",
    "flow.set('tally', { ok: 0, failed: {}, expected: msg.payload.items.length });",
    'for (const item of msg.payload.items) node.send({ event_token: item.token, payload: item.line }, false);',
    'return null;',
  ].join('\n');
  const tally = [
    "const tally = flow.get('tally');",
    'if (msg.error) tally.failed[msg.error.code] = (tally.failed[msg.error.code] || 0) + 1; else tally.ok += 1;',
    'const answered = tally.ok + Object.values(tally.failed).reduce((a, b) => a + b, 0);',
    "if (answered === tally.expected) return { payload: tally, res: flow.get('res') };",
    'return null;',
  ].join('\n');
  const next = paced ? 'e2eredispace0001' : LOG;
  return [
    { id: TAB, type: 'tab', label: 'shared' },
    { id: PORTAL, type: 'bitrix24-portal', name: 'shared portal', maxQueue: 10000, maxWait: 300, timeout: 30, ...portal },
    { id: 'e2eredisin000001', type: 'http in', z: TAB, url: '/feed', method: 'post', upload: false, x: 100, y: 100, wires: [['e2eredisfeed0001']] },
    { id: 'e2eredisfeed0001', type: 'function', z: TAB, func: feed, outputs: 1, x: 250, y: 100, wires: [[next]] },
    {
      id: 'e2eredispace0001', type: 'delay', z: TAB, pauseType: 'rate', timeout: '5', timeoutUnits: 'seconds', rate: '25',
      nbRateUnits: '1', rateUnits: 'second', randomFirst: '1', randomLast: '5', randomUnits: 'seconds', drop: false,
      allowrate: false, outputs: 1, x: 350, y: 160, wires: [[LOG]],
    },
    {
      id: LOG, type: 'bitrix24-bizproc-log', z: TAB, portal: PORTAL, eventToken: 'event_token', eventTokenType: 'msg',
      message: 'payload', messageType: 'msg', x: 450, y: 100, wires: [['e2eredistally001'], ['e2eredistally001']],
    },
    { id: 'e2eredistally001', type: 'function', z: TAB, func: tally, outputs: 1, x: 650, y: 100, wires: [['e2eredisres00001']] },
    { id: 'e2eredisres00001', type: 'http response', z: TAB, statusCode: '', headers: {}, x: 850, y: 100, wires: [] },
  ];
}

/** `count` lines over the tokens of `workflows`, numbered per token. */
function itemsFor(workflows, count) {
  return Array.from({ length: count }, (_, i) => ({ token: workflows[i % workflows.length].eventToken, line: `seq ${Math.floor(i / workflows.length)}` }));
}

/** Lines written, lines written twice, and lines out of order, over these workflows' logs. */
function delivery(emulator, workflows) {
  let written = 0;
  let twice = 0;
  let outOfOrder = 0;
  for (const { workflowId } of workflows) {
    const seqs = emulator.logOf(workflowId).map((l) => Number(l.message.split(' ')[1]));
    written += new Set(seqs).size;
    twice += seqs.length - new Set(seqs).size;
    for (let i = 1; i < seqs.length; i += 1) if (seqs[i] < seqs[i - 1]) outOfOrder += 1;
  }
  return { written, twice, outOfOrder };
}

describe('two Node-RED instances sharing one portal through Redis (packed package)', function () {
  this.timeout(300_000);
  let redis;
  let emulator;
  let instances = [];

  before(async () => {
    redis = await startRedis({ password: REDIS_PASSWORD });
    // One instance has the URL typed in, the other reads it from its environment, as ${ENV} credentials are.
    instances = await Promise.all([startNodeRed(), startNodeRed({ env: { B24_E2E_REDIS_URL: redis.url } })]);
  });
  after(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await redis?.remove();
  });
  afterEach(async () => {
    await emulator?.stop();
    emulator = undefined;
  });

  const redisUrlOf = (index) => (index === 0 ? redis.url : '${B24_E2E_REDIS_URL}');

  async function deployWebhookFlows(portal = {}) {
    await Promise.all(
      instances.map((instance, index) =>
        instance.deploy(feedFlow({ authType: 'webhook', rateLimit: 'standard', credentials: { webhookUrl: emulator.webhookUrl(), redisUrl: redisUrlOf(index) }, ...portal })),
      ),
    );
  }

  const feed = (instance, items) => instance.request('POST', 'feed', { body: { items } });

  it('5,000 lines fed half to each at once: each line once, in order per token, no 503, every call answered', async () => {
    emulator = new Bitrix24Emulator({ rateLimit: { burst: 50, drainPerSecond: 2 } });
    await emulator.start();
    await deployWebhookFlows();
    const workflows = Array.from({ length: 20 }, () => emulator.startWorkflow());
    const halves = [workflows.slice(0, 10), workflows.slice(10)];
    const started = Date.now();
    const answers = await Promise.all(instances.map((instance, index) => feed(instance, itemsFor(halves[index], 2_500))));
    const wallMs = Date.now() - started;
    for (const answer of answers) assert.deepEqual(answer.body, { ok: 2_500, failed: {}, expected: 2_500 }, answer.text);
    assert.deepEqual(delivery(emulator, workflows), { written: 5_000, twice: 0, outOfOrder: 0 });
    assert.equal(emulator.requests.filter((r) => r.status === 503).length, 0, 'no request refused for the limit');
    // What the limit allows one sender with perfect batching: 100 requests, 50 of them past the burst at 2 per second.
    const minimumMs = 25_000;
    assert.ok(wallMs < minimumMs * 1.5, `${wallMs} ms for what one sender needs at least ${minimumMs} ms for`);
    process.stdout.write(`      (${(wallMs / 1000).toFixed(1)} s, ${(wallMs / minimumMs).toFixed(2)}x the minimum, ${emulator.requests.length} requests)\n`);
  });

  it('with 2-second OAuth tokens and both instances busy: no invalid_grant, every call answered', async () => {
    emulator = new Bitrix24Emulator({ rateLimit: { burst: 50, drainPerSecond: 2 }, oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, accessTokenTtlSeconds: 2 } });
    await emulator.start();
    const { refreshToken } = emulator.issueTokens();
    await Promise.all(
      instances.map((instance, index) =>
        instance.deploy(
          feedFlow(
            {
              authType: 'oauth', portalUrl: emulator.url, authServer: `${emulator.url}/`, rateLimit: 'standard',
              credentials: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshToken, redisUrl: redisUrlOf(index) },
            },
            { paced: true },
          ),
        ),
      ),
    );
    const workflows = Array.from({ length: 4 }, () => emulator.startWorkflow());
    const halves = [workflows.slice(0, 2), workflows.slice(2)];
    // 100 calls each at 25 per second: four seconds of both instances calling, two token lifetimes and more.
    const answers = await Promise.all(instances.map((instance, index) => feed(instance, itemsFor(halves[index], 100))));
    for (const answer of answers) assert.deepEqual(answer.body, { ok: 100, failed: {}, expected: 100 }, answer.text);
    const refreshes = emulator.oauthRequests.filter((r) => r.grantType === 'refresh_token');
    assert.ok(refreshes.every((r) => r.ok), `a refresh was refused (invalid_grant): ${JSON.stringify(refreshes)}`);
    assert.ok(refreshes.length >= 3, `the tokens rotated (${refreshes.length} refreshes)`);
    assert.deepEqual(delivery(emulator, workflows), { written: 200, twice: 0, outOfOrder: 0 });
    for (const instance of instances) {
      for (const secret of [CLIENT_SECRET, refreshToken, REDIS_PASSWORD]) assert.ok(!instance.output().includes(secret), 'console');
      const flows = JSON.stringify(await instance.flows());
      assert.ok(!flows.includes(REDIS_PASSWORD) && !flows.includes(CLIENT_SECRET), 'GET /flows');
    }
    process.stdout.write(`      (${refreshes.length} refreshes for 200 calls over both instances, all accepted)\n`);
  });

  it('Redis stopped mid-run and started again: no crash, "Redis unreachable" shown, every line once', async () => {
    emulator = new Bitrix24Emulator({ rateLimit: { burst: 10, drainPerSecond: 5 } });
    await emulator.start();
    await deployWebhookFlows({ rateLimit: 'custom', burst: 10, drainRate: 5 });
    const statuses = await Promise.all(instances.map((instance) => CommsListener.open(instance.url, [`status/${LOG}`])));
    try {
      const workflows = Array.from({ length: 8 }, () => emulator.startWorkflow());
      const halves = [workflows.slice(0, 4), workflows.slice(4)];
      // Under a small limit the run lasts long enough for Redis to go away and come back in the middle of it.
      const answers = Promise.all(instances.map((instance, index) => feed(instance, itemsFor(halves[index], 400))));
      await emulator.waitForRequests(6);
      await redis.stop();
      let restarted = false;
      try {
        await Promise.all(statuses.map((listener) => listener.next((data) => /Redis unreachable/.test(String(data && data.text)), 20_000)));
        const sent = emulator.requests.length;
        await emulator.waitForRequests(sent + 2);
        await redis.start();
        restarted = true;
      } finally {
        if (!restarted) await redis.start();
      }
      const done = await answers;
      for (const answer of done) assert.deepEqual(answer.body, { ok: 400, failed: {}, expected: 400 }, answer.text);
      assert.deepEqual(delivery(emulator, workflows), { written: 800, twice: 0, outOfOrder: 0 });
      assert.equal(emulator.requests.filter((r) => r.status === 503).length, 0);
      for (const instance of instances) {
        assert.equal(instance.child.exitCode, null, 'Node-RED still runs');
        assert.match(instance.output(), /Redis \(the portal's shared state\) is unreachable/);
        assert.ok(!instance.output().includes(REDIS_PASSWORD), 'the URL never reaches the console');
      }
    } finally {
      for (const listener of statuses) listener.close();
    }
  });

  it('an application token captured by one instance is the one the other checks requests with', async () => {
    emulator = new Bitrix24Emulator({ rateLimit: false });
    await emulator.start();
    const receiverFlow = (index) => [
      { id: TAB, type: 'tab', label: 'shared' },
      { id: PORTAL, type: 'bitrix24-portal', name: 'shared portal', authType: 'webhook', credentials: { webhookUrl: emulator.webhookUrl(), redisUrl: redisUrlOf(index) } },
      { id: 'e2eredisact00001', type: 'bitrix24-bizproc-activity-in', z: TAB, portal: PORTAL, url: '/activity', captureApplicationToken: index === 0, x: 100, y: 100, wires: [[]] },
    ];
    await Promise.all(instances.map((instance, index) => instance.deploy(receiverFlow(index))));
    const [capturer, checker] = instances;
    assert.equal((await emulator.dispatchActivity({ handlerUrl: `${checker.nodeUrl}activity` })).status, 401, 'no token known yet');
    assert.equal((await emulator.dispatchInstall({ handlerUrl: `${capturer.nodeUrl}activity` })).status, 200);
    assert.equal((await emulator.dispatchActivity({ handlerUrl: `${checker.nodeUrl}activity` })).status, 200, 'the other instance knows it');
    assert.equal((await emulator.dispatchActivity({ handlerUrl: `${checker.nodeUrl}activity`, applicationToken: 'forgedToken00000' })).status, 401);
  });
});
