'use strict';
const assert = require('node:assert/strict');
const { startEmulator, callRest, logLine } = require('./emulator-harness');

describe('injected faults', () => {
  let emulator;
  let workflow;
  beforeEach(async () => {
    ({ emulator } = await startEmulator());
    workflow = emulator.startWorkflow();
  });
  afterEach(() => emulator.stop());

  const lines = () => emulator.logOf(workflow.workflowId).map((line) => line.message);

  it('status: answers the status and body without running, then the next request is normal', async () => {
    const body = { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' };
    emulator.injectFault({ type: 'status', status: 503, body });
    const faulted = await logLine(emulator, workflow.eventToken, 'lost');
    assert.equal(faulted.status, 503);
    assert.deepEqual(faulted.body, body);
    assert.equal((await logLine(emulator, workflow.eventToken, 'kept')).status, 200);
    assert.deepEqual(lines(), ['kept']);
  });

  it('status without a body: a JSON error body', async () => {
    emulator.injectFault({ type: 'status', status: 500 });
    const answer = await callRest(emulator, 'scope');
    assert.deepEqual([answer.status, answer.body.error], [500, 'INTERNAL_SERVER_ERROR']);
  });

  it('html: an HTML error page, not run', async () => {
    emulator.injectFault({ type: 'html', status: 502 });
    const answer = await logLine(emulator, workflow.eventToken, 'x');
    assert.equal(answer.status, 502);
    assert.match(answer.headers.get('content-type'), /^text\/html/);
    assert.match(answer.text, /<title>502 Bad Gateway<\/title>/);
    assert.deepEqual(lines(), []);
  });

  it('malformed-json: a truncated JSON body (status 200 by default), not run', async () => {
    emulator.injectFault({ type: 'malformed-json' });
    emulator.injectFault({ type: 'malformed-json', status: 500 });
    const first = await logLine(emulator, workflow.eventToken, 'x');
    const second = await logLine(emulator, workflow.eventToken, 'y');
    assert.deepEqual([first.status, second.status], [200, 500]);
    assert.throws(() => JSON.parse(first.text), SyntaxError);
    assert.match(first.headers.get('content-type'), /json/);
    assert.deepEqual(lines(), []);
  });

  it('reset-before: the connection drops and nothing runs', async () => {
    emulator.injectFault({ type: 'reset-before' });
    await assert.rejects(logLine(emulator, workflow.eventToken, 'x'));
    assert.deepEqual(lines(), []);
    assert.equal(emulator.requests[0].status, 0);
  });

  it('lost-after: the line is written, then the connection drops without an answer', async () => {
    emulator.injectFault({ type: 'lost-after' });
    await assert.rejects(logLine(emulator, workflow.eventToken, 'written'));
    assert.deepEqual(lines(), ['written']);
    assert.equal(emulator.requests[0].status, 0);
  });

  it('delay: runs at once, answers after the delay', async () => {
    emulator.injectFault({ type: 'delay', ms: 60 });
    const started = process.hrtime.bigint();
    const answer = await logLine(emulator, workflow.eventToken, 'slow');
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    assert.equal(answer.status, 200);
    assert.ok(elapsedMs >= 55, `answered after ${elapsedMs} ms`);
    assert.deepEqual(lines(), ['slow']);
  });

  it('delay: a client that gives up has still had its line written', async () => {
    emulator.injectFault({ type: 'delay', ms: 60_000 });
    const abort = new AbortController();
    const pending = fetch(`${emulator.webhookUrl()}bizproc.activity.log`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ EVENT_TOKEN: workflow.eventToken, LOG_MESSAGE: 'timed out' }),
      signal: abort.signal,
    });
    await emulator.waitForRequests(1);
    abort.abort();
    await assert.rejects(pending, { name: 'AbortError' });
    assert.deepEqual(lines(), ['timed out']);
  });

  it('redirect: answers 301/302 with Location and runs nothing', async () => {
    emulator.injectFault({ type: 'redirect', status: 302, location: 'https://new-portal.bitrix24.com/rest/1/x/scope' });
    const response = await fetch(`${emulator.webhookUrl()}bizproc.activity.log`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ EVENT_TOKEN: workflow.eventToken, LOG_MESSAGE: 'x' }),
    });
    await response.text();
    assert.equal(response.status, 302);
    assert.equal(response.headers.get('location'), 'https://new-portal.bitrix24.com/rest/1/x/scope');
    assert.deepEqual(lines(), []);
  });

  it('applies only to the named method, the given number of times', async () => {
    emulator.injectFault({ type: 'status', status: 500 }, { method: 'batch', times: 2 });
    assert.equal((await callRest(emulator, 'scope')).status, 200);
    assert.equal((await callRest(emulator, 'batch', { cmd: { a: 'scope' } })).status, 500);
    assert.equal((await callRest(emulator, 'batch.json', { cmd: { a: 'scope' } })).status, 500);
    assert.equal((await callRest(emulator, 'batch', { cmd: { a: 'scope' } })).status, 200);
  });

  it('applies faults in the order injected, and clearFaults drops them', async () => {
    emulator.injectFault({ type: 'status', status: 500 });
    emulator.injectFault({ type: 'status', status: 502 });
    assert.equal((await callRest(emulator, 'scope')).status, 500);
    emulator.clearFaults();
    assert.equal((await callRest(emulator, 'scope')).status, 200);
  });

  it('does not touch the log page or the workflow API', async () => {
    emulator.injectFault({ type: 'reset-before' });
    const page = await fetch(`${emulator.url}/`);
    await page.text();
    assert.equal(page.status, 200);
    await assert.rejects(callRest(emulator, 'scope'));
  });

  it('refuses an invalid fault when it is injected', () => {
    assert.throws(() => emulator.injectFault({ type: 'status', status: 42 }), RangeError);
    assert.throws(() => emulator.injectFault({ type: 'delay', ms: -1 }), RangeError);
    assert.throws(() => emulator.injectFault({ type: 'redirect', status: 302, location: 'a\r\nb: c' }), RangeError);
    assert.throws(() => emulator.injectFault({ type: 'nonsense' }), RangeError);
    assert.throws(() => emulator.injectFault({ type: 'lost-after' }, { times: 0 }), RangeError);
  });
});
