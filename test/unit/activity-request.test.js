'use strict';
const assert = require('node:assert/strict');
const { parseHandlerBody, readActivityRequest, Bitrix24Error } = require('../../dist/bitrix24');
const { handlerFieldsOf, applicationTokenOf, handlerEventOf, scanHandlerBody } = require('../../dist/bitrix24/bizproc/activity-request');
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

  it('drops "__proto__", "constructor" and "prototype" keys at every level, forms and JSON alike', () => {
    const json = parseHandlerBody('application/json', '{"__proto__": {"polluted": true}, "CONSTRUCTOR": 1, "a": [{"prototype": 1, "b": 2}], "event_token": "x"}');
    assert.deepEqual(Object.keys(json), ['a', 'event_token']);
    assert.deepEqual(json.a, [{ b: 2 }]);
    const form = parseHandlerBody('application/x-www-form-urlencoded', '__proto__[x]=1&a[constructor][prototype][y]=1&a[__proto__][z]=1&a[b]=2');
    assert.deepEqual(form, { a: { b: '2' } });
    assert.equal(Object.getPrototypeOf(form.a), Object.prototype, 'ordinary objects, not prototype-less ones');
    assert.equal({}.polluted, undefined);
  });

  it('reads forms as PHP does: a repeated key keeps the later value, lists stay lists', () => {
    const fields = parseHandlerBody('application/x-www-form-urlencoded', 'a=1&a=2&l[]=x&l[]=y&d%5B0%5D=p&d%5B1%5D=q&m=a+b%20c');
    assert.deepEqual(fields, { a: '2', l: ['x', 'y'], d: ['p', 'q'], m: 'a b c' });
  });

  it('refuses past the caps rather than cutting: 1,000 pairs, 32 levels, 1,000 JSON entries', () => {
    const pairs = (n) => Array.from({ length: n }, (_, i) => `k${i}=1`).join('&');
    assert.equal(Object.keys(parseHandlerBody('application/x-www-form-urlencoded', pairs(1000))).length, 1000);
    assert.equal(reasonOf(() => parseHandlerBody('application/x-www-form-urlencoded', pairs(1001))), 'limits');
    assert.equal(reasonOf(() => parseHandlerBody('application/x-www-form-urlencoded', `a${'[b]'.repeat(32)}=1`)), 'accepted');
    assert.equal(reasonOf(() => parseHandlerBody('application/x-www-form-urlencoded', `a${'[b]'.repeat(33)}=1`)), 'depth');
    assert.equal(reasonOf(() => parseHandlerBody('application/json', JSON.stringify({ a: Array(999).fill(0) }))), 'accepted');
    assert.equal(reasonOf(() => parseHandlerBody('application/json', JSON.stringify({ a: Array(1000).fill(0) }))), 'limits');
  });
});

describe('handlerFieldsOf', () => {
  it('takes fields a body parser already produced, with the same caps and key rules', () => {
    assert.equal(handlerFieldsOf({ Event_Token: 'x' }).event_token, 'x');
    assert.equal(reasonOf(() => handlerFieldsOf('text')), 'json');
    assert.equal(reasonOf(() => handlerFieldsOf({ a: Array(1000).fill(0) })), 'limits');
    const parsed = JSON.parse('{"auth": {"__proto__": {"application_token": "t"}}}');
    assert.equal('application_token' in handlerFieldsOf(parsed).auth, false);
  });
});

describe('scanHandlerBody: the token and event without parsing', () => {
  const form = (text) => scanHandlerBody('form', text);
  const json = (text) => scanHandlerBody('json', text);

  it('finds them in a form, bracket keys encoded or not, top-level names in any case, the later pair winning', () => {
    assert.deepEqual(form(encode(bitrixFields())), { applicationToken: 'app70ken', event: undefined });
    assert.deepEqual(form('AUTH[application_token]=a&event=onAppInstall'), { applicationToken: 'a', event: 'ONAPPINSTALL' });
    assert.equal(form('auth%5Bapplication_token%5D=a&x=1&auth%5bapplication_token%5d=b').applicationToken, 'b');
    assert.equal(form('auth[application_token]=a&auth[application_token][]=b').applicationToken, undefined);
    assert.equal(form('auth[APPLICATION_TOKEN]=a').applicationToken, undefined);
    assert.equal(form(`auth[application_token]=${'a'.repeat(2000)}`).applicationToken, '');
  });

  it('finds them in JSON only at their place, whatever other strings hold', () => {
    assert.deepEqual(json(JSON.stringify(bitrixFields({ event: 'OnAppInstall' }))), { applicationToken: 'app70ken', event: 'ONAPPINSTALL' });
    const decoy = JSON.stringify({ properties: { auth: { application_token: 'decoy' }, text: '"auth":{"application_token":"decoy"}' }, auth: { x: [1, { application_token: 'deeper' }] } });
    assert.equal(json(decoy).applicationToken, undefined);
    assert.equal(json('{"auth":{"application_token":"a"},"Auth":{"application_token":"b"}}').applicationToken, 'b');
    assert.equal(json('{"auth":{"application_token":"a"},"auth":null}').applicationToken, undefined);
    assert.equal(json('{"auth":{"application_token":"\\u0061b"}}').applicationToken, 'ab');
    assert.equal(json('{"auth":{"application_token":["a"]}}').applicationToken, undefined);
    assert.equal(json('[{"auth":{"application_token":"a"}}]').applicationToken, undefined);
    assert.equal(json('{"auth":{"application_token":"a"}, broken').applicationToken, 'a', 'what comes before a break counts; the parse refuses the rest');
  });

  it('finds nothing in other content, and stays linear on hostile input', () => {
    assert.deepEqual(scanHandlerBody('other', 'auth[application_token]=a'), { applicationToken: undefined, event: undefined });
    const started = process.hrtime.bigint();
    form('a&'.repeat(400_000));
    json(`{"a":${'['.repeat(500_000)}`);
    json(`{"a":"${'\\"'.repeat(300_000)}"}`);
    // Quadratic work would take minutes; linear takes milliseconds. The bound is loose for a loaded machine.
    assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 5_000);
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
