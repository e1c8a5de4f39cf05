'use strict';
// The one table of error knowledge: its facts hang together, and the catalogues give every code a text and every
// kind a status text, in both languages.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { ERROR_FACTS, certaintyOfAnswer, connectionFailureOf, kindOfCode, statusOfCode } = require('../../dist/bitrix24/error-codes');
const { Bitrix24Error } = require('../../dist/bitrix24/errors');
const { isRetryable } = require('../../dist/bitrix24/delivery/retry-policy');

const catalogue = (lang) => JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'nodes', 'locales', lang, 'bitrix24-portal.json'), 'utf8'));

describe('error table', () => {
  it('marks as retryable only codes whose failures can have not run', () => {
    for (const [code, facts] of Object.entries(ERROR_FACTS)) {
      if (facts.retry) assert.ok(facts.ran === undefined || facts.ran === 'not-executed', `${code} is retryable but ran: ${facts.ran}`);
    }
  });

  it('gives every code a message and every kind a status text, in both languages', () => {
    const kinds = new Set(Object.values(ERROR_FACTS).map((facts) => facts.kind));
    for (const lang of ['en-US', 'ru']) {
      const texts = catalogue(lang).bitrix24;
      for (const code of Object.keys(ERROR_FACTS)) assert.ok(texts.errors[code], `${lang}: no message for ${code}`);
      for (const kind of kinds) assert.ok(texts.status.failed[kind], `${lang}: no status text for ${kind}`);
      // A status text fits under a node: Node-RED suggests about 20 characters.
      for (const [kind, text] of Object.entries(texts.status.failed)) assert.ok(text.length <= 24, `${lang}: status ${kind} is long`);
    }
  });

  it('is what the errors default to', () => {
    assert.equal(new Bitrix24Error('QUEUE_FULL', 'x').certainty, 'not-executed');
    assert.equal(new Bitrix24Error('TIMEOUT', 'x').ambiguous, true);
    assert.equal(new Bitrix24Error('INVALID_EVENT_TOKEN', 'x').certainty, 'final');
    assert.equal(new Bitrix24Error('SOMETHING_NEW', 'x').certainty, 'final');
    assert.equal(new Bitrix24Error('NETWORK_ERROR', 'x', { certainty: 'ambiguous' }).certainty, 'ambiguous', 'the occurrence decides where the table does not');
  });

  it('decides retries: the limits and a locked workflow, never a vendor block or a moved portal', () => {
    const retryable = (code, certainty) => isRetryable(new Bitrix24Error(code, 'x', certainty ? { certainty } : {}), false);
    assert.equal(retryable('QUERY_LIMIT_EXCEEDED'), true);
    assert.equal(retryable('OPERATION_TIME_LIMIT'), true);
    assert.equal(retryable('423'), true);
    assert.equal(retryable('NETWORK_ERROR', 'not-executed'), true);
    assert.equal(retryable('NETWORK_ERROR', 'ambiguous'), false);
    assert.equal(retryable('OVERLOAD_LIMIT'), false);
    assert.equal(retryable('PORTAL_MOVED'), false);
    assert.equal(retryable('QUEUE_FULL'), false);
    assert.equal(isRetryable(new Bitrix24Error('TIMEOUT', 'x'), true), true, 'ambiguous only when the caller allows it');
  });

  it('reads unknown portal codes by their status', () => {
    assert.equal(certaintyOfAnswer('ERROR_CORE', 400), 'final');
    assert.equal(certaintyOfAnswer('ERROR_CORE', 502), 'ambiguous');
    assert.equal(certaintyOfAnswer('423', 400), 'not-executed');
    assert.equal(kindOfCode('ERROR_CORE', 400), 'refused');
    assert.equal(kindOfCode('ERROR_CORE', 401), 'auth');
    assert.equal(statusOfCode('ACCESS_DENIED'), 403);
    assert.equal(statusOfCode('toString'), undefined, 'an inherited name is no code');
  });

  it('reads socket errors', () => {
    assert.equal(connectionFailureOf('ECONNREFUSED'), 'not-connected');
    assert.equal(connectionFailureOf('ETIMEDOUT'), 'timeout');
    assert.equal(connectionFailureOf('ECONNRESET'), 'lost');
  });
});
