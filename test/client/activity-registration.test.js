'use strict';
// Registering a robot or activity against the emulator, through a real queue over real sockets: add, update, no call
// at all when nothing changed, add again when the portal lost the code, delete, list.
const assert = require('node:assert/strict');
const { Bitrix24Client, OAuthAuth, MemoryTokenStore, BatchDispatcher } = require('../../dist/bitrix24');
const { validateActivityDefinition } = require('../../dist/bitrix24/bizproc/activity-definition');
const {
  registrationParams,
  syncRegistration,
  addOrUpdate,
  deleteRegistration,
  listRegistrations,
} = require('../../dist/bitrix24/bizproc/activity-registration');
const { Bitrix24Emulator } = require('../../dist/emulator');

const CLIENT_ID = 'local.0123456789abcd.33333333';
const CLIENT_SECRET = 'CanaryRegistrationSecret8u7y6t';
const TARGET = '127.0.0.1 app';

function reserveStock(properties = { item: { Name: 'Item', Type: 'string', Required: 'Y' }, quantity: { Name: 'Quantity', Type: 'int', Default: '1' } }) {
  return validateActivityDefinition({
    kind: 'robot',
    code: 'reserve_stock',
    name: { ru: 'Зарезервировать товар', en: 'Reserve stock' },
    properties,
    returnProperties: { reserved: { Name: 'Reserved', Type: 'bool' }, note: { Name: 'Note', Type: 'string' } },
  });
}

/** A fingerprint memory in a variable, as the node keeps one in its encrypted store. */
function memory() {
  let value;
  return { read: async () => value, write: async (fingerprint) => { value = fingerprint; }, get value() { return value; } };
}

describe('registering activities and robots against the emulator', function () {
  let emulator;
  let queue;
  let handler;

  beforeEach(async () => {
    emulator = new Bitrix24Emulator({ rateLimit: false, oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } });
    await emulator.start();
    const auth = new OAuthAuth({
      clientEndpoint: `${emulator.url}/rest/`,
      app: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, authServer: `${emulator.url}/` },
      store: new MemoryTokenStore(emulator.issueTokens()),
    });
    queue = new BatchDispatcher(new Bitrix24Client({ auth }), { rateLimit: false });
    handler = `${emulator.url}/not-called/robot`;
  });
  afterEach(async () => {
    await queue.close(1000);
    await emulator.stop();
  });

  const methodsCalled = () => emulator.requests.map((record) => record.restMethod);

  it('adds once, makes no call when nothing changed, updates on a change', async () => {
    const remembered = memory();
    assert.equal(await syncRegistration(queue, 'robot', TARGET, registrationParams(reserveStock(), handler), remembered), 'added');
    assert.deepEqual(methodsCalled(), ['bizproc.robot.add']);
    assert.match(remembered.value, /^[0-9a-f]{64}$/);

    emulator.resetRequests();
    assert.equal(await syncRegistration(queue, 'robot', TARGET, registrationParams(reserveStock(), handler), remembered), 'unchanged');
    assert.deepEqual(methodsCalled(), [], 'no call at all');

    const changed = reserveStock({ item: { Name: 'Item', Type: 'text', Required: 'Y' } });
    assert.equal(await syncRegistration(queue, 'robot', TARGET, registrationParams(changed, handler), remembered), 'updated');
    assert.deepEqual(methodsCalled(), ['bizproc.robot.update']);
    assert.equal(emulator.registrationsNow()[0].properties.item.TYPE, 'text');
    assert.deepEqual((await listRegistrations(queue, 'robot')), ['reserve_stock']);
  });

  it('clears every property with an update that carries an empty map (sent alone, never inside a batch)', async () => {
    const remembered = memory();
    await syncRegistration(queue, 'robot', TARGET, registrationParams(reserveStock(), handler), remembered);
    emulator.resetRequests();
    // Sent together, so the queue would batch them if it could: the empty map must not vanish in a batch command.
    const [outcome] = await Promise.all([
      syncRegistration(queue, 'robot', TARGET, registrationParams(reserveStock({}), handler), remembered),
      listRegistrations(queue, 'activity'),
    ]);
    assert.equal(outcome, 'updated');
    assert.deepEqual(emulator.registrationsNow()[0].properties, {});
    assert.ok(!methodsCalled().includes('batch'), methodsCalled().join());
  });

  it('adds again when the portal lost a registration it remembers, and updates one it finds already there', async () => {
    const remembered = memory();
    await syncRegistration(queue, 'robot', TARGET, registrationParams(reserveStock(), handler), remembered);
    assert.equal(await deleteRegistration(queue, 'robot', 'reserve_stock'), true);
    emulator.resetRequests();
    const changed = registrationParams(reserveStock({ item: { Name: 'Item' } }), handler);
    assert.equal(await syncRegistration(queue, 'robot', TARGET, changed, remembered), 'added');
    assert.deepEqual(methodsCalled(), ['bizproc.robot.update', 'bizproc.robot.add']);

    emulator.resetRequests();
    // Nothing remembered (another Node-RED registered it, or the store was lost): add is refused, update follows.
    assert.equal(await syncRegistration(queue, 'robot', TARGET, changed, memory()), 'updated');
    assert.deepEqual(methodsCalled(), ['bizproc.robot.add', 'bizproc.robot.update']);
    assert.equal(await addOrUpdate(queue, 'robot', changed), 'updated');
  });

  it('deletes, and says so when there was nothing to delete; a failed registration leaves no fingerprint', async () => {
    assert.equal(await deleteRegistration(queue, 'activity', 'reserve_stock'), false);
    const remembered = memory();
    const bad = { ...registrationParams(reserveStock(), handler), HANDLER: 'ftp://127.0.0.1/robot' };
    await assert.rejects(syncRegistration(queue, 'activity', TARGET, bad, remembered), (error) => error.code === 'ERROR_UNSUPPORTED_PROTOCOL' && error.statusCode === 400);
    assert.equal(remembered.value, undefined);
  });

  it('is refused for a webhook with ACCESS_DENIED, Application context required', async () => {
    const { WebhookAuth } = require('../../dist/bitrix24');
    const webhook = new Bitrix24Client({ auth: new WebhookAuth(emulator.webhookUrl()) });
    try {
      await assert.rejects(addOrUpdate(webhook, 'robot', registrationParams(reserveStock(), handler)), (error) => error.code === 'ACCESS_DENIED' && error.description === 'Application context required');
    } finally {
      webhook.close();
    }
  });
});
