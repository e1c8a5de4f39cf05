'use strict';
// `npm run validate` reads node-red-dev's warnings, not only the scorecard's verdicts (node-red-dev can warn and still
// mark a check passed); the scorecard itself needs the npm registry and runs in `npm run validate`, not here.
const assert = require('node:assert/strict');
const { warningsIn, unexplainedWarnings } = require('../../scripts/validate');

// What node-red-dev 0.1.6 printed for this package under its old, unscoped name, verdict "12 of 12 checks passed".
const OUTPUT = [
  '    ---Validating Package---',
  '   node-red-contrib-bitrix24-bizproc@0.1.0',
  '✅ Package is MIT licensed',
  ' ›   Warning: P04 New Packages should use a scoped name',
  '✅ Package uses a valid name',
  '✅ Compatible with Node-RED v5.0.7',
  'Complete',
].join('\n');

describe('validate: warnings in the scorecard output', () => {
  it("finds node-red-dev's warnings in its output", () => {
    assert.deepEqual(warningsIn(OUTPUT), ['P04 New Packages should use a scoped name']);
  });

  it('keeps every warning that no entry explains, and drops explained ones', () => {
    assert.deepEqual(unexplainedWarnings(OUTPUT, []), ['P04 New Packages should use a scoped name']);
    assert.deepEqual(unexplainedWarnings(OUTPUT, [{ pattern: /^P04 /, why: 'a reason' }]), []);
  });

  it('finds none in a clean run', () => {
    assert.deepEqual(warningsIn(OUTPUT.replace(/^.*Warning.*$/m, '✅ Package uses a Scoped Name')), []);
  });
});
