'use strict';
const assert = require('node:assert/strict');
const { startEmulator, callRest, logLine } = require('./emulator-harness');

describe('bizproc.event.send', () => {
  let emulator;
  let workflow;
  beforeEach(async () => {
    ({ emulator } = await startEmulator());
    workflow = emulator.startWorkflow();
  });
  afterEach(() => emulator.stop());

  function send(params, options) {
    return callRest(emulator, 'bizproc.event.send', { EVENT_TOKEN: workflow.eventToken, ...params }, options);
  }

  it('stores the return values, writes the message, closes the activity and answers true', async () => {
    assert.equal(emulator.returnValuesOf(workflow.workflowId), undefined);
    const answer = await send({ RETURN_VALUES: { outputString: 'ok', count: 3 }, LOG_MESSAGE: 'Finished' });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.result, true);
    assert.deepEqual(emulator.returnValuesOf(workflow.workflowId), { outputString: 'ok', count: 3 });
    assert.deepEqual(emulator.logOf(workflow.workflowId).map((line) => line.message), ['Finished']);
    const late = await logLine(emulator, workflow.eventToken, 'after the answer');
    assert.equal(late.body.result, true);
    assert.equal(emulator.logOf(workflow.workflowId).length, 1);
  });

  it('writes no line without LOG_MESSAGE and stores no values without RETURN_VALUES', async () => {
    assert.equal((await send({})).status, 200);
    assert.deepEqual(emulator.logOf(workflow.workflowId), []);
    assert.deepEqual(emulator.returnValuesOf(workflow.workflowId), {});
  });

  it('reads RETURN_VALUES from PHP bracket keys in a form body', async () => {
    const answer = await send({ RETURN_VALUES: { a: '1', list: ['x', 'y'] } }, { form: true });
    assert.equal(answer.status, 200);
    assert.deepEqual(emulator.returnValuesOf(workflow.workflowId), { a: '1', list: ['x', 'y'] });
  });

  it('refuses a second answer with 400 ERROR_ACTIVITY_CLOSED', async () => {
    await send({ RETURN_VALUES: { a: 1 } });
    const again = await send({ RETURN_VALUES: { a: 2 } });
    assert.equal(again.status, 400);
    assert.equal(again.body.error, 'ERROR_ACTIVITY_CLOSED');
    assert.deepEqual(emulator.returnValuesOf(workflow.workflowId), { a: 1 });
  });

  it('refuses a bad token with 403, a locked workflow with 423 and a deleted one with 404', async () => {
    const forged = await callRest(emulator, 'bizproc.event.send', { EVENT_TOKEN: `${workflow.eventToken}0`, RETURN_VALUES: {} });
    assert.equal(forged.status, 403);
    emulator.lockWorkflow(workflow.workflowId, true);
    assert.deepEqual([(await send({})).status, (await send({})).body.error], [400, 423]);
    emulator.deleteWorkflow(workflow.workflowId);
    assert.deepEqual([(await send({})).status, (await send({})).body.error], [400, 404]);
    assert.equal(emulator.returnValuesOf(workflow.workflowId), undefined);
  });
});
