'use strict';
const assert = require('node:assert/strict');
const { parsePhpQuery, encodePhpQuery, decodeQueryComponent } = require('../../dist/bitrix24/php-query');

const TOKEN =
  '55c1dc1c3f0d75.78875596|A51601_82584_96831_81132|hsyUws1j4XiwqPqN45eH66CcQtEvpUIP.47dd5d888e8e549d2c984713e12a4268e6e87d0208ca1f093ba1075e77f92e90';
const TRICKY_MESSAGE = 'a&b=c %41 100% done\nline two\r\n😀 ünïcødé + plus';

describe('parsePhpQuery', () => {
  it('parses flat pairs, with a leading "?" ignored', () => {
    assert.deepEqual(parsePhpQuery('?a=1&b=two'), { a: '1', b: 'two' });
  });

  it('nests bracket keys', () => {
    assert.deepEqual(parsePhpQuery('a[b][c]=1&a[b][d]=2'), { a: { b: { c: '1', d: '2' } } });
  });

  it('turns a[]=1&a[]=2 into a list', () => {
    assert.deepEqual(parsePhpQuery('a[]=1&a[]=2'), { a: ['1', '2'] });
  });

  it('keeps a map when keys are not 0..n-1, appending after the highest integer key', () => {
    assert.deepEqual(parsePhpQuery('a[5]=x&a[]=y&a[k]=z'), { a: { 5: 'x', 6: 'y', k: 'z' } });
  });

  it('decodes "+" as a space and percent escapes as UTF-8', () => {
    assert.deepEqual(parsePhpQuery('m=a+b%20c%2Bd%F0%9F%98%80'), { m: 'a b c+d😀' });
  });

  it('keeps malformed percent escapes literally and never throws on bad UTF-8', () => {
    assert.deepEqual(parsePhpQuery('a=%zz%2&b=100%'), { a: '%zz%2', b: '100%' });
    assert.equal(parsePhpQuery('c=%E0%A4')['c'].includes('\uFFFD'), true);
  });

  it('gives a key without "=" an empty value, skips empty keys, and lets the last value win', () => {
    assert.deepEqual(parsePhpQuery('flag&=1&&x=1&x=2'), { flag: '', x: '2' });
  });

  it('replaces a scalar by an array and an array by a scalar, in arrival order', () => {
    assert.deepEqual(parsePhpQuery('a=1&a[b]=2'), { a: { b: '2' } });
    assert.deepEqual(parsePhpQuery('a[b]=2&a=1'), { a: '1' });
  });

  it('mangles top-level names like PHP: "." and " " become "_", as does an unmatched "["', () => {
    assert.deepEqual(parsePhpQuery('a.b=1&c d=2&e[f=3&g[h.i]=4'), { a_b: '1', c_d: '2', e_f: '3', g: { 'h.i': '4' } });
  });

  it('decodes encoded brackets in keys (http_build_query encodes them)', () => {
    assert.deepEqual(parsePhpQuery('cmd%5Bk1%5D=scope'), { cmd: { k1: 'scope' } });
  });

  it('ignores text after the last closing bracket', () => {
    assert.deepEqual(parsePhpQuery('a[b]junk=1'), { a: { b: '1' } });
  });

  it('drops keys nested deeper than 64 levels', () => {
    assert.deepEqual(parsePhpQuery(`a${'[x]'.repeat(65)}=1&b=2`), { b: '2' });
  });

  it('treats __proto__ as plain data', () => {
    const parsed = parsePhpQuery('__proto__[polluted]=1&constructor[prototype][bad]=1');
    assert.equal(Object.prototype.polluted, undefined);
    assert.equal({}.bad, undefined);
    assert.deepEqual(Object.keys(parsed), ['__proto__', 'constructor']);
    assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
  });
});

describe('decodeQueryComponent', () => {
  it('returns plain text unchanged', () => {
    assert.equal(decodeQueryComponent('plain.text|x'), 'plain.text|x');
  });
});

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

describe('encodePhpQuery and parsePhpQuery round-trip', () => {
  const cases = {
    'a token with "|" and "."': { EVENT_TOKEN: TOKEN },
    'a message with &, =, %, newlines and emoji': { LOG_MESSAGE: TRICKY_MESSAGE },
    'nested return values': { RETURN_VALUES: { outputString: 'x', list: ['a', 'b'], deep: { k: { z: '1' } } } },
    'keys with spaces and symbols inside brackets': { cmd: { 'log 1&=': 'bizproc.activity.log?A=1&B=2' } },
  };
  for (const [name, params] of Object.entries(cases)) {
    it(`keeps ${name}`, () => {
      assert.deepEqual(parsePhpQuery(encodePhpQuery(params)), params);
    });
  }

  it('keeps a batch command whose query is itself encoded', () => {
    const command = `bizproc.activity.log?${encodePhpQuery({ EVENT_TOKEN: TOKEN, LOG_MESSAGE: TRICKY_MESSAGE })}`;
    const outer = parsePhpQuery(encodePhpQuery({ halt: 0, cmd: { k1: command } }));
    assert.equal(outer.cmd.k1, command);
    const inner = parsePhpQuery(command.slice(command.indexOf('?') + 1));
    assert.deepEqual(inner, { EVENT_TOKEN: TOKEN, LOG_MESSAGE: TRICKY_MESSAGE });
  });
});
