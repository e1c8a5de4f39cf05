'use strict';
// Any REST method through the portal's queue: the checks of a method name and parameters, one call, and a list
// followed across its pages (a window of pages travels as one batch).
const assert = require('node:assert/strict');
const { Bitrix24Client, WebhookAuth, BatchDispatcher, Bitrix24Error } = require('../../dist/bitrix24');
const { ManualScheduler } = require('../../dist/bitrix24/delivery/scheduler');
const { prepareMethodCall, callMethod } = require('../../dist/bitrix24/method-call');
const { callAllPages, mergePages, MAX_PAGES } = require('../../dist/bitrix24/list-pages');
const { Bitrix24Emulator } = require('../../dist/emulator');
const { drive, track } = require('../support/drive');

const failure = (run) => {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof Bitrix24Error);
    return `${error.code}/${error.reason}/${error.field}`;
  }
  assert.fail('no error');
};

describe('calls of any method', () => {
  describe('prepareMethodCall', () => {
    it('takes a dotted method name and an object of parameters, or none', () => {
      assert.deepEqual(prepareMethodCall(' crm.deal.list ', { filter: { STAGE_ID: 'NEW' } }), { method: 'crm.deal.list', params: { filter: { STAGE_ID: 'NEW' } } });
      assert.deepEqual(prepareMethodCall('profile', undefined), { method: 'profile', params: {} });
    });

    it('refuses names that could leave the REST path, and parameters that are not an object, naming the field', () => {
      assert.equal(failure(() => prepareMethodCall('', {})), 'INVALID_METHOD/missing/method');
      assert.equal(failure(() => prepareMethodCall(42, {})), 'INVALID_METHOD/type/method');
      for (const name of ['../../oauth/token', 'crm.deal.list?auth=x', 'crm deal', 'crm..deal', '.crm', 'x'.repeat(200)]) {
        assert.equal(failure(() => prepareMethodCall(name, {})), 'INVALID_METHOD/name/method', name);
      }
      assert.equal(failure(() => prepareMethodCall('crm.deal.list', 'text')), 'INVALID_PARAMS/type/params');
      assert.equal(failure(() => prepareMethodCall('crm.deal.list', [1, 2])), 'INVALID_PARAMS/type/params');
      assert.equal(failure(() => prepareMethodCall('crm.deal.list', Buffer.from('x'))), 'INVALID_PARAMS/type/params');
    });
  });

  it('merges pages of lists and of objects holding lists', () => {
    assert.deepEqual(mergePages([[1, 2], [3], [4]]), [1, 2, 3, 4]);
    assert.deepEqual(mergePages([{ items: [1], total: 3 }, { items: [2, 3], total: 3 }]), { items: [1, 2, 3], total: 3 });
    assert.equal(mergePages([true]), true);
  });

  describe('through the queue', () => {
    let emulator;
    let scheduler;
    let dispatcher;
    beforeEach(async () => {
      scheduler = new ManualScheduler(Date.UTC(2026, 0, 1));
      emulator = new Bitrix24Emulator({ rateLimit: false, clock: scheduler, scopes: ['bizproc', 'crm'] });
      await emulator.start();
      const client = new Bitrix24Client({ auth: new WebhookAuth(emulator.webhookUrl()) });
      dispatcher = new BatchDispatcher(client, { rateLimit: false, scheduler, maxInFlight: 1 });
    });
    afterEach(async () => {
      await dispatcher.close(0);
      await emulator.stop();
    });

    it('calls one method: result, total and next', async () => {
      emulator.seedDeals(70);
      const state = track(callMethod(dispatcher, prepareMethodCall('crm.deal.list', {})));
      await drive(scheduler, dispatcher, () => state.settled);
      assert.equal(state.value.result.length, 50);
      assert.deepEqual([state.value.total, state.value.next], [70, 50]);
    });

    it('follows every page of a list: the first alone, then the rest as one batch', async () => {
      emulator.seedDeals(230);
      const state = track(callAllPages(dispatcher, prepareMethodCall('crm.deal.list', { order: { ID: 'ASC' } })));
      await drive(scheduler, dispatcher, () => state.settled);
      assert.deepEqual(state.value.result.map((deal) => Number(deal.ID)), Array.from({ length: 230 }, (_, i) => i + 1));
      assert.deepEqual([state.value.total, state.value.pages, state.value.next], [230, 5, undefined]);
      assert.deepEqual(emulator.requests.map((r) => [r.restMethod, r.commands]), [
        ['crm.deal.list', 1],
        ['batch', 4],
      ]);
    });

    it('starts where the caller’s own start says', async () => {
      emulator.seedDeals(120);
      const state = track(callAllPages(dispatcher, prepareMethodCall('crm.deal.list', { START: 100 })));
      await drive(scheduler, dispatcher, () => state.settled);
      assert.equal(state.value.result.length, 20);
      assert.equal(state.value.pages, 1);
    });

    it('returns a result that does not page as it is', async () => {
      const state = track(callAllPages(dispatcher, prepareMethodCall('profile', {})));
      await drive(scheduler, dispatcher, () => state.settled);
      assert.equal(state.value.result.NAME, 'Emulator');
      assert.equal(state.value.pages, 1);
    });

    it('refuses to collect more pages than one result may hold, before asking for them', async () => {
      emulator.seedDeals(51);
      const fakeTotal = { call: (method, params, options) => dispatcher.call(method, params, options).then((answer) => ({ ...answer, total: 50 * (MAX_PAGES + 1) })) };
      const state = track(callAllPages(fakeTotal, prepareMethodCall('crm.deal.list', {})));
      await drive(scheduler, dispatcher, () => state.settled);
      assert.equal(state.error.code, 'TOO_MANY_PAGES');
      assert.equal(emulator.requests.length, 1);
    });
  });
});
