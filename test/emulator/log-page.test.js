'use strict';
const assert = require('node:assert/strict');
const { startEmulator, callRest, logLine } = require('./emulator-harness');

async function getText(url, init) {
  const response = await fetch(url, init);
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe('log page and workflow API', () => {
  let emulator;
  beforeEach(async () => {
    ({ emulator } = await startEmulator({ webhookSecret: 'pagesecret0000aa' }));
  });
  afterEach(() => emulator.stop());

  it('serves a self-refreshing HTML page listing workflows newest first with their lines and status', async () => {
    const older = emulator.startWorkflow({ name: 'Older deal' });
    const newer = emulator.startWorkflow({ name: 'Newer deal' });
    const locked = emulator.startWorkflow({ name: 'Locked deal' });
    await logLine(emulator, older.eventToken, 'first line');
    await callRest(emulator, 'bizproc.event.send', { EVENT_TOKEN: older.eventToken, RETURN_VALUES: { answer: 'forty-two' } });
    await logLine(emulator, newer.eventToken, 'newer line');
    emulator.lockWorkflow(locked.workflowId, true);
    const page = await getText(`${emulator.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type'), /^text\/html; charset=utf-8/);
    assert.match(page.text, /<meta http-equiv="refresh" content="2">/);
    assert.doesNotMatch(page.text, /<script|<link|src=/i);
    const positions = ['Locked deal', 'Newer deal', 'Older deal'].map((name) => page.text.indexOf(name));
    assert.deepEqual([...positions].sort((a, b) => a - b), positions);
    assert.ok(positions[0] > 0);
    assert.match(page.text, /class="status locked">locked/);
    assert.match(page.text, /class="status waiting">waiting/);
    assert.match(page.text, /class="status closed">closed/);
    assert.match(page.text, /first line/);
    assert.match(page.text, /forty-two/);
  });

  it('escapes all HTML and never shows event tokens or the webhook secret, even when a flow logs them', async () => {
    const workflow = emulator.startWorkflow({ name: '<img src=x onerror=alert(1)>' });
    await logLine(emulator, workflow.eventToken, `<script>alert("x")</script> & token=${workflow.eventToken} secret=pagesecret0000aa`);
    await callRest(emulator, 'bizproc.event.send', {
      EVENT_TOKEN: workflow.eventToken,
      RETURN_VALUES: { '<k>': '</pre><b>bold</b>', leaked: workflow.eventToken },
    });
    const page = await getText(`${emulator.url}/`);
    assert.doesNotMatch(page.text, /<script>|<img|<b>bold/);
    assert.match(page.text, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; token=/);
    const signature = workflow.eventToken.slice(workflow.eventToken.lastIndexOf('.') + 1);
    const eventName = workflow.eventToken.split('|')[2].split('.')[0];
    for (const secret of [workflow.eventToken, signature, eventName, 'pagesecret0000aa']) {
      assert.equal(page.text.includes(secret), false, `page shows ${secret}`);
    }
    assert.match(page.text, /\[hidden\]/);
  });

  it('says so when there are no workflows, and hides deleted ones', async () => {
    const workflow = emulator.startWorkflow({ name: 'Gone' });
    emulator.deleteWorkflow(workflow.workflowId);
    const page = await getText(`${emulator.url}/`);
    assert.match(page.text, /No workflows yet/);
    assert.doesNotMatch(page.text, /Gone/);
  });

  it('lists the same as JSON, without tokens or the secret', async () => {
    const workflow = emulator.startWorkflow({ name: 'Deal 7', documentId: 'DEAL_7', activityName: 'A1' });
    await logLine(emulator, workflow.eventToken, `line with ${workflow.eventToken}`);
    const answer = await getText(`${emulator.url}/emulator/api/workflows`);
    assert.equal(answer.status, 200);
    const list = JSON.parse(answer.text);
    assert.equal(list.length, 1);
    assert.deepEqual(
      { ...list[0], log: undefined },
      {
        workflowId: workflow.workflowId,
        name: 'Deal 7',
        documentId: 'DEAL_7',
        activityName: 'A1',
        status: 'waiting',
        startedAt: '2024-01-15T09:00:00+00:00',
        returnValues: null,
        log: undefined,
      },
    );
    assert.equal(list[0].log[0].message, 'line with [hidden]');
    assert.equal(answer.text.includes(workflow.eventToken.split('|')[2]), false);
    assert.equal(answer.text.includes('pagesecret0000aa'), false);
  });

  it('starts a workflow on POST and answers its id and a working token', async () => {
    const answer = await getText(`${emulator.url}/emulator/api/workflows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Demo', activityName: 'NodeRedDemo' }),
    });
    assert.equal(answer.status, 200);
    const { workflowId, eventToken } = JSON.parse(answer.text);
    assert.ok(eventToken.startsWith(`${workflowId}|NodeRedDemo|`));
    assert.equal((await logLine(emulator, eventToken, 'from the demo')).status, 200);
    assert.equal(emulator.logOf(workflowId)[0].message, 'from the demo');
    const bare = await getText(`${emulator.url}/emulator/api/workflows`, { method: 'POST' });
    assert.equal(bare.status, 200);
    // `curl -d` labels its body a form: a body with content must say it is JSON (a cross-site form cannot).
    const curlStyle = await getText(`${emulator.url}/emulator/api/workflows`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '{"name":"From curl -d"}',
    });
    assert.equal(curlStyle.status, 415);
    assert.equal(JSON.parse(curlStyle.text).error, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses a bad workflow request with 400', async () => {
    for (const body of ['{"activityName":"bad|name"}', '{"name": 5}', '{not json']) {
      const answer = await getText(`${emulator.url}/emulator/api/workflows`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      assert.equal(answer.status, 400, body);
      assert.equal(JSON.parse(answer.text).error, 'INVALID_REQUEST');
    }
  });

  it('does not record page and API requests as REST requests', async () => {
    await getText(`${emulator.url}/`);
    await getText(`${emulator.url}/emulator/api/workflows`);
    assert.equal(emulator.requests.length, 0);
  });
});
