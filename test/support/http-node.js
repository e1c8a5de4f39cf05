'use strict';
// Serves Node-RED's httpNode over a real socket on 127.0.0.1. The test helper gives each load() a fresh Express app as
// RED.httpNode without listening on it; wrapping a node module records that app, and one server forwards to it.
const http = require('node:http');

/** Interpolates `__name__` placeholders into the key, so statuses with counts can be read without the catalogues. */
function interpolatingTranslator(key, params) {
  if (!params) return key;
  return `${key} ${Object.entries(params).map(([name, value]) => `${name}=${value}`).join(' ')}`;
}

class HttpNodeServer {
  constructor() {
    this.app = undefined;
    this.server = http.createServer((request, response) => {
      if (this.app) this.app(request, response);
      else {
        response.writeHead(503);
        response.end();
      }
    });
  }

  /**
   * Wraps a node module so that loading it records the runtime's httpNode; `translate` replaces RED._, and
   * `statuses` (a StatusLog) records every status of the nodes it creates, from their first.
   */
  wrap(nodeModule, { translate, statuses } = {}) {
    return (RED) => {
      this.app = RED.httpNode;
      if (translate) RED._ = translate;
      if (statuses) {
        const createNode = RED.nodes.createNode;
        RED.nodes.createNode = (node, def) => {
          createNode(node, def);
          statuses.watch(node);
        };
      }
      return nodeModule(RED);
    };
  }

  async start() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${this.server.address().port}`;
  }

  stop() {
    return new Promise((resolve) => this.server.close(resolve));
  }
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

module.exports = { HttpNodeServer, StatusLog, interpolatingTranslator };
