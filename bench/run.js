#!/usr/bin/env node
// `npm run bench`: this package's log node against the generic flow users build today, side by side in one run,
// against the bundled emulator (in its own process). Prints figures and ratios; asserts nothing.
'use strict';
const { fork } = require('node:child_process');
const path = require('node:path');
const { startEmulatorProcess, startWorkflows, workflowLogs } = require('./emulator-process');
const { Bitrix24Emulator } = require('../dist/emulator');
const { startRedis } = require('../test/support/redis-server');

const STANDARD = { burst: 50, drainPerSecond: 2 };
const WORKFLOWS = 20;

function runInChild(task) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'runner.js'), [], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (answer) => (answer.error ? reject(new Error(answer.error)) : resolve(answer.figures)));
    child.once('exit', (code) => code !== 0 && reject(new Error(`runner exited with ${code}`)));
    child.send(task);
  });
}

/**
 * Several runners at once, each a Node-RED process of its own: each deploys, says it is ready, and all start feeding
 * their lines at the same moment. Resolves with every runner's figures.
 */
function runTogether(tasks) {
  const children = tasks.map(() => fork(path.join(__dirname, 'runner.js'), [], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  let ready = 0;
  return Promise.all(
    children.map(
      (child, index) =>
        new Promise((resolve, reject) => {
          child.on('message', (answer) => {
            if (answer.error) reject(new Error(answer.error));
            else if (answer.ready) {
              ready += 1;
              if (ready === children.length) for (const each of children) each.send({ go: true });
            } else resolve(answer.figures);
          });
          child.once('exit', (code) => code !== 0 && reject(new Error(`runner exited with ${code}`)));
          child.send(tasks[index]);
        }),
    ),
  );
}

/**
 * `lines` fed at once, split evenly over `instances` Node-RED instances on one portal under the standard limit, each
 * with its own workflows; shared through a redis-server when `shared`. The emulator runs in this process here, to
 * count what it refused.
 */
async function measureInstances({ lines, instances, shared }) {
  const emulator = new Bitrix24Emulator({ rateLimit: STANDARD, webhookSecret: 'benchsecret00000' });
  await emulator.start();
  const redis = shared ? await startRedis() : undefined;
  try {
    const workflows = Array.from({ length: WORKFLOWS }, () => emulator.startWorkflow());
    const per = WORKFLOWS / instances;
    const tasks = Array.from({ length: instances }, (_, index) => ({
      contender: 'package', scenario: 'shared-burst', lines: lines / instances, workflows: workflows.slice(index * per, (index + 1) * per),
      webhookUrl: emulator.webhookUrl(), rateLimit: 'standard', ...(redis === undefined ? {} : { redisUrl: redis.url }),
    }));
    const figures = await runTogether(tasks);
    const logs = workflows.map(({ workflowId }) => ({ workflowId, log: emulator.logOf(workflowId) }));
    return {
      ...delivery(workflows, logs, lines),
      wallMs: Math.max(...figures.map((f) => f.wallMs)),
      cpuUs: figures.reduce((sum, f) => sum + f.cpuUs, 0),
      peakRssMb: Math.max(...figures.map((f) => f.peakRssMb)),
      refused: emulator.requests.filter((r) => r.status === 503).length,
      requests: emulator.requests.length,
    };
  } finally {
    await redis?.remove();
    await emulator.stop();
  }
}

/** The rows of one instance against two on one portal, with and without the shared state; `floorPerLineMs` as below. */
async function instancesRows(floorPerLineMs) {
  const lines = 5_000;
  const runs = [
    { name: 'one instance', instances: 1, shared: false },
    { name: 'two instances, no Redis', instances: 2, shared: false },
    { name: 'two instances, shared through Redis', instances: 2, shared: true },
  ];
  process.stdout.write('\n| 5,000 lines at 50 / 2 per s | written | lost | dup | out of order | 503s | requests | wall s | x min |\n');
  process.stdout.write('|---|---|---|---|---|---|---|---|---|\n');
  for (const run of runs) {
    const row = await measureInstances({ lines, ...run });
    const minMs = limitFloorMs(lines, STANDARD) + floorPerLineMs * lines;
    process.stdout.write(
      `| ${run.name} | ${row.written} | ${row.lost} | ${row.duplicated} | ${row.outOfOrder} | ${row.refused} | ${row.requests} | ` +
        `${fmt(row.wallMs / 1000, 2)} | ${fmt(row.wallMs / minMs, 2)} |\n`,
    );
  }
}

/** Lines written, lost, written twice, and out of order, from the emulator's logs of this run's workflows. */
function delivery(workflows, logs, lines) {
  const byId = new Map(logs.map((w) => [w.workflowId, w.log.map((l) => Number(l.message.split(' ')[1]))]));
  let written = 0;
  let duplicated = 0;
  let outOfOrder = 0;
  for (const { workflowId } of workflows) {
    const seqs = byId.get(workflowId) ?? [];
    written += new Set(seqs).size;
    duplicated += seqs.length - new Set(seqs).size;
    for (let i = 1; i < seqs.length; i += 1) if (seqs[i] < seqs[i - 1]) outOfOrder += 1;
  }
  return { written, lost: lines - written, duplicated, outOfOrder };
}

async function measure({ contender, lines, limit, scenario = 'burst', extra = {} }) {
  const emulator = await startEmulatorProcess({ limit });
  try {
    const workflows = await startWorkflows(emulator.url, WORKFLOWS);
    const rateLimit = limit === false ? 'off' : 'standard';
    const figures = await runInChild({ contender, scenario, lines, workflows, webhookUrl: emulator.webhookUrl, rateLimit, ...extra });
    if (scenario === 'burst') Object.assign(figures, delivery(workflows, await workflowLogs(emulator.url), lines));
    return figures;
  } finally {
    await emulator.stop();
  }
}

/** What the portal's limit alone forces with perfect batching (50 lines a request), in ms. */
function limitFloorMs(lines, limit) {
  if (limit === false) return 0;
  const requests = Math.ceil(lines / 50);
  return (Math.max(0, requests - limit.burst) / limit.drainPerSecond) * 1000;
}

const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : String(n));
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) * p)];

