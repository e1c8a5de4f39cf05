'use strict';
// The emulator's decoder of PHP forms and batch commands (qs, never the client's code), read as PHP's parse_str
// would; and what the client's own encoder writes, read back by it: two implementations that must agree.
const assert = require('node:assert/strict');
const { decodePhpForm, encodePhpForm } = require('../../dist/emulator/php-form');
const { encodePhpQuery } = require('../../dist/bitrix24/php-query');

const TOKEN =
  '55c1dc1c3f0d75.78875596|A51601_82584_96831_81132|hsyUws1j4XiwqPqN45eH66CcQtEvpUIP.47dd5d888e8e549d2c984713e12a4268e6e87d0208ca1f093ba1075e77f92e90';
const TRICKY_MESSAGE = 'a&b=c %41 100% done\nline two\r\n😀 ünïcødé + plus';

describe('emulator: PHP forms', () => {
  it('reads flat pairs (a leading "?" ignored), bracket keys, appends and encoded brackets', () => {
    assert.deepEqual(decodePhpForm('?a=1&b=two'), { a: '1', b: 'two' });
    assert.deepEqual(decodePhpForm('a[b][c]=1&a[b][d]=2'), { a: { b: { c: '1', d: '2' } } });
    assert.deepEqual(decodePhpForm('a[]=1&a[]=2'), { a: ['1', '2'] });
    assert.deepEqual(decodePhpForm('cmd%5Bk1%5D=scope'), { cmd: { k1: 'scope' } });
  });

  it('decodes "+" as a space, percent escapes as UTF-8, and keeps a malformed escape', () => {
    assert.deepEqual(decodePhpForm('m=a+b%20c%2Bd%F0%9F%98%80'), { m: 'a b c+d😀' });
    assert.deepEqual(decodePhpForm('a=%zz'), { a: '%zz' });
  });

  it('never lets a key reach a prototype', () => {
    const parsed = decodePhpForm('__proto__[polluted]=1&constructor[prototype][bad]=1&ok=1');
    assert.equal(Object.prototype.polluted, undefined);
    assert.equal({}.bad, undefined);
    assert.equal(parsed.ok, '1');
    assert.equal(Object.prototype.hasOwnProperty.call(parsed, '__proto__'), false);
  });

  it('keeps lists longer than qs keeps by default, as PHP does', () => {
    const list = Array.from({ length: 60 }, (_, i) => `v${i}`);
    assert.deepEqual(decodePhpForm(encodePhpQuery({ list })).list, list);
  });

  const cases = {
    'a token with "|" and "."': { EVENT_TOKEN: TOKEN },
    'a message with &, =, %, newlines and emoji': { LOG_MESSAGE: TRICKY_MESSAGE },
    'nested return values': { RETURN_VALUES: { outputString: 'x', list: ['a', 'b'], deep: { k: { z: '1' } } } },
    'keys with spaces and symbols inside brackets': { cmd: { 'log 1&=': 'bizproc.activity.log?A=1&B=2' } },
  };
  for (const [name, params] of Object.entries(cases)) {
    it(`reads what the client writes: ${name}`, () => {
      assert.deepEqual(decodePhpForm(encodePhpQuery(params)), params);
    });
  }

  it('reads a batch command whose query is itself encoded, as the client sends it', () => {
    const command = `bizproc.activity.log?${encodePhpQuery({ EVENT_TOKEN: TOKEN, LOG_MESSAGE: TRICKY_MESSAGE })}`;
    const outer = decodePhpForm(encodePhpQuery({ halt: 0, cmd: { k1: command } }));
    assert.equal(outer.cmd.k1, command);
    assert.deepEqual(decodePhpForm(command.slice(command.indexOf('?') + 1)), { EVENT_TOKEN: TOKEN, LOG_MESSAGE: TRICKY_MESSAGE });
  });

  it('writes forms as http_build_query does: lists by index, nothing for null', () => {
    assert.equal(encodePhpForm({ document_id: ['crm', 'DEAL_1'], empty: null }), 'document_id%5B0%5D=crm&document_id%5B1%5D=DEAL_1');
  });
});
