'use strict';
const assert = require('node:assert/strict');
const { BatchDispatcher, Bitrix24Client, WebhookAuth, prepareActivityLog, sendActivityLog } = require('../../dist/bitrix24');
const { ManualScheduler } = require('../../dist/bitrix24/delivery/scheduler');
const { Bitrix24Emulator } = require('../../dist/emulator');
const { drive, track, ioTurn } = require('../support/drive');

describe('BatchDispatcher against the emulator', function () {
  let scheduler;
  let emulator;
  let dispatcher;
  let sends;

  /** An emulator on the test's clock, and a dispatcher in front of a real client to it. */
  async function setUp({ emulatorOptions = {}, dispatcherOptions = {}, timeoutMs = 2000 } = {}) {
    scheduler = new ManualScheduler(Date.UTC(2026, 0, 1));
    emulator = new Bitrix24Emulator({ rateLimit: false, clock: scheduler, ...emulatorOptions });
    await emulator.start();
    const client = new Bitrix24Client({ auth: new WebhookAuth(emulator.webhookUrl()), transport: { timeoutMs } });
    sends = 0;
    const counting = {
      call: (method, params) => {
        sends += 1;
        return client.call(method, params);
      },
      secrets: () => client.secrets(),
      close: () => client.close(),
    };
    dispatcher = new BatchDispatcher(counting, { rateLimit: false, random: () => 0.5, scheduler, ...dispatcherOptions });
  }

  afterEach(async () => {
    await dispatcher.close(0);
    await emulator.stop();
  });

  const log = (token, message) => sendActivityLog(dispatcher, prepareActivityLog(token, message));
  const settledAll = (states) => () => states.every((s) => s.settled);

  it('sends a lone call alone, then batches what waits, up to 50 a request', async () => {
    await setUp({ dispatcherOptions: { maxInFlight: 1 } });
    const { workflowId, eventToken } = emulator.startWorkflow();
    const states = [track(log(eventToken, 'line 0'))];
    // Once the lone call is on its way, the rest wait for it and go together.
    await ioTurn();
    for (let i = 1; i < 121; i += 1) states.push(track(log(eventToken, `line ${i}`)));
    await drive(scheduler, dispatcher, settledAll(states));
    assert.ok(states.every((s) => s.value && s.value.result === true));
    assert.deepEqual(emulator.requests.map((r) => [r.restMethod, r.commands]), [
      ['bizproc.activity.log', 1],
      ['batch', 50],
      ['batch', 50],
      ['batch', 20],
    ]);
    assert.deepEqual(emulator.logOf(workflowId).map((l) => l.message), states.map((_, i) => `line ${i}`));
  });

  it('sends calls made together as one batch, the first one too', async () => {
    await setUp({ dispatcherOptions: { maxInFlight: 4 } });
    const { workflowId, eventToken } = emulator.startWorkflow();
    const states = Array.from({ length: 3 }, (_, i) => track(log(eventToken, `together ${i}`)));
    await drive(scheduler, dispatcher, settledAll(states));
    assert.deepEqual(emulator.requests.map((r) => [r.restMethod, r.commands]), [['batch', 3]]);
    assert.deepEqual(emulator.logOf(workflowId).map((l) => l.message), ['together 0', 'together 1', 'together 2']);
  });

  it('gives each call of a batch its own result or error', async () => {
    await setUp({ dispatcherOptions: { maxInFlight: 1 } });
    const ok = emulator.startWorkflow();
    const gone = emulator.startWorkflow();
    emulator.deleteWorkflow(gone.workflowId);
    const first = track(log(ok.eventToken, 'first'));
    const states = [
      track(log(ok.eventToken, 'fine')),
      track(log(`${ok.eventToken.slice(0, -1)}0`.replace(/0$/, (c) => (ok.eventToken.endsWith('0') ? '1' : c)), 'forged')),
      track(dispatcher.call('bizproc.activity.log', { EVENT_TOKEN: ok.eventToken, LOG_MESSAGE: '0' })),
      track(log(gone.eventToken, 'gone')),
      track(dispatcher.call('no.such.method', {})),
      track(log(ok.eventToken, 'also fine')),
    ];
    await drive(scheduler, dispatcher, settledAll([first, ...states]));
    assert.deepEqual(emulator.requests.map((r) => r.commands), [7]);
    const outcome = (s) => (s.error ? `${s.error.code}/${s.error.statusCode}` : `ok:${s.value.result}`);
    assert.deepEqual(states.map(outcome), ['ok:true', 'ACCESS_DENIED/403', 'ERROR_EMPTY_LOG_MESSAGE/400', '404/400', 'ERROR_METHOD_NOT_FOUND/404', 'ok:true']);
    assert.deepEqual(emulator.logOf(ok.workflowId).map((l) => l.message), ['first', 'fine', 'also fine']);
  });

  it('sends a caller’s own batch alone, never inside another batch', async () => {
    await setUp({ dispatcherOptions: { maxInFlight: 1 } });
    const { workflowId, eventToken } = emulator.startWorkflow();
    const states = [track(log(eventToken, 'a')), track(log(eventToken, 'b'))];
    const own = track(dispatcher.call('batch', { halt: 0, cmd: { x: 'scope', y: 'server.time' } }));
    states.push(track(log(eventToken, 'c')), own);
    await drive(scheduler, dispatcher, settledAll(states));
    assert.deepEqual(Object.keys(own.value.result.result), ['x', 'y']);
    assert.deepEqual(emulator.requests.map((r) => [r.restMethod, r.commands]), [
      ['batch', 3],
      ['batch', 2],
    ]);
    assert.deepEqual(emulator.logOf(workflowId).map((l) => l.message), ['a', 'b', 'c']);
  });

  it('redacts each command’s own token from what a batch answer says about it, whatever its shape', async () => {
    await setUp({ dispatcherOptions: { maxInFlight: 1 } });
    const tokens = ['wf-1|A|odd-token-number-one', 'wf-2|A|odd-token-number-two'];
    emulator.injectFault({
      type: 'status',
      status: 200,
      body: { result: { result: [], result_error: { c0: { error: 'INVALID_REQUEST', error_description: `echo ${tokens[1]}` }, c1: { error: `echo ${tokens[0]}` } } } },
    });
    const states = tokens.map((token) => track(dispatcher.call('bizproc.activity.log', { EVENT_TOKEN: token, LOG_MESSAGE: 'x' })));
    await drive(scheduler, dispatcher, settledAll(states));
    assert.deepEqual(states.map((state) => state.error.code), ['INVALID_REQUEST', 'INVALID_RESPONSE']);
    const shown = JSON.stringify(states.map((state) => [state.error.message, state.error.description]));
    for (const token of tokens) assert.ok(!shown.includes(token), 'no command token in any error');
  });

  it('keeps the order of lines per event token with several requests in flight', async () => {
    await setUp({ dispatcherOptions: { maxInFlight: 4 } });
    const workflows = [emulator.startWorkflow(), emulator.startWorkflow(), emulator.startWorkflow()];
    const states = [];
    for (let i = 0; i < 150; i += 1) {
      for (const w of workflows) states.push(track(log(w.eventToken, `n${i}`)));
    }
    await drive(scheduler, dispatcher, settledAll(states));
    for (const w of workflows) {
      assert.deepEqual(emulator.logOf(w.workflowId).map((l) => Number(l.message.slice(1))), Array.from({ length: 150 }, (_, i) => i));
    }
    assert.ok(emulator.requests.length < 30, `${emulator.requests.length} requests for 450 lines`);
  });

  it('waits for busy keys rather than spend a request on a part-full batch', async () => {
    await setUp({ dispatcherOptions: { maxInFlight: 4 } });
    const workflows = Array.from({ length: 20 }, () => emulator.startWorkflow());
    const states = [];
    for (let i = 0; i < 400; i += 1) states.push(track(log(workflows[i % 20].eventToken, `n${i}`)));
    await drive(scheduler, dispatcher, settledAll(states));
    const sizes = emulator.requests.map((r) => r.commands);
    // The first calls go alone while nothing else waits; after that every batch is full but the last.
    const batches = sizes.filter((n) => n > 1);
    assert.ok(batches.slice(0, -1).every((n) => n === 50), `batch sizes ${sizes}`);
    assert.ok(sizes.length <= 4 + Math.ceil(400 / 50), `${sizes.length} requests`);
  });

  it('fails a call whose parameters cannot be sent on its own, alone or in a batch, and goes on', async () => {
    await setUp({ dispatcherOptions: { maxInFlight: 1 } });
    const cyclic = { a: 1 };
    cyclic.self = cyclic;
    const { workflowId, eventToken } = emulator.startWorkflow();
    const alone = track(dispatcher.call('scope', { x: cyclic }));
    await drive(scheduler, dispatcher, () => alone.settled);
    assert.equal(alone.error.code, 'INVALID_PARAMS');
    const first = track(log(eventToken, 'first'));
    const batched = [track(dispatcher.call('scope', { x: cyclic })), track(log(eventToken, 'second')), track(log(eventToken, 'third'))];
    await drive(scheduler, dispatcher, settledAll([first, ...batched]));
    assert.equal(batched[0].error.code, 'INVALID_PARAMS');
    assert.deepEqual(emulator.logOf(workflowId).map((l) => l.message), ['first', 'second', 'third']);
  });

  describe('retries only what certainly did not run', () => {
    it('503 QUERY_LIMIT_EXCEEDED: waits as the portal bucket drains, then delivers once', async () => {
      await setUp({ emulatorOptions: { rateLimit: { burst: 2, drainPerSecond: 2 } }, dispatcherOptions: { maxInFlight: 1 } });
      const { workflowId, eventToken } = emulator.startWorkflow();
      // Another application on the same portal has used the bucket up.
      emulator.injectFault({ type: 'status', status: 503, body: { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' } }, { times: 2 });
      const state = track(log(eventToken, 'once'));
      await drive(scheduler, dispatcher, () => state.settled);
      assert.equal(state.value.result, true);
      assert.equal(sends, 3);
      assert.deepEqual(emulator.logOf(workflowId).map((l) => l.message), ['once']);
    });

    it('429 OPERATION_TIME_LIMIT: holds the method until the window resets', async () => {
      await setUp({ emulatorOptions: { operatingLimit: { budgetSeconds: 1, windowSeconds: 60, costSecondsPerCall: 1 } } });
      const { workflowId, eventToken } = emulator.startWorkflow();
      const start = scheduler.now();
      const first = track(log(eventToken, 'a'));
      await drive(scheduler, dispatcher, () => first.settled);
      const second = track(log(eventToken, 'b'));
      await drive(scheduler, dispatcher, () => second.settled);
      assert.equal(second.value.result, true);
      assert.ok(scheduler.now() - start >= 60_000, 'waited for the window');
      assert.ok(scheduler.now() - start < 120_000, 'but not much longer');
      assert.deepEqual(emulator.logOf(workflowId).map((l) => l.message), ['a', 'b']);
    });

    it('429 with a reset past the maximum wait: every waiting call of that method leaves at once, not sent', async () => {
      await setUp({
        emulatorOptions: { operatingLimit: { budgetSeconds: 1, windowSeconds: 600, costSecondsPerCall: 1 } },
        dispatcherOptions: { maxWaitMs: 300_000, maxInFlight: 1 },
      });
      const { workflowId, eventToken } = emulator.startWorkflow();
      const other = emulator.startWorkflow();
      const start = scheduler.now();
      const first = track(log(eventToken, 'a'));
      await drive(scheduler, dispatcher, () => first.settled);
      const held = [track(log(eventToken, 'b')), track(log(other.eventToken, 'c'))];
      const otherMethod = track(dispatcher.call('scope', {}));
      await drive(scheduler, dispatcher, () => held.every((s) => s.settled) && otherMethod.settled);
      for (const state of held) {
        assert.equal(state.error.code, 'OPERATION_TIME_LIMIT');
        assert.equal(state.error.reason, 'held');
        assert.equal(state.error.certainty, 'not-executed');
        assert.match(state.error.message, /operating-time limit/);
      }
      assert.ok(scheduler.now() - start < 60_000, `left after ${scheduler.now() - start} ms, not after the maximum wait`);
      assert.ok(Array.isArray(otherMethod.value.result), 'another method is not held');
      assert.deepEqual(emulator.logOf(workflowId).map((l) => l.message), ['a']);
    });

    it('a locked workflow (423): retried with back-off until unlocked', async () => {
      await setUp();
      const { workflowId, eventToken } = emulator.startWorkflow();
      emulator.lockWorkflow(workflowId, true);
      const state = track(log(eventToken, 'after the lock'));
      await drive(scheduler, dispatcher, () => sends >= 2);
      emulator.lockWorkflow(workflowId, false);
      await drive(scheduler, dispatcher, () => state.settled);
      assert.equal(state.value.result, true);
      assert.deepEqual(emulator.logOf(workflowId).map((l) => l.message), ['after the lock']);
    });

    it('a connection that never opened: retried up to the attempt limit, then NETWORK_ERROR', async () => {
      await setUp({ dispatcherOptions: { retry: { maxAttempts: 3 } } });
      const { eventToken } = emulator.startWorkflow();
      await emulator.stop();
      const state = track(log(eventToken, 'x'));
      await drive(scheduler, dispatcher, () => state.settled);
      assert.equal(state.error.code, 'NETWORK_ERROR');
      assert.equal(state.error.certainty, 'not-executed');
      assert.equal(sends, 3);
      emulator = new Bitrix24Emulator();
      await emulator.start();
    });

    for (const [name, fault] of [
      ['503 OVERLOAD_LIMIT (a block by the vendor)', { type: 'status', status: 503, body: { error: 'OVERLOAD_LIMIT', error_description: 'blocked' } }],
      ['500 INTERNAL_SERVER_ERROR (may have run)', { type: 'status', status: 500 }],
      ['an answer lost after the line was written', { type: 'lost-after' }],
      ['an HTML 502 from a proxy', { type: 'html', status: 502 }],
    ]) {
      it(`not retried: ${name}`, async () => {
        await setUp();
        const { eventToken } = emulator.startWorkflow();
        emulator.injectFault(fault, { times: 5 });
        const state = track(log(eventToken, 'x'));
        await drive(scheduler, dispatcher, () => state.settled);
        assert.ok(state.error, 'failed');
        assert.equal(sends, 1);
      });
    }

    it('a timeout: not retried, reported as ambiguous', async () => {
      await setUp({ timeoutMs: 150 });
      emulator.injectFault({ type: 'delay', ms: 5000 });
      const state = track(log(emulator.startWorkflow().eventToken, 'x'));
      await drive(scheduler, dispatcher, () => state.settled);
      assert.equal(state.error.code, 'TIMEOUT');
      assert.equal(state.error.ambiguous, true);
      assert.equal(sends, 1);
    });

    it('retries an ambiguous failure only when allowed, and then the line may be written twice', async () => {
      await setUp({ dispatcherOptions: { retry: { retryAmbiguous: true } } });
      const { workflowId, eventToken } = emulator.startWorkflow();
      emulator.injectFault({ type: 'lost-after' });
      const state = track(log(eventToken, 'twice'));
      await drive(scheduler, dispatcher, () => state.settled);
      assert.equal(state.value.result, true);
      assert.deepEqual(emulator.logOf(workflowId).map((l) => l.message), ['twice', 'twice']);
    });

    it('retries an ambiguous failure of a call marked repeatable, and only of that one', async () => {
      await setUp({ emulatorOptions: { scopes: ['bizproc', 'crm'] } });
      const written = emulator.startWorkflow();
      emulator.injectFault({ type: 'lost-after' }, { method: 'profile' });
      const read = track(dispatcher.call('profile', {}, { repeatable: true }));
      await drive(scheduler, dispatcher, () => read.settled);
      assert.equal(read.value.result.ID, String(emulator.userId));
      emulator.injectFault({ type: 'lost-after' }, { method: 'bizproc.activity.log' });
      const write = track(log(written.eventToken, 'once'));
      await drive(scheduler, dispatcher, () => write.settled);
      assert.equal(write.error.code, 'NETWORK_ERROR');
      assert.equal(write.error.ambiguous, true);
      assert.deepEqual(emulator.logOf(written.workflowId).map((l) => l.message), ['once']);
    });
  });

  describe('bounds', () => {
    it('refuses a call past the queue size at once with QUEUE_FULL', async () => {
      await setUp({ dispatcherOptions: { rateLimit: { burst: 1, drainPerSecond: 0.1 }, maxQueue: 3, maxInFlight: 1 } });
      const { eventToken } = emulator.startWorkflow();
      const first = track(log(eventToken, 'goes'));
      await drive(scheduler, dispatcher, () => first.settled);
      const waiting = [1, 2, 3].map((i) => track(log(eventToken, `wait ${i}`)));
      const refused = track(log(eventToken, 'refused'));
      await Promise.resolve();
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(refused.error.code, 'QUEUE_FULL');
      assert.ok(waiting.every((s) => !s.settled));
      assert.equal(dispatcher.queued, 3);
    });

    it('ends a call that waited past the maximum with QUEUE_TIMEOUT', async () => {
      await setUp({ dispatcherOptions: { rateLimit: { burst: 1, drainPerSecond: 0.1 }, maxWaitMs: 3000, maxInFlight: 1 } });
      const { workflowId, eventToken } = emulator.startWorkflow();
      const first = track(log(eventToken, 'goes'));
      await ioTurn();
      const late = track(log(eventToken, 'too late'));
      await drive(scheduler, dispatcher, () => first.settled && late.settled);
      assert.equal(late.error.code, 'QUEUE_TIMEOUT');
      assert.ok(scheduler.now() - Date.UTC(2026, 0, 1) < 5000);
      assert.deepEqual(emulator.logOf(workflowId).map((l) => l.message), ['goes']);
    });

    it('on close, flushes what the limit allows within the grace, then ends the rest with NODE_CLOSED', async () => {
      await setUp({ dispatcherOptions: { rateLimit: { burst: 1, drainPerSecond: 1 }, maxInFlight: 1 } });
      const { workflowId, eventToken } = emulator.startWorkflow();
      const first = track(log(eventToken, 'first'));
      await drive(scheduler, dispatcher, () => first.settled);
      const states = Array.from({ length: 120 }, (_, i) => track(log(eventToken, `q${i}`)));
      const closed = track(dispatcher.close(2500));
      await drive(scheduler, dispatcher, () => closed.settled);
      // Two more requests fit in 2.5 s at 1 per second, each a batch of 50.
      assert.equal(closed.value, 20);
      assert.equal(states.filter((s) => s.value).length, 100);
      assert.ok(states.slice(100).every((s) => s.error && s.error.code === 'NODE_CLOSED'));
      assert.equal(emulator.logOf(workflowId).length, 101);
      const after = track(log(eventToken, 'after close'));
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(after.error.code, 'NODE_CLOSED');
    });
  });
});
