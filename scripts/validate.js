#!/usr/bin/env node
// `npm run validate`: Node-RED's package scorecard (`node-red-dev validate -p .`) on this package, then a check that
// every entry of the scorecard passed. The flows catalogue is answered locally (see offline-catalogue.js); checks
// P06 and P07 (Node-RED and Node.js versions), D02 (dependency tree) and D03 (latest versions) still ask the npm
// registry, as node-red-dev does.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const cli = path.join(path.dirname(require.resolve('node-red-dev/package.json')), 'bin', 'run');
const scorecardFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'scorecard-')), 'scorecard.json');

const { CATALOGUE_URL } = require('./offline-catalogue');
process.stdout.write(`validate: ${CATALOGUE_URL} is unreachable here: node-red-dev gets an empty catalogue instead (checks N01, P08)\n`);
const run = spawnSync(process.execPath, ['-r', path.join(__dirname, 'offline-catalogue.js'), cli, 'validate', '-p', root, '-o', scorecardFile], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
});
if (run.status !== 0 || !fs.existsSync(scorecardFile)) {
  process.stderr.write(`validate: node-red-dev did not finish (exit ${run.status}); no scorecard written\n`);
  process.exit(1);
}

const scorecard = JSON.parse(fs.readFileSync(scorecardFile, 'utf8'));
fs.rmSync(path.dirname(scorecardFile), { recursive: true, force: true });
const checks = Object.entries(scorecard).filter(([key]) => /^[A-Z]\d\d$/.test(key));
const failed = checks.filter(([, result]) => result.test !== true).map(([key]) => key);
process.stdout.write(`\nScorecard: ${checks.length - failed.length} of ${checks.length} checks passed (${checks.map(([key]) => key).join(' ')})\n`);
if (failed.length > 0) {
  process.stderr.write(`validate: failed checks: ${failed.join(', ')}\n`);
  process.exit(1);
}
