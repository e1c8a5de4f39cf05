'use strict';
// Defining and registering a robot in the editor, in Chromium, against an emulator playing the OAuth application's
// side: the receiver's property table round-trips the saved JSON exactly, Register and Remove report what they did,
// a webhook portal says why it cannot register, and the portal's dialog lists what is registered, with its orphans.
const assert = require('node:assert/strict');
const { describeInBrowser } = require('../support/browser-suite');
const { Bitrix24Emulator } = require('../../dist/emulator');

const CLIENT_ID = 'local.0123456789abcd.55555555';
const CLIENT_SECRET = 'CanaryDialogClientSecret1q2w3e';
const TAB_ID = 'registration-tab';
const RECEIVER_ID = 'registration-receiver';
const PORTAL_ID = 'registration-portal';
const WEBHOOK_PORTAL_ID = 'registration-webhook-portal';

const PROPERTIES = {
  item: { Name: { ru: 'Товар', en: 'Item' }, Type: 'string', Required: 'Y', Multiple: 'N', Default: '' },
  quantity: { Name: 'Quantity', Type: 'int', Required: 'Y', Multiple: 'N', Default: '1', Description: 'kept as it is' },
  size: { Name: 'Size', Type: 'select', Options: { s: 'Small', l: 'Large' }, Default: 's' },
};
const RETURN_PROPERTIES = { reserved: { Name: 'Reserved', Type: 'bool' }, note: { Name: 'Note', Type: 'string', Required: 'N', Multiple: 'N', Default: '' } };

