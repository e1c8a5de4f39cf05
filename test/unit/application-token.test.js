'use strict';
const assert = require('node:assert/strict');
const { applicationTokenMatches } = require('../../dist/bitrix24');
const { isApplicationTokenShaped, MAX_APPLICATION_TOKEN_LENGTH } = require('../../dist/bitrix24/bizproc/application-token');

const TOKEN = '51856fefc120afa4b628cc82d3935cce';

describe('applicationTokenMatches', () => {
  it('accepts the same token', () => {
    assert.equal(applicationTokenMatches(TOKEN, `${TOKEN}`), true);
  });

  it('refuses a token that differs in one character, in length, or in case', () => {
    assert.equal(applicationTokenMatches(TOKEN, TOKEN.replace(/e$/, 'f')), false);
    assert.equal(applicationTokenMatches(TOKEN, `${TOKEN}0`), false);
    assert.equal(applicationTokenMatches(TOKEN, TOKEN.slice(1)), false);
    assert.equal(applicationTokenMatches(TOKEN, TOKEN.toUpperCase()), false);
  });

  it('refuses a missing, empty or non-string received token', () => {
    for (const received of [undefined, null, '', 0, ['x'], { token: TOKEN }, Buffer.from(TOKEN)]) {
      assert.equal(applicationTokenMatches(TOKEN, received), false, String(received));
    }
  });

  it('matches nothing when no token is expected, not even an empty one', () => {
    assert.equal(applicationTokenMatches(undefined, TOKEN), false);
    assert.equal(applicationTokenMatches('', ''), false);
    assert.equal(applicationTokenMatches(undefined, undefined), false);
  });
});

describe('isApplicationTokenShaped', () => {
  it('accepts letters, digits, "_" and "-" up to the limit', () => {
    assert.equal(isApplicationTokenShaped(TOKEN), true);
    assert.equal(isApplicationTokenShaped('a'.repeat(MAX_APPLICATION_TOKEN_LENGTH)), true);
  });

  it('refuses anything else', () => {
    for (const value of ['', ' ', `${TOKEN} `, 'a|b', 'a'.repeat(MAX_APPLICATION_TOKEN_LENGTH + 1), 42, null, undefined]) {
      assert.equal(isApplicationTokenShaped(value), false, String(value));
    }
  });
});
