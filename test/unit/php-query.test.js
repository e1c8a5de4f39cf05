'use strict';
// The client's encoder of PHP's query dialect (batch commands), held to what PHP's http_build_query writes.
const assert = require('node:assert/strict');
const { encodePhpQuery } = require('../../dist/bitrix24/php-query');

const TOKEN =
  '55c1dc1c3f0d75.78875596|A51601_82584_96831_81132|hsyUws1j4XiwqPqN45eH66CcQtEvpUIP.47dd5d888e8e549d2c984713e12a4268e6e87d0208ca1f093ba1075e77f92e90';
const TRICKY_MESSAGE = 'a&b=c %41 100% done\nline two\r\n😀 ünïcødé + plus';

describe('encodePhpQuery', () => {
  it('encodes flat values with encodeURIComponent', () => {
    assert.equal(encodePhpQuery({ a: 'x y', b: 2 }), 'a=x%20y&b=2');
  });

  it('writes nested objects and arrays as bracket keys with indexes', () => {
    assert.equal(encodePhpQuery({ r: { a: 1, l: ['x', 'y'] } }), 'r%5Ba%5D=1&r%5Bl%5D%5B0%5D=x&r%5Bl%5D%5B1%5D=y');
  });

  it('writes booleans as 1/0 and leaves out null, undefined, empty objects and functions', () => {
    assert.equal(encodePhpQuery({ t: true, f: false, n: null, u: undefined, e: {}, fn: () => 1 }), 't=1&f=0');
  });

  it('writes dates as ISO strings', () => {
    assert.equal(encodePhpQuery({ d: new Date(Date.UTC(2024, 0, 2)) }), 'd=2024-01-02T00%3A00%3A00.000Z');
  });

  it('refuses cycles but accepts a shared non-cyclic object', () => {
    const cyclic = { a: {} };
    cyclic.a.self = cyclic;
    assert.throws(() => encodePhpQuery(cyclic), /cycle/);
    const shared = { v: 1 };
    assert.equal(encodePhpQuery({ x: shared, y: shared }), 'x%5Bv%5D=1&y%5Bv%5D=1');
  });

  it('does not throw on a lone surrogate', () => {
    assert.equal(encodePhpQuery({ m: 'a\uD800b' }), 'm=a%EF%BF%BDb');
  });

  it('percent-encodes the token separators and every special character of a message', () => {
    const encoded = encodePhpQuery({ EVENT_TOKEN: TOKEN, LOG_MESSAGE: TRICKY_MESSAGE });
    assert.equal(encoded.includes('|'), false);
    assert.equal(encoded.split('&').length, 2);
    assert.equal(encoded.split('=').length, 3);
  });
});
