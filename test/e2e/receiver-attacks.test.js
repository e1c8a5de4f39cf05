'use strict';
// The activity receiver under attack, in a real Node-RED that installed the packed package: in Node-RED's default
// layout (admin and node routes both at `/`, where the editor's body parsers see every request first) and in a
// split one. Hostile bodies are refused before they are parsed, prototype keys reach no message or copy, and every
// refusal is the receiver's own small JSON answer: at most 1 MB read, nothing inflated, no HTML, no stack trace.
const assert = require('node:assert/strict');
const http = require('node:http');
const zlib = require('node:zlib');
const { Bitrix24Emulator } = require('../../dist/emulator');
const { encodePhpQuery } = require('../../dist/bitrix24/php-query');
const { startNodeRed } = require('../support/node-red-runtime');

const APP_TOKEN = 'ReceiverAttackAppToken31';
const WEBHOOK_SECRET = 'ReceiverAttackSecret77';
const PATH = '/b24/activity';
const BODY_TIMEOUT_MS = 300;

/** The function node behind each wire: what a flow could see of prototypes, as plain data for the debug sidebar. */
const INSPECT = `
const own = (o) => Object.getOwnPropertyNames(Object.getPrototypeOf(o) || {});
msg.payload = {
  workflow: msg.workflow_id,
  kept: msg.properties.kept,
  polluted: [msg.polluted, msg.properties.polluted, msg.auth.polluted, ({}).polluted].map(String),
  prototypeKeys: [...own(msg), ...own(msg.properties), ...own(msg.auth)].filter((k) => k === 'polluted' || k === 'application_token'),
  applicationTokenVisible: 'application_token' in msg.auth || 'application_token' in msg.properties,
};
return msg;`;

/** A hostile form of about 1 MB: 15,000 keys nested 8 deep, the shape that cost 400 ms of event loop per request. */
function hostileForm(token = 'forged') {
  const pairs = [`auth%5Bapplication_token%5D=${token}`];
  for (let i = 0; i < 15_000; i += 1) pairs.push(`p[a${i}][b][c][d][e][f][g][h]=${'x'.repeat(32)}`);
  return pairs.join('&');
}

/** One raw HTTP exchange, so that headers, chunks and timing are exactly what a hostile client sends. */
function exchange(url, { headers = {}, body, chunks, hold = false } = {}) {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    let answered = false;
    const request = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers }, (response) => {
      answered = true;
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, text }));
    });
    // Writing on after the server refused the body may fail: the answer is what counts.
    request.on('error', (error) => (answered ? undefined : reject(error)));
    if (chunks !== undefined) {
      for (const chunk of chunks) request.write(chunk);
      request.end();
    } else if (body !== undefined) {
      request.write(body);
      if (!hold) request.end();
    } else if (hold) {
      request.flushHeaders();
    } else {
      request.end();
    }
  });
}

