'use strict';
// Runs the shipped example "Activity loop" as it is: the emulator plays Bitrix24 and dispatches the activity to the
// flow's receiver, which logs twice and answers with return values.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const helper = require('node-red-node-test-helper');
const { Bitrix24Emulator } = require('../../dist/emulator');
const { HttpNodeServer } = require('../support/http-node');

helper.init(require.resolve('node-red'));

const EXAMPLE = path.join(__dirname, '..', '..', 'examples', '04 Activity loop - receive, log, answer (emulator).json');
const coreNodes = path.dirname(require.resolve('@node-red/nodes/package.json', { paths: [require.resolve('node-red')] }));
const core = (file) => require(path.join(coreNodes, 'core', file));

describe('example flow: the whole activity loop', function () {
  let emulator;
  let server;

  before(async () => {
    emulator = new Bitrix24Emulator({ rateLimit: false, applicationToken: 'exampleApplicationToken' });
    await emulator.start();
    server = new HttpNodeServer();
    await server.start();
  });
  after(async () => {
    await helper.unload();
    await server.stop();
    await emulator.stop();
  });

  it('receives the dispatched activity, logs two lines and answers with the return values', async () => {
    const text = fs
      .readFileSync(EXAMPLE, 'utf8')
      .split('http://127.0.0.1:8095').join(emulator.url)
      .split('http://127.0.0.1:1880').join(server.url);
    const flow = JSON.parse(text);
    const portal = flow.find((node) => node.type === 'bitrix24-portal');
    const nodes = [
      require('../../nodes/bitrix24-portal.js'),
      server.wrap(require('../../nodes/bitrix24-bizproc-activity-in.js')),
      require('../../nodes/bitrix24-bizproc-log.js'),
      require('../../nodes/bitrix24-bizproc-event-send.js'),
      core('common/20-inject.js'),
      core('common/21-debug.js'),
      core('common/90-comment.js'),
      core('function/15-change.js'),
      core('network/21-httprequest.js'),
    ];
    await helper.load(nodes, flow, { [portal.id]: { webhookUrl: emulator.webhookUrl(), applicationToken: emulator.applicationToken } });

    const debugNode = (name) => helper.getNode(flow.find((node) => node.type === 'debug' && node.name === name).id);
    const dispatched = new Promise((resolve) => debugNode('handler answered (HTTP status)').once('input', resolve));
    const answered = new Promise((resolve) => debugNode('answered').once('input', resolve));
    const failed = new Promise((resolve) => debugNode('error').once('input', resolve));
    helper.getNode(flow.find((node) => node.type === 'inject').id).receive({});

    const request = await dispatched;
    assert.equal(request.payload.status, 200);
    const outcome = await Promise.race([answered, failed]);
    assert.equal(outcome.error, undefined, JSON.stringify(outcome.error));
    assert.equal(outcome.bitrix24.method, 'bizproc.event.send');
    const { workflowId } = request.payload;
    assert.deepEqual(emulator.logOf(workflowId).map((line) => line.message), ['Order 42: checking stock', 'Stock reserved', 'Done by Node-RED']);
    assert.deepEqual(emulator.returnValuesOf(workflowId), { outputString: 'Reserved two chairs' });
  });
});
