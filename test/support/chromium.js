'use strict';
// Debian's Chromium driven by playwright-core. Playwright's own browser download cannot work on these machines, so
// the browser is the system's; `.ci/run` installs it (apt-get install chromium).
const fs = require('node:fs');

/** Where the browser is: CHROMIUM_PATH, else Debian's package. */
const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// Headless, and nothing that talks to the internet or waits for a person. Playwright's launch() gives every run a
// fresh --user-data-dir of its own (and refuses one in `args`), removed again on close.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** True when the Chromium executable exists. */
function chromiumAvailable() {
  try {
    fs.accessSync(CHROMIUM_PATH, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Launches headless Chromium; resolves with a playwright Browser. */
function launchChromium() {
  const { chromium } = require('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

module.exports = { CHROMIUM_PATH, CHROMIUM_ARGS, chromiumAvailable, launchChromium };
