'use strict';
// The demo's flows (`npm start`): the example flows made to run against this run's emulator and Node-RED, and the
// flows a first run left in the user directory moved to this run's addresses.
//
// The examples name the demo's default addresses (the emulator on 127.0.0.1:8095, Node-RED on 127.0.0.1:1880, HTTP
// nodes at the root). A run on other ports deploys them with its own addresses; a later run on yet other ports finds
// the kept flows pointing at the old ones, so each run records its addresses beside the flows and the next one
// rewrites what the kept flows say before Node-RED loads them. Credentials need no rewriting: the demo's portal
// nodes read them from environment variables (`${BITRIX24_DEMO_WEBHOOK}`, `${BITRIX24_APPLICATION_TOKEN}`, the demo
// application's) that every run sets afresh, as Node-RED substitutes `${VAR}` credentials when a node starts.
const fs = require('node:fs');
const path = require('node:path');

const EXAMPLES_DIR = path.resolve(__dirname, '..', 'examples');
/** The addresses the examples are written for. */
const EXAMPLE_ADDRESSES = Object.freeze({ emulatorUrl: 'http://127.0.0.1:8095', nodeRedUrl: 'http://127.0.0.1:1880' });
/** Where a run records its addresses, beside the flows it kept. */
const ADDRESSES_FILE = '.bitrix24-demo.json';
/** The credentials of the demo's webhook portal node: environment variables the demo sets on every run. */
const PORTAL_CREDENTIALS = Object.freeze({ webhookUrl: '${BITRIX24_DEMO_WEBHOOK}', applicationToken: '${BITRIX24_APPLICATION_TOKEN}' });
/** The credentials of the demo's application portal node (the robot example): the emulator's demo application. */
const APPLICATION_CREDENTIALS = Object.freeze({
  clientId: '${BITRIX24_DEMO_CLIENT_ID}',
  clientSecret: '${BITRIX24_DEMO_CLIENT_SECRET}',
  refreshToken: '${BITRIX24_DEMO_REFRESH_TOKEN}',
  applicationToken: '${BITRIX24_APPLICATION_TOKEN}',
});

/** `text` with every `from` origin (not followed by another digit of a port) replaced by `to`. */
function replaceOrigin(text, from, to) {
  const escaped = from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(`${escaped}(?!\\d)`, 'g'), to);
}

/** Rewrites the addresses in a flows text from `from` to `to` (both `{ emulatorUrl, nodeRedUrl }`, origins). */
function moveAddresses(text, from, to) {
  return replaceOrigin(replaceOrigin(text, from.emulatorUrl, to.emulatorUrl), from.nodeRedUrl, to.nodeRedUrl);
}

/**
 * Every example as one deployable flow set for `addresses`: the examples share one portal node (the same id), kept
 * once, whose credentials are the environment variables above.
 */
function demoFlows(addresses) {
  const byId = new Map();
  for (const name of fs.readdirSync(EXAMPLES_DIR).filter((file) => file.endsWith('.json')).sort()) {
    const text = moveAddresses(fs.readFileSync(path.join(EXAMPLES_DIR, name), 'utf8'), EXAMPLE_ADDRESSES, addresses);
    for (const node of JSON.parse(text)) byId.set(node.id, node);
  }
  const flows = [...byId.values()];
  for (const node of flows) {
    if (node.type === 'bitrix24-portal') node.credentials = { ...(node.authType === 'oauth' ? APPLICATION_CREDENTIALS : PORTAL_CREDENTIALS) };
  }
  return flows;
}

/**
 * Before Node-RED loads `flowFile` from `userDir`: rewrites the flows kept there from the addresses the last run
 * recorded (the examples' own when none was recorded) to `addresses`, and records `addresses` for the next run.
 * Returns the addresses the flows were moved from, or undefined when there was nothing to move.
 */
function moveKeptFlows(userDir, flowFile, addresses) {
  const flowsPath = path.join(userDir, flowFile);
  const recordPath = path.join(userDir, ADDRESSES_FILE);
  let moved;
  if (fs.existsSync(flowsPath)) {
    const previous = fs.existsSync(recordPath) ? JSON.parse(fs.readFileSync(recordPath, 'utf8')) : EXAMPLE_ADDRESSES;
    const text = fs.readFileSync(flowsPath, 'utf8');
    const rewritten = moveAddresses(text, previous, addresses);
    if (rewritten !== text) {
      fs.writeFileSync(flowsPath, rewritten);
      moved = previous;
    }
  }
  fs.writeFileSync(recordPath, `${JSON.stringify(addresses, null, 2)}\n`);
  return moved;
}

module.exports = { EXAMPLE_ADDRESSES, ADDRESSES_FILE, PORTAL_CREDENTIALS, APPLICATION_CREDENTIALS, moveAddresses, demoFlows, moveKeptFlows };
