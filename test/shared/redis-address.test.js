'use strict';
// The Redis URL is read once, strictly, and never repeated: not in an error, not in a text that passes redaction.
const assert = require('node:assert/strict');
const { parseRedisUrl, redactSecrets } = require('../../dist/bitrix24');

describe('the Redis URL', () => {
  it('reads host, port, database, user and password; rediss:// means TLS', () => {
    assert.deepEqual(parseRedisUrl('redis://127.0.0.1'), { host: '127.0.0.1', port: 6379, db: 0, tls: false });
    assert.deepEqual(parseRedisUrl(' rediss://app:p%40ss@redis.example.com:6380/2 '), {
      host: 'redis.example.com', port: 6380, db: 2, tls: true, username: 'app', password: 'p@ss',
    });
    assert.deepEqual(parseRedisUrl('redis://:secret@[::1]:7000'), { host: '::1', port: 7000, db: 0, tls: false, password: 'secret' });
  });

  it('refuses what it cannot use, naming why but never repeating the URL', () => {
    const cases = {
      'not a url': 'syntax',
      'http://h:1': 'scheme',
      'redis://h:1/?tls=false': 'query',
      'redis://h:1/0#x': 'query',
      'redis://h:1/queue': 'db',
    };
    for (const [url, reason] of Object.entries(cases)) {
      assert.throws(() => parseRedisUrl(url), (error) => {
        assert.equal(error.code, 'INVALID_REDIS_URL');
        assert.equal(error.reason, reason, url);
        assert.ok(!error.message.includes(url.trim()), 'the URL is not repeated');
        return true;
      });
    }
  });

  it('is redacted from any text, password and all', () => {
    const text = 'failed: rediss://app:Sup3rSecretPw@redis.example.com:6380/1, then redis://:pw@10.0.0.1:6379.';
    const redacted = redactSecrets(text);
    assert.ok(!/Sup3rSecretPw|:pw@|redis\.example\.com/.test(redacted), redacted);
    assert.match(redacted, /rediss:\/\/\[redacted\]/);
  });
});
