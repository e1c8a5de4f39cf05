'use strict';
// How the package looks inside Node-RED's own look: the texts the portal dialog colours itself (the connection
// test's verdict, the webhook URL's error) take the theme's colours and stay readable, in the light theme and in
// Node-RED 5's dark theme; and the palette's Bitrix24 category carries a description (Node-RED 4.1.11 and later).
const assert = require('node:assert/strict');
const semver = require('semver');
const { describeInBrowser } = require('../support/browser-suite');
const { currentLine } = require('../support/node-red-lines');

const TAB_ID = 'themes-tab';
const PORTAL_ID = 'themes-portal';
const LOG_ID = 'themes-log';
/** WCAG's lowest contrast for large text and user-interface parts; Node-RED 4.1's own success green reaches ~3.0. */
const MIN_CONTRAST = 3;

/** The colour and the background behind the element `selector`, and the colour `variable` resolves to there. */
function colours(page, selector, variable) {
  return page.evaluate(
    ([sel, name]) => {
      const element = document.querySelector(sel);
      let background = 'rgba(0, 0, 0, 0)';
      for (let node = element; node && /rgba\(.*, 0\)$|transparent/.test(background); node = node.parentElement) background = getComputedStyle(node).backgroundColor;
      const probe = document.createElement('span');
      probe.style.color = `var(${name})`;
      element.appendChild(probe);
      const themed = getComputedStyle(probe).color;
      probe.remove();
      return { colour: getComputedStyle(element).color, background, themed };
    },
    [selector, variable],
  );
}

/** `rgb(r, g, b)` -> WCAG relative luminance. */
function luminance(rgb) {
  const [r, g, b] = rgb.match(/\d+(\.\d+)?/g).slice(0, 3).map((c) => {
    const s = Number(c) / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two `rgb(...)` colours. */
function contrast(a, b) {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

describeInBrowser('editor: themes and palette category (Chromium)', (session) => {
  before(async () => {
    await session().runtime.deploy([
      { id: TAB_ID, type: 'tab', label: 'Themes' },
      { id: LOG_ID, type: 'bitrix24-bizproc-log', z: TAB_ID, name: '', portal: PORTAL_ID, eventToken: 'event_token', eventTokenType: 'msg', message: 'payload', messageType: 'msg', x: 300, y: 120, wires: [[], []] },
      { id: PORTAL_ID, type: 'bitrix24-portal', name: 'Emulator', authType: 'webhook', credentials: { webhookUrl: session().emulator.webhookUrl() } },
    ]);
  });

  /** Shows each verdict the portal dialog colours itself and resolves with its colours (see colours()). */
  async function portalVerdicts(editor) {
    const { page } = editor;
    await editor.editNode(LOG_ID);
    await editor.editConfigOf('portal');
    await page.locator('#bitrix24-portal-test').click();
    await page.locator('#bitrix24-portal-test-result.bitrix24-portal-test-ok').waitFor();
    const verdicts = { ok: await colours(page, '#bitrix24-portal-test-result', '--red-ui-text-color-success') };
    await editor.enter('#node-config-input-webhookUrl', session().crmOnlyEmulator.webhookUrl());
    await page.locator('#bitrix24-portal-test').click();
    await page.locator('#bitrix24-portal-test-result.bitrix24-portal-test-failed').waitFor();
    verdicts.failed = await colours(page, '#bitrix24-portal-test-result', '--red-ui-text-color-error');
    await editor.enter('#node-config-input-webhookUrl', 'not a webhook');
    await page.locator('#bitrix24-portal-webhook-error').waitFor({ state: 'visible' });
    verdicts.webhookError = await colours(page, '#bitrix24-portal-webhook-error', '--red-ui-text-color-error');
    await editor.cancelDialog();
    await editor.cancelDialog();
    return verdicts;
  }

  /** Each verdict has the theme's colour, with enough contrast on its background. */
  function assertThemed(verdicts) {
    for (const [name, { colour, background, themed }] of Object.entries(verdicts)) {
      assert.equal(colour, themed, `${name}: the theme's colour`);
      const ratio = contrast(colour, background);
      assert.ok(ratio >= MIN_CONTRAST, `${name}: ${colour} on ${background} has a contrast of ${ratio.toFixed(2)}`);
    }
  }

  describe('light theme', () => {
    let editor;
    before(async () => {
      editor = await session().openEditor();
    });
    after(() => editor?.close());

    it("colours the portal dialog's verdicts from the theme, readable on their background", async () => {
      assert.equal(await editor.page.evaluate(() => document.documentElement.classList.contains('nr-theme-dark')), false);
      assertThemed(await portalVerdicts(editor));
    });

    it('describes the Bitrix24 category when the pointer rests on its header', async () => {
      assert.match(await editor.categoryDescription('Bitrix24'), /^Bitrix24 business processes: receive an activity's request, write progress into the process log/);
    });

    it('runs without script errors', () => {
      assert.deepEqual(editor.pageErrors.map(String), []);
    });
  });

  // Node-RED 5 brought the dark theme; on 4.1 the setting does not exist.
  if (semver.gte(currentLine().version, '5.0.0')) {
    describe('dark theme', () => {
      let editor;
      before(async () => {
        editor = await session().openEditor({ theme: 'dark' });
      });
      after(() => editor?.close());

      it("colours the portal dialog's verdicts from the theme, readable on the dark dialog", async () => {
        assert.equal(await editor.page.evaluate(() => document.documentElement.classList.contains('nr-theme-dark')), true);
        const verdicts = await portalVerdicts(editor);
        assertThemed(verdicts);
        assert.ok(luminance(verdicts.ok.background) < 0.1, `the dialog is dark: ${verdicts.ok.background}`);
      });

      it('runs without script errors', () => {
        assert.deepEqual(editor.pageErrors.map(String), []);
      });
    });
  }
});
