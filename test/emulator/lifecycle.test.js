'use strict';
const assert = require('node:assert/strict');
const http = require('node:http');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { once } = require('node:events');
const { Readable } = require('node:stream');
const { startEmulator, callRest, logLine, Bitrix24Emulator, ManualClock } = require('./emulator-harness');
const { readRequestBody } = require('../../dist/http/request-body');

describe('emulator lifecycle and request records', () => {
  it('uses a random 16-character secret by default and builds the webhook URL after start', async () => {
    const emulator = new Bitrix24Emulator();
    assert.match(emulator.webhookSecret, /^[a-z0-9]{16}$/);
    assert.equal(emulator.userId, 1);
    assert.throws(() => emulator.url, /after start/);
    await emulator.start();
    try {
      assert.match(emulator.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(emulator.webhookUrl(), `${emulator.url}/rest/1/${emulator.webhookSecret}/`);
    } finally {
      await emulator.stop();
      await emulator.stop();
    }
  });

  it('refuses invalid options', () => {
    assert.throws(() => new Bitrix24Emulator({ port: 70000 }), RangeError);
    assert.throws(() => new Bitrix24Emulator({ userId: 0 }), RangeError);
    assert.throws(() => new Bitrix24Emulator({ webhookSecret: 'a/b' }), RangeError);
    assert.throws(() => new Bitrix24Emulator({ rateLimit: { burst: 10, drainPerSecond: -1 } }), RangeError);
    assert.throws(() => new Bitrix24Emulator({ operatingLimit: { budgetSeconds: 1, windowSeconds: 0, costSecondsPerCall: 1 } }), RangeError);
  });

  it('closes idle keep-alive connections on stop', async () => {
    const { emulator } = await startEmulator();
    const agent = new http.Agent({ keepAlive: true });
    const url = new URL(`${emulator.webhookUrl()}scope`);
    const socket = await new Promise((resolve, reject) => {
      const request = http.get({ host: url.hostname, port: url.port, path: url.pathname, agent }, (response) => {
        response.resume();
        response.on('end', () => resolve(request.socket));
      });
      request.on('error', reject);
    });
    const closed = once(socket, 'close');
    const started = Date.now();
    await emulator.stop();
    await closed;
    assert.ok(Date.now() - started < 2000, 'stop waited for the keep-alive timeout');
    agent.destroy();
  });

  it('stops promptly while an answer is held back by a delay fault', async () => {
    const { emulator } = await startEmulator();
    emulator.injectFault({ type: 'delay', ms: 60_000 });
    const pending = callRest(emulator, 'scope');
    await emulator.waitForRequests(1);
    await emulator.stop();
    await assert.rejects(pending);
  });

  it('records every REST request in order without secrets or tokens', async () => {
    const { emulator, clock } = await startEmulator({ webhookSecret: 'recordsecret9999' });
    try {
      const workflow = emulator.startWorkflow();
      await logLine(emulator, workflow.eventToken, 'hello');
      clock.advance(250);
      await callRest(emulator, 'batch', { cmd: { a: 'scope', b: 'scope' } }, { form: true });
      await callRest(emulator, 'scope', {}, { base: `${emulator.url}/rest/1/wrong/`, httpMethod: 'GET' });
      await emulator.waitForRequests(3);
      assert.deepEqual(emulator.requests, [
        { at: clock.now() - 250, httpMethod: 'POST', restMethod: 'bizproc.activity.log', commands: 1, status: 200, authorised: true },
        { at: clock.now(), httpMethod: 'POST', restMethod: 'batch', commands: 2, status: 200, authorised: true },
        { at: clock.now(), httpMethod: 'GET', restMethod: 'scope', commands: 1, status: 401, authorised: false },
      ]);
      const text = JSON.stringify(emulator.requests);
      assert.equal(text.includes('recordsecret9999'), false);
      assert.equal(text.includes(workflow.eventToken.split('|')[2]), false);
      emulator.resetRequests();
      assert.equal(emulator.requests.length, 0);
      await callRest(emulator, 'scope');
      await emulator.waitForRequests(1);
      assert.equal(emulator.requests.length, 1);
    } finally {
      await emulator.stop();
    }
  });

  it('reads bodies up to the cap and stops at the first byte over it', async () => {
    const small = Object.assign(Readable.from([Buffer.from('abc'), Buffer.from('def')]), { headers: {} });
    const read = await readRequestBody(small, 6);
    assert.equal(read.ok && read.bytes.toString(), 'abcdef');
    const big = Object.assign(Readable.from([Buffer.from('abc'), Buffer.from('defg')]), { headers: {} });
    assert.deepEqual(await readRequestBody(big, 6), { ok: false, reason: 'too-large' });
  });
});

describe('ManualClock', () => {
  it('moves only when told, never backwards by advance', () => {
    const clock = new ManualClock(1000);
    assert.equal(clock.now(), 1000);
    clock.advance(500);
    assert.equal(clock.now(), 1500);
    clock.set(42);
    assert.equal(clock.now(), 42);
    assert.throws(() => clock.advance(-1), RangeError);
    assert.throws(() => clock.set(Number.NaN), RangeError);
    assert.equal(new ManualClock().now(), Date.UTC(2024, 0, 15, 9));
  });
});

describe('emulator CLI', () => {
  const cli = path.join(__dirname, '..', '..', 'dist', 'emulator', 'cli.js');

  it('prints the webhook and page URLs, serves requests, and exits cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [cli, '--port', '0', '--secret', 'clisecret', '--user-id', '3', '--no-limit'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      child.stdout.setEncoding('utf8');
      while (!/Log page:/.test(output)) {
        const [chunk] = await Promise.race([once(child.stdout, 'data'), once(child, 'exit').then(() => { throw new Error(`exited: ${output}`); })]);
        output += chunk;
      }
      const webhook = /Webhook URL: (\S+)/.exec(output)[1];
      assert.match(webhook, /^http:\/\/127\.0\.0\.1:\d+\/rest\/3\/clisecret\/$/);
      assert.match(output, /Log page: +http:\/\/127\.0\.0\.1:\d+\//);
      const response = await fetch(`${webhook}scope`);
      assert.equal(response.status, 200);
      await response.text();
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited;
      assert.equal(code, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('explains bad arguments and exits with code 2', async () => {
    const child = spawn(process.execPath, [cli, '--port', 'eighty'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (chunk) => { errors += chunk; });
    const [code] = await once(child, 'exit');
    assert.equal(code, 2);
    assert.match(errors, /--port needs a number/);
  });
});
