'use strict';
// The portal's dialog: the webhook URL stays masked and stored, a malformed one is refused before deploy, and the
// "Test connection" button reports what the portal says, against the emulators.
const assert = require('node:assert/strict');
const { describeInBrowser } = require('../support/browser-suite');
const { SESSION_SECRET } = require('../support/editor-session');

const TAB_ID = 'portal-dialog-tab';
const PORTAL_ID = 'portal-dialog-portal';
const LOG_ID = 'portal-dialog-log';

describeInBrowser('editor: portal dialog (Chromium)', (session) => {
  let editor;

  /** The flow every test starts from: one log node using a portal whose webhook is the emulator's. */
  function baseFlow() {
    return [
      { id: TAB_ID, type: 'tab', label: 'Portal dialog' },
      { id: LOG_ID, type: 'bitrix24-bizproc-log', z: TAB_ID, name: '', portal: PORTAL_ID, eventToken: 'event_token', eventTokenType: 'msg', message: 'payload', messageType: 'msg', x: 300, y: 120, wires: [[], []] },
      { id: PORTAL_ID, type: 'bitrix24-portal', name: 'Emulator', authType: 'webhook', credentials: { webhookUrl: session().emulator.webhookUrl() } },
    ];
  }

  /** Asks the runtime, through the connection test with the stored credentials, whether the deployed portal works. */
  async function storedCredentialsWork() {
    const answer = await session().runtime.request('POST', 'bitrix24-portal/test', { body: { id: PORTAL_ID, credentials: { webhookUrl: '__PWRD__' } } });
    return answer.body.connected === true && answer.body.bizproc === true;
  }

  /** Opens the portal's dialog the way a user does: from the log node's dialog, with the pencil beside the selector. */
  async function openPortalDialog() {
    await editor.editNode(LOG_ID);
    await editor.editConfigOf('portal');
    await editor.page.locator('#node-config-input-webhookUrl').waitFor({ state: 'visible' });
  }

  /** Clicks "Test connection" and resolves with the result line once the answer is shown. */
  async function testConnection() {
    const result = editor.page.locator('#bitrix24-portal-test-result');
    await editor.page.locator('#bitrix24-portal-test').click();
    await editor.page.waitForFunction(() => /bitrix24-portal-test-(ok|failed)/.test(document.querySelector('#bitrix24-portal-test-result').className));
    return { text: (await result.innerText()).trim(), ok: (await result.getAttribute('class')).includes('bitrix24-portal-test-ok') };
  }

  beforeEach(async () => {
    await session().runtime.deploy(baseFlow());
    editor = await session().openEditor();
  });
  afterEach(async () => {
    assert.deepEqual(editor.pageErrors.map(String), []);
    await editor.close();
  });

  it('masks the stored webhook URL, which never reaches the browser', async () => {
    const credentialAnswers = [];
    editor.page.on('response', (response) => {
      if (response.url().includes('/credentials/')) credentialAnswers.push(response.text());
    });
    await openPortalDialog();
    const input = editor.page.locator('#node-config-input-webhookUrl');
    assert.equal(await input.getAttribute('type'), 'password');
    assert.equal(await input.inputValue(), '__PWRD__');
    const answers = (await Promise.all(credentialAnswers)).map((text) => JSON.parse(text));
    // Password credentials reach the browser only as has_<name>; the client id is a plain-text credential.
    assert.deepEqual(answers, [
      { has_webhookUrl: true, has_applicationToken: false, clientId: '', has_clientSecret: false, has_refreshToken: false, has_accessToken: false, has_redisUrl: false },
    ]);
    assert.ok(!(await editor.page.content()).includes(SESSION_SECRET));
    const labels = [];
    for (const field of ['name', 'authType', 'webhookUrl']) labels.push((await editor.page.locator(`label[for="node-config-input-${field}"]`).innerText()).trim());
    assert.deepEqual(labels, ['Name', 'Authorisation', 'Webhook URL']);
  });

  it('keeps the stored credential when the dialog is saved untouched', async () => {
    await openPortalDialog();
    await editor.page.locator('#node-config-input-name').fill('Emulator (renamed)');
    await editor.confirmDialog();
    await editor.confirmDialog();
    await session().runtime.flowsStarted(await editor.deploy());
    const portal = (await session().runtime.flows()).find((node) => node.id === PORTAL_ID);
    assert.equal(portal.name, 'Emulator (renamed)');
    assert.equal(await storedCredentialsWork(), true);
  });

  it('refuses a malformed URL in the dialog and flags the node before deploy', async () => {
    await openPortalDialog();
    const input = editor.page.locator('#node-config-input-webhookUrl');
    await editor.enter('#node-config-input-webhookUrl', `http://example.com/rest/1/${SESSION_SECRET}/`);
    const error = editor.page.locator('#bitrix24-portal-webhook-error');
    await error.waitFor({ state: 'visible' });
    assert.match(await error.innerText(), /Expected https:\/\/<portal>\/rest\/<user id>\/<secret>\//);
    assert.ok((await input.getAttribute('class')).includes('input-error'));
    await editor.confirmDialog();
    assert.equal((await editor.node(PORTAL_ID)).valid, false);
    await editor.confirmDialog();
    assert.equal((await editor.node(LOG_ID)).valid, false, 'the log node using the portal is flagged too');
    await editor.page.locator('#red-ui-header-button-deploy').click();
    const warning = editor.page.locator('.red-ui-deploy-dialog-confirm-list');
    await warning.waitFor({ state: 'visible' });
    assert.match(await warning.innerText(), /bitrix24-portal/);
    await editor.page.locator('.red-ui-notification button', { hasText: 'Cancel' }).click();
    assert.equal(await storedCredentialsWork(), true, 'nothing was deployed');
  });

  it('accepts a well-formed URL again after a malformed one', async () => {
    await openPortalDialog();
    const input = editor.page.locator('#node-config-input-webhookUrl');
    await input.fill('https://nowhere');
    await editor.page.locator('#bitrix24-portal-webhook-error').waitFor({ state: 'visible' });
    await input.fill(session().emulator.webhookUrl());
    await editor.page.locator('#bitrix24-portal-webhook-error').waitFor({ state: 'hidden' });
    await editor.confirmDialog();
    assert.equal((await editor.node(PORTAL_ID)).valid, true);
  });

  it('tests the connection: stored, working, wrong secret, without bizproc', async () => {
    const { emulator, crmOnlyEmulator } = session();
    const host = new URL(emulator.url).host;
    await openPortalDialog();
    assert.deepEqual(await testConnection(), { text: `Connected to ${host}; the bizproc scope is granted.`, ok: true });

    const input = editor.page.locator('#node-config-input-webhookUrl');
    await input.fill(emulator.webhookUrl().replace(SESSION_SECRET, 'WrongSecret'));
    const wrong = await testConnection();
    assert.equal(wrong.ok, false);
    assert.match(wrong.text, /did not accept the webhook \(NO_AUTH_FOUND\)/);

    await input.fill(crmOnlyEmulator.webhookUrl());
    const noScope = await testConnection();
    assert.equal(noScope.ok, false);
    assert.equal(noScope.text, `Connected to ${new URL(crmOnlyEmulator.url).host}, but the webhook lacks the bizproc scope: add it to the webhook in Bitrix24.`);

    await input.fill(emulator.webhookUrl());
    assert.equal((await testConnection()).ok, true);
    assert.ok(!(await editor.page.content()).includes(SESSION_SECRET.slice(0, 12) + 'Crm'), 'no secret written into the page');
    await editor.cancelDialog();
  });
  it('shows the fields of each authorisation type, and the message auth property only for message-auth portals', async () => {
    await openPortalDialog();
    const visible = (selector) => editor.page.locator(selector).isVisible();
    const authType = editor.page.locator('#node-config-input-authType');
    assert.equal(await visible('#node-config-input-messageAuth'), false, 'hidden behind the portal dialog anyway');
    await authType.selectOption('oauth');
    assert.deepEqual(
      await Promise.all(['#node-config-input-webhookUrl', '#node-config-input-portalUrl', '#node-config-input-clientSecret', '#bitrix24-portal-authorize'].map(visible)),
      [false, true, true, true],
    );
    await authType.selectOption('message');
    assert.deepEqual(
      await Promise.all(['#node-config-input-webhookUrl', '#node-config-input-portalUrl', '#node-config-input-clientSecret', '#bitrix24-portal-authorize'].map(visible)),
      [false, true, true, false],
    );
    await editor.page.locator('#node-config-input-portalUrl').fill(session().emulator.url);
    await editor.confirmDialog();
    // The log node's dialog hears of the new portal only once the config tray has closed: wait for the row (a
    // step timeout fails the test if it never shows), rather than look at the moment the tray starts closing.
    await editor.page.locator('.bitrix24-message-auth-row').waitFor({ state: 'visible' });
    assert.equal(await editor.page.locator('.bitrix24-message-auth-row').isVisible(), true, 'the log node now offers msg.auth');
    await editor.cancelDialog();
  });
});