/** The receiver's own answer: small JSON, never Express's HTML error page with a stack trace. */
function assertReceiverAnswer(answer, status, error) {
  assert.equal(answer.status, status, answer.text.slice(0, 300));
  assert.match(String(answer.headers['content-type']), /^application\/json/);
  assert.doesNotMatch(answer.text, /<html|<pre>|node_modules|\bat \S+ \(/i);
  assert.equal(JSON.parse(answer.text).error, error);
  assert.ok(!answer.text.includes(APP_TOKEN) && !answer.text.includes(WEBHOOK_SECRET));
}

const LAYOUTS = [
  { name: "Node-RED's default layout (admin and nodes at /)", settings: {} },
  { name: 'a split layout (admin at /admin/, nodes at /hooks/)', settings: { httpAdminRoot: '/admin/', httpNodeRoot: '/hooks/' } },
];

for (const layout of LAYOUTS) {
  describe(`activity receiver under attack, real Node-RED, ${layout.name}`, function () {
    this.timeout(90_000);
    let emulator;
    let runtime;
    let debug;
    let handlerUrl;

    before(async () => {
      emulator = new Bitrix24Emulator({ rateLimit: false, webhookSecret: WEBHOOK_SECRET, applicationToken: APP_TOKEN });
      await emulator.start();
      runtime = await startNodeRed({ settings: { ...layout.settings, bitrix24ActivityInBodyTimeout: BODY_TIMEOUT_MS } });
      handlerUrl = `${runtime.nodeUrl}${PATH.slice(1)}`;
      debug = await runtime.watchDebug();
      await runtime.deploy([
        { id: 'tab', type: 'tab', label: 'receiver' },
        { id: 'portal', type: 'bitrix24-portal', name: 'p', authType: 'webhook', credentials: { webhookUrl: emulator.webhookUrl(), applicationToken: APP_TOKEN } },
        { id: 'in', type: 'bitrix24-bizproc-activity-in', z: 'tab', portal: 'portal', url: PATH, captureApplicationToken: false, wires: [['first', 'second']] },
        { id: 'first', type: 'function', z: 'tab', func: INSPECT, outputs: 1, wires: [['debug-first']] },
        { id: 'second', type: 'function', z: 'tab', func: INSPECT, outputs: 1, wires: [['debug-second']] },
        { id: 'debug-first', type: 'debug', z: 'tab', active: true, complete: 'payload', tosidebar: true },
        { id: 'debug-second', type: 'debug', z: 'tab', active: true, complete: 'payload', tosidebar: true },
      ]);
    });
    after(async () => {
      await runtime?.stop();
      await emulator?.stop();
    });

    /** Both wires' reports of one workflow's message. */
    function reports(workflowId) {
      const of = (id) => debug.next((m) => m.id === id && JSON.parse(m.msg).workflow === workflowId).then((m) => JSON.parse(m.msg));
      return Promise.all([of('debug-first'), of('debug-second')]);
    }

    it('takes a genuine request from the emulator', async () => {
      const arrived = emulator.startWorkflow();
      const wired = reports('wf-genuine');
      const body = encodePhpQuery({ event_token: arrived.eventToken, workflow_id: 'wf-genuine', code: 'c', document_id: ['a'], document_type: ['b'], properties: { kept: 'yes' }, auth: { application_token: APP_TOKEN } });
      assert.equal((await exchange(handlerUrl, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })).status, 200);
      const dispatched = await emulator.dispatchActivity({ handlerUrl });
      assert.equal(dispatched.status, 200);
      const [first, second] = await wired;
      assert.equal(first.kept, 'yes');
      assert.equal(second.kept, 'yes');
    });

    it('point 7: prototype keys reach neither the message nor the copy Node-RED makes for the second wire', async () => {
      const { eventToken } = emulator.startWorkflow();
      const wired = reports('wf-proto');
      const body = [
        encodePhpQuery({ event_token: eventToken, workflow_id: 'wf-proto', code: 'c', document_id: ['a'], document_type: ['b'], auth: { application_token: APP_TOKEN } }),
        '__proto__[polluted]=1',
        'properties[__proto__][polluted]=1',
        'properties[__proto__][application_token]=inherited',
        'auth[__proto__][application_token]=inherited',
        'auth[__proto__][polluted]=1',
        'properties[constructor][prototype][polluted]=1',
        'properties[kept]=yes',
      ].join('&');
      const answer = await exchange(handlerUrl, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      assert.equal(answer.status, 200);
      for (const report of await wired) {
        assert.deepEqual(report, { workflow: 'wf-proto', kept: 'yes', polluted: ['undefined', 'undefined', 'undefined', 'undefined'], prototypeKeys: [], applicationTokenVisible: false });
      }
      const jsonWired = reports('wf-proto-json');
      const json = `{"event_token":${JSON.stringify(emulator.startWorkflow().eventToken)},"workflow_id":"wf-proto-json","code":"c","document_id":["a"],"document_type":["b"],` +
        `"__proto__":{"polluted":1},"auth":{"application_token":"${APP_TOKEN}","__proto__":{"application_token":"inherited","polluted":1}},` +
        `"properties":{"__proto__":{"polluted":1},"kept":"yes"}}`;
      assert.equal((await exchange(handlerUrl, { headers: { 'content-type': 'application/json' }, body: json })).status, 200);
      for (const report of await jsonWired) {
        assert.deepEqual(report, { workflow: 'wf-proto-json', kept: 'yes', polluted: ['undefined', 'undefined', 'undefined', 'undefined'], prototypeKeys: [], applicationTokenVisible: false });
      }
    });

    it('point 6: a 1 MB hostile form with a forged token is refused with 401 before it is parsed, whatever its content type says', async () => {
      const body = hostileForm();
      assert.ok(body.length > 900_000 && body.length < 1024 * 1024);
      for (const type of ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; =', 'application/json']) {
        assertReceiverAnswer(await exchange(handlerUrl, { headers: { 'content-type': type }, body }), 401, 'INVALID_APPLICATION_TOKEN');
      }
    });

    it('point 6: with the token, the form is still held to 1,000 pairs and 32 levels, refused rather than cut', async () => {
      const body = `auth%5Bapplication_token%5D=${APP_TOKEN}&${Array.from({ length: 1000 }, (_, i) => `k${i}=1`).join('&')}`;
      const answer = await exchange(handlerUrl, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      assertReceiverAnswer(answer, 400, 'INVALID_ACTIVITY_REQUEST');
      assert.match(JSON.parse(answer.text).error_description, /too many fields/);
      const deep = `auth%5Bapplication_token%5D=${APP_TOKEN}&p${'[a]'.repeat(33)}=1`;
      const deepAnswer = await exchange(handlerUrl, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: deep });
      assertReceiverAnswer(deepAnswer, 400, 'INVALID_ACTIVITY_REQUEST');
      assert.match(JSON.parse(deepAnswer.text).error_description, /nested too deeply/);
    });

    it('point 8: a body declared over 1 MB (or over the editor parsers\' 5 MB) gets the receiver\'s 413, unread', async () => {
      for (const size of [1024 * 1024 + 1, 6 * 1024 * 1024]) {
        const headers = { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(size) };
        const answer = await exchange(handlerUrl, { headers, hold: true });
        assertReceiverAnswer(answer, 413, 'INVALID_ACTIVITY_REQUEST');
        assert.equal(answer.headers.connection, 'close');
      }
    });

    it('point 8: a chunked body is cut off at 1 MB with 413', async () => {
      const chunk = `x=${'a'.repeat(64 * 1024)}&`;
      const answer = await exchange(handlerUrl, { headers: { 'content-type': 'application/json' }, chunks: Array(24).fill(chunk) });
      assertReceiverAnswer(answer, 413, 'INVALID_ACTIVITY_REQUEST');
    });

    it('point 8: a gzip body is never inflated: 401, even with the token inside', async () => {
      const inner = encodePhpQuery({ auth: { application_token: APP_TOKEN }, event_token: 'x', pad: 'a'.repeat(4 * 1024 * 1024) });
      const body = zlib.gzipSync(inner);
      assert.ok(body.length < 64 * 1024, 'small on the wire, 4 MB inflated');
      const headers = { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'gzip' };
      assertReceiverAnswer(await exchange(handlerUrl, { headers, body }), 401, 'INVALID_APPLICATION_TOKEN');
    });

    it('point 8: what the editor parsers would answer with HTML (broken JSON, unknown charset or encoding) is the receiver\'s 401', async () => {
      const cases = [
        { 'content-type': 'application/json', body: '{"event_token":' },
        { 'content-type': 'application/json; charset=koi8-r', body: '{}' },
        { 'content-type': 'application/x-www-form-urlencoded; charset=utf-7', body: 'a=1' },
        { 'content-type': 'application/json', 'content-encoding': 'br', body: 'x' },
        { 'content-type': 'text/plain', body: `auth[application_token]=${APP_TOKEN}` },
      ];
      for (const { body, ...headers } of cases) {
        assertReceiverAnswer(await exchange(handlerUrl, { headers, body }), 401, 'INVALID_APPLICATION_TOKEN');
      }
    });

    it('point 6: a body that stops arriving is answered 408 after bitrix24ActivityInBodyTimeout, and the connection closed', async () => {
      const headers = { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '5000' };
      const answer = await exchange(handlerUrl, { headers, body: `auth%5Bapplication_token%5D=${APP_TOKEN}&event_token=`, hold: true });
      assertReceiverAnswer(answer, 408, 'INVALID_ACTIVITY_REQUEST');
      assert.equal(answer.headers.connection, 'close');
    });

    it('leaves the editor\'s own API as it was: its JSON body is still parsed', async () => {
      const answer = await runtime.request('POST', 'flows', { body: { flows: 'not a list' }, headers: { 'Node-RED-API-Version': 'v2' } });
      assert.equal(answer.status, 400, answer.text);
    });
  });
}
