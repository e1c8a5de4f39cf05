#!/usr/bin/env node
// Builds, then runs every test/**/*.test.js with mocha and ends with the plain line CI reads: "N passed, N failed".
// Mocha's own summary is not read by CI, so the count is printed here from the runner's events.
//
// The end-to-end and browser suites (test/e2e, test/browser) run once per Node-RED line (test/support/
// node-red-lines.js): 4.1 on this Node, 5 on Node 22, and the declared floor. Each line's files are loaded inside a
// describe block named after the line, which makes the line current while the files declare their tests (so a test
// that only some lines can run is declared only there) and while the tests run. NODE_RED_LINES=5 (or 4.1, floor,
// comma-separated) runs fewer lines; file arguments run only those files (on every line, when they are e2e or
// browser files).
'use strict';
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const fs = require('node:fs');
const Mocha = require('mocha');

const root = path.resolve(__dirname, '..');
execFileSync(process.execPath, [path.join(__dirname, 'build.js')], { stdio: 'inherit', cwd: root });

function findTests(dir) {
  const found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findTests(full));
    else if (entry.name.endsWith('.test.js')) found.push(full);
  }
  return found.sort();
}

/** The test folder (`e2e`, `browser`, `unit`, ...) a test file belongs to. */
function suiteOf(file) {
  return path.relative(path.join(root, 'test'), file).split(path.sep)[0];
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only.map((f) => path.resolve(f)) : findTests(path.join(root, 'test'));
const mocha = new Mocha({ reporter: 'spec', timeout: 20000, slow: 2000 });

let passed = 0;
let failed = 0;
let skipped = 0;
const lineTimes = [];

/**
 * Loads `file` into the suite being declared, as Mocha's own loadFiles does (the bdd interface binds describe/it
 * for it on pre-require). The file is required afresh, so one file can declare its tests in several line blocks.
 */
function loadInto(file) {
  delete require.cache[require.resolve(file)];
  mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_PRE_REQUIRE, global, file, mocha);
  mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_REQUIRE, require(file), file, mocha);
  mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_POST_REQUIRE, global, file, mocha);
}

// A test file that cannot even be loaded (a broken require) must still end the run with the line CI reads.
try {
  const { selectedLines, useLine, LINES } = require('../test/support/node-red-lines');
  const { closeEditorSession } = require('../test/support/editor-session');
  const lines = selectedLines();
  const lineSuites = new Set(LINES.flatMap((line) => line.suites));
  for (const file of files.filter((f) => !lineSuites.has(suiteOf(f)))) mocha.addFile(file);
  mocha.loadFiles();
  // The bdd globals (describe, before, ...) exist once the first pre-require has run.
  if (mocha.files.length === 0) mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_PRE_REQUIRE, global, __filename, mocha);
  for (const line of lines) {
    const lineFiles = files.filter((f) => line.suites.includes(suiteOf(f)));
    if (lineFiles.length === 0) continue;
    global.describe(line.title, function () {
      let started;
      before(() => {
        useLine(line);
        started = Date.now();
      });
      // The browser suites share one editor session per line: it ends with the line's block.
      after(async () => {
        await closeEditorSession();
        useLine(LINES[0]);
        lineTimes.push(`${line.title}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
      });
      useLine(line);
      for (const file of lineFiles) loadInto(file);
      useLine(LINES[0]);
    });
  }
  mocha.lazyLoadFiles(true);
} catch (error) {
  process.stdout.write(`${error && error.stack}\n\n${passed} passed, 1 failed\n`);
  process.exit(1);
}
const runner = mocha.run((failures) => {
  if (lineTimes.length > 0) process.stdout.write(`\nTime per Node-RED line (e2e and browser suites):\n  ${lineTimes.join('\n  ')}\n`);
  // Skipped tests (the browser tests without Chromium) are counted, so a skip never passes unnoticed.
  process.stdout.write(`\n${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
  process.exitCode = failures > 0 || failed > 0 ? 1 : 0;
  // Open handles left by a broken test must not hang CI.
  setTimeout(() => process.exit(process.exitCode), 2000).unref();
});
runner.on('pass', () => { passed += 1; });
runner.on('fail', () => { failed += 1; });
runner.on('pending', () => { skipped += 1; });
