'use strict';
const assert = require('node:assert/strict');
const { DEFAULT_RETRY_OPTIONS, Bitrix24Error, RATE_LIMIT_PRESETS } = require('../../dist/bitrix24');
const { LeakyBucket, headroomOf } = require('../../dist/bitrix24/delivery/leaky-bucket');
const { OperatingTimeGuard } = require('../../dist/bitrix24/delivery/operating-limit');
const { backoffDelay, isRetryable } = require('../../dist/bitrix24/delivery/retry-policy');
const { ManualScheduler } = require('../../dist/bitrix24/delivery/scheduler');

describe('LeakyBucket', () => {
  it('keeps half a second of drain (at least one request) of the burst unused, for requests that arrive closer than sent', () => {
    assert.equal(headroomOf(RATE_LIMIT_PRESETS.standard), 1);
    assert.equal(headroomOf(RATE_LIMIT_PRESETS.enterprise), 2.5);
    assert.equal(headroomOf({ burst: 1, drainPerSecond: 2 }), 0, 'a burst of one has none to spare');
  });

  it('lets the burst less the headroom through at once, then one request per 1/drain seconds', () => {
    const bucket = new LeakyBucket(RATE_LIMIT_PRESETS.standard, 0);
    for (let i = 0; i < 49; i += 1) {
      assert.equal(bucket.delayUntilFree(0), 0, `request ${i + 1}`);
      bucket.take(0);
    }
    assert.equal(bucket.delayUntilFree(0), 500);
    assert.equal(bucket.delayUntilFree(499), 2);
    assert.equal(bucket.delayUntilFree(500), 0);
    bucket.take(500);
    assert.equal(bucket.delayUntilFree(500), 500);
  });

  it('drains while idle and never below empty', () => {
    const bucket = new LeakyBucket(RATE_LIMIT_PRESETS.enterprise, 0);
    for (let i = 0; i < 250; i += 1) bucket.take(0);
    assert.equal(bucket.levelAt(10_000), 200);
    assert.equal(bucket.delayUntilFree(10_000), 0);
    assert.equal(bucket.levelAt(3_600_000), 0);
    assert.equal(bucket.delayUntilFree(3_600_000), 0);
  });

  it('counts itself full when the portal says so (other callers share the portal bucket)', () => {
    const bucket = new LeakyBucket({ burst: 10, drainPerSecond: 2 }, 0);
    bucket.take(0);
    bucket.markFull(0);
    assert.equal(bucket.delayUntilFree(0), 1000, 'one request drained, and the headroom');
    assert.equal(bucket.delayUntilFree(750), 250);
  });
});

describe('OperatingTimeGuard', () => {
  it('holds a method after 429 until its window resets, at least 10 s', () => {
    const guard = new OperatingTimeGuard();
    guard.hold('bizproc.activity.log', 0);
    assert.equal(guard.delayFor('bizproc.activity.log', 0), 10_000);
    assert.equal(guard.delayFor('bizproc.event.send', 0), 0, 'other methods are not held');
    guard.observe('m', { operating: 100, operating_reset_at: 60, processing: 0.2 }, 0);
    guard.hold('m', 0);
    assert.equal(guard.delayFor('m', 0), 60_000);
    assert.equal(guard.delayFor('m', 60_000), 0);
  });

  it('does not slow a method below half its budget, then spaces calls so the rest lasts until the reset', () => {
    const guard = new OperatingTimeGuard(480);
    guard.observe('m', { operating: 200, operating_reset_at: 600, processing: 1 }, 0);
    guard.sent('m', 0);
    assert.equal(guard.delayFor('m', 0), 0);
    guard.observe('m', { operating: 400, operating_reset_at: 600, processing: 1 }, 0);
    const gap = guard.delayFor('m', 0);
    assert.ok(gap > 0 && gap < 600_000, `gap ${gap}`);
    guard.observe('m', { operating: 479.99, operating_reset_at: 600, processing: 1 }, 0);
    assert.equal(guard.delayFor('m', 100_000), 500_000, 'no budget left: wait for the reset');
  });
});

describe('retry policy', () => {
  const err = (code, certainty) => new Bitrix24Error(code, code, { certainty });

  it('retries only what the portal certainly did not run', () => {
    assert.equal(isRetryable(err('QUERY_LIMIT_EXCEEDED', 'not-executed'), false), true);
    assert.equal(isRetryable(err('OPERATION_TIME_LIMIT', 'not-executed'), false), true);
    assert.equal(isRetryable(err('423', 'not-executed'), false), true);
    assert.equal(isRetryable(err('NETWORK_ERROR', 'not-executed'), false), true);
    assert.equal(isRetryable(err('OVERLOAD_LIMIT', 'not-executed'), true), false);
    assert.equal(isRetryable(err('PORTAL_MOVED', 'not-executed'), true), false);
    assert.equal(isRetryable(err('TIMEOUT', 'ambiguous'), false), false);
    assert.equal(isRetryable(err('TIMEOUT', 'ambiguous'), true), true, 'when the user allows it');
    assert.equal(isRetryable(err('ACCESS_DENIED', 'final'), true), false);
  });

  it('backs off exponentially with jitter, capped', () => {
    const options = DEFAULT_RETRY_OPTIONS;
    assert.equal(backoffDelay(1, options, () => 0), 250);
    assert.equal(backoffDelay(1, options, () => 1), 500);
    assert.equal(backoffDelay(3, options, () => 1), 2000);
    assert.equal(backoffDelay(20, options, () => 1), 30_000);
    assert.equal(backoffDelay(20, options, () => 0), 15_000);
  });
});

describe('ManualScheduler', () => {
  it('runs due timers in time order, including ones scheduled while advancing', () => {
    const scheduler = new ManualScheduler(0);
    const seen = [];
    scheduler.schedule(() => seen.push(`b@${scheduler.now()}`), 200);
    scheduler.schedule(() => {
      seen.push(`a@${scheduler.now()}`);
      scheduler.schedule(() => seen.push(`c@${scheduler.now()}`), 50);
    }, 100);
    const cancel = scheduler.schedule(() => seen.push('never'), 120);
    cancel();
    scheduler.advance(1000);
    assert.deepEqual(seen, ['a@100', 'c@150', 'b@200']);
    assert.equal(scheduler.now(), 1000);
  });
});
