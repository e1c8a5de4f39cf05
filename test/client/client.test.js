'use strict';
const assert = require('node:assert/strict');
const http = require('node:http');
const { Bitrix24Client, WebhookAuth, Bitrix24Error, logActivity } = require('../../dist/bitrix24');
const { failure } = require('../support/failure');
const { Bitrix24Emulator, ManualClock } = require('../../dist/emulator');

describe('Bitrix24Client against the emulator', function () {
  let emulator;
  let client;

  before(async () => {
    emulator = new Bitrix24Emulator({ rateLimit: false });
    await emulator.start();
  });
  after(() => emulator.stop());
  beforeEach(() => {
    client = new Bitrix24Client({ auth: new WebhookAuth(emulator.webhookUrl()) });
  });
  afterEach(async () => {
    emulator.clearFaults();
    await client.close();
  });

  it('logs a line and returns the result with the portal timing', async () => {
    const { workflowId, eventToken } = emulator.startWorkflow();
    const answer = await logActivity(client, eventToken, 'Hello');
    assert.equal(answer.result, true);
    assert.equal(answer.truncated, false);
    assert.equal(typeof answer.time.start, 'number');
    assert.deepEqual(emulator.logOf(workflowId).map((l) => l.message), ['Hello']);
  });

  it('sends the documented upper-case parameters as UTF-8 JSON', async () => {
    const { workflowId, eventToken } = emulator.startWorkflow();
    await logActivity(client, eventToken, 'Привет, мир ✓ & = % ?');
    assert.deepEqual(emulator.logOf(workflowId).map((l) => l.message), ['Привет, мир ✓ & = % ?']);
  });

  it('reports a refused event token as ACCESS_DENIED (403)', async () => {
    const error = await failure(() => logActivity(client, 'wf|A1|abc.0123456789abcdef0123', 'x'));
    assert.equal(error.code, 'ACCESS_DENIED');
    assert.equal(error.statusCode, 403);
    assert.equal(error.certainty, 'final');
  });

  it('reports the portal refusing an empty message as ERROR_EMPTY_LOG_MESSAGE (400)', async () => {
    const { eventToken } = emulator.startWorkflow();
    const error = await failure(() => client.call('bizproc.activity.log', { EVENT_TOKEN: eventToken, LOG_MESSAGE: '0' }));
    assert.equal(error.code, 'ERROR_EMPTY_LOG_MESSAGE');
    assert.equal(error.statusCode, 400);
  });

  it('reports a wrong webhook secret as NO_AUTH_FOUND (401)', async () => {
    const wrong = new Bitrix24Client({ auth: new WebhookAuth(emulator.webhookUrl().replace(/\/rest\/(\d+)\/[^/]+\//, '/rest/$1/wrongsecret000/')) });
    try {
      const error = await failure(() => wrong.call('scope', {}));
      assert.equal(error.code, 'NO_AUTH_FOUND');
      assert.equal(error.statusCode, 401);
    } finally {
      await wrong.close();
    }
  });

  it('reports an unknown method as ERROR_METHOD_NOT_FOUND (404)', async () => {
    const error = await failure(() => client.call('no.such.method', {}));
    assert.equal(error.code, 'ERROR_METHOD_NOT_FOUND');
    assert.equal(error.statusCode, 404);
  });

  it('reports a deleted workflow as 404 and a locked one as 423, the latter as not executed', async () => {
    const gone = emulator.startWorkflow();
    emulator.deleteWorkflow(gone.workflowId);
    const goneError = await failure(() => logActivity(client, gone.eventToken, 'x'));
    assert.equal(goneError.code, '404');
    assert.equal(goneError.statusCode, 400);
    const locked = emulator.startWorkflow();
    emulator.lockWorkflow(locked.workflowId, true);
    const lockedError = await failure(() => logActivity(client, locked.eventToken, 'x'));
    assert.equal(lockedError.code, '423');
    assert.equal(lockedError.certainty, 'not-executed');
    assert.deepEqual(emulator.logOf(locked.workflowId), []);
  });

  it('reports the leaky-bucket limit as QUERY_LIMIT_EXCEEDED (503), not executed', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const limited = new Bitrix24Emulator({ rateLimit: { burst: 2, drainPerSecond: 2 }, clock });
    await limited.start();
    const limitedClient = new Bitrix24Client({ auth: new WebhookAuth(limited.webhookUrl()) });
    try {
      const { workflowId, eventToken } = limited.startWorkflow();
      await logActivity(limitedClient, eventToken, '1');
      await logActivity(limitedClient, eventToken, '2');
      const error = await failure(() => logActivity(limitedClient, eventToken, '3'));
      assert.equal(error.code, 'QUERY_LIMIT_EXCEEDED');
      assert.equal(error.statusCode, 503);
      assert.equal(error.certainty, 'not-executed');
      assert.deepEqual(limited.logOf(workflowId).map((l) => l.message), ['1', '2']);
      clock.advance(500);
      await logActivity(limitedClient, eventToken, '3');
    } finally {
      await limitedClient.close();
      await limited.stop();
    }
  });

  it('reports the operating-time limit as OPERATION_TIME_LIMIT (429), not executed, after answers that told the reset time', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const limited = new Bitrix24Emulator({ rateLimit: false, clock, operatingLimit: { budgetSeconds: 2, windowSeconds: 600, costSecondsPerCall: 1 } });
    await limited.start();
    const limitedClient = new Bitrix24Client({ auth: new WebhookAuth(limited.webhookUrl()) });
    try {
      const { eventToken } = limited.startWorkflow();
      const first = await logActivity(limitedClient, eventToken, '1');
      assert.equal(typeof first.time.operating, 'number');
      const second = await logActivity(limitedClient, eventToken, '2');
      assert.ok(second.time.operating > first.time.operating);
      assert.ok(second.time.operating_reset_at > second.time.finish);
      const error = await failure(() => logActivity(limitedClient, eventToken, '3'));
      assert.equal(error.code, 'OPERATION_TIME_LIMIT');
      assert.equal(error.statusCode, 429);
      assert.equal(error.certainty, 'not-executed');
    } finally {
      await limitedClient.close();
      await limited.stop();
    }
  });

  describe('faults', () => {
    it('a 500 error envelope is ambiguous', async () => {
      emulator.injectFault({ type: 'status', status: 500, body: { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' } });
      const error = await failure(() => logActivity(client, emulator.startWorkflow().eventToken, 'x'));
      assert.equal(error.code, 'INTERNAL_SERVER_ERROR');
      assert.equal(error.ambiguous, true);
    });

    it('503 OVERLOAD_LIMIT is reported as not executed', async () => {
      emulator.injectFault({ type: 'status', status: 503, body: { error: 'OVERLOAD_LIMIT', error_description: 'REST API is blocked due to overload.' } });
      const error = await failure(() => logActivity(client, emulator.startWorkflow().eventToken, 'x'));
      assert.equal(error.code, 'OVERLOAD_LIMIT');
      assert.equal(error.certainty, 'not-executed');
    });

    it('an HTML page becomes HTTP_ERROR with the status', async () => {
      emulator.injectFault({ type: 'html', status: 502 });
      const error = await failure(() => logActivity(client, emulator.startWorkflow().eventToken, 'x'));
      assert.equal(error.code, 'HTTP_ERROR');
      assert.equal(error.statusCode, 502);
      assert.match(error.message, /HTML/);
      assert.equal(error.ambiguous, true);
    });

    it('a malformed JSON body with 200 becomes INVALID_RESPONSE, which may have run', async () => {
      emulator.injectFault({ type: 'malformed-json', status: 200 });
      const error = await failure(() => logActivity(client, emulator.startWorkflow().eventToken, 'x'));
      assert.equal(error.code, 'INVALID_RESPONSE');
      assert.equal(error.statusCode, 200);
      assert.equal(error.ambiguous, true, 'the portal answered 2xx: it did the work before the body broke');
    });

    it('a JSON answer with neither result nor error becomes INVALID_RESPONSE', async () => {
      emulator.injectFault({ type: 'status', status: 200, body: { hello: 'world' } });
      const error = await failure(() => client.call('scope', {}));
      assert.equal(error.code, 'INVALID_RESPONSE');
    });

    it('an error status without an error code becomes HTTP_ERROR', async () => {
      emulator.injectFault({ type: 'status', status: 418, body: { result: 'teapot' } });
      const error = await failure(() => client.call('scope', {}));
      assert.equal(error.code, 'HTTP_ERROR');
      assert.equal(error.statusCode, 418);
      assert.equal(error.certainty, 'not-executed');
    });

    it('a connection reset is NETWORK_ERROR and ambiguous', async () => {
      emulator.injectFault({ type: 'reset-before' });
      const { workflowId, eventToken } = emulator.startWorkflow();
      const error = await failure(() => logActivity(client, eventToken, 'x'));
      assert.equal(error.code, 'NETWORK_ERROR');
      assert.equal(error.ambiguous, true);
      assert.deepEqual(emulator.logOf(workflowId), []);
    });

    it('an answer lost after the line was written is NETWORK_ERROR and ambiguous', async () => {
      emulator.injectFault({ type: 'lost-after' });
      const { workflowId, eventToken } = emulator.startWorkflow();
      const error = await failure(() => logActivity(client, eventToken, 'written'));
      assert.equal(error.code, 'NETWORK_ERROR');
      assert.equal(error.ambiguous, true);
      assert.deepEqual(emulator.logOf(workflowId).map((l) => l.message), ['written']);
    });

    it('a slow answer becomes TIMEOUT, ambiguous', async () => {
      const impatient = new Bitrix24Client({ auth: new WebhookAuth(emulator.webhookUrl()), transport: { timeoutMs: 150 } });
      emulator.injectFault({ type: 'delay', ms: 10_000 });
      try {
        const error = await failure(() => logActivity(impatient, emulator.startWorkflow().eventToken, 'x'));
        assert.equal(error.code, 'TIMEOUT');
        assert.equal(error.ambiguous, true);
      } finally {
        await impatient.close();
      }
    });

    it('a refused connection is NETWORK_ERROR, certainly not executed', async () => {
      const closed = new Bitrix24Emulator();
      await closed.start();
      const url = closed.webhookUrl();
      await closed.stop();
      const orphan = new Bitrix24Client({ auth: new WebhookAuth(url) });
      try {
        const error = await failure(() => orphan.call('scope', {}));
        assert.equal(error.code, 'NETWORK_ERROR');
        assert.equal(error.certainty, 'not-executed');
      } finally {
        await orphan.close();
      }
    });

    for (const status of [301, 302]) {
      it(`a ${status} redirect is PORTAL_MOVED, names the new host, and is not followed`, async () => {
        let followed = 0;
        const newPortal = http.createServer((req, res) => {
          followed += 1;
          res.end('{}');
        });
        await new Promise((resolve) => newPortal.listen(0, '127.0.0.1', resolve));
        const newHost = `127.0.0.1:${newPortal.address().port}`;
        const secretPath = new URL(emulator.webhookUrl()).pathname;
        emulator.injectFault({ type: 'redirect', status, location: `http://${newHost}${secretPath}bizproc.activity.log` });
        try {
          const error = await failure(() => logActivity(client, emulator.startWorkflow().eventToken, 'x'));
          assert.equal(error.code, 'PORTAL_MOVED');
          assert.equal(error.statusCode, status);
          assert.ok(error.message.includes(newHost));
          assert.ok(!error.message.includes(emulator.webhookSecret));
          assert.equal(followed, 0);
        } finally {
          await new Promise((resolve) => newPortal.close(resolve));
        }
      });
    }

    it('an error field that is not a code never becomes the code: the package names it, its text redacted', async () => {
      const token = 'wf-77|Activity_9|plain-shaped-token-value';
      emulator.injectFault({ type: 'status', status: 400, body: { error: `echo ${token} ${emulator.webhookUrl()}`, error_description: 'x' } });
      const error = await failure(() => client.call('bizproc.activity.log', { EVENT_TOKEN: token, LOG_MESSAGE: 'x' }));
      assert.equal(error.code, 'HTTP_ERROR');
      assert.equal(error.statusCode, 400);
      for (const secret of [token, emulator.webhookSecret]) {
        assert.ok(!error.message.includes(secret) && !error.description.includes(secret), 'no secret in the error');
      }
      emulator.injectFault({ type: 'status', status: 200, body: { error: { nested: token } } });
      const odd = await failure(() => client.call('bizproc.activity.log', { EVENT_TOKEN: token, LOG_MESSAGE: 'x' }));
      assert.equal(odd.code, 'INVALID_RESPONSE');
      assert.equal(odd.ambiguous, true);
      assert.ok(!odd.description.includes(token));
    });

    it('the call’s own event token is redacted from what the portal answers, whatever its shape', async () => {
      const token = 'wf-78|Activity_9|another-plain-token';
      emulator.injectFault({ type: 'status', status: 400, body: { error: 'INVALID_REQUEST', error_description: `bad token ${token}` } });
      const error = await failure(() => client.call('bizproc.activity.log', { EVENT_TOKEN: token, LOG_MESSAGE: 'x' }));
      assert.equal(error.code, 'INVALID_REQUEST');
      assert.ok(!error.description.includes(token) && !error.message.includes(token));
    });

    it('a portal description that echoes a secret is redacted', async () => {
      emulator.injectFault({ type: 'status', status: 400, body: { error: 'INVALID_REQUEST', error_description: `bad call to ${emulator.webhookUrl()}` } });
      const error = await failure(() => client.call('scope', {}));
      assert.equal(error.code, 'INVALID_REQUEST');
      assert.ok(!error.description.includes(emulator.webhookSecret));
      assert.ok(!error.message.includes(emulator.webhookSecret));
    });
  });
});
