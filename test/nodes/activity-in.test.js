'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const zlib = require('node:zlib');
const os = require('node:os');
const path = require('node:path');
const helper = require('node-red-node-test-helper');
const portalNode = require('../../nodes/bitrix24-portal.js');
const activityInNode = require('../../nodes/bitrix24-bizproc-activity-in.js');
const { Bitrix24Emulator } = require('../../dist/emulator');
const { encodePhpQuery } = require('../../dist/bitrix24/php-query');
const { placed, nextMessage, collect, StatusLog } = require('../support/node-flow');
const { HttpNodeServer, interpolatingTranslator } = require('../support/http-node');

helper.init(require.resolve('node-red'));

const APP_TOKEN = 'emulatorApplicationToken42';
const PATH = '/bitrix24/activity';
const NS = 'bitrix24-bizproc-activity-in';
/** What the answer says for each reason of a refusal (the texts of src/bitrix24/bizproc). */
const DESCRIPTIONS = {
  event_token: /event_token/,
  document_id: /document_id/,
  event: /application events/,
  json: /not valid JSON/,
  limits: /too many fields/,
  depth: /nested too deeply/,
};

describe('bitrix24-bizproc-activity-in node', function () {
  let emulator;
  let server;
  let userDir;
  let statuses;

  before(async () => {
    emulator = new Bitrix24Emulator({ rateLimit: false, applicationToken: APP_TOKEN });
    await emulator.start();
    server = new HttpNodeServer();
    await server.start();
  });
  after(async () => {
    await server.stop();
    await emulator.stop();
    helper.settings({});
  });
  beforeEach(() => {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'b24-activity-in-'));
    helper.settings({ userDir, credentialSecret: 'test credential secret' });
    statuses = new StatusLog();
  });
  afterEach(async () => {
    await helper.unload();
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  const handlerUrl = () => `${server.url}${PATH}`;

  async function load({ node = {}, applicationToken = APP_TOKEN, extraNodes = [] } = {}) {
    const flow = placed([
      { id: 'tab', type: 'tab', label: 'test' },
      { id: 'portal', type: 'bitrix24-portal', name: 'Test portal', authType: 'webhook' },
      { id: 'in', type: 'bitrix24-bizproc-activity-in', z: 'tab', name: 'in', portal: 'portal', url: PATH, captureApplicationToken: false, wires: [['out']], ...node },
      { id: 'out', type: 'helper', z: 'tab' },
      ...extraNodes,
    ]);
    const credentials = { portal: { webhookUrl: emulator.webhookUrl(), ...(applicationToken === null ? {} : { applicationToken }) } };
    await helper.load([portalNode, server.wrap(activityInNode, { translate: interpolatingTranslator, statuses })], flow, credentials);
    return { node: helper.getNode('in'), out: helper.getNode('out') };
  }

  /** POSTs a raw body to the handler. */
  async function post(body, contentType, url = handlerUrl()) {
    const response = await fetch(url, { method: 'POST', headers: contentType ? { 'Content-Type': contentType } : {}, body });
    return { status: response.status, body: await response.json().catch(() => undefined) };
  }

  /** A POST that was refused leaves nothing behind: a valid request afterwards is the only message to arrive. */
  async function assertNothingEmitted(out) {
    const messages = collect(out);
    const arrived = nextMessage(out);
    const sentinel = await emulator.dispatchActivity({ handlerUrl: handlerUrl(), name: 'sentinel' });
    await arrived;
    assert.deepEqual(messages.map((m) => m.workflow_id), [sentinel.workflowId]);
  }

  it('answers 200 and emits exactly one message with every field', async () => {
    const { out } = await load();
    const messages = collect(out);
    const arrived = nextMessage(out);
    const dispatched = await emulator.dispatchActivity({
      handlerUrl: handlerUrl(),
      properties: { inputString: 'hello', orderId: '42' },
      documentId: 'DEAL_42',
      code: 'my_activity',
      timeoutDuration: 600,
    });
    assert.equal(dispatched.status, 200);
    const msg = await arrived;
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(messages.length, 1);
    assert.equal(msg.event_token, dispatched.eventToken);
    assert.equal(msg.workflow_id, dispatched.workflowId);
    assert.equal(msg.code, 'my_activity');
    assert.deepEqual(msg.document_id, ['crm', 'CCrmDocumentDeal', 'DEAL_42']);
    assert.deepEqual(msg.document_type, ['crm', 'CCrmDocumentDeal', 'DEAL']);
    assert.deepEqual(msg.properties, { inputString: 'hello', orderId: '42' });
    assert.deepEqual(msg.payload, msg.properties);
    assert.notEqual(msg.payload, msg.properties, 'payload is a copy: changing it leaves properties as received');
    assert.equal(msg.use_subscription, 'Y');
    assert.equal(msg.timeout_duration, 600);
    assert.equal(msg.auth.domain, new URL(emulator.url).host);
    assert.equal(msg.auth.client_endpoint, `${emulator.url}/rest/`);
    assert.equal(typeof msg.auth.access_token, 'string');
    assert.equal(msg.auth.application_token, undefined, 'the handler credential is not passed on');
    assert.equal(typeof msg._msgid, 'string');
    const status = await statuses.until('in', (s) => s.text.includes('counts'));
    assert.deepEqual(status, { fill: 'green', shape: 'dot', text: `${NS}.status.counts accepted=1 refused=0` });
  });

  it('reads the same request sent as JSON', async () => {
    const { out } = await load();
    const arrived = nextMessage(out);
    const dispatched = await emulator.dispatchActivity({ handlerUrl: handlerUrl(), encoding: 'json', properties: { n: 5 }, useSubscription: false, timeoutDuration: 0 });
    const msg = await arrived;
    assert.equal(dispatched.status, 200);
    assert.equal(msg.event_token, dispatched.eventToken);
    assert.deepEqual(msg.properties, { n: 5 });
    assert.deepEqual([msg.use_subscription, msg.timeout_duration], ['N', 0]);
  });

  it('refuses a forged or missing application token with 401, emits nothing, and counts the refusals', async () => {
    const { node, out } = await load();
    const warnings = collect(node);
    node.on('call:warn', (call) => warnings.push(call.args[0]));
    const forged = await emulator.dispatchActivity({ handlerUrl: handlerUrl(), applicationToken: `${APP_TOKEN}x` });
    assert.equal(forged.status, 401);
    const missing = await post(JSON.stringify({ event_token: forged.eventToken, workflow_id: 'w', code: 'c', document_id: ['a'], document_type: ['b'] }), 'application/json');
    assert.deepEqual(missing, { status: 401, body: { error: 'INVALID_APPLICATION_TOKEN', error_description: 'The application token is missing or wrong.' } });
    const malformedButForged = await post(encodePhpQuery({ auth: { application_token: 'nope' } }), 'application/x-www-form-urlencoded');
    assert.equal(malformedButForged.status, 401, 'nothing about the shape is said before the token is shown');
    await assertNothingEmitted(out);
    const status = await statuses.until('in', (s) => s.text.includes('accepted=1'));
    assert.deepEqual(status, { fill: 'yellow', shape: 'ring', text: `${NS}.status.counts accepted=1 refused=3` });
    assert.deepEqual(warnings.filter((w) => typeof w === 'string'), [`${NS}.warn.mismatch`], 'warned once, not per request');
  });

  describe('a caller without a readable, matching token gets 401 and nothing else', () => {
    const hostile = () => `auth[application_token]=forged&${Array.from({ length: 3000 }, (_, i) => `p${'[a]'.repeat(40)}[${i}]=1`).join('&')}`;
    const cases = [
      ['a JSON list', () => ['[1]', 'application/json']],
      ['broken JSON without a token', () => ['{"event_token":', 'application/json']],
      ['a text/plain body, even with the token in it', () => [encodePhpQuery({ auth: { application_token: APP_TOKEN } }), 'text/plain']],
      ['no content type', () => [encodePhpQuery({ auth: { application_token: APP_TOKEN } }), undefined]],
      ['a forged token in a body past every cap of the parser', () => [hostile(), 'application/x-www-form-urlencoded']],
      ['the same under a content type that Node-RED parsers skip', () => [hostile(), 'application/x-www-form-urlencoded; =']],
      ['the token in a key the scan does not take for it', () => [`auth[application_token][x]=${APP_TOKEN}`, 'application/x-www-form-urlencoded']],
    ];
    for (const [name, makeBody] of cases) {
      it(name, async () => {
        const { out } = await load();
        const [body, contentType] = makeBody();
        assert.deepEqual(await post(body, contentType), { status: 401, body: { error: 'INVALID_APPLICATION_TOKEN', error_description: 'The application token is missing or wrong.' } });
        await assertNothingEmitted(out);
      });
    }

    it('a gzip-compressed body, which is never inflated', async () => {
      const { out } = await load();
      const zipped = zlib.gzipSync(encodePhpQuery({ auth: { application_token: APP_TOKEN }, event_token: 'x' }));
      const response = await fetch(handlerUrl(), { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Encoding': 'gzip' }, body: zipped });
      assert.equal(response.status, 401);
      await response.text();
      await assertNothingEmitted(out);
    });

    it('two token pairs: the later one counts, as in PHP', async () => {
      const { out } = await load();
      const dispatched = emulator.startWorkflow();
      const body = `${encodePhpQuery({ auth: { application_token: APP_TOKEN }, event_token: dispatched.eventToken })}&auth%5Bapplication_token%5D=forged`;
      assert.equal((await post(body, 'application/x-www-form-urlencoded')).status, 401);
      await assertNothingEmitted(out);
    });
  });

  it('answers 408 and closes a body that does not arrive within bitrix24ActivityInBodyTimeout', async () => {
    helper.settings({ userDir, credentialSecret: 'test credential secret', bitrix24ActivityInBodyTimeout: 200 });
    const { out } = await load();
    const url = new URL(handlerUrl());
    const answer = await new Promise((resolve, reject) => {
      const headers = { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '1000' };
      const request = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers }, (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode, connection: response.headers.connection, text }));
      });
      request.on('error', reject);
      // Part of the body, and then nothing: the server must not wait for the rest.
      request.write(`auth[application_token]=${APP_TOKEN}&event_token=`);
    });
    assert.equal(answer.status, 408);
    assert.equal(answer.connection, 'close');
    assert.equal(JSON.parse(answer.text).error, 'INVALID_ACTIVITY_REQUEST');
    await assertNothingEmitted(out);
  });

  describe('prototype keys never reach a message or its copies', () => {
    const attack = (eventToken) => ({
      form: [
        encodePhpQuery({ event_token: eventToken, workflow_id: 'wf', code: 'c', document_id: ['a'], document_type: ['b'], auth: { application_token: APP_TOKEN, domain: 'x' } }),
        '__proto__[polluted]=1',
        'properties[__proto__][polluted]=1',
        'properties[__proto__][application_token]=inherited',
        'auth[__proto__][application_token]=inherited',
        'auth[constructor][prototype][application_token]=inherited',
        'properties[x][constructor][prototype][polluted]=1',
        'properties[prototype]=1',
        'properties[kept]=yes',
      ].join('&'),
      json: `{"event_token":${JSON.stringify(eventToken)},"workflow_id":"wf","code":"c","document_id":["a"],"document_type":["b"],` +
        `"__proto__":{"polluted":1},"auth":{"application_token":"${APP_TOKEN}","__proto__":{"application_token":"inherited"},"constructor":{"prototype":{"polluted":1}}},` +
        `"properties":{"__proto__":{"polluted":1,"application_token":"inherited"},"x":[{"__proto__":{"polluted":1}}],"kept":"yes"}}`,
    });
    for (const encoding of ['form', 'json']) {
      it(`drops __proto__, constructor and prototype at every level (${encoding}), in the message and in the copy Node-RED makes for the second wire`, async () => {
        const { out } = await load({ node: { wires: [['out', 'copy']] }, extraNodes: [{ id: 'copy', type: 'helper', z: 'tab' }] });
        const copy = helper.getNode('copy');
        const arrivals = Promise.all([nextMessage(out), nextMessage(copy)]);
        const { eventToken } = emulator.startWorkflow();
        const answer = await post(attack(eventToken)[encoding], encoding === 'form' ? 'application/x-www-form-urlencoded' : 'application/json');
        assert.equal(answer.status, 200);
        const [first, second] = await arrivals;
        assert.notEqual(first, second, 'the second wire got a copy (cloneMessage ran)');
        for (const msg of [first, second]) {
          for (const value of [msg, msg.properties, msg.payload, msg.auth]) {
            assert.equal(Object.getPrototypeOf(value), Object.prototype);
            assert.equal(value.polluted, undefined);
          }
          assert.equal(msg.auth.application_token, undefined);
          assert.equal('application_token' in msg.auth, false, 'not inherited either');
          assert.equal(msg.properties.application_token, undefined);
          assert.equal(msg.properties.kept, 'yes');
          assert.equal(Object.hasOwn(msg.properties, '__proto__'), false);
          assert.equal(Object.hasOwn(msg.properties, 'prototype'), false);
          assert.deepEqual(Object.keys(msg.properties).sort(), ['kept', 'x']);
        }
        assert.equal({}.polluted, undefined);
        assert.equal({}.application_token, undefined);
      });
    }
  });

  describe('malformed requests with a valid token → 400 with a reason, nothing emitted', () => {
    const valid = () => ({
      workflow_id: 'wf1',
      code: 'c',
      document_id: ['crm', 'CCrmDocumentDeal', 'DEAL_1'],
      document_type: ['crm', 'CCrmDocumentDeal', 'DEAL'],
      event_token: emulator.startWorkflow().eventToken,
      auth: { application_token: APP_TOKEN },
    });
    const cases = [
      ['no event_token', () => [encodePhpQuery({ ...valid(), event_token: undefined }), 'application/x-www-form-urlencoded'], 'event_token'],
      ['no document_id', () => [JSON.stringify({ ...valid(), document_id: undefined }), 'application/json'], 'document_id'],
      ['an application event other than ONAPPINSTALL', () => [encodePhpQuery({ event: 'ONAPPUNINSTALL', auth: { application_token: APP_TOKEN } }), 'application/x-www-form-urlencoded'], 'event'],
      ['unparsable JSON', () => [`{"auth":{"application_token":"${APP_TOKEN}"},"event_token":`, 'application/json'], 'json'],
      ['more than 1,000 form pairs', () => [`${encodePhpQuery(valid())}${'&p[]=1'.repeat(1000)}`, 'application/x-www-form-urlencoded'], 'limits'],
      ['form keys nested deeper than 32 levels', () => [`${encodePhpQuery(valid())}&properties${'[a]'.repeat(33)}=1`, 'application/x-www-form-urlencoded'], 'depth'],
      ['more than 1,000 JSON entries', () => [JSON.stringify({ ...valid(), properties: { list: Array(1000).fill(1) } }), 'application/json'], 'limits'],
      ['JSON nested deeper than 32 levels', () => [JSON.stringify({ ...valid(), properties: JSON.parse(`${'{"a":'.repeat(33)}1${'}'.repeat(33)}`) }), 'application/json'], 'depth'],
    ];
    for (const [name, makeBody, reason] of cases) {
      it(`${name} (${reason})`, async () => {
        const { out } = await load();
        const [body, contentType] = makeBody();
        const answer = await post(body, contentType);
        assert.equal(answer.status, 400);
        assert.equal(answer.body.error, 'INVALID_ACTIVITY_REQUEST');
        assert.equal(typeof answer.body.error_description, 'string');
        assert.match(answer.body.error_description, DESCRIPTIONS[reason]);
        await assertNothingEmitted(out);
      });
    }

    it('a body declared over 1 MB → 413, without reading it', async () => {
      const { out } = await load();
      const status = await new Promise((resolve, reject) => {
        const url = new URL(handlerUrl());
        const headers = { 'content-length': String(2 * 1024 * 1024), 'content-type': 'application/json' };
        const request = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers }, (response) => {
          response.resume();
          resolve(response.statusCode);
        });
        request.on('error', reject);
        request.flushHeaders();
      });
      assert.equal(status, 413);
      await assertNothingEmitted(out);
    });
  });

  it('refuses everything while no application token is known, and says so in the status', async () => {
    const { node, out } = await load({ applicationToken: null });
    const messages = collect(out);
    await statuses.until('in', (s) => s.text === `${NS}.status.noToken`);
    const warnings = [];
    node.on('call:warn', (call) => warnings.push(call.args[0]));
    assert.equal((await emulator.dispatchActivity({ handlerUrl: handlerUrl() })).status, 401);
    assert.equal((await emulator.dispatchInstall({ handlerUrl: handlerUrl() })).status, 401, 'no capture unless asked');
    const status = await statuses.until('in', (s) => s.text.includes('refused=2'));
    assert.deepEqual(status, { fill: 'red', shape: 'ring', text: `${NS}.status.stateWithCounts accepted=0 refused=2 state=${NS}.status.noToken` });
    assert.equal(messages.length, 0);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(warnings, [`${NS}.warn.noToken`]);
  });

  describe('capturing the application token from ONAPPINSTALL', () => {
    const storeFile = () => path.join(userDir, '.bitrix24-bizproc-tokens.json');

    it('stores the first ONAPPINSTALL token, encrypted, then verifies requests with it, across a restart', async () => {
      let { out } = await load({ applicationToken: null, node: { captureApplicationToken: true } });
      await statuses.until('in', (s) => s.text === `${NS}.status.awaitingInstall`);
      assert.equal((await emulator.dispatchInstall({ handlerUrl: handlerUrl() })).status, 200);
      assert.ok(fs.existsSync(storeFile()));
      assert.ok(!fs.readFileSync(storeFile(), 'utf8').includes(APP_TOKEN), 'stored encrypted');
      assert.equal((await emulator.dispatchInstall({ handlerUrl: handlerUrl(), applicationToken: 'attackerToken' })).status, 401, 'only the first is trusted');
      assert.equal((await emulator.dispatchActivity({ handlerUrl: handlerUrl(), applicationToken: 'attackerToken' })).status, 401);
      let arrived = nextMessage(out);
      assert.equal((await emulator.dispatchActivity({ handlerUrl: handlerUrl() })).status, 200);
      await arrived;

      await helper.unload();
      statuses = new StatusLog();
      ({ out } = await load({ applicationToken: null, node: { captureApplicationToken: false } }));
      await statuses.until('in', (s) => s.text === `${NS}.status.listening`);
      arrived = nextMessage(out);
      assert.equal((await emulator.dispatchActivity({ handlerUrl: handlerUrl() })).status, 200, 'the captured token survives a restart');
      await arrived;
      assert.equal((await emulator.dispatchInstall({ handlerUrl: handlerUrl() })).status, 200, 'a genuine reinstall event is acknowledged');
    });

    it('lets a token typed into the portal node win over a captured one', async () => {
      await load({ applicationToken: null, node: { captureApplicationToken: true } });
      assert.equal((await emulator.dispatchInstall({ handlerUrl: handlerUrl(), applicationToken: 'capturedToken' })).status, 200);
      await helper.unload();
      const { out } = await load({ applicationToken: APP_TOKEN, node: { captureApplicationToken: true } });
      assert.equal((await emulator.dispatchActivity({ handlerUrl: handlerUrl(), applicationToken: 'capturedToken' })).status, 401);
      const arrived = nextMessage(out);
      assert.equal((await emulator.dispatchActivity({ handlerUrl: handlerUrl() })).status, 200);
      await arrived;
    });

    it('captures nothing without a credential secret, and says why', async () => {
      helper.settings({ userDir, credentialSecret: false });
      const { node } = await load({ applicationToken: null, node: { captureApplicationToken: true } });
      const errors = [];
      node.on('call:error', (call) => errors.push(call.args[0]));
      const answer = await post(encodePhpQuery({ event: 'ONAPPINSTALL', auth: { application_token: APP_TOKEN } }), 'application/x-www-form-urlencoded');
      assert.equal(answer.status, 503);
      assert.equal(fs.existsSync(storeFile()), false);
      await statuses.until('in', (s) => s.text.includes('storeError'));
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(errors.length, 1);
    });

    it('fails closed when the store cannot be decrypted', async () => {
      fs.writeFileSync(storeFile(), '{"format":"node-red-contrib-bitrix24-bizproc/token-store","version":1,"salt":"","iv":"","tag":"","data":""}');
      await load({ applicationToken: null, node: { captureApplicationToken: true } });
      await statuses.until('in', (s) => s.text === `${NS}.status.storeError`);
      assert.equal((await emulator.dispatchInstall({ handlerUrl: handlerUrl() })).status, 503);
      assert.equal((await emulator.dispatchActivity({ handlerUrl: handlerUrl() })).status, 503);
    });
  });

  it('removes its route on close, and a redeploy on the same path emits each request once', async () => {
    await load();
    await helper.unload();
    statuses = new StatusLog();
    const { out } = await load();
    const messages = collect(out);
    const arrived = nextMessage(out);
    await emulator.dispatchActivity({ handlerUrl: handlerUrl() });
    await arrived;
    await helper.unload();
    assert.equal(messages.length, 1);
    const routes = server.app._router.stack.filter((layer) => layer.route && layer.route.path === PATH);
    assert.equal(routes.length, 0);
    assert.deepEqual(statuses.of('in').at(-1), {}, 'status cleared on close');
  });

  it('serves several receivers, each on its own path', async () => {
    const { out } = await load({ extraNodes: [{ id: 'other', type: 'bitrix24-bizproc-activity-in', z: 'tab', portal: 'portal', url: '/other', wires: [['out']] }] });
    const app = server.app;
    assert.equal(app._router.stack.filter((layer) => layer.route).length, 2);
    const arrived = nextMessage(out);
    await emulator.dispatchActivity({ handlerUrl: `${server.url}/other` });
    await arrived;
  });

  it('answers 401 to everything without a portal', async () => {
    const { out } = await load({ node: { portal: 'missing' } });
    const messages = collect(out);
    assert.equal((await emulator.dispatchActivity({ handlerUrl: handlerUrl() })).status, 401);
    assert.equal(messages.length, 0);
  });
});
