'use strict';
// A redeploy under load in a real Node-RED (packed package): 2,000 lines fed at the pace a client can post them,
// under the standard limit, and a full deploy half-way. The portal's queue outlives the deploy, and every result comes
// out of the log node the deploy started: nothing missing, nothing lost, nothing written twice, order kept per token.
const assert = require('node:assert/strict');
const { Bitrix24Emulator } = require('../../dist/emulator');
const { startNodeRed } = require('../support/node-red-runtime');

const LINES = 2000;
const WORKFLOWS = 20;

function lineFlow(webhookUrl, label) {
  const debug = (id, complete) => ({ id, type: 'debug', z: 'tab', name: id, active: true, tosidebar: true, console: false, complete, targetType: 'msg', x: 700, y: 100, wires: [] });
  return [
    { id: 'tab', type: 'tab', label },
    { id: 'portal', type: 'bitrix24-portal', name: 'emulator', authType: 'webhook', rateLimit: 'standard', credentials: { webhookUrl } },
    // Answered after the change node: by the time a client has the 200, the log node has taken the line in.
    { id: 'in', type: 'http in', z: 'tab', url: '/line', method: 'post', x: 100, y: 100, wires: [['to-log']] },
    { id: 'answer', type: 'http response', z: 'tab', statusCode: '200', x: 300, y: 160, wires: [] },
    {
      id: 'to-log',
      type: 'change',
      z: 'tab',
      rules: [
        { t: 'set', p: 'event_token', pt: 'msg', to: 'payload.token', tot: 'msg' },
        { t: 'set', p: 'topic', pt: 'msg', to: 'payload.text', tot: 'msg' },
        { t: 'set', p: 'payload', pt: 'msg', to: 'payload.text', tot: 'msg' },
      ],
      x: 300,
      y: 100,
      wires: [['log', 'answer']],
    },
    { id: 'log', type: 'bitrix24-bizproc-log', z: 'tab', portal: 'portal', eventToken: 'event_token', eventTokenType: 'msg', message: 'payload', messageType: 'msg', x: 500, y: 100, wires: [['logged'], ['failed']] },
    debug('logged', 'topic'),
    debug('failed', 'error'),
  ];
}

describe('a redeploy under load (packed package)', function () {
  this.timeout(180_000);
  let emulator;
  let runtime;

  before(async () => {
    emulator = new Bitrix24Emulator({ rateLimit: { burst: 50, drainPerSecond: 2 } });
    await emulator.start();
    runtime = await startNodeRed();
  });
  after(async () => {
    await runtime?.stop();
    await emulator?.stop();
  });

  /** Posts one line; the answer comes once the log node has taken it in. */
  async function post(line) {
    const answer = await runtime.request('POST', 'line', { body: line });
    if (answer.status !== 200) throw new Error(`line not taken: HTTP ${answer.status}`);
  }

  it('loses nothing, writes nothing twice, and keeps the order of every token', async () => {
    const debug = await runtime.watchDebug();
    await runtime.deploy(lineFlow(emulator.webhookUrl(), 'lines'));
    const workflows = Array.from({ length: WORKFLOWS }, () => emulator.startWorkflow());
    const started = Date.now();
    let waitingAtDeploy;
    for (let i = 0; i < LINES; i += 1) {
      // Half-way, a full deploy of changed flows, while hundreds of lines wait in the portal's queue and some are on
      // the wire. (Lines are not posted during the deploy itself: Node-RED drops messages between other nodes then.)
      if (i === LINES / 2) {
        waitingAtDeploy = LINES / 2 - workflows.reduce((sum, workflow) => sum + emulator.logOf(workflow.workflowId).length, 0);
        await runtime.deploy(lineFlow(emulator.webhookUrl(), 'lines, redeployed'));
      }
      await post({ token: workflows[i % WORKFLOWS].eventToken, text: `line ${i}` });
    }
    const ended = await debug.waitFor((messages) => messages.filter((m) => m.name === 'logged' || m.name === 'failed').length >= LINES, 150_000);
    const logged = ended.filter((m) => m.name === 'logged').map((m) => m.msg);
    const failed = ended.filter((m) => m.name === 'failed').map((m) => m.msg);
    const written = workflows.flatMap((workflow) => emulator.logOf(workflow.workflowId).map((line) => line.message));
    const expected = Array.from({ length: LINES }, (_, i) => `line ${i}`);
    const missing = expected.filter((line) => !logged.includes(line)).length;
    const lost = expected.filter((line) => !written.includes(line)).length;
    const duplicates = written.length - new Set(written).size;
    process.stdout.write(
      `      redeploy under load: ${LINES} lines in ${((Date.now() - started) / 1000).toFixed(1)} s, ${waitingAtDeploy} not yet written at the deploy; ` +
        `missing ${missing}, lost ${lost}, written twice ${duplicates}, failed ${failed.length}\n`,
    );
    assert.deepEqual(failed, []);
    assert.equal(missing, 0, 'every message came out of the log node');
    assert.equal(lost, 0, 'every line was written');
    assert.equal(duplicates, 0);
    for (const [index, workflow] of workflows.entries()) {
      const own = expected.filter((_, i) => i % WORKFLOWS === index);
      assert.deepEqual(emulator.logOf(workflow.workflowId).map((line) => line.message), own, `workflow ${index} in order`);
    }
    assert.ok(waitingAtDeploy > 0, 'lines were still waiting when the deploy came');
    assert.equal(emulator.requests.filter((request) => request.status === 503).length, 0, 'no 503 caused by the package');
  });
});
