#!/usr/bin/env node
// `node bench/receiver-attack.js`: what hostile bodies cost the activity receiver, in a real Node-RED (packed
// package, Node-RED's default layout) on 127.0.0.1. Prints two figures and asserts nothing:
//   1. the time to refuse a ~1 MB hostile form (15,000 keys nested 8 deep, a forged token), sequentially;
//   2. a genuine request's latency alone, then while four clients push that hostile body back to back.
// Bounded: a fixed number of requests, every loop stops by itself.
'use strict';
const http = require('node:http');
const { Bitrix24Emulator } = require('../dist/emulator');
const { encodePhpQuery } = require('../dist/bitrix24/php-query');
const { startNodeRed } = require('../test/support/node-red-runtime');

const APP_TOKEN = 'BenchReceiverAppToken';
const PATH = '/bench/activity';
const HOSTILE_SAMPLES = 20;
const GENUINE_SAMPLES = 200;
const HOSTILE_CLIENTS = 4;

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function hostileForm() {
  const pairs = ['auth%5Bapplication_token%5D=forged'];
  for (let i = 0; i < 15_000; i += 1) pairs.push(`p[a${i}][b][c][d][e][f][g][h]=${'x'.repeat(32)}`);
  return pairs.join('&');
}

function post(url, contentType, body) {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const started = process.hrtime.bigint();
    const request = http.request(
      { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) } },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const fmt = (ms) => `${ms.toFixed(1)} ms`;

async function genuineLatencies(url, body) {
  const figures = [];
  for (let i = 0; i < GENUINE_SAMPLES; i += 1) {
    const { status, ms } = await post(url, 'application/x-www-form-urlencoded', body);
    if (status !== 200) throw new Error(`genuine request answered ${status}`);
    figures.push(ms);
  }
  return figures;
}

async function main() {
  const emulator = new Bitrix24Emulator({ rateLimit: false, applicationToken: APP_TOKEN });
  await emulator.start();
  const runtime = await startNodeRed({ settings: { logging: { console: { level: 'error' } } } });
  try {
    await runtime.deploy([
      { id: 'tab', type: 'tab', label: 'bench' },
      { id: 'portal', type: 'bitrix24-portal', name: 'p', authType: 'webhook', credentials: { webhookUrl: emulator.webhookUrl(), applicationToken: APP_TOKEN } },
      { id: 'in', type: 'bitrix24-bizproc-activity-in', z: 'tab', portal: 'portal', url: PATH, captureApplicationToken: false, wires: [[]] },
    ]);
    const url = `${runtime.url}${PATH.slice(1)}`;
    const hostile = hostileForm();
    const genuine = encodePhpQuery({
      event_token: emulator.startWorkflow().eventToken, workflow_id: 'wf', code: 'c', document_id: ['crm', 'CCrmDocumentDeal', 'DEAL_1'],
      document_type: ['crm', 'CCrmDocumentDeal', 'DEAL'], properties: { a: '1' }, auth: { application_token: APP_TOKEN, domain: 'x' },
    });
    process.stdout.write(`hostile body: ${(hostile.length / 1024).toFixed(0)} KB, 15,000 keys nested 8 deep, forged token\n`);

    for (const type of ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; =']) {
      const times = [];
      let status;
      for (let i = 0; i < HOSTILE_SAMPLES; i += 1) ({ status, ms: times[i] } = await post(url, type, hostile));
      process.stdout.write(`refusing it (${type}): HTTP ${status}, p50 ${fmt(percentile(times, 50))}, max ${fmt(Math.max(...times))}\n`);
    }

    await genuineLatencies(url, genuine);
    const alone = await genuineLatencies(url, genuine);
    process.stdout.write(`genuine request alone: p50 ${fmt(percentile(alone, 50))}, p95 ${fmt(percentile(alone, 95))}, max ${fmt(Math.max(...alone))}\n`);

    let attacking = true;
    let hostileSent = 0;
    const attackers = Array.from({ length: HOSTILE_CLIENTS }, async () => {
      while (attacking) {
        await post(url, 'application/x-www-form-urlencoded; =', hostile);
        hostileSent += 1;
      }
    });
    const underAttack = await genuineLatencies(url, genuine);
    attacking = false;
    await Promise.all(attackers);
    process.stdout.write(
      `genuine request under ${HOSTILE_CLIENTS} hostile clients (${hostileSent} hostile bodies meanwhile): ` +
        `p50 ${fmt(percentile(underAttack, 50))}, p95 ${fmt(percentile(underAttack, 95))}, max ${fmt(Math.max(...underAttack))}\n`,
    );
  } finally {
    agent.destroy();
    await runtime.stop();
    await emulator.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
});
