#!/usr/bin/env node
// `npm run validate`: Node-RED's package scorecard (`node-red-dev validate -p .`) on this package. It fails when a
// check fails, and when node-red-dev prints a warning that EXPLAINED_WARNINGS does not explain: node-red-dev can warn
// and still mark the check passed (P04 warned "New Packages should use a scoped name" and a later branch set it to
// true again; P05 sets true after its warning), so the scorecard's verdicts alone are not enough.
//
// The flows catalogue is answered locally (see offline-catalogue.js); checks P06 and P07 (Node-RED and Node.js
// versions), D02 (dependency tree) and D03 (latest versions) still ask the npm registry, as node-red-dev does.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

/**
 * Warnings node-red-dev may print that are known and accepted, each with the reason a reader of the output needs.
 * Empty: nothing is accepted today. An entry is `{ pattern: /.../, why: '...' }`.
 */
const EXPLAINED_WARNINGS = [];

/** The warnings in node-red-dev's output (oclif prints `cli.warn(text)` as ` ›   Warning: text`). */
function warningsIn(output) {
  return [...output.matchAll(/^\s*(?:›\s*)?Warning:\s*(.+?)\s*$/gm)].map(([, text]) => text);
}

/** The warnings of `output` that no entry of `explained` explains. */
function unexplainedWarnings(output, explained = EXPLAINED_WARNINGS) {
  return warningsIn(output).filter((text) => !explained.some(({ pattern }) => pattern.test(text)));
}

/** Runs the scorecard; resolves with its exit status, everything it printed, and the scorecard file it wrote. */
function runScorecard(scorecardFile) {
  const cli = path.join(path.dirname(require.resolve('node-red-dev/package.json')), 'bin', 'run');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', path.join(__dirname, 'offline-catalogue.js'), cli, 'validate', '-p', root, '-o', scorecardFile], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (stream) => (chunk) => {
      stream.write(chunk);
      output += chunk.toString('utf8');
    };
    child.stdout.on('data', keep(process.stdout));
    child.stderr.on('data', keep(process.stderr));
    child.on('close', (status) => resolve({ status, output }));
  });
}

async function main() {
  const { CATALOGUE_URL } = require('./offline-catalogue');
  process.stdout.write(`validate: ${CATALOGUE_URL} is unreachable here: node-red-dev gets an empty catalogue instead (checks N01, P08)\n`);
  const scorecardDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scorecard-'));
  const scorecardFile = path.join(scorecardDir, 'scorecard.json');
  try {
    const { status, output } = await runScorecard(scorecardFile);
    if (status !== 0 || !fs.existsSync(scorecardFile)) {
      process.stderr.write(`validate: node-red-dev did not finish (exit ${status}); no scorecard written\n`);
      return 1;
    }
    const scorecard = JSON.parse(fs.readFileSync(scorecardFile, 'utf8'));
    const checks = Object.entries(scorecard).filter(([key]) => /^[A-Z]\d\d$/.test(key));
    const failed = checks.filter(([, result]) => result.test !== true).map(([key]) => key);
    process.stdout.write(`\nScorecard: ${checks.length - failed.length} of ${checks.length} checks passed (${checks.map(([key]) => key).join(' ')})\n`);
    for (const { pattern, why } of EXPLAINED_WARNINGS) {
      if (warningsIn(output).some((text) => pattern.test(text))) process.stdout.write(`validate: accepted warning ${pattern}: ${why}\n`);
    }
    const unexplained = unexplainedWarnings(output);
    if (failed.length > 0) process.stderr.write(`validate: failed checks: ${failed.join(', ')}\n`);
    if (unexplained.length > 0) process.stderr.write(`validate: warnings nothing explains:\n  ${unexplained.join('\n  ')}\n`);
    return failed.length > 0 || unexplained.length > 0 ? 1 : 0;
  } finally {
    fs.rmSync(scorecardDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().then((code) => {
    process.exitCode = code;
  });
}

module.exports = { EXPLAINED_WARNINGS, warningsIn, unexplainedWarnings };
