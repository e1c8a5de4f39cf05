'use strict';
// Builds small test flows around one node of the package and waits for what reaches the helper nodes.

/** A flow with a portal, one log node wired to `ok` (output 1) and, unless told otherwise, `err` (output 2). */
function logFlow({ log = {}, ...options } = {}) {
  return callFlow({
    ...options,
    node: { id: 'log', type: 'bitrix24-bizproc-log', name: 'log', eventToken: 'event_token', eventTokenType: 'msg', message: 'payload', messageType: 'msg', ...log },
  });
}

/** A flow with a portal and one node calling it (`node`, which names its id and type), wired like logFlow. */
function callFlow({ node, portal = {}, wireErrors = true, extra = [] }) {
  return placed([
    { id: 'tab', type: 'tab', label: 'test' },
    { id: 'portal', type: 'bitrix24-portal', name: 'Test portal', authType: 'webhook', ...portal },
    { z: 'tab', portal: 'portal', wires: [['ok'], wireErrors ? ['err'] : []], ...node },
    { id: 'ok', type: 'helper', z: 'tab' },
    { id: 'err', type: 'helper', z: 'tab' },
    ...extra,
  ]);
}

/** Gives every node on a tab a position: Node-RED takes a tab node without x and y for a config node. */
function placed(flow) {
  return flow.map((node) => (node.z !== undefined && node.x === undefined ? { x: 100, y: 100, ...node } : node));
}

/** Resolves with the next message that reaches `node`. */
function nextMessage(node) {
  return new Promise((resolve) => node.once('input', resolve));
}

/** Collects every message that reaches `node`. */
function collect(node) {
  const messages = [];
  node.on('input', (msg) => messages.push(msg));
  return messages;
}

module.exports = { logFlow, callFlow, placed, nextMessage, collect };
