'use strict';
const assert = require('node:assert/strict');
const { parseHandlerBody, readActivityRequest, Bitrix24Error } = require('../../dist/bitrix24');
const { handlerFieldsOf, applicationTokenOf, handlerEventOf } = require('../../dist/bitrix24/bizproc/activity-request');
const { encodePhpQuery: encode } = require('../../dist/bitrix24/php-query');

const EVENT_TOKEN = '55c1dc1c3f0d75.78875596|A51601_82584_96831_81132|hsyUws1j4XiwqPqN45eH66CcQtEvpUIP.47dd5d888e8e549d2c984713e12a4268e6e87d0208ca1f093ba1075e77f92e90';

/** The fields Bitrix24 sends (docs/bitrix24-api.md, section 2). */
function bitrixFields(overrides = {}) {
  return {
    workflow_id: '55c1dc1c3f0d75.78875596',
    code: 'node_red_activity',
    document_id: ['crm', 'CCrmDocumentDeal', 'DEAL_7'],
    document_type: ['crm', 'CCrmDocumentDeal', 'DEAL'],
    event_token: EVENT_TOKEN,
    properties: { inputString: 'hello', amount: '12.5' },
    use_subscription: 'Y',
    timeout_duration: '3600',
    ts: '1700000000',
    auth: {
      access_token: 'acc3ss',
      refresh_token: 'r3fresh',
      expires: '1700003600',
      expires_in: '3600',
      scope: 'bizproc',
      domain: 'example.bitrix24.com',
      server_endpoint: 'https://oauth.bitrix.info/rest/',
      client_endpoint: 'https://example.bitrix24.com/rest/',
      status: 'L',
      member_id: 'abc123',
      user_id: '1',
      application_token: 'app70ken',
    },
    ...overrides,
  };
}

function reasonOf(fn) {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof Bitrix24Error);
    assert.equal(error.code, 'INVALID_ACTIVITY_REQUEST');
    assert.ok(!error.message.includes(EVENT_TOKEN) && !error.message.includes('app70ken'), 'no value is echoed');
    return error.reason;
  }
  return 'accepted';
}

describe('parseHandlerBody', () => {
  it('reads a form with PHP bracket keys into nested fields', () => {
    const fields = parseHandlerBody('application/x-www-form-urlencoded; charset=utf-8', Buffer.from(encode(bitrixFields())));
    assert.deepEqual(fields.document_id, ['crm', 'CCrmDocumentDeal', 'DEAL_7']);
    assert.equal(fields.auth.application_token, 'app70ken');
    assert.equal(fields.properties.inputString, 'hello');
  });

  it('reads JSON, with or without a BOM, and lower-cases top-level names', () => {
    const fields = parseHandlerBody('application/json', `\uFEFF${JSON.stringify({ EVENT_TOKEN: 'x', Auth: { application_token: 't' } })}`);
    assert.equal(fields.event_token, 'x');
    assert.equal(applicationTokenOf(fields), 't');
  });

  it('refuses other content types, broken or non-object JSON, and deep nesting', () => {
    assert.equal(reasonOf(() => parseHandlerBody('text/plain', 'event_token=x')), 'content-type');
    assert.equal(reasonOf(() => parseHandlerBody(undefined, '{}')), 'content-type');
    assert.equal(reasonOf(() => parseHandlerBody('application/json', '{"a":')), 'json');
    assert.equal(reasonOf(() => parseHandlerBody('application/json', '[1,2]')), 'json');
    assert.equal(reasonOf(() => parseHandlerBody('application/json', 'null')), 'json');
    const deep = `${'{"a":'.repeat(100)}1${'}'.repeat(100)}`;
    assert.equal(reasonOf(() => parseHandlerBody('application/json', deep)), 'depth');
  });

  it('keeps a "__proto__" key as data', () => {
    const fields = parseHandlerBody('application/json', '{"__proto__": {"polluted": true}, "event_token": "x"}');
    assert.equal({}.polluted, undefined);
    assert.equal(Object.getPrototypeOf(fields), Object.prototype);
  });
});

describe('handlerFieldsOf', () => {
  it('takes fields a body parser already produced', () => {
    assert.equal(handlerFieldsOf({ Event_Token: 'x' }).event_token, 'x');
    assert.equal(reasonOf(() => handlerFieldsOf('text')), 'json');
  });
});

describe('handlerEventOf', () => {
  it('names an application event, upper-cased, and nothing for an activity request', () => {
    assert.equal(handlerEventOf({ event: 'onAppInstall' }), 'ONAPPINSTALL');
    assert.equal(handlerEventOf(bitrixFields()), undefined);
    assert.equal(handlerEventOf({ event: ['x'] }), undefined);
  });
});

describe('readActivityRequest', () => {
  it('reads every field Bitrix24 sends, with the timeout as a number and auth without the application token', () => {
    const { application_token: applicationToken, ...authWithoutApplicationToken } = bitrixFields().auth;
    assert.equal(applicationToken, 'app70ken');
    const request = readActivityRequest(parseHandlerBody('application/x-www-form-urlencoded', encode(bitrixFields())));
    assert.deepEqual(request, {
      eventToken: EVENT_TOKEN,
      workflowId: '55c1dc1c3f0d75.78875596',
      code: 'node_red_activity',
      documentId: ['crm', 'CCrmDocumentDeal', 'DEAL_7'],
      documentType: ['crm', 'CCrmDocumentDeal', 'DEAL'],
      properties: { inputString: 'hello', amount: '12.5' },
      useSubscription: 'Y',
      timeoutDuration: 3600,
      auth: authWithoutApplicationToken,
    });
  });

  it('reads the same request from JSON, with native numbers and booleans', () => {
    const request = readActivityRequest(bitrixFields({ timeout_duration: 60, use_subscription: true, document_id: ['crm', 'X', 7] }));
    assert.equal(request.timeoutDuration, 60);
    assert.equal(request.useSubscription, 'Y');
    assert.deepEqual(request.documentId, ['crm', 'X', '7']);
  });

  it('fills what may be left out: no properties, no subscription flag, no timeout', () => {
    const fields = bitrixFields();
    delete fields.properties;
    delete fields.use_subscription;
    delete fields.timeout_duration;
    const request = readActivityRequest(fields);
    assert.deepEqual([request.properties, request.useSubscription, request.timeoutDuration], [{}, 'N', 0]);
    assert.deepEqual(readActivityRequest(bitrixFields({ properties: [] })).properties, {});
  });

  const refusals = [
    ['no event_token', { event_token: undefined }, 'event_token'],
    ['a blank event_token', { event_token: ' ' }, 'event_token'],
    ['an event_token list', { event_token: [EVENT_TOKEN] }, 'event_token'],
    ['no workflow_id', { workflow_id: undefined }, 'workflow_id'],
    ['no code', { code: '' }, 'code'],
    ['a document_id that is text', { document_id: 'DEAL_7' }, 'document_id'],
    ['an empty document_type', { document_type: [] }, 'document_type'],
    ['properties that are text', { properties: 'x' }, 'properties'],
    ['use_subscription "maybe"', { use_subscription: 'maybe' }, 'use_subscription'],
    ['a negative timeout', { timeout_duration: '-5' }, 'timeout_duration'],
    ['a fractional timeout', { timeout_duration: 1.5 }, 'timeout_duration'],
  ];
  for (const [name, overrides, reason] of refusals) {
    it(`refuses ${name} (${reason})`, () => {
      assert.equal(reasonOf(() => readActivityRequest(bitrixFields(overrides))), reason);
    });
  }
});
