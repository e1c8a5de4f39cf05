'use strict';
// The portal dialog's Authorize button, clicked in a real browser: a window opens on the portal's authorisation
// page (the emulator approves at once), the portal redirects to Node-RED's callback, the tokens are stored, the
// dialog says so, and the deployed portal works with them. No token is typed anywhere.
const assert = require('node:assert/strict');
const { Bitrix24Emulator } = require('../../dist/emulator');
const { describeInBrowser } = require('../support/browser-suite');

const TAB_ID = 'oauth-dialog-tab';
const PORTAL_ID = 'oauth-dialog-portal';
const LOG_ID = 'oauth-dialog-log';
const CLIENT_ID = 'local.browser000000.44444444';
const CLIENT_SECRET = 'CanaryBrowserClientSecretK8j7';

describeInBrowser('editor: the Authorize button (Chromium)', (session) => {
  let emulator;
  let editor;

  before(async () => {
    emulator = new Bitrix24Emulator({ rateLimit: false, oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } });
    await emulator.start();
    await session().runtime.deploy([
      { id: TAB_ID, type: 'tab', label: 'OAuth dialog' },
      { id: LOG_ID, type: 'bitrix24-bizproc-log', z: TAB_ID, name: '', portal: PORTAL_ID, eventToken: 'event_token', eventTokenType: 'msg', message: 'payload', messageType: 'msg', x: 300, y: 120, wires: [[], []] },
      {
        id: PORTAL_ID, type: 'bitrix24-portal', name: 'OAuth emulator', authType: 'oauth', portalUrl: emulator.url, authServer: `${emulator.url}/`,
        tokenStore: '', credentials: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      },
    ]);
    editor = await session().openEditor();
  });
  after(async () => {
    await editor?.close();
    await emulator?.stop();
  });

  /** Whether the deployed portal can call the portal now (through its own queue, as the Test connection does). */
  async function deployedPortalWorks() {
    const answer = await session().runtime.request('POST', 'bitrix24-portal/test', { body: { id: PORTAL_ID, authType: 'oauth', credentials: {} } });
    return answer.body;
  }

  it('has no tokens before: the deployed portal needs authorising', async () => {
    const result = await deployedPortalWorks();
    assert.equal(result.connected, false);
    assert.equal(result.code, 'REAUTH_REQUIRED');
  });

  it('authorises in a second window and reports it in the dialog; the deployed portal then works', async () => {
    await editor.editNode(LOG_ID);
    await editor.editConfigOf('portal');
    await editor.page.locator('#bitrix24-portal-authorize').waitFor({ state: 'visible' });
    assert.equal(await editor.page.locator('#node-config-input-clientSecret').inputValue(), '__PWRD__', 'the secret stays on the server');
    const popupOpened = editor.context.waitForEvent('page');
    await editor.page.locator('#bitrix24-portal-authorize').click();
    const popup = await popupOpened;
    await popup.waitForURL(/\/bitrix24-portal\/oauth\/callback\?/);
    assert.match(await popup.locator('body').innerText(), /Authorised/);
    const result = editor.page.locator('#bitrix24-portal-authorize-result');
    await editor.page.waitForFunction(() => /Authorised/.test(document.querySelector('#bitrix24-portal-authorize-result').textContent));
    assert.match(await result.innerText(), /Authorised: the tokens are stored/);
    await popup.close();
    await editor.cancelDialog();
    await editor.cancelDialog();
    const after = await deployedPortalWorks();
    assert.equal(after.connected, true, JSON.stringify(after));
    assert.equal(after.bizproc, true);
    assert.equal(emulator.oauthRequests.filter((r) => r.grantType === 'authorization_code' && r.ok).length, 1);
    const page = await editor.page.content();
    assert.ok(!page.includes(CLIENT_SECRET), 'the client secret never reached the editor');
  });

  it('runs without script errors', () => {
    assert.deepEqual(editor.pageErrors.map(String), []);
  });
});
