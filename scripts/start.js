#!/usr/bin/env node
// `npm start`: the bundled Bitrix24 emulator and a local Node-RED 4.1 with this package loaded and the example flows
// deployed against the emulator. Everything listens on 127.0.0.1 only; HTTP nodes are served at the root, as in a
// default Node-RED, so the examples' handler URLs are right as written.
//
// PORT and BITRIX24_EMULATOR_PORT pick the ports (0: any free port); BITRIX24_DEMO_USER_DIR the user directory
// (default .node-red/ in the repo), whose flows are kept between runs and moved to this run's ports (demo-flows.js).
// SIGINT and SIGTERM stop Node-RED and the emulator, then the process (npm forwards both to it: see `exec` in the
// start script, without which a shell would stand between npm and this process and swallow SIGTERM).
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { demoFlows, moveKeptFlows } = require('./demo-flows');

const root = path.resolve(__dirname, '..');
const HOST = '127.0.0.1';
const EMULATOR_PORT = Number(process.env.BITRIX24_EMULATOR_PORT ?? 8095);
const NODE_RED_PORT = Number(process.env.PORT ?? 1880);
const USER_DIR = path.resolve(process.env.BITRIX24_DEMO_USER_DIR || path.join(root, '.node-red'));
const FLOW_FILE = 'flows.json';
// A fixed secret, so the webhook the demo's portal node reads keeps working across restarts; loopback only.
const DEMO_SECRET = 'demo-secret-not-for-production';
// The one application token of the demo: the emulator sends it, the receiver node and example 02's switch check it.
const DEMO_APPLICATION_TOKEN = 'demo-application-token';
/** How long stopping may take before the process exits anyway (Node-RED gives a node 15 s to close). */
const STOP_DEADLINE_MS = 20_000;
// The demo's OAuth application: the robot example registers itself, which only an application can do. Fixed
// credentials, like the webhook's, for the emulator to play the application's portal and token server (loopback only);
// the demo's application portal node reads them from these variables (demo-flows.js).
const DEMO_APPLICATION = Object.freeze({
  BITRIX24_DEMO_CLIENT_ID: 'local.demo0000000001.00000001',
  BITRIX24_DEMO_CLIENT_SECRET: 'demo-client-secret-not-for-production',
  BITRIX24_DEMO_REFRESH_TOKEN: 'demo-refresh-token-not-for-production',
});

// Installing no longer builds (the build runs on prepack), and a dist/ left from an older checkout would run old code.
require('node:child_process').execFileSync(process.execPath, [path.join(__dirname, 'build.js')], { stdio: 'inherit', cwd: root });
const { Bitrix24Emulator } = require(path.join(root, 'dist', 'emulator'));
const RED = require('node-red');
const express = require(require.resolve('express', { paths: [require.resolve('node-red')] }));

/** Node-RED's settings for the demo: nothing that asks the user something first, nothing that calls home. */
function demoSettings() {
  return {
    userDir: USER_DIR,
    nodesDir: [root],
    uiHost: HOST,
    httpAdminRoot: '/',
    httpNodeRoot: '/',
    flowFile: FLOW_FILE,
    credentialSecret: process.env.NODE_RED_CREDENTIAL_SECRET || 'bitrix24-demo-only-credential-secret',
    functionGlobalContext: {},
    logging: { console: { level: 'info', metrics: false, audit: false } },
    // No welcome tour, no "Update notifications" question on the first visit (it asks while telemetry is
    // undecided, red.js checkTelemetry), no check for a newer Node-RED.
    editorTheme: { tours: false, projects: { enabled: false } },
    telemetry: { enabled: false, updateNotification: false },
  };
}

/** Deploys the examples when the user directory holds no flows yet; resolves with how many tabs, 0 when it did not. */
async function deployExamplesIfEmpty(adminUrl, addresses) {
  const current = await (await fetch(`${adminUrl}flows`, { headers: { 'Node-RED-API-Version': 'v2' } })).json();
  if (current.flows.length > 0) return 0;
  const flows = demoFlows(addresses);
  const response = await fetch(`${adminUrl}flows`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
    body: JSON.stringify(flows),
  });
  if (!response.ok) throw new Error(`deploying the examples failed: HTTP ${response.status}`);
  return flows.filter((node) => node.type === 'tab').length;
}

