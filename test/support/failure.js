'use strict';
const assert = require('node:assert/strict');
const { Bitrix24Error } = require('../../dist/bitrix24');

/** Runs `fn` and resolves with the Bitrix24Error it rejects with; fails the test if it succeeds or throws another. */
async function failure(fn) {
  try {
    await fn();
  } catch (error) {
    assert.ok(error instanceof Bitrix24Error, `expected a Bitrix24Error, got ${error && error.stack}`);
    return error;
  }
  assert.fail('expected a failure');
}

module.exports = { failure };
