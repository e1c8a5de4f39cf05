'use strict';
const assert = require('node:assert/strict');
const { prepareLogMessage, MAX_LOG_MESSAGE_BYTES, TRUNCATION_MARKER, Bitrix24Error } = require('../../dist/bitrix24');

function codeOf(fn) {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof Bitrix24Error, `expected a Bitrix24Error, got ${error}`);
    return `${error.code}/${error.reason}`;
  }
  return 'no error';
}

describe('prepareLogMessage', () => {
  it('keeps a string as it is', () => {
    assert.deepEqual(prepareLogMessage('  step 1 done\n'), { text: '  step 1 done\n', truncated: false });
  });

  it('reads a Buffer as UTF-8', () => {
    assert.equal(prepareLogMessage(Buffer.from('Готово ✓', 'utf8')).text, 'Готово ✓');
  });

  it('writes numbers, booleans and bigints as text', () => {
    assert.equal(prepareLogMessage(42).text, '42');
    assert.equal(prepareLogMessage(-0.5).text, '-0.5');
    assert.equal(prepareLogMessage(false).text, 'false');
    assert.equal(prepareLogMessage(12345678901234567890n).text, '12345678901234567890');
  });

  it('writes objects and arrays as JSON, dates as ISO text', () => {
    assert.equal(prepareLogMessage({ a: 1, b: [true] }).text, '{"a":1,"b":[true]}');
    assert.equal(prepareLogMessage([]).text, '[]');
    assert.equal(prepareLogMessage(new Date(Date.UTC(2026, 0, 2, 3, 4, 5))).text, '2026-01-02T03:04:05.000Z');
  });

  it('refuses what the portal would count as empty, each with its reason', () => {
    assert.equal(codeOf(() => prepareLogMessage(undefined)), 'EMPTY_LOG_MESSAGE/missing');
    assert.equal(codeOf(() => prepareLogMessage(null)), 'EMPTY_LOG_MESSAGE/missing');
    assert.equal(codeOf(() => prepareLogMessage('')), 'EMPTY_LOG_MESSAGE/blank');
    assert.equal(codeOf(() => prepareLogMessage(' \t\n ')), 'EMPTY_LOG_MESSAGE/blank');
    assert.equal(codeOf(() => prepareLogMessage(Buffer.alloc(0))), 'EMPTY_LOG_MESSAGE/blank');
    assert.equal(codeOf(() => prepareLogMessage('0')), 'EMPTY_LOG_MESSAGE/zero');
    assert.equal(codeOf(() => prepareLogMessage(0)), 'EMPTY_LOG_MESSAGE/zero');
  });

  it('accepts texts PHP empty() does not count as empty', () => {
    assert.equal(prepareLogMessage(' 0').text, ' 0');
    assert.equal(prepareLogMessage('0.0').text, '0.0');
    assert.equal(prepareLogMessage('00').text, '00');
  });

  it('refuses what cannot be written', () => {
    const circular = {};
    circular.self = circular;
    assert.equal(codeOf(() => prepareLogMessage(circular)), 'INVALID_LOG_MESSAGE/json');
    assert.equal(codeOf(() => prepareLogMessage({ n: 1n })), 'INVALID_LOG_MESSAGE/json');
    assert.equal(codeOf(() => prepareLogMessage(() => 1)), 'INVALID_LOG_MESSAGE/type');
    assert.equal(codeOf(() => prepareLogMessage(Symbol('x'))), 'INVALID_LOG_MESSAGE/type');
    assert.equal(codeOf(() => prepareLogMessage(new Date(NaN))), 'INVALID_LOG_MESSAGE/date');
  });

  it('leaves a message of exactly the column size whole', () => {
    const text = 'a'.repeat(MAX_LOG_MESSAGE_BYTES);
    assert.deepEqual(prepareLogMessage(text), { text, truncated: false });
  });

  it('cuts a longer message at a character boundary and marks it', () => {
    // 3-byte and 4-byte characters, so that a byte cut would land inside one.
    const text = '€'.repeat(30000) + '😀'.repeat(10000);
    const prepared = prepareLogMessage(text);
    assert.equal(prepared.truncated, true);
    assert.ok(prepared.text.endsWith(TRUNCATION_MARKER));
    assert.ok(Buffer.byteLength(prepared.text, 'utf8') <= MAX_LOG_MESSAGE_BYTES);
    assert.ok(Buffer.byteLength(prepared.text, 'utf8') > MAX_LOG_MESSAGE_BYTES - 4 - Buffer.byteLength(TRUNCATION_MARKER));
    const body = prepared.text.slice(0, -TRUNCATION_MARKER.length);
    assert.ok(!body.includes('\uFFFD'), 'no broken character');
    assert.ok(text.startsWith(body));
  });
});
