'use strict';
// Each node's help in the help sidebar, and the whole editor side in Russian when the browser asks for it.
const assert = require('node:assert/strict');
const { describeInBrowser } = require('../support/browser-suite');

const TAB_ID = 'help-tab';
const PORTAL_ID = 'help-portal';
const LOG_ID = 'help-log';

/** The section headings of a help panel, in order. */
async function headings(help) {
  return (await help.locator('h3').allInnerTexts()).map((text) => text.trim());
}

describeInBrowser('editor: help and language (Chromium)', (session) => {
  before(async () => {
    await session().runtime.deploy([
      { id: TAB_ID, type: 'tab', label: 'Help' },
      { id: LOG_ID, type: 'bitrix24-bizproc-log', z: TAB_ID, name: '', portal: PORTAL_ID, eventToken: 'event_token', eventTokenType: 'msg', message: 'payload', messageType: 'msg', x: 300, y: 120, wires: [[], []] },
      { id: PORTAL_ID, type: 'bitrix24-portal', name: '', authType: 'webhook', credentials: { webhookUrl: session().emulator.webhookUrl() } },
    ]);
  });

  describe('in English', () => {
    let editor;
    before(async () => {
      editor = await session().openEditor({ locale: 'en-US' });
    });
    after(() => editor?.close());

    it('shows the log node help: Inputs, Outputs with both ports, Details, References', async () => {
      const help = await editor.showHelp('bitrix24-bizproc-log');
      assert.deepEqual(await headings(help), ['Inputs', 'Outputs', 'Details', 'References']);
      assert.match(await help.innerText(), /^bizproc log\s+Writes a line into the log of a running Bitrix24 business process/);
      assert.deepEqual((await help.locator('ol.node-ports > li').allInnerTexts()).map((text) => text.split('\n')[0].trim()), ['Logged', 'Error']);
      assert.ok((await help.locator('dl.message-properties dt').count()) >= 4);
    });

    it('shows the portal help: Details and References', async () => {
      const help = await editor.showHelp('bitrix24-portal');
      assert.deepEqual(await headings(help), ['Details', 'References']);
      assert.match(await help.innerText(), /^Bitrix24 portal\s+A Bitrix24 portal and the credentials to call it/);
    });
  });

  describe('in Russian (browser language ru-RU)', () => {
    let editor;
    before(async () => {
      editor = await session().openEditor({ locale: 'ru-RU' });
    });
    after(() => editor?.close());

    it('labels and describes the palette category in Russian', async () => {
      assert.equal((await editor.paletteCategory('Bitrix24').locator('.red-ui-palette-header').innerText()).trim(), 'Битрикс24');
      const label = editor.paletteNode('bitrix24-bizproc-log').locator('.red-ui-palette-label');
      assert.equal((await label.innerText()).replace(/\s+/g, ' ').trim(), 'журнал БП');
      assert.match(await editor.categoryDescription('Bitrix24'), /^Бизнес-процессы Битрикс24: приём запроса действия/);
    });

    it('shows both dialogs in Russian', async () => {
      await editor.editNode(LOG_ID);
      const logLabels = [];
      for (const field of ['name', 'portal', 'eventToken', 'message']) logLabels.push((await editor.page.locator(`label[for="node-input-${field}"]`).innerText()).trim());
      assert.deepEqual(logLabels, ['Имя', 'Портал', 'Токен события', 'Сообщение']);
      await editor.editConfigOf('portal');
      const portalLabels = [];
      for (const field of ['name', 'authType', 'webhookUrl']) portalLabels.push((await editor.page.locator(`label[for="node-config-input-${field}"]`).innerText()).trim());
      assert.deepEqual(portalLabels, ['Имя', 'Авторизация', 'URL вебхука']);
      assert.equal((await editor.page.locator('#bitrix24-portal-test').innerText()).trim(), 'Проверить подключение');
      await editor.page.locator('#bitrix24-portal-test').click();
      const result = editor.page.locator('#bitrix24-portal-test-result.bitrix24-portal-test-ok');
      await result.waitFor();
      assert.match(await result.innerText(), /^Подключено к .+; право bizproc выдано\.$/);
      await editor.cancelDialog();
      await editor.cancelDialog();
    });

    it('shows both helps in Russian', async () => {
      const log = await editor.showHelp('bitrix24-bizproc-log');
      assert.deepEqual(await headings(log), ['Принимает', 'Выводит', 'Подробности', 'Ссылки']);
      assert.match(await log.innerText(), /^журнал БП\s+Записывает строку в журнал запущенного бизнес-процесса/);
      const portal = await editor.showHelp('bitrix24-portal');
      assert.deepEqual(await headings(portal), ['Подробности', 'Ссылки']);
      assert.match(await portal.innerText(), /^Портал Битрикс24\s+Портал Битрикс24 и учётные данные/);
    });

    it('runs without script errors', () => {
      assert.deepEqual(editor.pageErrors.map(String), []);
    });
  });
});