/** Stops what `main` started, in reverse order, once, however often it is asked; then exits. */
function stopper(parts) {
  let stopping = false;
  return async (signal) => {
    if (stopping) {
      // A second Ctrl+C: the user does not want to wait for flows to close.
      process.exit(1);
    }
    stopping = true;
    setTimeout(() => {
      process.stderr.write(`npm start: could not stop within ${STOP_DEADLINE_MS / 1000} s after ${signal}; exiting anyway\n`);
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    if (parts.red) await RED.stop().catch(() => {});
    if (parts.server) {
      // The editor's websocket and keep-alive connections would hold server.close() open for ever.
      parts.server.closeAllConnections();
      await new Promise((resolve) => parts.server.close(resolve));
    }
    if (parts.emulator) await parts.emulator.stop();
    process.exit(0);
  };
}

async function main() {
  process.env.BITRIX24_APPLICATION_TOKEN ??= DEMO_APPLICATION_TOKEN;
  const parts = {};
  const stop = stopper(parts);
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  fs.mkdirSync(USER_DIR, { recursive: true });
  const app = express();
  parts.server = http.createServer(app);
  // Node-RED's port first: the emulator's application needs it for its redirect URI (PORT may be 0, any free port).
  await new Promise((resolve, reject) => {
    parts.server.once('error', reject);
    parts.server.listen(NODE_RED_PORT, HOST, resolve);
  });
  const adminUrl = `http://${HOST}:${parts.server.address().port}/`;

  Object.assign(process.env, DEMO_APPLICATION);
  parts.emulator = new Bitrix24Emulator({
    host: HOST,
    port: EMULATOR_PORT,
    webhookSecret: DEMO_SECRET,
    applicationToken: process.env.BITRIX24_APPLICATION_TOKEN,
    // The crm scope too: the generic call example lists and adds deals.
    scopes: ['bizproc', 'crm'],
    // The robot example's application: the seeded refresh token works on every start; handlers on Node-RED's host.
    oauth: {
      clientId: DEMO_APPLICATION.BITRIX24_DEMO_CLIENT_ID,
      clientSecret: DEMO_APPLICATION.BITRIX24_DEMO_CLIENT_SECRET,
      refreshToken: DEMO_APPLICATION.BITRIX24_DEMO_REFRESH_TOKEN,
      redirectUri: `${adminUrl}bitrix24-portal/oauth/callback`,
    },
  });
  await parts.emulator.start();
  const { emulator } = parts;
  // What the demo's portal node reads as its webhook credential (`${BITRIX24_DEMO_WEBHOOK}`): this run's emulator.
  process.env.BITRIX24_DEMO_WEBHOOK = emulator.webhookUrl();
  // The emulator remembers nothing across restarts, so what the package kept of the last one (rotated tokens,
  // registration fingerprints) is void: forgotten, the application starts again from the seeded refresh token and the
  // robot is registered again.
  fs.rmSync(path.join(USER_DIR, '.bitrix24-bizproc-tokens.json'), { force: true });

  const settings = demoSettings();
  RED.init(parts.server, settings);
  // Node-RED appends "-git" to its version when a .git folder sits beside the node_modules it runs from, which is
  // true of this repo and says nothing about the release; the banner and the editor read the setting afresh.
  settings.version = String(settings.version).replace(/-git$/, '');
  app.use(settings.httpAdminRoot, RED.httpAdmin);
  app.use(settings.httpNodeRoot, RED.httpNode);
  const addresses = { emulatorUrl: emulator.url, nodeRedUrl: adminUrl.replace(/\/$/, '') };
  const movedFrom = moveKeptFlows(USER_DIR, FLOW_FILE, addresses);
  parts.red = true;
  // RED.start() resolves before the kept flows are loaded and started (it does not wait for loadFlows), and the Admin
  // API answers "no flows" until then: wait until they started, or until Node-RED said why they could not.
  const flowsSettled = new Promise((resolve) => {
    const notStarting = (event) => {
      const payload = event.id === 'runtime-state' ? event.payload : undefined;
      // Missing node types or modules ('stop'), safe mode ('safe'): the flows are loaded but will not start.
      if (payload && payload.error && (payload.state === 'stop' || payload.state === 'safe')) settle();
    };
    const settle = () => {
      RED.events.off('runtime-event', notStarting);
      RED.events.off('flows:started', settle);
      resolve();
    };
    RED.events.on('flows:started', settle);
    RED.events.on('runtime-event', notStarting);
  });
  await RED.start();
  await flowsSettled;

  const tabs = await deployExamplesIfEmpty(adminUrl, addresses);
  let flowsLine = '  Your existing flows were kept.';
  if (tabs > 0) {
    flowsLine =
      `  The ${tabs} example flows are deployed, one tab each: "Bitrix24: log progress" logs its first line as it starts; in\n` +
      '  "Bitrix24: activity loop" click the Dispatch inject node to play the whole loop (receive, log twice, answer);\n' +
      '  "Bitrix24: robot" registers the robot Reserve stock with the emulator: start it from the emulator\'s page.';
  } else if (movedFrom) {
    flowsLine = `  Your existing flows were kept, moved from ${movedFrom.nodeRedUrl} and ${movedFrom.emulatorUrl} to this run's addresses.`;
  }
  process.stdout.write(
    [
      '',
      `  Node-RED ${settings.version} editor: ${adminUrl}  (HTTP nodes at the root: ${adminUrl}bitrix24/activity, ...)`,
      `  Bitrix24 emulator page:  ${emulator.url}/`,
      `  Emulator webhook:        ${emulator.url}/rest/${emulator.userId}/<demo secret>/ (the portal node reads it from \${BITRIX24_DEMO_WEBHOOK})`,
      flowsLine,
      `  Application token: ${process.env.BITRIX24_APPLICATION_TOKEN === DEMO_APPLICATION_TOKEN ? DEMO_APPLICATION_TOKEN : 'from BITRIX24_APPLICATION_TOKEN'}. Press Ctrl+C to stop.`,
      '',
    ].join('\n') + '\n',
  );
}

main().catch((error) => {
  process.stderr.write(`npm start failed: ${error.message}\n`);
  process.exit(1);
});
