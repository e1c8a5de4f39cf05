'use strict';
// The package's example flows (examples/*.json), made deployable against a running emulator: the examples point at
// the demo emulator's fixed address and, like any export, carry no credentials.
const fs = require('node:fs');
const path = require('node:path');

const EXAMPLES_DIR = path.resolve(__dirname, '..', '..', 'examples');
/** The emulator address the examples are written for (`npm start`). */
const DEMO_EMULATOR_URL = 'http://127.0.0.1:8095';

/** The example files, sorted by name as the editor lists them. */
function exampleFiles() {
  return fs
    .readdirSync(EXAMPLES_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => path.join(EXAMPLES_DIR, name));
}

/** The Node-RED address the examples are written for (activity handler URLs). */
const DEMO_NODE_RED_URL = 'http://127.0.0.1:1880/';

/**
 * One example's nodes, with the demo addresses replaced by `emulatorUrl` (and `nodeRedUrl`, when given) and the
 * portals' credentials set: a webhook portal gets `webhookUrl`, an OAuth application's portal `oauth` (client id,
 * secret, refresh token), and both `applicationToken` when given.
 */
function loadExample(file, { emulatorUrl, webhookUrl, nodeRedUrl, applicationToken, oauth = {} }) {
  let text = fs.readFileSync(file, 'utf8').split(DEMO_EMULATOR_URL).join(emulatorUrl);
  if (nodeRedUrl !== undefined) text = text.split(DEMO_NODE_RED_URL).join(nodeRedUrl);
  const flow = JSON.parse(text);
  for (const node of flow) {
    if (node.type !== 'bitrix24-portal') continue;
    const own = node.authType === 'oauth' ? { ...oauth } : { webhookUrl };
    node.credentials = applicationToken === undefined ? own : { ...own, applicationToken };
  }
  return flow;
}

/** Every example in one deployable flow set; a config node shared by several examples (same id, same content) is kept once. */
function loadAllExamples(options) {
  const byId = new Map();
  for (const file of exampleFiles()) {
    for (const node of loadExample(file, options)) {
      const seen = byId.get(node.id);
      if (seen === undefined) byId.set(node.id, node);
      else if (JSON.stringify(seen) !== JSON.stringify(node)) throw new Error(`examples disagree on node ${node.id} (${path.basename(file)})`);
    }
  }
  return [...byId.values()];
}

module.exports = { EXAMPLES_DIR, DEMO_EMULATOR_URL, exampleFiles, loadExample, loadAllExamples };
