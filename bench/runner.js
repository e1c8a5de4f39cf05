'use strict';
// One measurement in a fresh process: a real Node-RED 4.1 runtime with this package, one flow, one scenario.
// Started by bench/run.js with fork(); receives its task as an IPC message and answers with the figures.
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { packageFlow, genericFlow, coreQueueFlow } = require('./flows');

const root = path.resolve(__dirname, '..');

async function startNodeRed() {
  const RED = require('node-red');
  const express = require(require.resolve('express', { paths: [require.resolve('node-red')] }));
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'b24-bench-'));
  const app = express();
  const server = http.createServer(app);
  const settings = {
    userDir,
    nodesDir: [root],
    httpAdminRoot: '/',
    httpNodeRoot: '/api',
    disableEditor: true,
    credentialSecret: 'bench-only',
    logging: { console: { level: 'fatal' } },
    editorTheme: { projects: { enabled: false } },
  };
  RED.init(server, settings);
  app.use('/', RED.httpAdmin);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  await RED.start();
  return { RED, adminUrl: `http://127.0.0.1:${server.address().port}/` };
}

async function deploy(adminUrl, flow) {
  const response = await fetch(`${adminUrl}flows`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
    body: JSON.stringify(flow),
  });
  if (!response.ok) throw new Error(`deploy failed: HTTP ${response.status} ${await response.text()}`);
}

/** Counts what reaches the sinks; `waitFor(n)` resolves when n messages have left the flow. */
function watchSinks(RED) {
  const counts = { ok: 0, err: 0 };
  const waiters = [];
  const check = () => {
    for (let i = waiters.length - 1; i >= 0; i -= 1) {
      if (counts.ok + counts.err >= waiters[i].n) waiters.splice(i, 1)[0].resolve();
    }
  };
  RED.nodes.getNode('okSink').on('input', (msg, send, done) => { counts.ok += 1; check(); done(); });
  RED.nodes.getNode('errSink').on('input', (msg, send, done) => { counts.err += 1; check(); done(); });
  return { counts, waitFor: (n) => new Promise((resolve) => { waiters.push({ n, resolve }); check(); }) };
}

function lineMessage(task, index) {
  const workflow = task.workflows[index % task.workflows.length];
  return { event_token: workflow.eventToken, payload: `seq ${Math.floor(index / task.workflows.length)}` };
}

async function burst(RED, task) {
  const sinks = watchSinks(RED);
  const entry = RED.nodes.getNode('entry');
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < task.lines; i += 1) entry.receive(lineMessage(task, i));
  await sinks.waitFor(task.lines);
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuUs: used.user + used.system, ok: sinks.counts.ok, err: sinks.counts.err };
}

async function queue(RED, task) {
  const entry = RED.nodes.getNode('entry');
  const portal = RED.nodes.getNode('benchportal');
  // The delay node of the core-queue flow has no counter to read: its buffer is full once input stops arriving.
  const queued = () => (portal ? portal.queue().queued : entry.buffer ? entry.buffer.length : 0);
  for (let i = 0; i < task.lines; i += 1) entry.receive(lineMessage(task, i));
  const giveUpAt = Date.now() + 120_000;
  while (queued() < task.lines - 10 && Date.now() < giveUpAt) await new Promise((r) => setTimeout(r, 50));
  global.gc?.();
  return { queued: queued() };
}

async function idle(RED, task) {
  const sinks = watchSinks(RED);
  const entry = RED.nodes.getNode('entry');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const bare = (body) => new Promise((resolve, reject) => {
    const request = http.request(`${task.webhookUrl}bizproc.activity.log`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (response) => {
      response.resume();
      response.on('end', resolve);
    });
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
  const nodeLatency = [];
  const bareLatency = [];
  for (let i = 0; i < task.lines; i += 1) {
    const msg = lineMessage(task, i);
    let t = process.hrtime.bigint();
    await bare({ EVENT_TOKEN: msg.event_token, LOG_MESSAGE: msg.payload });
    bareLatency.push(Number(process.hrtime.bigint() - t) / 1e6);
    t = process.hrtime.bigint();
    const arrived = sinks.waitFor(i + 1);
    entry.receive(lineMessage(task, i));
    await arrived;
    nodeLatency.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  agent.destroy();
  return { nodeLatency, bareLatency };
}

/** The client library alone: 100,000 log calls waiting in one portal's queue, without Node-RED around them. */
async function queueClient(task) {
  const { BatchDispatcher, Bitrix24Client, WebhookAuth, prepareActivityLog, sendActivityLog } = require(path.join(root, 'dist', 'bitrix24'));
  global.gc?.();
  const before = process.memoryUsage().rss;
  const client = new Bitrix24Client({ auth: new WebhookAuth(task.webhookUrl) });
  const dispatcher = new BatchDispatcher(client, { rateLimit: { burst: 1, drainPerSecond: 0.001 }, maxQueue: task.lines + 10 });
  const signal = new AbortController().signal;
  for (let i = 0; i < task.lines; i += 1) {
    const { event_token: token, payload } = lineMessage(task, i);
    sendActivityLog(dispatcher, prepareActivityLog(token, payload), { signal }).catch(() => {});
  }
  global.gc?.();
  return { queued: dispatcher.queued, rssBeforeMb: before / 1024 / 1024 };
}

process.once('message', async (task) => {
  if (task.scenario === 'queue-client') {
    const figures = await queueClient(task);
    figures.rssMb = process.memoryUsage().rss / 1024 / 1024;
    figures.peakRssMb = process.resourceUsage().maxRSS / 1024;
    process.send({ figures }, () => process.exit(0));
    return;
  }
  try {
    process.env.BITRIX24_WEBHOOK = task.webhookUrl;
    const { RED, adminUrl } = await startNodeRed();
    const flow = { package: packageFlow, generic: genericFlow, 'core-queue': coreQueueFlow }[task.contender](task);
    await deploy(adminUrl, flow);
    // The Admin API answers before the new flow's nodes exist.
    const readyBy = Date.now() + 10_000;
    while (!(RED.nodes.getNode('entry') && RED.nodes.getNode('okSink')) && Date.now() < readyBy) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (task.scenario === 'shared-burst') {
      // One of several instances: ready once deployed, then all start feeding at the same moment.
      process.send({ ready: true });
      await new Promise((resolve) => process.once('message', resolve));
    }
    const scenario = { burst, queue, idle, 'shared-burst': burst }[task.scenario];
    const figures = await scenario(RED, task);
    figures.peakRssMb = process.resourceUsage().maxRSS / 1024;
    figures.rssMb = process.memoryUsage().rss / 1024 / 1024;
    process.send({ figures }, () => process.exit(0));
  } catch (error) {
    process.send({ error: String(error && error.stack) }, () => process.exit(1));
  }
});
