'use strict';
const assert = require('node:assert/strict');
const { Bitrix24Error } = require('../../dist/bitrix24');
const { parseWebhookUrl } = require('../../dist/bitrix24/auth/webhook-url');

const SECRET = 'k3y9secretq1w2e3';

describe('parseWebhookUrl', () => {
  for (const suffix of ['/', '', '/profile', '/profile.json', '/bizproc.activity.log', '/bizproc.activity.log.json']) {
    it(`accepts a webhook URL ending in "${suffix}"`, () => {
      const address = parseWebhookUrl(`https://example.bitrix24.com/rest/7/${SECRET}${suffix}`);
      assert.equal(address.baseUrl, `https://example.bitrix24.com/rest/7/${SECRET}/`);
      assert.equal(address.host, 'example.bitrix24.com');
      assert.equal(address.userId, 7);
      assert.equal(address.secret, SECRET);
    });
  }

  it('accepts plain http for loopback hosts only', () => {
    assert.equal(parseWebhookUrl(`http://127.0.0.1:8095/rest/1/${SECRET}/`).host, '127.0.0.1:8095');
    assert.equal(parseWebhookUrl(`http://localhost/rest/1/${SECRET}/`).host, 'localhost');
    assert.equal(parseWebhookUrl(`http://[::1]:9/rest/1/${SECRET}/`).host, '[::1]:9');
  });

  const bad = {
    'nothing': undefined,
    'an empty string': '',
    'not a URL': 'portal.bitrix24.com/rest/1/abc/',
    'plain http to a remote host': `http://example.bitrix24.com/rest/1/${SECRET}/`,
    'ftp': `ftp://example.bitrix24.com/rest/1/${SECRET}/`,
    'no secret': 'https://example.bitrix24.com/rest/1/',
    'no user id': `https://example.bitrix24.com/rest/${SECRET}/`,
    'a query string': `https://example.bitrix24.com/rest/1/${SECRET}/?auth=x`,
    'user info': `https://user:pw@example.bitrix24.com/rest/1/${SECRET}/`,
    'an OAuth endpoint': 'https://example.bitrix24.com/rest/',
  };
  for (const [name, value] of Object.entries(bad)) {
    it(`refuses ${name} without repeating it`, () => {
      assert.throws(() => parseWebhookUrl(value), (error) => {
        assert.ok(error instanceof Bitrix24Error);
        assert.equal(error.code, 'INVALID_WEBHOOK_URL');
        assert.ok(!error.message.includes(SECRET));
        return true;
      });
    });
  }
});
