'use strict';
// The emulator as the application's portal for activities and robots: bizproc.activity.* and bizproc.robot.* with the
// portal's checks, over real sockets, and workflows started from a registration, POSTed to its HANDLER.
const assert = require('node:assert/strict');
const http = require('node:http');
const { callRest } = require('./emulator-harness');
const { startOAuthEmulator, callApp } = require('./oauth-harness');
const { parseHandlerBody } = require('../../dist/bitrix24/bizproc/activity-request');

const METHODS = ['add', 'update', 'delete', 'list'];

/** A stand-in for the application's handler: records each POST, answers 200; `next()` resolves with the next one. */
async function startHandler() {
  const received = [];
  const waiters = [];
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const entry = { headers: request.headers, url: request.url, fields: parseHandlerBody(request.headers['content-type'], Buffer.concat(chunks)) };
      received.push(entry);
      waiters.shift()?.(entry);
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end('{"result":"accepted"}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = server.address().port;
  return {
    received,
    url: (path = '/robot') => `http://127.0.0.1:${port}${path}`,
    next: () => new Promise((resolve) => waiters.push(resolve)),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** The definition of the issue's example robot, as bizproc.robot.add takes it. */
function reserveStock(handler) {
  return {
    CODE: 'reserve_stock',
    HANDLER: handler,
    USE_SUBSCRIPTION: 'Y',
    NAME: { ru: 'Зарезервировать товар', en: 'Reserve stock' },
    PROPERTIES: {
      item: { Name: 'Item', Type: 'string', Required: 'Y', Multiple: 'N', Default: '' },
      quantity: { Name: 'Quantity', Type: 'int', Required: 'Y', Multiple: 'N', Default: '1' },
    },
    RETURN_PROPERTIES: { reserved: { Name: 'Reserved', Type: 'bool' }, note: { Name: 'Note', Type: 'string' } },
  };
}

describe('emulator: registering activities and robots (application context)', () => {
  let emulator;
  let handler;
  let token;
  const app = (method, params) => callApp(emulator, method, token, params);

  beforeEach(async () => {
    ({ emulator } = await startOAuthEmulator());
    handler = await startHandler();
    token = emulator.issueTokens().accessToken;
  });
  afterEach(async () => {
    await handler.close();
    await emulator.stop();
  });

  it('refuses every registration method to a webhook: 403 ACCESS_DENIED "Application context required"', async () => {
    for (const kind of ['activity', 'robot']) {
      for (const method of METHODS) {
        const answer = await callRest(emulator, `bizproc.${kind}.${method}`, reserveStock(handler.url()));
        assert.equal(answer.status, 403, `${kind}.${method}`);
        assert.deepEqual(answer.body, { error: 'ACCESS_DENIED', error_description: 'Application context required' });
      }
    }
    assert.deepEqual(emulator.registrationsNow(), []);
  });

  it('adds, lists, updates and deletes a robot with an application token', async () => {
    assert.deepEqual((await app('bizproc.robot.add', reserveStock(handler.url()))).body.result, true);
    assert.deepEqual((await app('bizproc.robot.list')).body.result, ['reserve_stock']);
    assert.deepEqual((await app('bizproc.activity.list')).body.result, []);
    const [registered] = emulator.registrationsNow();
    // Member names are upper-cased as the portal keeps them; property codes are kept.
    assert.deepEqual(registered.name, { RU: 'Зарезервировать товар', EN: 'Reserve stock' });
    assert.deepEqual(Object.keys(registered.properties), ['item', 'quantity']);
    assert.equal(registered.properties.quantity.DEFAULT, '1');

    const update = await app('bizproc.robot.update', { CODE: 'reserve_stock', FIELDS: { NAME: 'Reserve', PROPERTIES: {} } });
    assert.equal(update.body.result, true);
    assert.equal(emulator.registrationsNow()[0].name, 'Reserve');
    assert.deepEqual(emulator.registrationsNow()[0].properties, {});

    assert.equal((await app('bizproc.robot.delete', { CODE: 'reserve_stock' })).body.result, true);
    assert.deepEqual((await app('bizproc.robot.list')).body.result, []);
    const again = await app('bizproc.robot.delete', { CODE: 'reserve_stock' });
    assert.deepEqual([again.status, again.body.error], [400, 'ERROR_ACTIVITY_NOT_FOUND']);
  });

  it('refuses a known code on add, whichever the kind, and the other kind\'s code on update', async () => {
    await app('bizproc.robot.add', reserveStock(handler.url()));
    for (const kind of ['robot', 'activity']) {
      const answer = await app(`bizproc.${kind}.add`, reserveStock(handler.url()));
      assert.deepEqual([answer.status, answer.body.error, answer.body.error_description], [400, 'ERROR_ACTIVITY_ALREADY_INSTALLED', 'Activity or Robot already installed!']);
    }
    const update = await app('bizproc.activity.update', { CODE: 'reserve_stock', FIELDS: { NAME: 'x' } });
    assert.deepEqual([update.status, update.body.error], [400, 'ERROR_ACTIVITY_NOT_FOUND']);
    const empty = await app('bizproc.robot.update', { CODE: 'reserve_stock' });
    assert.deepEqual([empty.body.error, empty.body.error_description], ['ERROR_ACTIVITY_VALIDATION_FAILURE', 'No fields to update']);
  });

  it('checks the code, the handler, the name and the property codes as the portal does', async () => {
    const refused = async (params, error, description) => {
      const answer = await app('bizproc.activity.add', { ...reserveStock(handler.url()), ...params });
      assert.deepEqual([answer.status, answer.body.error, answer.body.error_description], [400, error, description], JSON.stringify(params));
    };
    await refused({ CODE: '' }, 'ERROR_ACTIVITY_VALIDATION_FAILURE', 'Empty activity code!');
    await refused({ CODE: 'reserve stock' }, 'ERROR_ACTIVITY_VALIDATION_FAILURE', 'Wrong activity code!');
    await refused({ HANDLER: 'ftp://127.0.0.1/robot' }, 'ERROR_UNSUPPORTED_PROTOCOL', 'Unsupported handler protocol');
    await refused({ HANDLER: 'not a url' }, 'ERROR_WRONG_HANDLER_URL', 'Wrong handler URL');
    await refused({ NAME: '' }, 'ERROR_ACTIVITY_VALIDATION_FAILURE', 'Empty activity NAME!');
    await refused({ PROPERTIES: { '1item': { Name: 'Item' } } }, 'ERROR_ACTIVITY_VALIDATION_FAILURE', 'Wrong property key (1item)!');
    await refused({ RETURN_PROPERTIES: { note: { Type: 'string' } } }, 'ERROR_ACTIVITY_VALIDATION_FAILURE', 'Empty property NAME (note)!');
    await refused({ PROPERTIES: 'item' }, 'ERROR_ACTIVITY_VALIDATION_FAILURE', 'Wrong properties array!');
    // Codes are exact: another spelling is another code.
    assert.equal((await app('bizproc.activity.add', { ...reserveStock(handler.url()), CODE: 'Reserve.Stock-2' })).body.result, true);
    assert.deepEqual((await app('bizproc.activity.list')).body.result, ['Reserve.Stock-2']);
  });

  it('keeps a HANDLER to the application\'s host when the application has a registered address', async () => {
    await emulator.stop();
    ({ emulator } = await startOAuthEmulator({ oauth: { redirectUri: 'https://nodered.example.com/bitrix24-portal/oauth/callback' } }));
    token = emulator.issueTokens().accessToken;
    const elsewhere = await app('bizproc.robot.add', reserveStock('https://other.example.com/robot'));
    assert.deepEqual([elsewhere.status, elsewhere.body.error], [400, 'ERROR_WRONG_HANDLER_URL']);
    assert.equal((await app('bizproc.robot.add', reserveStock('https://nodered.example.com/api/robot'))).body.result, true);
  });

  it('registers inside a batch made with the application token, never with the webhook', async () => {
    const cmd = { a: 'bizproc.robot.add?CODE=r1&HANDLER=https%3A%2F%2F127.0.0.1%2Fr&NAME=R1', b: 'bizproc.robot.list' };
    const asApp = await app('batch', { halt: 0, cmd });
    assert.deepEqual(asApp.body.result.result, { a: true, b: ['r1'] });
    const asWebhook = await callRest(emulator, 'batch', { halt: 0, cmd });
    assert.equal(asWebhook.body.result.result_error.a.error_description, 'Application context required');
  });

  it('starts a workflow from a registration: the HANDLER gets the robot request, the answer keeps the registered return values', async () => {
    await app('bizproc.robot.add', reserveStock(handler.url('/api/robot')));
    const arrival = handler.next();
    const started = await emulator.startRegistered({ code: 'reserve_stock', properties: { item: 'chair', unknown: 'dropped' } });
    assert.equal(started.status, 200);
    const { url, fields } = await arrival;
    assert.equal(url, '/api/robot');
    assert.equal(fields.code, 'reserve_stock');
    assert.equal(fields.use_subscription, 'Y');
    assert.equal(fields.event_token, started.eventToken);
    // The registered Default fills what was not given; nothing else is sent.
    assert.deepEqual(fields.properties, { item: 'chair', quantity: '1' });
    assert.equal(fields.auth.application_token, emulator.applicationToken);

    const answer = await app('bizproc.event.send', { EVENT_TOKEN: started.eventToken, RETURN_VALUES: { RESERVED: 'Y', note: 'ok', extra: 'x' } });
    assert.equal(answer.body.result, true);
    assert.deepEqual(emulator.returnValuesOf(started.workflowId), { reserved: 'Y', note: 'ok' });
  });

  it('offers a start form on its page, accepted only from its own page', async () => {
    await app('bizproc.robot.add', reserveStock(handler.url('/api/robot')));
    const list = await (await fetch(`${emulator.url}/`)).text();
    assert.match(list, /Registered activities and robots/);
    assert.match(list, /href="\/emulator\/registrations\/robot\/reserve_stock"/);
    const page = await fetch(`${emulator.url}/emulator/registrations/robot/reserve_stock`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy'), /form-action 'self'/);
    const html = await page.text();
    assert.match(html, /name="property\[item\]"/);
    assert.match(html, /name="property\[quantity\]" value="1"/);
    const formToken = /name="formToken" value="([0-9a-f]+)"/.exec(html)[1];

    const post = (body, headers = {}) =>
      fetch(`${emulator.url}/emulator/registrations/robot/reserve_stock`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(body).toString(),
      });
    const origin = { Origin: emulator.url };
    assert.equal((await post({ formToken, 'property[item]': 'desk' })).status, 403, 'no Origin: not a browser on our page');
    assert.equal((await post({ formToken: 'f'.repeat(64), 'property[item]': 'desk' }, origin)).status, 403, 'a forged token');
    assert.equal((await post({ formToken, 'property[item]': 'desk' }, { Origin: 'https://evil.example' })).status, 403, 'another site');
    assert.equal(handler.received.length, 0);

    const arrival = handler.next();
    const accepted = await post({ formToken, 'property[item]': 'desk', 'property[quantity]': '3' }, origin);
    assert.deepEqual([accepted.status, accepted.headers.get('location')], [303, '/']);
    assert.deepEqual((await arrival).fields.properties, { item: 'desk', quantity: '3' });
  });

  it('starts from the JSON API, and lists registrations as JSON', async () => {
    await app('bizproc.activity.add', { ...reserveStock(handler.url()), CODE: 'act1', USE_SUBSCRIPTION: 'N' });
    const listed = await (await fetch(`${emulator.url}/emulator/api/registrations`)).json();
    assert.deepEqual(listed.map((entry) => [entry.kind, entry.code]), [['activity', 'act1']]);
    const arrival = handler.next();
    const answer = await fetch(`${emulator.url}/emulator/api/registrations/start`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code: 'act1', properties: { item: 'x' } }),
    });
    assert.equal(answer.status, 200);
    assert.equal((await arrival).fields.use_subscription, 'N');
    const unknown = await fetch(`${emulator.url}/emulator/api/registrations/start`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code: 'nope' }),
    });
    assert.equal(unknown.status, 404);
  });
});
