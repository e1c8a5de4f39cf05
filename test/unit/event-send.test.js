'use strict';
const assert = require('node:assert/strict');
const { prepareEventSend, Bitrix24Error } = require('../../dist/bitrix24');
const { prepareReturnValues, prepareOptionalLogMessage } = require('../../dist/bitrix24/bizproc/event-send');

const TOKEN = '55c1dc1c3f0d75.78875596|A51601_82584_96831_81132|hsyUws1j4XiwqPqN45eH66CcQtEvpUIP.47dd5d888e8e549d2c984713e12a4268e6e87d0208ca1f093ba1075e77f92e90';

function failure(fn) {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof Bitrix24Error);
    return `${error.code}/${error.reason}`;
  }
  return 'accepted';
}

describe('prepareReturnValues', () => {
  it('takes an object, as its JSON form', () => {
    const when = new Date('2024-01-15T09:00:00Z');
    assert.deepEqual(prepareReturnValues({ a: 1, b: 'x', when, nested: { list: [1, 2] } }), {
      a: 1,
      b: 'x',
      when: '2024-01-15T09:00:00.000Z',
      nested: { list: [1, 2] },
    });
    assert.deepEqual(prepareReturnValues({}), {});
  });

  it('refuses what is not an object keyed by return properties', () => {
    for (const value of ['text', 42, true, null, [1, 2], Buffer.from('x'), new Date()]) {
      assert.equal(failure(() => prepareReturnValues(value)), 'INVALID_RETURN_VALUES/type', String(value));
    }
    assert.equal(failure(() => prepareReturnValues(undefined)), 'INVALID_RETURN_VALUES/missing');
    const circular = {};
    circular.self = circular;
    assert.equal(failure(() => prepareReturnValues(circular)), 'INVALID_RETURN_VALUES/json');
    assert.equal(failure(() => prepareReturnValues({ n: 1n })), 'INVALID_RETURN_VALUES/json');
  });
});

describe('prepareOptionalLogMessage', () => {
  it('means no line for nothing, white space or "0"', () => {
    for (const value of [undefined, null, '', '  ', '0', 0, Buffer.alloc(0)]) {
      assert.equal(prepareOptionalLogMessage(value), undefined, String(value));
    }
  });

  it('coerces anything else as the log node does', () => {
    assert.deepEqual(prepareOptionalLogMessage({ done: true }), { text: '{"done":true}', truncated: false });
    assert.equal(failure(() => prepareOptionalLogMessage(() => 1)), 'INVALID_LOG_MESSAGE/type');
  });
});

describe('prepareEventSend', () => {
  it('checks the token first, then the return values, then the line', () => {
    assert.equal(failure(() => prepareEventSend(undefined, 'bad', () => 1)), 'INVALID_EVENT_TOKEN/missing');
    assert.equal(failure(() => prepareEventSend(TOKEN, 'bad', () => 1)), 'INVALID_RETURN_VALUES/type');
    assert.equal(failure(() => prepareEventSend(TOKEN, {}, () => 1)), 'INVALID_LOG_MESSAGE/type');
  });

  it('leaves the line out when there is none', () => {
    assert.deepEqual(prepareEventSend(` ${TOKEN} `, { a: 1 }, ''), { eventToken: TOKEN, returnValues: { a: 1 } });
    assert.deepEqual(prepareEventSend(TOKEN, {}, 'Done').logMessage, { text: 'Done', truncated: false });
  });
});
