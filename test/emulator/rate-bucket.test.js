'use strict';
const assert = require('node:assert/strict');
const { startEmulator, callRest, logLine } = require('./emulator-harness');
const { LeakyBucket } = require('../../dist/emulator/rate-bucket');

const LIMIT_EXCEEDED = { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' };

describe('leaky bucket rate limit', () => {
  let emulator;
  let clock;
  beforeEach(async () => {
    ({ emulator, clock } = await startEmulator({ rateLimit: { burst: 50, drainPerSecond: 2 } }));
  });
  afterEach(() => emulator.stop());

  it('passes exactly 50 requests on a frozen clock, refuses the 51st, and lets one more through 500 ms later', async () => {
    for (let i = 0; i < 50; i += 1) assert.equal((await callRest(emulator, 'scope')).status, 200, `request ${i + 1}`);
    const refused = await callRest(emulator, 'scope');
    assert.equal(refused.status, 503);
    assert.deepEqual(refused.body, LIMIT_EXCEEDED);
    clock.advance(499);
    assert.equal((await callRest(emulator, 'scope')).status, 503);
    clock.advance(1);
    assert.equal((await callRest(emulator, 'scope')).status, 200);
    assert.equal((await callRest(emulator, 'scope')).status, 503);
    clock.advance(25_000);
    for (let i = 0; i < 50; i += 1) assert.equal((await callRest(emulator, 'scope')).status, 200);
    assert.equal((await callRest(emulator, 'scope')).status, 503);
  });

  it('does not run a refused request', async () => {
    emulator.setRateLimit({ burst: 1, drainPerSecond: 2 });
    const workflow = emulator.startWorkflow();
    await logLine(emulator, workflow.eventToken, 'first');
    assert.equal((await logLine(emulator, workflow.eventToken, 'second')).status, 503);
    assert.deepEqual(emulator.logOf(workflow.workflowId).map((line) => line.message), ['first']);
  });

  it('does not count requests with wrong credentials', async () => {
    emulator.setRateLimit({ burst: 1, drainPerSecond: 0 });
    for (let i = 0; i < 3; i += 1) assert.equal((await callRest(emulator, 'scope', {}, { base: `${emulator.url}/rest/1/wrong/` })).status, 401);
    assert.equal((await callRest(emulator, 'scope')).status, 200);
  });

  it('can be changed or turned off at run time, starting from an empty bucket', async () => {
    emulator.setRateLimit({ burst: 2, drainPerSecond: 1 });
    assert.deepEqual([(await callRest(emulator, 'scope')).status, (await callRest(emulator, 'scope')).status, (await callRest(emulator, 'scope')).status], [200, 200, 503]);
    emulator.setRateLimit(false);
    for (let i = 0; i < 60; i += 1) assert.equal((await callRest(emulator, 'scope')).status, 200);
    emulator.setRateLimit({ burst: 1, drainPerSecond: 1 });
    assert.equal((await callRest(emulator, 'scope')).status, 200);
    assert.throws(() => emulator.setRateLimit({ burst: 0, drainPerSecond: 1 }), RangeError);
  });

  it('drains fractions exactly: burst 3 at 3/s needs 334 ms, not 333, for the next request', () => {
    const bucket = new LeakyBucket({ burst: 3, drainPerSecond: 3 }, 0);
    assert.deepEqual([bucket.tryAdmit(0), bucket.tryAdmit(0), bucket.tryAdmit(0), bucket.tryAdmit(0)], [true, true, true, false]);
    assert.equal(bucket.tryAdmit(333), false);
    assert.equal(bucket.tryAdmit(334), true);
  });

  it('absorbs float noise: 10/s over ten 100 ms steps drains exactly one request per step', () => {
    const bucket = new LeakyBucket({ burst: 1, drainPerSecond: 10 }, 0);
    assert.equal(bucket.tryAdmit(0), true);
    for (let step = 1; step <= 10; step += 1) assert.equal(bucket.tryAdmit(step * 100), true, `step ${step}`);
  });
});
