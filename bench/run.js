#!/usr/bin/env node
// `npm run bench`: this package's log node against the generic flow users build today, side by side in one run,
// against the bundled emulator (in its own process). Prints figures and ratios; asserts nothing.
'use strict';
const { fork } = require('node:child_process');
const path = require('node:path');
const { startEmulatorProcess, startWorkflows, workflowLogs } = require('./emulator-process');

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
  process.stdout.write(`\nTheoretical minimum = what the limit forces with perfect batching + ${fmt(floorPerLineMs * 1000, 1)} µs per line (the fastest no-limit processing measured).\n`);
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error.stack}\n`);
  process.exit(1);
});
