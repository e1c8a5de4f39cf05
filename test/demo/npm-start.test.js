'use strict';
// `npm start` as a new user runs it: the real npm, the real script, on ports it is given, with a user directory of
// its own. It must be ready with the examples deployed and working, keep working when started again on other ports
// with the flows the first run kept, and stop everything it started on SIGTERM or SIGINT sent to npm. npm start
// rebuilds dist/ before anything else, from the same sources the runner built, while this test only waits for it.
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { NPM, npmEnv } = require('../support/npm-env');
const { freePort } = require('../support/free-port');

const root = path.resolve(__dirname, '..', '..');
const DEMO_TOKEN = 'demo-application-token';
/** How long the demo may take to get ready or to stop on a loaded two-core machine. */
const READY_TIMEOUT_MS = 60_000;


/** Whether something accepts connections on 127.0.0.1:`port`. */
function listening(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The ids of every live process below `pid`, from /proc (parent ids are the fourth field of /proc/<pid>/stat). */
function descendants(pid) {
  const parents = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // The process ended while the list was read.
    }
  }
  const found = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift();
    for (const [child, ppid] of parents) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/** Whether process `pid` still exists. */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `npm start` with the given ports (0: the demo picks) and user directory; resolves once it printed its
 * banner, with the addresses the banner gives.
 */
async function npmStart({ nodeRedPort, emulatorPort, userDir }) {
  const child = spawn(NPM, ['start'], {
    cwd: root,
    env: { ...npmEnv, PORT: String(nodeRedPort), BITRIX24_EMULATOR_PORT: String(emulatorPort), BITRIX24_DEMO_USER_DIR: userDir },
    stdio: ['ignore', 'pipe', 'pipe'],
    // A group of its own, so a failed test can end whatever the demo left behind.
    detached: true,
  });
  const demo = { child, output: '', exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))) };
  const banner = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start was not ready within ${READY_TIMEOUT_MS} ms:\n${demo.output}`)), READY_TIMEOUT_MS);
    const read = (chunk) => {
      demo.output += chunk.toString('utf8');
      if (/Press Ctrl\+C to stop\./.test(demo.output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    demo.exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (code ${code}, signal ${signal}) before it was ready:\n${demo.output}`));
    });
  });
  try {
    await banner;
  } catch (error) {
    kill(demo);
    throw error;
  }
  demo.nodeRedUrl = /Node-RED \S+ editor: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(demo.output)[1];
  demo.emulatorUrl = /Bitrix24 emulator page: +(http:\/\/127\.0\.0\.1:\d+)\//.exec(demo.output)[1];
  demo.ports = [demo.nodeRedUrl, demo.emulatorUrl].map((url) => Number(new URL(url).port));
  return demo;
}

/** Ends the demo's whole process group, if anything of it is left. */
function kill(demo) {
  try {
    process.kill(-demo.child.pid, 'SIGKILL');
  } catch {
    // Nothing left.
  }
}

/** Sends `signal` to npm (not to the group: npm must pass it on) and checks that everything it started is gone. */
async function stopWith(demo, signal) {
  const started = descendants(demo.child.pid);
  assert.ok(started.length > 0, 'npm start runs the demo in a child process');
  demo.child.kill(signal);
  const { code } = await demo.exited;
  assert.deepEqual(started.filter(alive), [], `processes left running after ${signal}:\n${demo.output}`);
  for (const port of demo.ports) assert.equal(await listening(port), false, `port ${port} is still taken after ${signal}`);
  assert.equal(code, 0, `npm start exit code after ${signal}:\n${demo.output}`);
}

/** Polls the emulator's workflow list until `accept` holds or 15 s pass; resolves with the last list. */
async function workflowsUntil(emulatorUrl, accept) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const list = await (await fetch(`${emulatorUrl}/emulator/api/workflows`)).json();
    if (accept(list) || Date.now() > deadline) return list;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Clicks example 04's Dispatch inject and resolves with the workflow it played, once it closed (or 15 s passed). */
async function playActivityLoop(demo) {
  const before = (await (await fetch(`${demo.emulatorUrl}/emulator/api/workflows`)).json()).length;
  const answer = await fetch(`${demo.nodeRedUrl}inject/b24ex4inject00001`, { method: 'POST' });
  assert.equal(answer.status, 200);
  const list = await workflowsUntil(demo.emulatorUrl, (l) => l.length > before && l[0].status === 'closed');
  return list[0];
}

