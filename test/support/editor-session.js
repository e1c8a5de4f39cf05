'use strict';
// What the browser tests share, started once per run: two emulators (one granting bizproc, one without it), one
// Node-RED with the packed package installed, and one Chromium. Each test opens its own page (its own browser
// context, so language and storage never leak between tests).
const { Bitrix24Emulator } = require('../../dist/emulator');
const { startNodeRed } = require('./node-red-runtime');
const { launchChromium } = require('./chromium');
const { EditorPage } = require('./editor-page');

/** The webhook secret of the session's emulators: tests check that it never reaches the browser. */
const SESSION_SECRET = 'BrowserCanarySecret31';

let starting;

/** Starts the shared session on first use and resolves with it on every call. */
function editorSession() {
  if (starting === undefined) starting = startSession();
  return starting;
}

async function startSession() {
  const emulator = new Bitrix24Emulator({ rateLimit: false, webhookSecret: SESSION_SECRET });
  const crmOnlyEmulator = new Bitrix24Emulator({ rateLimit: false, webhookSecret: `${SESSION_SECRET}Crm`, scopes: ['crm'] });
  // Everything starts at once; if one part fails, the parts that did start are stopped again before reporting it.
  const started = await Promise.allSettled([emulator.start(), crmOnlyEmulator.start(), startNodeRed(), launchChromium()]);
  const failure = started.find((outcome) => outcome.status === 'rejected');
  if (failure !== undefined) {
    const [, , runtime, browser] = started.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : undefined));
    await Promise.allSettled([browser?.close(), runtime?.stop(), emulator.stop(), crmOnlyEmulator.stop()]);
    throw failure.reason;
  }
  const runtime = started[2].value;
  const browser = started[3].value;
  return {
    emulator,
    crmOnlyEmulator,
    runtime,
    browser,
    /** Opens the editor in a new context with the browser language `locale` (e.g. 'en-US', 'ru-RU'). */
    openEditor: (options = {}) => EditorPage.open(browser, runtime.url, options),
    async close() {
      await browser.close();
      await runtime.stop();
      await Promise.all([emulator.stop(), crmOnlyEmulator.stop()]);
    },
  };
}

/** Closes the shared session if it was started; later calls to editorSession() start a new one. */
async function closeEditorSession() {
  if (starting === undefined) return;
  const pending = starting;
  starting = undefined;
  const session = await pending.catch(() => undefined);
  await session?.close();
}

module.exports = { editorSession, closeEditorSession, SESSION_SECRET };
