'use strict';
// The child process behind node-red-runtime.js: one Node-RED in its own process, so its singleton runtime never meets
// the test helper's, and a crash in it cannot take the test runner down. Which Node-RED is the first argument (a
// devDependency: `node-red`, `node-red-5`, ...; see node-red-lines.js); the parent picks the Node binary.
//
// Protocol over the IPC channel: the parent sends {type: 'start', settings}; this process answers {type: 'ready',
// port} once Node-RED listens on 127.0.0.1 (port 0: the system picks a free one) and has started its flows, or
// {type: 'failed', message}. {type: 'stop'} stops Node-RED and exits. Losing the parent exits too.
const http = require('node:http');

const NODE_RED_MODULE = process.argv[2] || 'node-red';
const RED = require(NODE_RED_MODULE);
// The express this Node-RED was built and tested with, not whichever the repo hoisted.
const express = require(require.resolve('express', { paths: [require.resolve(NODE_RED_MODULE)] }));

const HOST = '127.0.0.1';

/** Starts Node-RED with `settings` on an ephemeral port and resolves with that port. */
async function start(settings) {
  const app = express();
  const server = http.createServer(app);
  RED.init(server, { uiHost: HOST, ...settings });
  app.use(settings.httpAdminRoot, RED.httpAdmin);
  app.use(settings.httpNodeRoot, RED.httpNode);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, resolve);
  });
  await RED.start();
  return { server, port: server.address().port };
}

let running;

process.on('message', async (message) => {
  if (message.type === 'start' && running === undefined) {
    running = start(message.settings);
    try {
      const { port } = await running;
      process.send({ type: 'ready', port });
    } catch (error) {
      process.send({ type: 'failed', message: error.stack || String(error) });
    }
  } else if (message.type === 'stop') {
    try {
      if (running !== undefined) {
        const { server } = await running;
        await RED.stop();
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    } finally {
      process.exit(0);
    }
  }
});

process.on('disconnect', () => process.exit(0));
