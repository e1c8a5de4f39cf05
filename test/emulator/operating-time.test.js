'use strict';
const assert = require('node:assert/strict');
const { startEmulator, callRest, logLine, encodePhpQuery } = require('./emulator-harness');

const TIME_LIMIT = { error: 'OPERATION_TIME_LIMIT', error_description: 'Method is blocked due to operation time limit.' };

describe('per-method operating time', () => {
  let emulator;
  let clock;
  let workflow;
  beforeEach(async () => {
    ({ emulator, clock } = await startEmulator({ operatingLimit: { budgetSeconds: 3, windowSeconds: 600, costSecondsPerCall: 1 } }));
    workflow = emulator.startWorkflow();
  });
  afterEach(() => emulator.stop());

  it('reports usage in time.operating and refuses the call over budget with 429, without running it', async () => {
    const startSeconds = clock.now() / 1000;
    const operating = [];
    for (let i = 0; i < 3; i += 1) {
      const answer = await logLine(emulator, workflow.eventToken, `m${i}`);
      operating.push(answer.body.time.operating);
      assert.equal(answer.body.time.operating_reset_at, startSeconds + 600);
      clock.advance(1000);
    }
    assert.deepEqual(operating, [1, 2, 3]);
    const refused = await logLine(emulator, workflow.eventToken, 'over');
    assert.equal(refused.status, 429);
    assert.deepEqual(refused.body, TIME_LIMIT);
    assert.equal(emulator.logOf(workflow.workflowId).length, 3);
  });

  it('accounts each method apart', async () => {
    for (let i = 0; i < 3; i += 1) await logLine(emulator, workflow.eventToken, `m${i}`);
    const scope = await callRest(emulator, 'scope');
    assert.equal(scope.status, 200);
    assert.equal(scope.body.time.operating, 1);
  });

  it('frees the budget as usage leaves the rolling window', async () => {
    await logLine(emulator, workflow.eventToken, 'a');
    clock.advance(10_000);
    await logLine(emulator, workflow.eventToken, 'b');
    await logLine(emulator, workflow.eventToken, 'c');
    clock.advance(589_999);
    assert.equal((await logLine(emulator, workflow.eventToken, 'd')).status, 429);
    clock.advance(1);
    const after = await logLine(emulator, workflow.eventToken, 'e');
    assert.equal(after.status, 200);
    assert.equal(after.body.time.operating, 3);
    assert.equal(after.body.time.operating_reset_at, (clock.now() - 590_000 + 600_000) / 1000);
  });

  it('accounts batch commands to their own methods and reports the busiest in the envelope', async () => {
    const cmd = Object.fromEntries(
      ['a', 'b', 'c', 'd'].map((key) => [key, `bizproc.activity.log?${encodePhpQuery({ EVENT_TOKEN: workflow.eventToken, LOG_MESSAGE: key })}`]),
    );
    cmd.s = 'scope';
    const answer = await callRest(emulator, 'batch', { cmd });
    assert.equal(answer.status, 200);
    assert.deepEqual(Object.keys(answer.body.result.result), ['a', 'b', 'c', 's']);
    assert.deepEqual(answer.body.result.result_error, { d: TIME_LIMIT });
    assert.equal(answer.body.result.result_time.s.operating, 1);
    assert.equal(answer.body.time.operating, 3);
    assert.equal((await callRest(emulator, 'batch', { cmd: { x: 'scope' } })).status, 200, 'batch itself is not charged');
  });

  it('reports zero usage when accounting is off', async () => {
    const other = await startEmulator();
    try {
      const answer = await callRest(other.emulator, 'scope');
      assert.equal(answer.body.time.operating, 0);
      assert.equal(answer.body.time.operating_reset_at, other.clock.now() / 1000);
    } finally {
      await other.emulator.stop();
    }
  });
});
