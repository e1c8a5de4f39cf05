'use strict';
// A port on 127.0.0.1 that nothing listens on right now (the system's pick, released at once), for test servers that
// must be told their port before they start.
const net = require('node:net');

/** Resolves with a free port. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

module.exports = { freePort };
