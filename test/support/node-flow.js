'use strict';
// Builds small test flows around one log node and waits for what reaches the helper nodes.

/** A flow with a portal, one log node wired to `ok` (output 1) and, unless told otherwise, `err` (output 2). */
function logFlow({ log = {}, portal = {}, wireErrors = true, extra = [] } = {}) {
  return placed([
    { id: 'tab', type: 'tab', label: 'test' },
    { id: 'portal', type: 'bitrix24-portal', name: 'Test portal', authType: 'webhook', ...portal },
    {
      id: 'log',
      type: 'bitrix24-bizproc-log',
      z: 'tab',
      name: 'log',
      portal: 'portal',
      eventToken: 'event_token',
      eventTokenType: 'msg',
      message: 'payload',
      messageType: 'msg',
      wires: [['ok'], wireErrors ? ['err'] : []],
      ...log,
    },
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

module.exports = { logFlow, placed, nextMessage, collect };
