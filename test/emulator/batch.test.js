'use strict';
const assert = require('node:assert/strict');
const { startEmulator, callRest, encodePhpQuery } = require('./emulator-harness');

function logCommand(eventToken, message) {
  return `bizproc.activity.log?${encodePhpQuery({ EVENT_TOKEN: eventToken, LOG_MESSAGE: message })}`;
}

describe('batch', () => {
  let emulator;
  let workflow;
  beforeEach(async () => {
    ({ emulator } = await startEmulator());
    workflow = emulator.startWorkflow();
  });
  afterEach(() => emulator.stop());

  it('runs every command and splits results from errors, answering HTTP 200', async () => {
    const answer = await callRest(emulator, 'batch', {
      halt: 0,
      cmd: {
        first: logCommand(workflow.eventToken, 'one & two = 100%'),
        empty: logCommand(workflow.eventToken, ''),
        forged: logCommand('forged|A|x.y', 'x'),
        second: logCommand(workflow.eventToken, 'three\nfour 😀'),
      },
    });
    assert.equal(answer.status, 200);
    const { result, result_error, result_total, result_next, result_time } = answer.body.result;
    assert.deepEqual(result, { first: true, second: true });
    assert.deepEqual(result_error, {
      empty: { error: 'ERROR_EMPTY_LOG_MESSAGE', error_description: 'Empty log message!' },
      forged: { error: 'ACCESS_DENIED', error_description: 'Access denied!' },
    });
    assert.deepEqual([result_total, result_next], [[], []]);
    assert.deepEqual(Object.keys(result_time), ['first', 'second']);
    assert.equal(typeof result_time.first.start, 'number');
    assert.equal(typeof answer.body.time.date_start, 'string');
    assert.deepEqual(emulator.logOf(workflow.workflowId).map((line) => line.message), ['one & two = 100%', 'three\nfour 😀']);
  });

  it('prints every empty map as [] like PHP', async () => {
    const ok = await callRest(emulator, 'batch', { cmd: { a: 'scope' } });
    assert.deepEqual(ok.body.result.result_error, []);
    const failing = await callRest(emulator, 'batch', { cmd: { a: 'no.such.method' } });
    assert.deepEqual(failing.body.result.result, []);
    assert.deepEqual(failing.body.result.result_time, []);
    const none = await callRest(emulator, 'batch', {});
    assert.deepEqual(none.body.result, { result: [], result_error: [], result_total: [], result_next: [], result_time: [] });
  });

  it('stops at the first failure with halt=1: later commands neither run nor appear', async () => {
    const answer = await callRest(emulator, 'batch', {
      halt: 1,
      cmd: { a: logCommand(workflow.eventToken, 'a'), b: logCommand(workflow.eventToken, '0'), c: logCommand(workflow.eventToken, 'c') },
    });
    assert.deepEqual(answer.body.result.result, { a: true });
    assert.deepEqual(Object.keys(answer.body.result.result_error), ['b']);
    assert.deepEqual(emulator.logOf(workflow.workflowId).map((line) => line.message), ['a']);
  });

  it('accepts exactly 50 commands and refuses 51 with 400 ERROR_BATCH_LENGTH_EXCEEDED, running none', async () => {
    const commands = (count) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, logCommand(workflow.eventToken, `m${i}`)]));
    const fifty = await callRest(emulator, 'batch', { cmd: commands(50) });
    assert.equal(Object.keys(fifty.body.result.result).length, 50);
    const tooMany = await callRest(emulator, 'batch', { cmd: commands(51) });
    assert.equal(tooMany.status, 400);
    assert.equal(tooMany.body.error, 'ERROR_BATCH_LENGTH_EXCEEDED');
    assert.equal(emulator.logOf(workflow.workflowId).length, 50);
  });

  it('refuses a nested batch command', async () => {
    const answer = await callRest(emulator, 'batch', { cmd: { inner: 'batch?cmd[x]=scope', ok: 'scope' } });
    assert.equal(answer.body.result.result_error.inner.error, 'ERROR_BATCH_METHOD_NOT_ALLOWED');
    assert.deepEqual(answer.body.result.result.ok, ['bizproc']);
  });

  it('reads a form-encoded batch with bracket keys, lower-case keys and .json method suffixes inside', async () => {
    const command = `bizproc.activity.log.json?${encodePhpQuery({ event_token: workflow.eventToken, log_message: 'via form' })}`;
    const answer = await callRest(emulator, 'batch', { HALT: 0, CMD: { k: command } }, { form: true });
    assert.deepEqual(answer.body.result.result, { k: true });
    assert.deepEqual(emulator.logOf(workflow.workflowId).map((line) => line.message), ['via form']);
  });

  it('answers a list of commands with lists', async () => {
    const answer = await callRest(emulator, 'batch', { cmd: ['scope', 'server.time'] });
    assert.equal(Array.isArray(answer.body.result.result), true);
    assert.equal(answer.body.result.result.length, 2);
  });

  it('counts as one request for the rate limit and records its command count', async () => {
    emulator.setRateLimit({ burst: 1, drainPerSecond: 0 });
    const cmd = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, logCommand(workflow.eventToken, `m${i}`)]));
    assert.equal((await callRest(emulator, 'batch', { cmd })).status, 200);
    assert.equal((await callRest(emulator, 'batch', { cmd })).status, 503);
    assert.equal(emulator.logOf(workflow.workflowId).length, 10);
    assert.deepEqual(emulator.requests.map((r) => [r.restMethod, r.commands, r.status]), [['batch', 10, 200], ['batch', 10, 503]]);
  });
});
