'use strict';
// The emulator's CRM deals: enough of a list method for the generic call node to page through, the way Bitrix24
// answers it (50 a page, `total` and `next` beside `result`, and inside a batch in result_total / result_next).
const assert = require('node:assert/strict');
const { startEmulator, callRest, encodePhpQuery } = require('./emulator-harness');

describe('emulator CRM deals', () => {
  let emulator;
  beforeEach(async () => {
    ({ emulator } = await startEmulator({ scopes: ['bizproc', 'crm'] }));
  });
  afterEach(() => emulator.stop());

  it('adds, reads, updates and deletes a deal', async () => {
    const added = await callRest(emulator, 'crm.deal.add', { fields: { TITLE: 'Chairs', OPPORTUNITY: 120 } });
    assert.equal(added.status, 200);
    const id = added.body.result;
    assert.equal(typeof id, 'number');
    assert.equal((await callRest(emulator, 'crm.deal.update', { id, fields: { STAGE_ID: 'WON' } })).body.result, true);
    const got = (await callRest(emulator, 'crm.deal.get', { id })).body.result;
    assert.deepEqual([got.ID, got.TITLE, got.OPPORTUNITY, got.STAGE_ID], [String(id), 'Chairs', '120', 'WON']);
    assert.equal((await callRest(emulator, 'crm.deal.delete', { id })).body.result, true);
    const gone = await callRest(emulator, 'crm.deal.get', { id });
    assert.equal(gone.status, 400);
    assert.equal(gone.body.error, 'NOT_FOUND');
  });

  it('pages a list 50 at a time with total and next, filtered and ordered', async () => {
    emulator.seedDeals(120);
    const first = await callRest(emulator, 'crm.deal.list', { order: { ID: 'ASC' } });
    assert.equal(first.body.result.length, 50);
    assert.deepEqual([first.body.total, first.body.next], [120, 50]);
    const last = await callRest(emulator, 'crm.deal.list', { start: 100 });
    assert.equal(last.body.result.length, 20);
    assert.equal(last.body.next, undefined);
    assert.equal(last.body.result[0].TITLE, 'Deal 101');
    const filtered = await callRest(emulator, 'crm.deal.list', { filter: { '>ID': 110 }, order: { ID: 'DESC' } });
    assert.deepEqual(filtered.body.result.map((deal) => deal.ID), ['120', '119', '118', '117', '116', '115', '114', '113', '112', '111']);
    assert.equal(filtered.body.total, 10);
  });

  it('reports each list command’s total and next inside a batch', async () => {
    emulator.seedDeals(60);
    const answer = await callRest(emulator, 'batch', {
      halt: 0,
      cmd: { a: `crm.deal.list?${encodePhpQuery({ start: 0 })}`, b: `crm.deal.list?${encodePhpQuery({ start: 50 })}`, c: 'profile' },
    });
    const { result, result_total, result_next } = answer.body.result;
    assert.deepEqual([result.a.length, result.b.length], [50, 10]);
    assert.deepEqual(result_total, { a: 60, b: 60 });
    assert.deepEqual(result_next, { a: 50 });
  });

  it('needs the crm scope', async () => {
    const bizprocOnly = (await startEmulator()).emulator;
    try {
      const answer = await callRest(bizprocOnly, 'crm.deal.list');
      assert.equal(answer.status, 403);
      assert.equal(answer.body.error, 'insufficient_scope');
    } finally {
      await bizprocOnly.stop();
    }
  });
});
