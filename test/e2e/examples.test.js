'use strict';
// Every example flow, deployed through the Admin API into a real Node-RED that installed the packed package, run
// against the emulator: what a user gets from Import > Examples.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { Bitrix24Emulator } = require('../../dist/emulator');
const { startNodeRed } = require('../support/node-red-runtime');
const { exampleFiles, loadAllExamples } = require('../support/example-flows');

const WEBHOOK_SECRET = 'ExamplesCanarySecret42';
const APP_TOKEN = 'e2e-application-token';
const PORTAL_ID = 'b24exportal000001';
const CLIENT_ID = 'local.demo0000000001.00000001';
const CLIENT_SECRET = 'ExamplesCanaryClientSecret7';
const root = path.resolve(__dirname, '..', '..');

/** Polls `read` until `accept(value)` holds, within `timeoutMs`; resolves with the last value. */
async function eventually(read, accept, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('example flows in Node-RED (packed package)', function () {
  this.timeout(90_000);
  let emulator;
  let runtime;
  let debug;
  let flows;

  before(async () => {
    // The robot example registers through an OAuth application: the emulator plays its side too.
    emulator = new Bitrix24Emulator({
      rateLimit: false,
      webhookSecret: WEBHOOK_SECRET,
      applicationToken: APP_TOKEN,
      scopes: ['bizproc', 'crm'],
      oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    });
    await emulator.start();
    runtime = await startNodeRed({ env: { BITRIX24_APPLICATION_TOKEN: APP_TOKEN } });
    debug = await runtime.watchDebug();
    const oauth = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshToken: emulator.issueTokens().refreshToken };
    flows = loadAllExamples({ emulatorUrl: emulator.url, webhookUrl: emulator.webhookUrl(), nodeRedUrl: runtime.url, applicationToken: APP_TOKEN, oauth });
    await runtime.deploy(flows);

  });
  after(async () => {
    await runtime?.stop();
    await emulator?.stop();
  });

  /** The emulator's workflows as its own JSON API lists them (newest first). */
  async function workflows() {
    return (await fetch(`${emulator.url}/emulator/api/workflows`)).json();
  }

  it('has at least three examples, each with a comment node, using every node of the package', () => {
    const files = exampleFiles();
    assert.ok(files.length >= 3, `${files.length} examples`);
    for (const file of files) {
      const flow = JSON.parse(fs.readFileSync(file, 'utf8'));
      assert.ok(flow.some((node) => node.type === 'comment' && node.info), `${path.basename(file)} has a comment node with text`);
      assert.ok(!JSON.stringify(flow).includes('"credentials"'), `${path.basename(file)} carries no credentials`);
    }
    const types = new Set(flows.map((node) => node.type));
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    for (const [type, entry] of Object.entries(pkg['node-red'].nodes)) {
      const html = fs.readFileSync(path.join(root, entry.replace(/\.js$/, '.html')), 'utf8');
      if (/category:\s*'config'/.test(html)) continue;
      assert.ok(types.has(type), `no example uses ${type}`);
    }
  });

  it('01: an inject starts a workflow and its line reaches the emulator', async () => {
    const injectId = 'b24ex1inject00001';
    const inject = flows.find((node) => node.id === injectId);
    // The inject also fires once by itself after deploy; the button press adds one more workflow.
    const expected = inject.once ? 2 : 1;
    await runtime.inject(injectId);
    const logged = (list) => list.filter((w) => w.log.length === 1 && w.log[0].message === 'Order received: checking stock');
    const list = await eventually(workflows, (l) => logged(l).length >= expected);
    assert.equal(logged(list).length, expected, JSON.stringify(list));
    const ok = await debug.next((m) => m.id === 'b24ex1debugok0001');
    assert.match(ok.msg, /"method":\s*"bizproc\.activity\.log"/);
  });

  it('02: answers Bitrix24 with 200 at once, then logs two progress lines', async () => {
    const { workflowId, eventToken } = emulator.startWorkflow();
    const form = new URLSearchParams([
      ['event_token', eventToken],
      ['workflow_id', workflowId],
      ['document_id[]', 'crm'],
      ['document_id[]', 'CCrmDocumentDeal'],
      ['document_id[]', 'DEAL_7'],
      ['auth[application_token]', APP_TOKEN],
      ['auth[domain]', '127.0.0.1'],
    ]);
    const answer = await runtime.request('POST', 'bitrix24/activity', { form: form.toString() });
    assert.equal(answer.status, 200);
    assert.equal(answer.text, '');
    const lines = await eventually(
      () => emulator.logOf(workflowId).map((line) => line.message),
      (l) => l.length >= 2,
    );
    assert.deepEqual(lines, ['Order crm/CCrmDocumentDeal/DEAL_7 received: checking stock', 'Stock checked: all items available']);
  });

  it('02: refuses a POST without the application token with 401, as the receiver node does, and logs nothing', async () => {
    const refused = emulator.startWorkflow();
    for (const appToken of [undefined, '', 'someone-else']) {
      const form = new URLSearchParams({ event_token: refused.eventToken });
      if (appToken !== undefined) form.set('auth[application_token]', appToken);
      const answer = await runtime.request('POST', 'bitrix24/activity', { form: form.toString() });
      assert.equal(answer.status, 401);
    }
    // Messages pass through the flow in order: once a later, accepted request has been logged, nothing of the
    // refused ones is still on its way.
    const accepted = emulator.startWorkflow();
    const form = new URLSearchParams({ event_token: accepted.eventToken, 'auth[application_token]': APP_TOKEN });
    assert.equal((await runtime.request('POST', 'bitrix24/activity', { form: form.toString() })).status, 200);
    await eventually(() => emulator.logOf(accepted.workflowId), (l) => l.length >= 2);
    assert.deepEqual(emulator.logOf(refused.workflowId), []);
  });

  it('03: output 2 branches on msg.error.code', async () => {
    await runtime.inject('b24ex3inject0001');
    const refused = await debug.next((m) => m.id === 'b24ex3debugacc001');
    assert.equal(JSON.parse(refused.msg).code, 'ACCESS_DENIED');
    await runtime.inject('b24ex3inject0002');
    const empty = await debug.next((m) => m.id === 'b24ex3debugempty1');
    assert.equal(JSON.parse(empty.msg).code, 'EMPTY_LOG_MESSAGE');
  });

  it('03: with output 2 unwired, the Catch node gets the error code', async () => {
    await runtime.inject('b24ex3inject0003');
    const caught = await debug.next((m) => m.id === 'b24ex3debugcaug1');
    const error = JSON.parse(caught.msg);
    assert.equal(error.code, 'ACCESS_DENIED');
    assert.equal(error.source.type, 'bitrix24-bizproc-log');
  });

  it('04: the whole loop: the emulator dispatches, Node-RED logs twice and answers with return values', async () => {
    const before = (await workflows()).length;
    await runtime.inject('b24ex4inject00001');
    const list = await eventually(workflows, (l) => l.length > before && l[0].status === 'closed');
    const loop = list[0];
    assert.equal(loop.status, 'closed', JSON.stringify(loop));
    assert.deepEqual(loop.log.map((line) => line.message), ['Order 42: checking stock', 'Stock reserved', 'Done by Node-RED']);
    assert.deepEqual(loop.returnValues, { outputString: 'Reserved two chairs' });
  });

  it('04: a forged activity request is refused with 401 and drives nothing', async () => {
    const answer = await fetch(`${emulator.url}/emulator/api/activities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ handlerUrl: `${runtime.url}bitrix24/activity-loop`, name: 'Forged', applicationToken: 'forged-token' }),
    });
    const dispatched = await answer.json();
    assert.equal(dispatched.status, 401, JSON.stringify(dispatched));
    // A genuine request sent afterwards completes; by then the forged one would have logged if it were let in.
    const genuine = await emulator.dispatchActivity({ handlerUrl: `${runtime.url}bitrix24/activity-loop`, properties: { orderId: '7', inputString: 'x' } });
    await eventually(() => emulator.logOf(genuine.workflowId), (l) => l.length >= 3);
    assert.deepEqual(emulator.logOf(dispatched.workflowId), []);
    assert.equal(emulator.returnValuesOf(dispatched.workflowId), undefined);
  });

  it('05: adds a deal, then lists every deal across pages in one message', async () => {
    emulator.seedDeals(120, { STAGE_ID: 'NEW' });
    await runtime.inject('b24ex5inject00001');
    const added = await debug.next((m) => m.id === 'b24ex5debugadd001');
    const id = JSON.parse(added.msg);
    assert.equal(emulator.dealsNow().find((deal) => deal.ID === String(id)).TITLE, 'Two office chairs');
    await runtime.inject('b24ex5inject00002');
    const listed = await debug.next((m) => m.id === 'b24ex5debuglist01');
    const deals = JSON.parse(listed.msg);
    assert.equal(deals.length, 121);
    assert.deepEqual(deals.map((deal) => Number(deal.ID)), [...deals.map((deal) => Number(deal.ID))].sort((a, b) => a - b));
  });

  it('06: the robot is registered on deploy, started in the emulator, logged and answered', async () => {
    const registered = await eventually(() => emulator.registrationsNow(), (list) => list.some((r) => r.code === 'reserve_stock'));
    const robot = registered.find((r) => r.code === 'reserve_stock');
    assert.deepEqual([robot.kind, robot.handler, robot.useSubscription], ['robot', `${runtime.url}bitrix24/reserve-stock`, 'Y']);
    assert.deepEqual(Object.keys(robot.properties), ['item', 'quantity']);
    assert.deepEqual(Object.keys(robot.returnProperties), ['reserved', 'note']);
    await runtime.inject('b24ex6inject00001');
    const started = await debug.next((m) => m.id === 'b24ex6debugdisp01');
    assert.equal(started.msg, '200');
    const list = await eventually(workflows, (l) => l.some((w) => w.name === 'Order 7: reserve stock' && w.status === 'closed'));
    const run = list.find((w) => w.name === 'Order 7: reserve stock');
    assert.deepEqual(run.log.map((line) => line.message), ['Reserving 2 x chair', 'Stock reserved by Node-RED']);
    assert.deepEqual(run.returnValues, { reserved: 'Y', note: 'Reserved 2 x chair' });
  });

  it('keeps the webhook out of GET /flows; the credentials API reports only that one is set', async () => {
    const deployed = JSON.stringify(await runtime.flows());
    assert.ok(deployed.includes(PORTAL_ID));
    assert.ok(!deployed.includes(WEBHOOK_SECRET), 'GET /flows shows the webhook secret');
    assert.ok(!deployed.includes('webhookUrl'), 'GET /flows mentions the credential');
    const credentials = await runtime.request('GET', `credentials/bitrix24-portal/${PORTAL_ID}`);
    assert.equal(credentials.status, 200);
    assert.deepEqual(credentials.body, {
      has_webhookUrl: true,
      has_applicationToken: true,
      clientId: '',
      has_clientSecret: false,
      has_refreshToken: false,
      has_accessToken: false,
      has_redisUrl: false,
    });
    assert.ok(!credentials.text.includes(APP_TOKEN));
  });

  it('shows no secret in what debug nodes published', () => {
    const published = JSON.stringify(debug.messages);
    assert.ok(!published.includes(WEBHOOK_SECRET));
  });
});
