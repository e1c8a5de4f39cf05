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
   * `statuses` (a StatusLog from node-flow.js) records every status of the nodes it creates, from their first.
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

module.exports = { HttpNodeServer, interpolatingTranslator };
