'use strict';
const assert = require('node:assert/strict');
const { redactSecrets, REDACTED } = require('../../dist/bitrix24');

describe('redactSecrets', () => {
  it('removes known secret values', () => {
    assert.equal(redactSecrets('value s3cr3tvalue here', ['s3cr3tvalue']), `value ${REDACTED} here`);
  });

  it('removes the secret segment of any webhook path', () => {
    assert.equal(
      redactSecrets('POST https://x.bitrix24.com/rest/12/abcdef123456/bizproc.activity.log failed'),
      `POST https://x.bitrix24.com/rest/12/${REDACTED}/bizproc.activity.log failed`,
    );
  });

  it('removes anything shaped like an event token', () => {
    const token = '6551e3d2c3f0d7.78875596|A1_2_3|hsyUws1j4XiwqPqN45eH66CcQtEvpUIP.47dd5d888e8e549d2c984713e12a4268e6e87d0208ca1f093ba1075e77f92e90';
    assert.equal(redactSecrets(`token ${token} refused`), `token ${REDACTED} refused`);
  });

  it('removes OAuth parameters written as key=value or JSON', () => {
    assert.equal(redactSecrets('auth=abc123&x=1'), `auth=${REDACTED}&x=1`);
    assert.equal(redactSecrets('{"refresh_token":"zzz999"}'), `{"refresh_token":"${REDACTED}"}`);
  });

  it('leaves ordinary text and short values alone', () => {
    assert.equal(redactSecrets('Access denied!', ['abc']), 'Access denied!');
  });
});