/** Posts an activity request to example 02's handler as its comment's curl does; resolves with the HTTP status. */
async function callExampleHandler(demo, applicationToken) {
  const { eventToken } = await (await fetch(`${demo.emulatorUrl}/emulator/api/workflows`, { method: 'POST' })).json();
  const form = new URLSearchParams({ event_token: eventToken, 'document_id[]': 'crm', 'auth[application_token]': applicationToken });
  const answer = await fetch(`${demo.nodeRedUrl}bitrix24/activity`, { method: 'POST', body: form });
  return answer.status;
}

describe('npm start (the demo)', function () {
  this.timeout(4 * READY_TIMEOUT_MS);
  let userDir;
  let demo;

  before(() => {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bitrix24-demo-'));
  });
  afterEach(() => {
    if (demo) kill(demo);
    demo = undefined;
  });
  after(() => fs.rmSync(userDir, { recursive: true, force: true }));

  it('runs every example, one tab each, on the ports it is given, serves HTTP nodes at the root, and stops on SIGTERM', async () => {
    const examples = fs.readdirSync(path.join(root, 'examples')).filter((file) => file.endsWith('.json')).length;
    demo = await npmStart({ nodeRedPort: 0, emulatorPort: 0, userDir });
    assert.match(demo.output, new RegExp(`The ${examples} example flows are deployed, one tab each`));
    assert.match(demo.output, new RegExp(`HTTP nodes at the root: ${demo.nodeRedUrl}bitrix24/activity`));
    assert.doesNotMatch(demo.output, /-git\b/, 'the banner names a Node-RED release, not a git checkout');
    const tabs = (await (await fetch(`${demo.nodeRedUrl}flows`)).json()).filter((node) => node.type === 'tab');
    assert.equal(tabs.length, examples);
    // Example 01 logs once by itself after the deploy.
    const logged = await workflowsUntil(demo.emulatorUrl, (l) => l.some((w) => w.log.length > 0));
    assert.ok(logged.some((w) => w.log.some((line) => line.message === 'Order received: checking stock')), JSON.stringify(logged));
    const loop = await playActivityLoop(demo);
    assert.equal(loop.status, 'closed', JSON.stringify(loop));
    assert.deepEqual(loop.log.map((line) => line.message), ['Order 42: checking stock', 'Stock reserved', 'Done by Node-RED']);
    assert.equal(await callExampleHandler(demo, DEMO_TOKEN), 200);
    assert.equal(await callExampleHandler(demo, 'demo-app-token'), 401);
    await stopWith(demo, 'SIGTERM');
  });

  it('asks nothing before the first click: no update-notification question, no tour, no update check', async () => {
    demo = await npmStart({ nodeRedPort: 0, emulatorPort: 0, userDir });
    const settings = await (await fetch(`${demo.nodeRedUrl}settings`)).json();
    // The editor asks about update notifications while telemetryEnabled is undefined (red.js checkTelemetry).
    assert.equal(settings.telemetryEnabled, false);
    assert.equal(settings.editorTheme.tours, false);
    assert.doesNotMatch(settings.version, /-git$/);
    await stopWith(demo, 'SIGINT');
  });

  it('moves the kept flows to new ports on the next start, and stops on SIGINT', async () => {
    const [nodeRedPort, emulatorPort] = [await freePort(), await freePort()];
    demo = await npmStart({ nodeRedPort, emulatorPort, userDir });
    assert.deepEqual(demo.ports, [nodeRedPort, emulatorPort]);
    assert.match(demo.output, /Your existing flows were kept, moved from http:\/\/127\.0\.0\.1:\d+ and http:\/\/127\.0\.0\.1:\d+ to this run's addresses/);
    const kept = JSON.stringify(await (await fetch(`${demo.nodeRedUrl}flows`)).json());
    assert.match(kept, new RegExp(`http://127\\.0\\.0\\.1:${emulatorPort}/emulator/api/activities`));
    assert.match(kept, new RegExp(`http://127\\.0\\.0\\.1:${nodeRedPort}/bitrix24/activity-loop`));
    const loop = await playActivityLoop(demo);
    assert.equal(loop.status, 'closed', `${JSON.stringify(loop)}\n${demo.output}`);
    assert.equal(await callExampleHandler(demo, DEMO_TOKEN), 200);
    await stopWith(demo, 'SIGINT');
  });
});
