'use strict';
// The generic call node's edit dialog: its defaults, the method check, the shared editor code (loaded from the
// package's resources), the message-auth row, and that edits are saved and deployed.
const assert = require('node:assert/strict');
const { describeInBrowser } = require('../support/browser-suite');

const PORTAL_ID = 'call-dialog-portal';
const MESSAGE_PORTAL_ID = 'call-dialog-message-portal';

describeInBrowser('editor: Bitrix24 call dialog (Chromium)', (session) => {
  let editor;
  let nodeId;

  before(async () => {
    const { runtime, emulator } = session();
    await runtime.deploy([
      { id: 'call-dialog-tab', type: 'tab', label: 'Call dialog' },
      { id: PORTAL_ID, type: 'bitrix24-portal', name: 'Webhook portal', authType: 'webhook', credentials: { webhookUrl: emulator.webhookUrl() } },
      { id: MESSAGE_PORTAL_ID, type: 'bitrix24-portal', name: 'Message portal', authType: 'message', portalUrl: emulator.url },
    ]);
    editor = await session().openEditor();
    nodeId = await editor.addFromPalette('bitrix24-call');
    await editor.editNode(nodeId);
  });
  after(() => editor?.close());

  it('loads the shared editor code from the package’s resources', async () => {
    assert.equal(await editor.page.evaluate(() => typeof window.Bitrix24Editor.typedInputs), 'function');
  });

  it('shows the labels from the catalogue and both TypedInputs at their defaults', async () => {
    const labels = [];
    for (const field of ['name', 'portal', 'method', 'params']) {
      labels.push((await editor.page.locator(`label[for="node-input-${field}"]`).innerText()).trim());
    }
    assert.deepEqual(labels, ['Name', 'Portal', 'Method', 'Parameters']);
    assert.deepEqual(await editor.typedInput('node-input-method'), { type: 'str', value: '' });
    assert.deepEqual(await editor.typedInput('node-input-params'), { type: 'msg', value: 'payload' });
    assert.equal(await editor.page.locator('#node-input-repeatable').isChecked(), false);
    assert.equal(await editor.page.locator('#node-input-allPages').isChecked(), false);
  });

  it('shows the message-auth row only for a portal that takes auth from each message', async () => {
    const row = editor.page.locator('.bitrix24-message-auth-row');
    await editor.page.locator('#node-input-portal').selectOption(MESSAGE_PORTAL_ID);
    assert.equal(await row.isVisible(), true);
    assert.deepEqual(await editor.typedInput('node-input-messageAuth'), { type: 'msg', value: 'auth' });
    await editor.page.locator('#node-input-portal').selectOption(PORTAL_ID);
    assert.equal(await row.isVisible(), false);
  });

  it('flags a fixed method that is not a REST method name', async () => {
    await editor.setTypedInput('node-input-method', 'str', '../oauth/token');
    await editor.confirmDialog();
    const saved = await editor.node(nodeId);
    assert.equal(saved.valid, false);
    await editor.editNode(nodeId);
  });

  it('saves edits into the flow and deploys them', async () => {
    const { runtime } = session();
    await editor.page.locator('#node-input-name').fill('every deal');
    await editor.page.locator('#node-input-portal').selectOption(PORTAL_ID);
    await editor.setTypedInput('node-input-method', 'str', 'server.time');
    await editor.setTypedInput('node-input-params', 'json', '{"a":1}');
    await editor.page.locator('#node-input-repeatable').check();
    await editor.confirmDialog();
    const saved = await editor.node(nodeId);
    assert.equal(saved.valid, true, JSON.stringify(saved.validationErrors));
    await editor.deploy();
    const deployed = (await runtime.flows()).find((node) => node.id === nodeId);
    assert.deepEqual(
      { name: deployed.name, portal: deployed.portal, method: deployed.method, methodType: deployed.methodType, params: deployed.params, paramsType: deployed.paramsType, repeatable: deployed.repeatable, allPages: deployed.allPages },
      { name: 'every deal', portal: PORTAL_ID, method: 'server.time', methodType: 'str', params: '{"a":1}', paramsType: 'json', repeatable: true, allPages: false },
    );
    assert.equal((await editor.canvasNode(nodeId).locator('.red-ui-flow-node-label').textContent()).trim(), 'every deal');
  });

  it('runs without script errors', () => {
    assert.deepEqual(editor.pageErrors.map(String), []);
  });
});
