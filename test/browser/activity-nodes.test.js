'use strict';
// The activity receiver and the event send node as a user meets them in the editor: palette, dialogs with their
// defaults, help in Node-RED's style, and Russian.
const assert = require('node:assert/strict');
const { describeInBrowser } = require('../support/browser-suite');

// Node-RED serves a module's icons under its npm name.
const PACKAGE_NAME = require('../../package.json').name;

/** The section headings of a help panel, in order. */
async function headings(help) {
  return (await help.locator('h3').allInnerTexts()).map((text) => text.trim());
}

/** The visible text of a palette entry's label. */
async function paletteLabel(editor, type) {
  const node = editor.paletteNode(type);
  await node.scrollIntoViewIfNeeded();
  return (await node.locator('.red-ui-palette-label').innerText()).replace(/\s+/g, ' ').trim();
}

describeInBrowser('editor: activity receiver and event send (Chromium)', (session) => {
  describe('in English', () => {
    let editor;
    before(async () => {
      await session().runtime.deploy([]);
      editor = await session().openEditor({ locale: 'en-US' });
    });
    after(() => editor?.close());

    it('shows both nodes in the Bitrix24 category, with their icons and ports', async () => {
      assert.equal(await paletteLabel(editor, 'bitrix24-bizproc-activity-in'), 'bizproc activity in');
      assert.equal(await paletteLabel(editor, 'bitrix24-bizproc-event-send'), 'bizproc event send');
      for (const type of ['bitrix24-bizproc-activity-in', 'bitrix24-bizproc-event-send']) {
        const node = editor.paletteCategory('Bitrix24').locator(`.red-ui-palette-node[data-palette-type="${type}"]`);
        const icon = await node.locator('.red-ui-palette-icon').evaluate((element) => getComputedStyle(element).backgroundImage);
        assert.ok(icon.includes(`icons/${PACKAGE_NAME}/${type}.svg`), icon);
      }
      const receiver = editor.paletteNode('bitrix24-bizproc-activity-in');
      assert.equal(await receiver.locator('.red-ui-palette-port-input').count(), 0, 'the receiver is an input node');
    });

    it('opens the event send dialog with its three TypedInputs at their defaults', async () => {
      const id = await editor.addFromPalette('bitrix24-bizproc-event-send');
      await editor.editNode(id);
      assert.deepEqual(await editor.typedInput('node-input-eventToken'), { type: 'msg', value: 'event_token' });
      assert.deepEqual(await editor.typedInput('node-input-returnValues'), { type: 'msg', value: 'payload' });
      assert.equal((await editor.typedInput('node-input-logMessage')).value, '');
      const labels = [];
      for (const field of ['name', 'portal', 'eventToken', 'returnValues', 'logMessage']) {
        labels.push((await editor.page.locator(`label[for="node-input-${field}"]`).innerText()).trim());
      }
      assert.deepEqual(labels, ['Name', 'Portal', 'Event token', 'Return values', 'Log line']);
      await editor.cancelDialog();
    });

    it('opens the receiver dialog with its path and the capture option off', async () => {
      const id = await editor.addFromPalette('bitrix24-bizproc-activity-in', { x: 300, y: 300 });
      await editor.editNode(id);
      assert.ok(await editor.page.locator('#node-input-url').isVisible());
      assert.equal(await editor.page.locator('#node-input-captureApplicationToken').isChecked(), false);
      await editor.cancelDialog();
    });

    it('shows both helps in the Node-RED style', async () => {
      const send = await editor.showHelp('bitrix24-bizproc-event-send');
      assert.deepEqual(await headings(send), ['Inputs', 'Outputs', 'Details', 'References']);
      assert.equal(await send.locator('ol.node-ports > li').count(), 2);
      const receiver = await editor.showHelp('bitrix24-bizproc-activity-in');
      assert.deepEqual(await headings(receiver), ['Outputs', 'Details', 'References']);
    });

    it('runs without script errors', () => {
      assert.deepEqual(editor.pageErrors.map(String), []);
    });
  });

  describe('in Russian (browser language ru-RU)', () => {
    let editor;
    before(async () => {
      editor = await session().openEditor({ locale: 'ru-RU' });
    });
    after(() => editor?.close());

    it('labels both nodes and their helps in Russian', async () => {
      assert.equal(await paletteLabel(editor, 'bitrix24-bizproc-activity-in'), 'запрос действия БП');
      assert.equal(await paletteLabel(editor, 'bitrix24-bizproc-event-send'), 'ответ БП');
      assert.deepEqual(await headings(await editor.showHelp('bitrix24-bizproc-event-send')), ['Принимает', 'Выводит', 'Подробности', 'Ссылки']);
      assert.deepEqual(await headings(await editor.showHelp('bitrix24-bizproc-activity-in')), ['Выводит', 'Подробности', 'Ссылки']);
    });

    it('runs without script errors', () => {
      assert.deepEqual(editor.pageErrors.map(String), []);
    });
  });
});
