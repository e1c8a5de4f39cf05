'use strict';
// The palette and the canvas as a user first meets the package in the editor.
const assert = require('node:assert/strict');
const { describeInBrowser } = require('../support/browser-suite');

// Node-RED serves a module's icons under its npm name.
const PACKAGE_NAME = require('../../package.json').name;

describeInBrowser('editor: palette (Chromium)', (session) => {
  let editor;

  before(async () => {
    await session().runtime.deploy([]);
    editor = await session().openEditor();
  });
  after(() => editor?.close());

  it('shows a Bitrix24 category holding the log node with its label and icon', async () => {
    const category = editor.paletteCategory('Bitrix24');
    assert.equal((await category.locator('.red-ui-palette-header').innerText()).trim(), 'Bitrix24');
    const node = category.locator('.red-ui-palette-node[data-palette-type="bitrix24-bizproc-log"]');
    await node.scrollIntoViewIfNeeded();
    assert.ok(await node.isVisible());
    assert.equal((await node.locator('.red-ui-palette-label').innerText()).replace(/\s+/g, ' ').trim(), 'bizproc log');
    const icon = await node.locator('.red-ui-palette-icon').evaluate((element) => getComputedStyle(element).backgroundImage);
    assert.ok(icon.includes(`icons/${PACKAGE_NAME}/bitrix24-bizproc-log.svg`), icon);
    // The icon file itself loads, relative to the editor.
    const svg = await editor.page.request.get(new URL(`icons/${PACKAGE_NAME}/bitrix24-bizproc-log.svg`, session().runtime.url).href);
    assert.equal(svg.status(), 200);
    assert.equal(await node.locator('.red-ui-palette-port-input').count(), 1);
    assert.equal(await node.locator('.red-ui-palette-port-output').count(), 1);
  });

  it('puts the node on the canvas with its label, icon and port labels', async () => {
    const id = await editor.addFromPalette('bitrix24-bizproc-log');
    const onCanvas = editor.canvasNode(id);
    assert.equal((await onCanvas.locator('.red-ui-flow-node-label').textContent()).trim(), 'bizproc log');
    assert.match(await onCanvas.locator('.red-ui-flow-node-icon-group image').getAttribute('href'), /bitrix24-bizproc-log\.svg/);
    assert.equal(await onCanvas.locator('.red-ui-flow-port-output').count(), 2);
    const labels = await editor.page.evaluate((nodeId) => {
      const node = RED.nodes.node(nodeId);
      return { input: node._def.inputLabels.call(node, 0), outputs: [0, 1].map((i) => node._def.outputLabels.call(node, i)) };
    }, id);
    assert.deepEqual(labels, { input: 'event token and message', outputs: ['logged', 'error'] });
  });

  it('lists the portal under configuration nodes with its label', async () => {
    await editor.importFlow([{ id: 'palette-portal', type: 'bitrix24-portal', name: '', authType: 'webhook' }]);
    await editor.showSidebar('config');
    assert.equal(await editor.configNodeLabel('palette-portal'), 'Bitrix24 portal');
  });

  it('runs the editor without script errors', () => {
    assert.deepEqual(editor.pageErrors.map(String), []);
  });
});
