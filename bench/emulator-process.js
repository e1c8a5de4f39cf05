'use strict';
// Runs the bundled emulator in a process of its own, so its CPU and memory are not counted against the flow measured.
const { spawn } = require('node:child_process');
const path = require('node:path');

const CLI = path.join(__dirname, '..', 'dist', 'emulator', 'cli.js');

/** Starts an emulator; resolves with its URLs and a stop function. */
function startEmulatorProcess({ limit }) {
  const args = ['--port', '0', '--secret', 'benchsecret00000'];
  if (limit === false) args.push('--no-limit');
  else args.push('--burst', String(limit.burst), '--drain', String(limit.drainPerSecond));
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`emulator exited early (${code})`)));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /Webhook URL:\s+(\S+)/.exec(out);
      if (!match) return;
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      child.removeAllListeners('exit');
      const webhookUrl = match[1];
      const url = new URL(webhookUrl).origin;
      resolve({
        url,
        webhookUrl,
        stop: () => new Promise((done) => {
          child.once('exit', done);
          child.kill('SIGTERM');
        }),
      });
    });
  });
}

/** Starts `count` waiting workflows; resolves with their ids and tokens. */
async function startWorkflows(url, count) {
  const workflows = [];
  for (let i = 0; i < count; i += 1) {
    const response = await fetch(`${url}/emulator/api/workflows`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    workflows.push(await response.json());
  }
  return workflows;
}

/** Every workflow with its log lines. */
async function workflowLogs(url) {
  return (await fetch(`${url}/emulator/api/workflows`)).json();
}

module.exports = { startEmulatorProcess, startWorkflows, workflowLogs };