async function main() {
  if (process.argv.includes('--instances')) {
    // Only the several-instances rows; the per-line floor is then left out of the minimum (it is under 0.2 ms a line).
    await instancesRows(0);
    return;
  }
  const rows = [];
  process.stdout.write('Measuring (each run in a fresh Node-RED process; the 10,000-line run takes over a minute)...\n');
  const noLimit = {};
  for (const contender of ['package', 'generic']) {
    noLimit[contender] = await measure({ contender, lines: 20_000, limit: false });
    rows.push({ name: '20,000 lines, no limit', contender, lines: 20_000, limit: false, ...noLimit[contender] });
  }
  // The fastest per-line processing measured: no flow can beat it, so it is part of the theoretical minimum.
  const floorPerLineMs = Math.min(...Object.values(noLimit).map((f) => f.wallMs / 20_000));
  for (const lines of [200, 2000, 10_000]) {
    for (const contender of ['package', 'generic']) {
      const figures = await measure({ contender, lines, limit: STANDARD });
      rows.push({ name: `${lines.toLocaleString('en')} lines at 50 / 2 per s`, contender, lines, limit: STANDARD, ...figures });
    }
  }

  process.stdout.write('\n| run | flow | written | lost | dup | out of order | wall s | x min | msg/s | CPU µs/msg | peak RSS MB |\n');
  process.stdout.write('|---|---|---|---|---|---|---|---|---|---|---|\n');
  for (const row of rows) {
    const minMs = limitFloorMs(row.lines, row.limit) + floorPerLineMs * row.lines;
    process.stdout.write(
      `| ${row.name} | ${row.contender} | ${row.written} | ${row.lost} | ${row.duplicated} | ${row.outOfOrder} | ${fmt(row.wallMs / 1000, 2)} | ` +
        `${fmt(row.wallMs / minMs, 2)} | ${fmt(row.lines / (row.wallMs / 1000), 0)} | ${fmt(row.cpuUs / row.lines, 0)} | ${fmt(row.peakRssMb, 0)} |\n`,
    );
  }
  process.stdout.write('\nRatios package / generic:\n');
  for (const name of [...new Set(rows.map((r) => r.name))]) {
    const [p, g] = ['package', 'generic'].map((c) => rows.find((r) => r.name === name && r.contender === c));
    process.stdout.write(
      `  ${name}: lines written ${p.written} vs ${g.written}; wall ${fmt(p.wallMs / g.wallMs, 2)}x; ` +
        `throughput of written lines ${fmt((p.written / p.wallMs) / (g.written / g.wallMs), 2)}x; CPU per message ${fmt(p.cpuUs / p.lines / (g.cpuUs / g.lines), 2)}x\n`,
    );
  }

  const queued = await measure({ contender: 'package', lines: 100_000, limit: false, scenario: 'queue', extra: { rateLimit: 'custom', burst: 1, drainRate: 0.001, maxQueue: 200_000 } });
  process.stdout.write(`\n100,000 messages queued through Node-RED (${queued.queued} waiting): RSS ${fmt(queued.rssMb, 0)} MB, peak ${fmt(queued.peakRssMb, 0)} MB (target < 200 MB)\n`);

  const coreQueued = await measure({ contender: 'core-queue', lines: 100_000, limit: false, scenario: 'queue' });
  process.stdout.write(`The same 100,000 messages held by a core delay node (rate limit mode): RSS ${fmt(coreQueued.rssMb, 0)} MB (${coreQueued.queued} held): Node-RED's own floor\n`);
  const clientQueued = await measure({ contender: 'package', lines: 100_000, limit: false, scenario: 'queue-client' });
  process.stdout.write(
    `100,000 calls queued in the client library alone (${clientQueued.queued} waiting): RSS ${fmt(clientQueued.rssMb, 0)} MB ` +
      `(${fmt(clientQueued.rssBeforeMb, 0)} MB before), peak ${fmt(clientQueued.peakRssMb, 0)} MB\n`,
  );

  const idle = await measure({ contender: 'package', lines: 300, limit: false, scenario: 'idle' });
  const nodeP50 = percentile(idle.nodeLatency, 0.5);
  const bareP50 = percentile(idle.bareLatency, 0.5);
  process.stdout.write(
    `Idle single message, 300 sequential: node p50 ${fmt(nodeP50, 2)} ms, bare HTTP call p50 ${fmt(bareP50, 2)} ms, ` +
      `added ${fmt(nodeP50 - bareP50, 2)} ms (target < 2 ms); p90 ${fmt(percentile(idle.nodeLatency, 0.9), 2)} vs ${fmt(percentile(idle.bareLatency, 0.9), 2)} ms\n`,
  );
  await instancesRows(floorPerLineMs);
  process.stdout.write(`\nTheoretical minimum = what the limit forces with perfect batching + ${fmt(floorPerLineMs * 1000, 1)} µs per line (the fastest no-limit processing measured).\n`);
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error.stack}\n`);
  process.exit(1);
});
