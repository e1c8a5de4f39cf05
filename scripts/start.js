#!/usr/bin/env node
// `npm start`: the bundled Bitrix24 emulator and a local Node-RED 4.1 with this package loaded and the example flows
// deployed against the emulator's webhook. Everything listens on 127.0.0.1 only.
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const EMULATOR_PORT = Number(process.env.BITRIX24_EMULATOR_PORT || 8095);
const NODE_RED_PORT = Number(process.env.PORT || 1880);
const HOST = '127.0.0.1';
// A fixed secret, so the webhook stored in the demo's credentials keeps working across restarts; loopback only.
const DEMO_SECRET = 'demo-secret-not-for-production';
// The application token the emulator sends with activity requests, also fixed so the stored credential keeps working.
const DEMO_APPLICATION_TOKEN = 'demo-application-token';
const USER_DIR = path.join(root, '.node-red');
const HTTP_NODE_ROOT = '/api';
const EXAMPLES_DIR = path.join(root, 'examples');
const EXAMPLES = fs.readdirSync(EXAMPLES_DIR).filter((name) => name.endsWith('.json')).sort().map((name) => path.join(EXAMPLES_DIR, name));

// --- The demo's OAuth application (issue 10): the robot example registers itself, which only an application can do.
// Fixed credentials, like the webhook's, so that the stored ones keep working across restarts (loopback only).
const DEMO_CLIENT_ID = 'local.demo0000000001.00000001';
const DEMO_CLIENT_SECRET = 'demo-client-secret-not-for-production';
const DEMO_REFRESH_TOKEN = 'demo-refresh-token-not-for-production';

/** The emulator's application: the seeded refresh token works on every start; handlers must be on Node-RED's host. */
function demoApplication() {
  return {
    clientId: DEMO_CLIENT_ID,
    clientSecret: DEMO_CLIENT_SECRET,
    refreshToken: DEMO_REFRESH_TOKEN,
    redirectUri: `http://${HOST}:${NODE_RED_PORT}/bitrix24-portal/oauth/callback`,
  };
}

/** The credentials of a demo portal node: the webhook's, or the application's. */
function demoCredentials(node, emulator) {
  if (node.authType === 'oauth') {
    return { clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET, refreshToken: DEMO_REFRESH_TOKEN, applicationToken: DEMO_APPLICATION_TOKEN };
  }
  return { webhookUrl: emulator.webhookUrl(), applicationToken: DEMO_APPLICATION_TOKEN };
}

/**
 * The emulator remembers nothing across restarts, so what the package remembered about the last one (rotated
 * tokens, registration fingerprints) is void: forgotten, the portal starts again from the seeded refresh token and
 * the robot is registered again.
 */
function forgetLastEmulator() {
  fs.rmSync(path.join(USER_DIR, '.bitrix24-bizproc-tokens.json'), { force: true });
}
// --- end of the demo's OAuth application.

if (!fs.existsSync(path.join(root, 'dist', 'emulator', 'index.js'))) {
  require('node:child_process').execFileSync(process.execPath, [path.join(__dirname, 'build.js')], { stdio: 'inherit' });
}
const { Bitrix24Emulator } = require(path.join(root, 'dist', 'emulator'));
const RED = require('node-red');
const express = require(require.resolve('express', { paths: [require.resolve('node-red')] }));

async function deployExamplesIfEmpty(emulator, adminUrl) {
  const current = await (await fetch(`${adminUrl}flows`, { headers: { 'Node-RED-API-Version': 'v2' } })).json();
  if (current.flows.length > 0) return false;
  // The examples are written for the default addresses; this demo's emulator and httpNodeRoot may differ.
  const byId = new Map();
  for (const file of EXAMPLES) {
    const nodes = JSON.parse(
      fs
        .readFileSync(file, 'utf8')
        .split('http://127.0.0.1:8095').join(emulator.url)
        .split('http://127.0.0.1:1880/').join(`${adminUrl}${HTTP_NODE_ROOT.slice(1)}/`),
    );
    // The examples share one portal node (same id): it is deployed once.
    for (const node of nodes) byId.set(node.id, node);
  }
  const flow = [...byId.values()];
  for (const node of flow) {
    if (node.type === 'bitrix24-portal') node.credentials = demoCredentials(node, emulator);
  }
  const response = await fetch(`${adminUrl}flows`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
    body: JSON.stringify(flow),
  });
  if (!response.ok) throw new Error(`deploying the example failed: HTTP ${response.status}`);
  return true;
}

async function main() {
  // The http-in example checks Bitrix24's application token against this variable.
  process.env.BITRIX24_APPLICATION_TOKEN ??= DEMO_APPLICATION_TOKEN;
  // The crm scope too: the generic call example lists and adds deals.
  const emulator = new Bitrix24Emulator({ host: HOST, port: EMULATOR_PORT, webhookSecret: DEMO_SECRET, applicationToken: DEMO_APPLICATION_TOKEN, scopes: ['bizproc', 'crm'], oauth: demoApplication() });
  await emulator.start();

  fs.mkdirSync(USER_DIR, { recursive: true });
  forgetLastEmulator();
  const app = express();
  const server = http.createServer(app);
  const settings = {
    userDir: USER_DIR,
    nodesDir: [root],
    uiHost: HOST,
    uiPort: NODE_RED_PORT,
    httpAdminRoot: '/',
    httpNodeRoot: HTTP_NODE_ROOT,
    flowFile: 'flows.json',
    credentialSecret: process.env.NODE_RED_CREDENTIAL_SECRET || 'bitrix24-demo-only-credential-secret',
    functionGlobalContext: {},
    logging: { console: { level: 'info', metrics: false, audit: false } },
    editorTheme: { tours: false, projects: { enabled: false } },
  };
  RED.init(server, settings);
  app.use(settings.httpAdminRoot, RED.httpAdmin);
  app.use(settings.httpNodeRoot, RED.httpNode);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(NODE_RED_PORT, HOST, resolve);
  });
  await RED.start();

  const adminUrl = `http://${HOST}:${NODE_RED_PORT}/`;
  const deployed = await deployExamplesIfEmpty(emulator, adminUrl);
  process.stdout.write(
    [
      '',
      `  Node-RED editor:        ${adminUrl}`,
      `  Bitrix24 emulator page: ${emulator.url}/`,
      `  Emulator webhook:       ${emulator.url}/rest/${emulator.userId}/<demo secret>/ (already set in the example's portal node)`,
      deployed
        ? '  The example flows are deployed: "Bitrix24: log progress" has logged its first line; in "Bitrix24: activity loop"\n' +
          '  click the Dispatch inject node to play the whole loop (receive, log twice, answer). "Bitrix24: robot" registers\n' +
          '  the robot Reserve stock with the emulator: start it from the emulator\'s page, or with its Start inject node.'
        : '  Your existing flows were kept.',
      '  Press Ctrl+C to stop.',
      '',
    ].join('\n') + '\n',
  );

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await RED.stop().catch(() => {});
    await new Promise((resolve) => server.close(resolve));
    await emulator.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error) => {
  process.stderr.write(`npm start failed: ${error.message}\n`);
  process.exit(1);
});