describeInBrowser('editor: defining and registering a robot (Chromium)', (session) => {
  let emulator;
  let editor;

  before(async () => {
    emulator = new Bitrix24Emulator({ rateLimit: false, oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } });
    await emulator.start();
  });
  after(async () => {
    await emulator?.stop();
  });

  /** A receiver defining the robot, on an OAuth portal whose public address is the test Node-RED. */
  function flow({ receiver = {}, portal = PORTAL_ID } = {}) {
    return [
      { id: TAB_ID, type: 'tab', label: 'Registration' },
      {
        id: RECEIVER_ID, type: 'bitrix24-bizproc-activity-in', z: TAB_ID, name: 'Reserve stock', portal, url: '/bitrix24/reserve-stock', captureApplicationToken: false,
        registerAs: 'robot', code: 'reserve_stock', activityName: { ru: 'Зарезервировать товар', en: 'Reserve stock' }, description: '',
        properties: PROPERTIES, returnProperties: RETURN_PROPERTIES, useSubscription: 'Y', keepRegistered: false, x: 200, y: 120, wires: [[]],
        ...receiver,
      },
      {
        id: PORTAL_ID, type: 'bitrix24-portal', name: 'Application', authType: 'oauth', portalUrl: emulator.url, authServer: `${emulator.url}/`, publicUrl: session().runtime.nodeUrl,
        credentials: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshToken: emulator.issueTokens().refreshToken },
      },
      { id: WEBHOOK_PORTAL_ID, type: 'bitrix24-portal', name: 'Webhook', authType: 'webhook', credentials: { webhookUrl: session().emulator.webhookUrl() } },
    ];
  }

  /** The codes of the rows of a property table, in order. */
  function rowCodes(tableId) {
    return editor.page.locator(`#${tableId} .bitrix24-property-code`).evaluateAll((inputs) => inputs.map((input) => input.value));
  }

  /** Clicks a registration button and resolves with the result line once the answer is shown. */
  async function press(button) {
    await editor.page.locator(button).click();
    await editor.page.waitForFunction(() => /bitrix24-activity-in-(ok|failed)/.test(document.querySelector('#bitrix24-activity-in-result').className));
    const result = editor.page.locator('#bitrix24-activity-in-result');
    return { text: (await result.innerText()).trim(), ok: (await result.getAttribute('class')).includes('bitrix24-activity-in-ok') };
  }

  /** Confirms the modal notification Remove asks for. */
  async function confirmRemove() {
    const notification = editor.page.locator('.red-ui-notification');
    await notification.locator('button', { hasText: 'Remove' }).click();
  }

  beforeEach(async () => {
    for (const code of emulator.registrationsNow().map((r) => r.code)) {
      await fetch(`${emulator.url}/rest/bizproc.robot.delete`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ auth: emulator.issueTokens().accessToken, CODE: code }) });
    }
  });
  afterEach(async () => {
    assert.deepEqual(editor.pageErrors.map(String), []);
    await editor.close();
  });

  it('shows the saved properties as a table and saves them back exactly, untouched', async () => {
    await session().runtime.deploy(flow());
    editor = await session().openEditor();
    await editor.editNode(RECEIVER_ID);
    assert.deepEqual(await rowCodes('bitrix24-activity-in-properties'), ['item', 'quantity', 'size']);
    assert.deepEqual(await rowCodes('bitrix24-activity-in-return-properties'), ['reserved', 'note']);
    const types = await editor.page.locator('#bitrix24-activity-in-properties .bitrix24-property-type').evaluateAll((selects) => selects.map((s) => s.value));
    assert.deepEqual(types, ['string', 'int', 'select']);
    const required = await editor.page.locator('#bitrix24-activity-in-properties .bitrix24-property-required').evaluateAll((boxes) => boxes.map((b) => b.checked));
    assert.deepEqual(required, [true, true, false]);
    assert.equal(await editor.page.locator('#bitrix24-activity-in-properties .bitrix24-property-options').nth(2).inputValue(), 's=Small\nl=Large');
    assert.equal(await editor.page.locator('#bitrix24-activity-in-properties .bitrix24-property-options').nth(0).isVisible(), false, 'options only for a select');
    assert.equal(await editor.page.locator('#bitrix24-activity-in-handler').innerText(), `${session().runtime.nodeUrl}bitrix24/reserve-stock`);
    await editor.confirmDialog();
    const saved = await editor.node(RECEIVER_ID);
    assert.deepEqual(saved.properties, PROPERTIES);
    assert.equal(JSON.stringify(saved.properties), JSON.stringify(PROPERTIES), 'the same key order too');
    assert.deepEqual(saved.returnProperties, RETURN_PROPERTIES);
    assert.deepEqual(saved.activityName, { ru: 'Зарезервировать товар', en: 'Reserve stock' });
    assert.equal(await editor.page.evaluate(() => RED.nodes.dirty()), false, 'nothing changed, nothing to deploy');
  });

  it('edits the table: a changed cell changes only its member, a new row spells every member', async () => {
    await session().runtime.deploy(flow());
    editor = await session().openEditor();
    await editor.editNode(RECEIVER_ID);
    const table = editor.page.locator('#bitrix24-activity-in-properties');
    await table.locator('.bitrix24-property-default').nth(1).fill('5');
    await editor.page.locator('#bitrix24-activity-in-properties .red-ui-editableList-addButton').click();
    const row = table.locator('.red-ui-editableList-item-content').last();
    await row.locator('.bitrix24-property-code').fill('colour');
    await row.locator('.bitrix24-property-name').fill('Colour');
    await row.locator('.bitrix24-property-type').selectOption('select');
    await row.locator('.bitrix24-property-options').fill('r=Red\ng=Green');
    await row.locator('.bitrix24-property-code').press('Tab');
    await editor.confirmDialog();
    const saved = await editor.node(RECEIVER_ID);
    assert.deepEqual(Object.keys(saved.properties), ['item', 'quantity', 'size', 'colour']);
    assert.deepEqual(saved.properties.quantity, { ...PROPERTIES.quantity, Default: '5' });
    assert.deepEqual(saved.properties.item, PROPERTIES.item);
    assert.deepEqual(saved.properties.colour, { Name: 'Colour', Type: 'select', Required: 'N', Multiple: 'N', Default: '', Options: { r: 'Red', g: 'Green' } });
  });

  it('flags a property code Bitrix24 would refuse, and an invalid robot code on the node', async () => {
    await session().runtime.deploy(flow());
    editor = await session().openEditor();
    await editor.editNode(RECEIVER_ID);
    const first = editor.page.locator('#bitrix24-activity-in-properties .bitrix24-property-code').first();
    await first.fill('1item');
    await first.press('Tab');
    assert.match(await first.getAttribute('class'), /input-error/);
    await editor.enter('#node-input-code', 'reserve stock');
    assert.match(await editor.page.locator('#node-input-code').getAttribute('class'), /input-error/);
    await editor.cancelDialog();
  });

  it('registers from the dialog, reports added then updated, and removes after a confirmation', async () => {
    await session().runtime.deploy(flow());
    editor = await session().openEditor();
    await editor.editNode(RECEIVER_ID);
    const handler = `${session().runtime.nodeUrl}bitrix24/reserve-stock`;
    assert.deepEqual(await press('#bitrix24-activity-in-register'), { text: `Registered the robot reserve_stock in Bitrix24, with the handler ${handler}.`, ok: true });
    assert.deepEqual(emulator.registrationsNow().map((r) => [r.kind, r.code, r.handler]), [['robot', 'reserve_stock', handler]]);
    assert.deepEqual(Object.keys(emulator.registrationsNow()[0].properties), ['item', 'quantity', 'size']);
    assert.deepEqual(await press('#bitrix24-activity-in-register'), { text: `Updated the robot reserve_stock in Bitrix24, with the handler ${handler}.`, ok: true });

    await editor.page.locator('#bitrix24-activity-in-remove').click();
    await confirmRemove();
    await editor.page.waitForFunction(() => /Removed/.test(document.querySelector('#bitrix24-activity-in-result').textContent));
    assert.deepEqual(emulator.registrationsNow(), []);
    await editor.cancelDialog();
  });

  it('says why a webhook portal cannot register, and what to choose instead', async () => {
    await session().runtime.deploy(flow({ portal: WEBHOOK_PORTAL_ID }));
    editor = await session().openEditor();
    await editor.editNode(RECEIVER_ID);
    const tip = editor.page.locator('#bitrix24-activity-in-needs-app');
    assert.equal(await tip.isVisible(), true);
    assert.match(await tip.innerText(), /incoming webhook.*Application context required.*Choose OAuth application/s);
    const answer = await press('#bitrix24-activity-in-register');
    assert.equal(answer.ok, false);
    assert.match(answer.text, /A webhook cannot register activities or robots.*choose OAuth application/);
    assert.deepEqual(emulator.registrationsNow(), []);
    await editor.page.locator('#node-input-registerAs').selectOption('');
    assert.equal(await tip.isVisible(), false, 'nothing to say when the node does not register itself');
    await editor.cancelDialog();
  });

  it("lists the portal's registrations, the node serving each, and removes an orphan", async () => {
    await session().runtime.deploy(flow({ receiver: { keepRegistered: true } }));
    await fetch(`${emulator.url}/rest/bizproc.robot.add`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ auth: emulator.issueTokens().accessToken, CODE: 'left_behind', HANDLER: 'http://127.0.0.1/gone', NAME: 'Left behind' }),
    });
    editor = await session().openEditor();
    await editor.editNode(RECEIVER_ID);
    await editor.editConfigOf('portal');
    assert.equal(await editor.page.locator('#bitrix24-portal-registrations-needs-app').isVisible(), false);
    await editor.page.locator('#bitrix24-portal-registrations').click();
    const list = editor.page.locator('#bitrix24-portal-registrations-list');
    await list.locator('tr[data-code="left_behind"]').waitFor({ state: 'visible' });
    // Registered on deploy by the receiver (keepRegistered), so it shows as served.
    const served = list.locator('tr[data-code="reserve_stock"]');
    await served.waitFor({ state: 'visible' });
    assert.match(await served.innerText(), /robot\s+reserve_stock\s+Reserve stock \(Registration\)/);
    const orphan = list.locator('tr[data-code="left_behind"]');
    assert.match(await orphan.innerText(), /no node \(orphan\)/);
    await orphan.locator('.bitrix24-portal-remove').click();
    await confirmRemove();
    await orphan.waitFor({ state: 'detached' });
    assert.deepEqual(emulator.registrationsNow().map((r) => r.code), ['reserve_stock']);
    await editor.cancelDialog();
    await editor.cancelDialog();
  });

  it('explains in the portal dialog that a webhook cannot register', async () => {
    await session().runtime.deploy(flow({ portal: WEBHOOK_PORTAL_ID }));
    editor = await session().openEditor();
    await editor.editNode(RECEIVER_ID);
    await editor.editConfigOf('portal');
    const tip = editor.page.locator('#bitrix24-portal-registrations-needs-app');
    assert.equal(await tip.isVisible(), true);
    assert.match(await tip.innerText(), /needs an OAuth application.*Application context required/s);
    assert.equal(await editor.page.locator('#bitrix24-portal-registrations').isVisible(), false);
    await editor.cancelDialog();
    await editor.cancelDialog();
  });

  it('documents registration and robots in the help, in English and in Russian', async () => {
    editor = await session().openEditor();
    const english = await (await editor.showHelp('bitrix24-bizproc-activity-in')).innerText();
    assert.match(english, /Keep registered/);
    assert.match(english, /REGISTRATION_NEEDS_APPLICATION/);
    assert.match(english, /Robots and activities at run time/);
    assert.match(await (await editor.showHelp('bitrix24-portal')).innerText(), /Public address/);
    await editor.close();
    editor = await session().openEditor({ locale: 'ru-RU' });
    const russian = await (await editor.showHelp('bitrix24-bizproc-activity-in')).innerText();
    assert.match(russian, /Поддерживать регистрацию/);
    assert.match(russian, /Роботы и действия во время работы/);
    assert.match(await (await editor.showHelp('bitrix24-portal')).innerText(), /Публичный адрес/);
  });

  it('speaks Russian', async () => {
    await session().runtime.deploy(flow());
    editor = await session().openEditor({ locale: 'ru-RU' });
    await editor.editNode(RECEIVER_ID);
    assert.equal((await editor.page.locator('label[for="node-input-registerAs"]').innerText()).trim(), 'Регистрировать как');
    assert.equal((await editor.page.locator('#bitrix24-activity-in-register').innerText()).trim(), 'Зарегистрировать в Битрикс24');
    const answer = await press('#bitrix24-activity-in-register');
    assert.match(answer.text, /^Зарегистрировано в Битрикс24: робот reserve_stock/);
    await editor.cancelDialog();
  });
});
