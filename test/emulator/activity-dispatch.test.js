'use strict';
const assert = require('node:assert/strict');
const http = require('node:http');
const { startEmulator } = require('./emulator-harness');
const { HandlerUnreachableError } = require('../../dist/emulator');
const { parseHandlerBody } = require('../../dist/bitrix24/bizproc/activity-request');

/** Reads a dispatched form as the package's receiver reads Bitrix24's. */
const readForm = (body) => parseHandlerBody('application/x-www-form-urlencoded', body);

/** A stand-in for an application's handler on 127.0.0.1: records each POST and answers with `status`. */
async function startHandler(status = 200) {
  const received = [];
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, url: request.url, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end('{"result":"accepted"}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { received, url: `http://127.0.0.1:${server.address().port}/bitrix24/activity`, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe('emulator: dispatching activity requests and ONAPPINSTALL', () => {
  let emulator;
  let handler;
  beforeEach(async () => {
    ({ emulator } = await startEmulator({ applicationToken: 'emulatorAppToken123' }));
    handler = await startHandler();
  });
  afterEach(async () => {
    await handler.close();
    await emulator.stop();
  });

  it('POSTs a form with exactly the fields Bitrix24 sends, and the workflow waits for its answer', async () => {
    const dispatched = await emulator.dispatchActivity({ handlerUrl: handler.url, properties: { inputString: 'hello' }, documentId: 'DEAL_9' });
    assert.equal(dispatched.status, 200);
    const [request] = handler.received;
    assert.equal(request.url, '/bitrix24/activity');
    assert.equal(request.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.match(request.body, /auth%5Bapplication_token%5D=emulatorAppToken123/);
    const fields = readForm(request.body);
    assert.deepEqual(Object.keys(fields).sort(), [
      'auth', 'code', 'document_id', 'document_type', 'event_token', 'properties', 'timeout_duration', 'ts', 'use_subscription', 'workflow_id',
    ]);
    assert.deepEqual(Object.keys(fields.auth).sort(), [
      'access_token', 'application_token', 'client_endpoint', 'domain', 'expires', 'expires_in', 'member_id', 'refresh_token', 'scope', 'server_endpoint', 'status', 'user_id',
    ]);
    assert.equal(fields.workflow_id, dispatched.workflowId);
    assert.equal(fields.event_token, dispatched.eventToken);
    assert.deepEqual(fields.document_id, ['crm', 'CCrmDocumentDeal', 'DEAL_9']);
    assert.deepEqual(fields.document_type, ['crm', 'CCrmDocumentDeal', 'DEAL']);
    assert.deepEqual(fields.properties, { inputString: 'hello' });
    assert.deepEqual([fields.use_subscription, fields.timeout_duration, fields.code], ['Y', '3600', 'node_red_activity']);
    assert.equal(fields.auth.client_endpoint, `${emulator.url}/rest/`);
    assert.equal(fields.auth.domain, new URL(emulator.url).host);
    assert.equal(fields.auth.user_id, '1');
    assert.equal(emulator.returnValuesOf(dispatched.workflowId), undefined);
    assert.equal(emulator.logOf(dispatched.workflowId).length, 0);
  });

  it('sends another application token when asked (a forged request), and JSON when asked', async () => {
    await emulator.dispatchActivity({ handlerUrl: handler.url, applicationToken: 'forged', encoding: 'json', useSubscription: false, timeoutDuration: 0 });
    const [request] = handler.received;
    assert.equal(request.headers['content-type'], 'application/json');
    const body = JSON.parse(request.body);
    assert.equal(body.auth.application_token, 'forged');
    assert.deepEqual([body.use_subscription, body.timeout_duration], ['N', 0]);
  });

  it("reports the handler's status as it answered", async () => {
    const refusing = await startHandler(401);
    try {
      assert.equal((await emulator.dispatchActivity({ handlerUrl: refusing.url })).status, 401);
    } finally {
      await refusing.close();
    }
  });

  it('rejects with HandlerUnreachableError naming the workflow when nothing listens', async () => {
    const gone = await startHandler();
    await gone.close();
    await assert.rejects(emulator.dispatchActivity({ handlerUrl: gone.url }), (error) => {
      assert.ok(error instanceof HandlerUnreachableError);
      assert.equal(typeof error.workflowId, 'string');
      return true;
    });
  });

  it('refuses a handler URL that is not http(s)', async () => {
    await assert.rejects(emulator.dispatchActivity({ handlerUrl: 'ftp://127.0.0.1/x' }), RangeError);
    await assert.rejects(emulator.dispatchActivity({ handlerUrl: 'not a url' }), RangeError);
  });

  it('POSTs ONAPPINSTALL with the application token', async () => {
    assert.deepEqual(await emulator.dispatchInstall({ handlerUrl: handler.url }), { status: 200 });
    const fields = readForm(handler.received[0].body);
    assert.equal(fields.event, 'ONAPPINSTALL');
    assert.equal(fields.auth.application_token, 'emulatorAppToken123');
    assert.equal(fields.data.INSTALLED, 'Y');
  });

  describe('over HTTP', () => {
    async function postJson(path, body) {
      const response = await fetch(`${emulator.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      return { status: response.status, body: await response.json() };
    }

    it('POST /emulator/api/activities dispatches and answers the workflow, its token and the status', async () => {
      const answer = await postJson('/emulator/api/activities', { handlerUrl: handler.url, properties: { a: '1' }, name: 'Order 7' });
      assert.equal(answer.status, 200);
      assert.equal(answer.body.status, 200);
      assert.equal(readForm(handler.received[0].body).event_token, answer.body.eventToken);
      const [listed] = await (await fetch(`${emulator.url}/emulator/api/workflows`)).json();
      assert.deepEqual([listed.workflowId, listed.name, listed.status], [answer.body.workflowId, 'Order 7', 'waiting']);
    });

    it('POST /emulator/api/install sends ONAPPINSTALL', async () => {
      const answer = await postJson('/emulator/api/install', { handlerUrl: handler.url, applicationToken: 'other' });
      assert.deepEqual(answer, { status: 200, body: { status: 200 } });
      assert.equal(readForm(handler.received[0].body).auth.application_token, 'other');
    });

    it('only targets handlers on this machine, and checks its input', async () => {
      const cases = [
        [{ handlerUrl: 'http://example.com/x' }, 400],
        [{}, 400],
        [{ handlerUrl: handler.url, properties: [1] }, 400],
        [{ handlerUrl: handler.url, timeoutDuration: -1 }, 400],
        [{ handlerUrl: handler.url, encoding: 'xml' }, 400],
        [{ handlerUrl: handler.url, activityName: 'has space' }, 400],
        [{ handlerUrl: handler.url, applicationToken: 5 }, 400],
      ];
      for (const [body, status] of cases) {
        assert.equal((await postJson('/emulator/api/activities', body)).status, status, JSON.stringify(body));
      }
      assert.equal(handler.received.length, 0);
      const gone = await startHandler();
      await gone.close();
      const unreachable = await postJson('/emulator/api/activities', { handlerUrl: gone.url });
      assert.equal(unreachable.status, 502);
      assert.equal(unreachable.body.error, 'HANDLER_UNREACHABLE');
      assert.equal((await fetch(`${emulator.url}/emulator/api/activities`)).status, 405);
    });
  });
});
