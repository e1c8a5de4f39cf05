'use strict';
// The frame of every browser test file: a describe block that shares the one editor session, and skips, saying so
// once and loudly, when there is no Chromium on the machine. Under CI=true a missing Chromium fails instead: CI
// installs it (.ci/run), so its absence there is a broken set-up, not a reason to skip.
// The shared session is closed by scripts/test.js at the end of each Node-RED line's block.
const { CHROMIUM_PATH, chromiumAvailable } = require('./chromium');
const { editorSession } = require('./editor-session');

/** How long a browser test may take on a loaded two-core machine. */
const BROWSER_TEST_TIMEOUT_MS = 90_000;

let announced = false;

/**
 * `describe` for browser tests. `body(session)` declares the tests; `session()` returns the shared editor session
 * (see editor-session.js) inside hooks and tests.
 */
function describeInBrowser(title, body) {
  describe(title, function () {
    this.timeout(BROWSER_TEST_TIMEOUT_MS);
    let current;
    before(async function () {
      if (!chromiumAvailable()) {
        if (process.env.CI === 'true') throw new Error(`Chromium is missing at ${CHROMIUM_PATH}; CI must install it (apt-get install chromium)`);
        if (!announced) {
          announced = true;
          process.stdout.write(`\n!!! BROWSER TESTS SKIPPED: no Chromium at ${CHROMIUM_PATH}. Install it with: sudo apt-get install chromium (or set CHROMIUM_PATH) !!!\n\n`);
        }
        this.skip();
      }
      current = await editorSession();
    });
    body(() => current);
  });
}

module.exports = { describeInBrowser };
