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

/** Every status a node showed, and a way to wait for one. */
class StatusLog {
  constructor() {
    this.byNode = new Map();
    this.waiters = [];
  }

  watch(node) {
    const seen = [];
    this.byNode.set(node.id, seen);
    const setStatus = node.status.bind(node);
    node.status = (status) => {
      seen.push(status);
      setStatus(status);
      this.waiters = this.waiters.filter((waiter) => !waiter(node.id, status));
    };
  }

  /** The statuses node `id` showed, oldest first. */
  of(id) {
    return this.byNode.get(id) ?? [];
  }

  /** Resolves with the first status of node `id`, shown now or later, for which `predicate` holds. */
  until(id, predicate) {
    const last = this.of(id).at(-1);
    if (last !== undefined && predicate(last)) return Promise.resolve(last);
    return new Promise((resolve) => {
      this.waiters.push((nodeId, status) => {
        if (nodeId !== id || !predicate(status)) return false;
        resolve(status);
        return true;
      });
    });
  }
}

module.exports = { logFlow, callFlow, placed, nextMessage, collect, StatusLog };
