'use strict';
const assert = require('node:assert/strict');
const { validateEventToken, Bitrix24Error } = require('../../dist/bitrix24');

const TOKEN = '55c1dc1c3f0d75.78875596|A51601_82584_96831_81132|hsyUws1j4XiwqPqN45eH66CcQtEvpUIP.47dd5d888e8e549d2c984713e12a4268e6e87d0208ca1f093ba1075e77f92e90';

function reasonOf(value) {
  try {
    validateEventToken(value);
  } catch (error) {
    assert.ok(error instanceof Bitrix24Error);
    assert.equal(error.code, 'INVALID_EVENT_TOKEN');
    assert.ok(!error.message.includes(String(value).trim()) || String(value).trim() === '', 'the value is not echoed');
    return error.reason;
  }
  return 'accepted';
}

describe('validateEventToken', () => {
  it('accepts a real-shaped token and trims surrounding white space', () => {
    assert.equal(validateEventToken(TOKEN), TOKEN);
    assert.equal(validateEventToken(`  ${TOKEN}\n`), TOKEN);
  });

  it('refuses what cannot be a token, each with its reason', () => {
    assert.equal(reasonOf(undefined), 'missing');
    assert.equal(reasonOf(null), 'missing');
    assert.equal(reasonOf(''), 'blank');
    assert.equal(reasonOf('   '), 'blank');
    assert.equal(reasonOf(12345), 'type');
    assert.equal(reasonOf({ token: TOKEN }), 'type');
    assert.equal(reasonOf([TOKEN]), 'type');
    assert.equal(reasonOf(Buffer.from(TOKEN)), 'type');
    assert.equal(reasonOf('x'.repeat(2000)), 'length');
    assert.equal(reasonOf('abc def'), 'characters');
    assert.equal(reasonOf('abc\u0000def'), 'characters');
  });
});
