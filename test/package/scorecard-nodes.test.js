'use strict';
// The node checks of Node-RED's scorecard (node-red-dev's own checknodes: N01 unique names, N02 an example for every
// node), run offline on every `npm test`. The package checks need the npm registry, so they run in `npm run validate`.
const assert = require('node:assert/strict');
const path = require('node:path');
const { interceptCatalogue } = require('../../scripts/offline-catalogue');

const root = path.resolve(__dirname, '..', '..');

describe('scorecard: node checks (node-red-dev checknodes)', function () {
  it('parses every editor file and finds an example for every node', async () => {
    interceptCatalogue();
    const checknodes = require('node-red-dev/src/libs/checknodes.js');
    const warnings = [];
    const cli = { log() {}, warn: (text) => warnings.push(text), error: (error) => warnings.push(String(error)) };
    const scorecard = {};
    await checknodes(root, cli, scorecard, false);
    // checknodes settles N02 in a promise it does not return: wait for it, within a bound.
    const deadline = Date.now() + 5000;
    while (scorecard.N02 === undefined && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(warnings, []);
    assert.equal(scorecard.N01.test, true);
    assert.equal(scorecard.N02.test, true);
    assert.deepEqual(scorecard.N02.nodes.sort(), ['bitrix24-bizproc-activity-in', 'bitrix24-bizproc-event-send', 'bitrix24-bizproc-log', 'bitrix24-call']);
  });
});
