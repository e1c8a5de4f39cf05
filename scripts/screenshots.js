#!/usr/bin/env node
// `npm run screenshots`: the README's pictures of the editor (docs/screenshots/*.png), taken in Debian's Chromium
// from a real Node-RED with the packed package and the example flows deployed against the emulator. Uses the browser
// tests' harness, so what the pictures show is what those tests check.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const OUT = path.join(root, 'docs', 'screenshots');

execFileSync(process.execPath, [path.join(__dirname, 'build.js')], { stdio: 'inherit', cwd: root });
const { editorSession, closeEditorSession } = require('../test/support/editor-session');
const { loadAllExamples } = require('../test/support/example-flows');

const FIRST_EXAMPLE_TAB = 'b24ex1tab00000001';
const HANDLER_LOG = 'b24ex2log00000001';

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  const session = await editorSession();
  const { runtime, emulator } = session;
  await runtime.deploy(loadAllExamples({ emulatorUrl: emulator.url, webhookUrl: emulator.webhookUrl() }));
  const editor = await session.openEditor({ viewport: { width: 1320, height: 520 } });
  const { page } = editor;

  // The palette, filtered to the package, beside the first example; the sidebar is hidden to give the flow room.
  await page.evaluate((tab) => {
    RED.workspaces.show(tab);
    RED.menu.setSelected('menu-item-sidebar', false);
  }, FIRST_EXAMPLE_TAB);
  await page.locator('#red-ui-palette-search input').pressSequentially('bitrix24');
  // Wait for the palette's slide animation: only the package's category is left once it ends.
  await page.waitForFunction(() => $('.red-ui-palette-category:visible').length === 1 && !$('.red-ui-palette-content:animated').length);
  await page.locator('#red-ui-workspace-chart').click({ position: { x: 5, y: 5 } });
  await page.screenshot({ path: path.join(OUT, 'palette.png') });
  await page.evaluate(() => RED.menu.setSelected('menu-item-sidebar', true));
  await page.setViewportSize({ width: 1320, height: 640 });

  // The log node's dialog.
  await editor.editNode(HANDLER_LOG);
  await page.mouse.move(1, 1);
  await page.locator('.red-ui-tray').first().screenshot({ path: path.join(OUT, 'log-dialog.png') });

  // The portal's dialog after a successful connection test.
  await editor.editConfigOf('portal');
  await page.locator('#bitrix24-portal-test').click();
  await page.locator('#bitrix24-portal-test-result.bitrix24-portal-test-ok').waitFor();
  await page.locator('.red-ui-tray').last().screenshot({ path: path.join(OUT, 'portal-dialog.png') });

  await editor.close();
  for (const file of fs.readdirSync(OUT)) process.stdout.write(`${path.join('docs', 'screenshots', file)}: ${fs.statSync(path.join(OUT, file)).size} bytes\n`);
}

main()
  .catch((error) => {
    process.stderr.write(`screenshots failed: ${error.stack}\n`);
    process.exitCode = 1;
  })
  .finally(closeEditorSession);
