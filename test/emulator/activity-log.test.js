'use strict';
const assert = require('node:assert/strict');
const { startEmulator, callRest, logLine, Bitrix24Emulator } = require('./emulator-harness');
const { NON_STRING_LOG_MESSAGE } = require('../../dist/emulator');

const ACCESS_DENIED = { error: 'ACCESS_DENIED', error_description: 'Access denied!' };
const EMPTY_MESSAGE = { error: 'ERROR_EMPTY_LOG_MESSAGE', error_description: 'Empty log message!' };

describe('bizproc.activity.log', () => {
  let emulator;
  let clock;
  let workflow;
  beforeEach(async () => {
    ({ emulator, clock } = await startEmulator());
    workflow = emulator.startWorkflow({ name: 'Deal 1' });
  });
  afterEach(() => emulator.stop());

  it('writes the line, timed by the clock, and answers true', async () => {
    clock.advance(1500);
    const answer = await logLine(emulator, workflow.eventToken, 'Step 1 done');
    assert.equal(answer.status, 200);
    assert.equal(answer.body.result, true);
    assert.deepEqual(emulator.logOf(workflow.workflowId), [{ message: 'Step 1 done', at: clock.now() }]);
  });

  it('issues tokens shaped like the portal\'s', () => {
    const { workflowId, eventToken } = emulator.startWorkflow({ activityName: 'A1_2' });
    assert.match(workflowId, /^[0-9a-f]{14}\.[0-9]{8}$/);
    assert.match(eventToken, /^[0-9a-f]{14}\.[0-9]{8}\|A1_2\|[A-Za-z0-9]{32}\.[0-9a-f]{64}$/);
    assert.ok(eventToken.startsWith(`${workflowId}|`));
  });

  it('refuses missing, malformed, altered and foreign tokens with 403 ACCESS_DENIED', async () => {
    const foreign = new Bitrix24Emulator().startWorkflow().eventToken;
    const dot = workflow.eventToken.lastIndexOf('.');
    const unsigned = workflow.eventToken.slice(0, dot);
    const signature = workflow.eventToken.slice(dot + 1);
    const flipped = signature.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const otherEvent = unsigned.replace(/\|[A-Za-z0-9]{32}$/, `|${'x'.repeat(32)}`);
    const bad = [
      undefined,
      '',
      'not-a-token',
      `${unsigned}.${flipped}`,
      `${otherEvent}.${signature}`,
      `${unsigned.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'))}.${signature}`,
      foreign,
      workflow.eventToken.toUpperCase(),
    ];
    for (const token of bad) {
      const params = token === undefined ? { LOG_MESSAGE: 'x' } : { EVENT_TOKEN: token, LOG_MESSAGE: 'x' };
      const answer = await callRest(emulator, 'bizproc.activity.log', params);
      assert.equal(answer.status, 403, String(token));
      assert.deepEqual(answer.body, ACCESS_DENIED);
    }
    assert.deepEqual(emulator.logOf(workflow.workflowId), []);
  });

  it('checks the token before the message', async () => {
    const answer = await logLine(emulator, 'forged', '');
    assert.equal(answer.status, 403);
  });

  it('refuses messages PHP empty() calls empty: "", "0", missing, 0, false, null, [], {}', async () => {
    for (const message of ['', '0', undefined, 0, false, null, [], {}]) {
      const params = { EVENT_TOKEN: workflow.eventToken };
      if (message !== undefined) params.LOG_MESSAGE = message;
      const answer = await callRest(emulator, 'bizproc.activity.log', params);
      assert.equal(answer.status, 400, JSON.stringify(message));
      assert.deepEqual(answer.body, EMPTY_MESSAGE);
    }
    const form = await callRest(emulator, 'bizproc.activity.log', { EVENT_TOKEN: workflow.eventToken, LOG_MESSAGE: '0' }, { form: true });
    assert.equal(form.status, 400);
    assert.deepEqual(emulator.logOf(workflow.workflowId), []);
  });

  it('accepts a non-string message but writes the default text, as the portal does', async () => {
    for (const message of [5, { a: 1 }, ['x'], true]) {
      assert.equal((await logLine(emulator, workflow.eventToken, message)).status, 200);
    }
    const form = await callRest(emulator, 'bizproc.activity.log', { EVENT_TOKEN: workflow.eventToken, LOG_MESSAGE: { a: 'b' } }, { form: true });
    assert.equal(form.status, 200);
    assert.deepEqual(
      emulator.logOf(workflow.workflowId).map((line) => line.message),
      Array(5).fill(NON_STRING_LOG_MESSAGE),
    );
  });

  it('keeps unicode, newlines and markup verbatim', async () => {
    const message = 'Ready ✅\nnext: <b>&amp;</b> "quoted" 😀';
    await logLine(emulator, workflow.eventToken, message);
    assert.equal(emulator.logOf(workflow.workflowId)[0].message, message);
  });

  it('answers true and writes nothing once the activity is closed, even for an empty message', async () => {
    emulator.closeActivity(workflow.eventToken);
    for (const message of ['late', '']) {
      const answer = await logLine(emulator, workflow.eventToken, message);
      assert.equal(answer.status, 200);
      assert.equal(answer.body.result, true);
    }
    assert.deepEqual(emulator.logOf(workflow.workflowId), []);
  });

  it('answers a locked workflow with 400 error 423 until it is unlocked', async () => {
    emulator.lockWorkflow(workflow.workflowId, true);
    const answer = await logLine(emulator, workflow.eventToken, 'x');
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error, 423);
    emulator.lockWorkflow(workflow.workflowId, false);
    assert.equal((await logLine(emulator, workflow.eventToken, 'x')).status, 200);
  });

  it('answers a deleted workflow with 400 error 404', async () => {
    emulator.deleteWorkflow(workflow.workflowId);
    const answer = await logLine(emulator, workflow.eventToken, 'x');
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error, 404);
    assert.equal(typeof answer.body.error_description, 'string');
  });

  it('sends the engine codes as strings when engineErrorCodeAsNumber is false', async () => {
    const other = (await startEmulator({ engineErrorCodeAsNumber: false })).emulator;
    try {
      const locked = other.startWorkflow();
      const deleted = other.startWorkflow();
      other.lockWorkflow(locked.workflowId, true);
      other.deleteWorkflow(deleted.workflowId);
      assert.deepEqual([(await logLine(other, locked.eventToken, 'x')).body.error, (await logLine(other, deleted.eventToken, 'x')).body.error], ['423', '404']);
    } finally {
      await other.stop();
    }
  });

  it('rejects control calls for unknown workflows and tokens', () => {
    assert.throws(() => emulator.lockWorkflow('nope', true), RangeError);
    assert.throws(() => emulator.deleteWorkflow('nope'), RangeError);
    assert.throws(() => emulator.closeActivity('nope'), RangeError);
    assert.deepEqual(emulator.logOf('nope'), []);
    assert.equal(emulator.returnValuesOf('nope'), undefined);
  });
});
