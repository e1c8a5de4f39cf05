'use strict';
// The emulator's control API (the log page, /emulator/api/...) against what a web page could send it: another
// Host (DNS rebinding), another Origin, a body a cross-site form can send. None of them may start a workflow or make
// the emulator POST an activity request, with the real application token, to a handler on this machine.
const assert = require('node:assert/strict');
const http = require('node:http');
const { Bitrix24Emulator } = require('../../dist/emulator');
const { optionsFromArgs } = require('../../dist/emulator/cli');

/** One request with exactly these headers (fetch would not let a test set Host). */
function request(url, { method = 'POST', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const sent = http.request({ host: target.hostname, port: target.port, path: target.pathname, method, headers }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode, text, json: () => JSON.parse(text) }));
    });
    sent.on('error', reject);
    sent.end(body);
  });
}

describe('emulator: the control API answers only this machine, and JSON', () => {
  let emulator;
  let handler;
  const received = [];

  before(async () => {
    emulator = new Bitrix24Emulator({ rateLimit: false, applicationToken: 'controlGuardAppToken' });
    await emulator.start();
    handler = http.createServer((incoming, response) => {
      incoming.resume();
      received.push(incoming.url);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    });
    await new Promise((resolve) => handler.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    await emulator.stop();
    await new Promise((resolve) => handler.close(resolve));
  });

  const handlerUrl = () => `http://127.0.0.1:${handler.address().port}/bitrix24/activity`;
  const port = () => new URL(emulator.url).port;
  const json = { 'content-type': 'application/json' };

  it('refuses a Host that is not this machine (DNS rebinding), on every control route', async () => {
    const body = JSON.stringify({ handlerUrl: handlerUrl() });
    for (const [method, path] of [['POST', '/emulator/api/activities'], ['POST', '/emulator/api/install'], ['POST', '/emulator/api/workflows'], ['GET', '/emulator/api/workflows'], ['GET', '/']]) {
      const answer = await request(`${emulator.url}${path}`, { method, headers: { ...json, host: `rebound.example.test:${port()}` }, body: method === 'POST' ? body : undefined });
      assert.equal(answer.status, 403, `${method} ${path}`);
      assert.equal(answer.json().error, 'FORBIDDEN_HOST');
    }
    assert.deepEqual(received, []);
    assert.equal(JSON.parse((await request(`${emulator.url}/emulator/api/workflows`, { method: 'GET' })).text).length, 0, 'no workflow started');
  });

  it('refuses an Origin that is not this machine, and Origin: null', async () => {
    for (const origin of ['https://evil.example.test', 'null', 'http://127.0.0.1.evil.example.test']) {
      const answer = await request(`${emulator.url}/emulator/api/activities`, { headers: { ...json, origin }, body: JSON.stringify({ handlerUrl: handlerUrl() }) });
      assert.equal(answer.status, 403, origin);
      assert.equal(answer.json().error, 'FORBIDDEN_ORIGIN');
    }
    assert.deepEqual(received, []);
  });

  it('refuses what a cross-site form can send (a form, text/plain, multipart) with 415', async () => {
    const body = JSON.stringify({ handlerUrl: handlerUrl() });
    for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', undefined]) {
      for (const path of ['/emulator/api/activities', '/emulator/api/install', '/emulator/api/workflows']) {
        const answer = await request(`${emulator.url}${path}`, { headers: type === undefined ? {} : { 'content-type': type }, body });
        assert.equal(answer.status, 415, `${path} ${type}`);
        assert.equal(answer.json().error, 'UNSUPPORTED_MEDIA_TYPE');
      }
    }
    assert.deepEqual(received, []);
  });

  it('still serves this machine: loopback Host and Origin, JSON bodies', async () => {
    const answer = await request(`${emulator.url}/emulator/api/activities`, { headers: { ...json, host: `localhost:${port()}`, origin: 'http://127.0.0.1:1880' }, body: JSON.stringify({ handlerUrl: handlerUrl() }) });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.json().status, 200);
    assert.deepEqual(received, ['/bitrix24/activity']);
    assert.equal((await request(`${emulator.url}/emulator/api/workflows`, { headers: {} })).status, 200, 'an empty POST needs no type');
  });

  it('leaves the REST API to its own checks: a webhook call with another Host still works', async () => {
    const answer = await request(`${emulator.webhookUrl()}scope`, { headers: { ...json, host: `portal.example.test:${port()}` }, body: '{}' });
    assert.equal(answer.status, 200, answer.text);
  });

  it('lets the CLI register the application\'s handler, to which the authorisation page then redirects', () => {
    const options = optionsFromArgs(['--client-id', 'local.x', '--client-secret', 's', '--redirect-uri', 'https://app.example.test/handler']);
    assert.equal(options.oauth.redirectUri, 'https://app.example.test/handler');
    assert.throws(() => optionsFromArgs(['--redirect-uri', 'https://app.example.test/handler']), /needs --client-id/);
  });
});
