'use strict';
// The log node's edit dialog: its defaults, its portal selector, and that edits are saved and deployed.
const assert = require('node:assert/strict');
const { describeInBrowser } = require('../support/browser-suite');

const PORTAL_ID = 'log-dialog-portal';

describeInBrowser('editor: bizproc log dialog (Chromium)', (session) => {
  let editor;
  let nodeId;

  before(async () => {
    const { runtime, emulator } = session();
    await runtime.deploy([
      { id: 'log-dialog-tab', type: 'tab', label: 'Log dialog' },
      { id: PORTAL_ID, type: 'bitrix24-portal', name: 'Emulator portal', authType: 'webhook', credentials: { webhookUrl: emulator.webhookUrl() } },
    ]);
    editor = await session().openEditor();
    nodeId = await editor.addFromPalette('bitrix24-bizproc-log');
    await editor.editNode(nodeId);
  });
  after(() => editor?.close());

  it('shows the labels from the catalogue', async () => {
    const labels = [];
    for (const field of ['name', 'portal', 'eventToken', 'message']) {
      labels.push((await editor.page.locator(`label[for="node-input-${field}"]`).innerText()).trim());
    }
    assert.deepEqual(labels, ['Name', 'Portal', 'Event token', 'Message']);
    assert.equal(await editor.page.locator('#node-input-name').getAttribute('placeholder'), 'Name');
    assert.match(await editor.page.locator('.red-ui-tray .form-tips').innerText(), /only works while the activity waits/);
  });

  it('shows both TypedInputs at their defaults: msg.event_token and msg.payload', async () => {
    assert.deepEqual(await editor.typedInput('node-input-eventToken'), { type: 'msg', value: 'event_token' });
    assert.deepEqual(await editor.typedInput('node-input-message'), { type: 'msg', value: 'payload' });
  });

  it('offers the deployed portal in the portal selector, beside edit and add buttons', async () => {
    const select = editor.page.locator('#node-input-portal');
    const options = await select.locator('option').evaluateAll((list) => list.map((o) => ({ value: o.value, text: o.textContent })));
    assert.deepEqual(options.find((o) => o.value === PORTAL_ID), { value: PORTAL_ID, text: 'Emulator portal' });
    assert.ok(await editor.page.locator('#node-input-btn-portal-edit').isVisible());
    assert.ok(await editor.page.locator('#node-input-btn-portal-add').isVisible());
  });

  it('saves edits into the flow and deploys them', async () => {
    await editor.page.locator('#node-input-name').fill('log the order');
    await editor.page.locator('#node-input-portal').selectOption(PORTAL_ID);
    await editor.setTypedInput('node-input-eventToken', 'msg', 'req.body.event_token');
    await editor.setTypedInput('node-input-message', 'str', 'Order received');
    await editor.confirmDialog();
    const saved = await editor.node(nodeId);
    assert.equal(saved.valid, true, JSON.stringify(saved.validationErrors));
    await editor.deploy();
    const deployed = (await session().runtime.flows()).find((node) => node.id === nodeId);
    assert.deepEqual(
      { name: deployed.name, portal: deployed.portal, eventToken: deployed.eventToken, eventTokenType: deployed.eventTokenType, message: deployed.message, messageType: deployed.messageType },
      { name: 'log the order', portal: PORTAL_ID, eventToken: 'req.body.event_token', eventTokenType: 'msg', message: 'Order received', messageType: 'str' },
    );
    assert.equal((await editor.canvasNode(nodeId).locator('.red-ui-flow-node-label').textContent()).trim(), 'log the order');
  });

  it('runs without script errors', () => {
    assert.deepEqual(editor.pageErrors.map(String), []);
  });
});
