#!/usr/bin/env node
// Builds, then runs every test/**/*.test.js with mocha and ends with the plain line CI reads: "N passed, N failed".
// Mocha's own summary is not read by CI, so the count is printed here from the runner's events.
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

const only = process.argv.slice(2);
const files = only.length > 0 ? only.map((f) => path.resolve(f)) : findTests(path.join(root, 'test'));
const mocha = new Mocha({ reporter: 'spec', timeout: 20000, slow: 2000 });
for (const file of files) mocha.addFile(file);

let passed = 0;
let failed = 0;
let skipped = 0;
// A test file that cannot even be loaded (a broken require) must still end the run with the line CI reads.
try {
  mocha.loadFiles();
  mocha.lazyLoadFiles(true);
} catch (error) {
  process.stdout.write(`${error && error.stack}\n\n${passed} passed, 1 failed\n`);
  process.exit(1);
}
const runner = mocha.run((failures) => {
  // Skipped tests (the browser tests without Chromium) are counted, so a skip never passes unnoticed.
  process.stdout.write(`\n${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
  process.exitCode = failures > 0 || failed > 0 ? 1 : 0;
  // Open handles left by a broken test must not hang CI.
  setTimeout(() => process.exit(process.exitCode), 2000).unref();
});
runner.on('pass', () => { passed += 1; });
runner.on('fail', () => { failed += 1; });
runner.on('pending', () => { skipped += 1; });
