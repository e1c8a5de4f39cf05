'use strict';
const assert = require('node:assert/strict');
const http = require('node:http');
const { startEmulator, callRest } = require('./emulator-harness');

describe('emulator routes and envelope', () => {
  let emulator;
  let clock;
  beforeEach(async () => {
    ({ emulator, clock } = await startEmulator({ webhookSecret: 'routesecret123456', userId: 7 }));
  });
  afterEach(() => emulator.stop());

  it('answers POST and GET, with and without the .json suffix', async () => {
    for (const [method, httpMethod] of [['scope', 'POST'], ['scope.json', 'POST'], ['scope', 'GET'], ['scope.json', 'GET']]) {
      const answer = await callRest(emulator, method, {}, { httpMethod });
      assert.equal(answer.status, 200, `${httpMethod} ${method}`);
      assert.deepEqual(answer.body.result, ['bizproc']);
    }
  });

  it('matches method names case-insensitively, as the portal does', async () => {
    assert.equal((await callRest(emulator, 'Scope.JSON')).status, 200);
  });

  it('wraps a success in {result, time} with seconds and dates from the clock', async () => {
    const answer = await callRest(emulator, 'scope');
    assert.equal(answer.headers.get('content-type'), 'application/json; charset=utf-8');
    const start = clock.now() / 1000;
    assert.deepEqual(answer.body.time, {
      start,
      finish: start,
      duration: 0,
      processing: 0,
      date_start: '2024-01-15T09:00:00+00:00',
      date_finish: '2024-01-15T09:00:00+00:00',
      operating: 0,
      operating_reset_at: start,
    });
  });

  it('refuses a wrong secret, a wrong user id and the OAuth form with 401 NO_AUTH_FOUND', async () => {
    const expected = { error: 'NO_AUTH_FOUND', error_description: 'Wrong authorization data' };
    for (const base of [`${emulator.url}/rest/7/wrongsecret/`, `${emulator.url}/rest/1/routesecret123456/`, `${emulator.url}/rest/`]) {
      const answer = await callRest(emulator, 'scope', {}, { base });
      assert.equal(answer.status, 401, base);
      assert.deepEqual(answer.body, expected);
    }
  });

  it('refuses a malformed escape in the path without crashing', async () => {
    const answer = await callRest(emulator, 'scope', {}, { base: `${emulator.url}/rest/7/%E0%A4%A/` });
    assert.equal(answer.status, 401);
  });

  it('answers an unknown method with 404 ERROR_METHOD_NOT_FOUND', async () => {
    const answer = await callRest(emulator, 'crm.nothing.here');
    assert.equal(answer.status, 404);
    assert.deepEqual(answer.body, { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' });
    assert.equal((await callRest(emulator, '')).status, 404);
  });

  it('reads JSON bodies, PHP form bodies and query strings, with keys in any case', async () => {
    const { workflowId, eventToken } = emulator.startWorkflow();
    assert.equal((await callRest(emulator, 'bizproc.activity.log', { EVENT_TOKEN: eventToken, LOG_MESSAGE: 'json' })).status, 200);
    assert.equal((await callRest(emulator, 'bizproc.activity.log', { event_token: eventToken, Log_Message: 'form' }, { form: true })).status, 200);
    assert.equal((await callRest(emulator, 'bizproc.activity.log', { Event_Token: eventToken, log_message: 'query' }, { httpMethod: 'GET' })).status, 200);
    assert.deepEqual(emulator.logOf(workflowId).map((line) => line.message), ['json', 'form', 'query']);
  });

  it('lets body parameters override query parameters', async () => {
    const { workflowId, eventToken } = emulator.startWorkflow();
    const base = `${emulator.webhookUrl()}`;
    const answer = await callRest(emulator, `bizproc.activity.log?LOG_MESSAGE=from-query&EVENT_TOKEN=x`, {
      EVENT_TOKEN: eventToken,
      LOG_MESSAGE: 'from-body',
    }, { base });
    assert.equal(answer.status, 200);
    assert.deepEqual(emulator.logOf(workflowId).map((line) => line.message), ['from-body']);
  });

  it('answers unparseable JSON with 400 INVALID_REQUEST', async () => {
    const answer = await callRest(emulator, 'scope', {}, { rawBody: '{"EVENT_TOKEN": ', headers: { 'content-type': 'application/json' } });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error, 'INVALID_REQUEST');
  });

  it('ignores a body of another content type and a JSON body that is not an object', async () => {
    assert.equal((await callRest(emulator, 'scope', {}, { rawBody: 'hello', headers: { 'content-type': 'text/plain' } })).status, 200);
    assert.equal((await callRest(emulator, 'scope', {}, { rawBody: '[1,2]', headers: { 'content-type': 'application/json' } })).status, 200);
  });

  it('answers 413 to a body over 10 MB without reading it', async () => {
    const status = await new Promise((resolve, reject) => {
      const url = new URL(`${emulator.webhookUrl()}scope`);
      const request = http.request(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-length': String(11 * 1024 * 1024), 'content-type': 'application/json' } },
        (response) => {
          response.resume();
          resolve(response.statusCode);
        },
      );
      request.on('error', reject);
      request.flushHeaders();
    });
    assert.equal(status, 413);
  });

  it('answers other HTTP methods with 405 and unknown routes with 404', async () => {
    assert.equal((await callRest(emulator, 'scope', {}, { httpMethod: 'PUT', rawBody: '' })).status, 405);
    const response = await fetch(`${emulator.url}/nowhere`);
    assert.equal(response.status, 404);
    await response.text();
  });

  it('lists the configured scopes and refuses methods outside them with 403 insufficient_scope', async () => {
    const other = (await startEmulator({ scopes: ['user'] })).emulator;
    try {
      assert.deepEqual((await callRest(other, 'scope')).body.result, ['user']);
      const answer = await callRest(other, 'bizproc.activity.log', { EVENT_TOKEN: 'x', LOG_MESSAGE: 'y' });
      assert.equal(answer.status, 403);
      assert.equal(answer.body.error, 'insufficient_scope');
    } finally {
      await other.stop();
    }
  });

  it('refuses activity registration from a webhook with 403 "Application context required"', async () => {
    const answer = await callRest(emulator, 'bizproc.activity.add', { CODE: 'x' });
    assert.equal(answer.status, 403);
    assert.deepEqual(answer.body, { error: 'ACCESS_DENIED', error_description: 'Application context required' });
  });

  it('answers server.time with the clock', async () => {
    assert.equal((await callRest(emulator, 'server.time')).body.result, '2024-01-15T09:00:00+00:00');
  });
});
