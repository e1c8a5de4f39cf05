'use strict';
// A definition of an activity or robot, checked by Bitrix24's rules and turned into the parameters of
// bizproc.robot.add / bizproc.activity.add and their update.
const assert = require('node:assert/strict');
const { validateActivityDefinition, PROPERTY_TYPES } = require('../../dist/bitrix24/bizproc/activity-definition');
const { registrationParams, updateParams, registrationFingerprint, registrationMethods } = require('../../dist/bitrix24/bizproc/activity-registration');
const { expressibleAsCommand } = require('../../dist/bitrix24/delivery/batch-request');

const HANDLER = 'https://nodered.example.com/bitrix24/reserve-stock';

/** The example robot, as a receiver node saves it. */
function reserveStock(overrides = {}) {
  return {
    kind: 'robot',
    code: 'reserve_stock',
    name: { ru: 'Зарезервировать товар', en: 'Reserve stock' },
    properties: {
      item: { Name: 'Item', Type: 'string', Required: 'Y', Multiple: 'N', Default: '' },
      quantity: { Name: 'Quantity', Type: 'int', Required: 'Y', Multiple: 'N', Default: '1' },
    },
    returnProperties: {
      reserved: { Name: 'Reserved', Type: 'bool', Required: 'N', Multiple: 'N', Default: 'N' },
      note: { Name: 'Note', Type: 'string', Required: 'N', Multiple: 'N', Default: '' },
    },
    useSubscription: 'Y',
    ...overrides,
  };
}

/** The code, reason and field of the error `run` throws. */
function refusal(run) {
  try {
    run();
  } catch (error) {
    return { code: error.code, reason: error.reason, field: error.field };
  }
  assert.fail('expected a refusal');
}

describe('activity and robot definitions', () => {
  it('turns the definition into bizproc.robot.add parameters, the saved objects as they are', () => {
    const definition = validateActivityDefinition(reserveStock());
    assert.deepEqual(registrationParams(definition, HANDLER), {
      CODE: 'reserve_stock',
      HANDLER,
      NAME: { ru: 'Зарезервировать товар', en: 'Reserve stock' },
      USE_SUBSCRIPTION: 'Y',
      PROPERTIES: reserveStock().properties,
      RETURN_PROPERTIES: reserveStock().returnProperties,
    });
    assert.deepEqual(registrationMethods('robot'), { add: 'bizproc.robot.add', update: 'bizproc.robot.update', delete: 'bizproc.robot.delete', list: 'bizproc.robot.list' });
    assert.equal(registrationMethods('activity').add, 'bizproc.activity.add');
  });

  it('updates with CODE and every field in FIELDS, an absent description clearing an earlier one', () => {
    const params = registrationParams(validateActivityDefinition(reserveStock({ name: 'Reserve stock' })), HANDLER);
    assert.deepEqual(updateParams(params), {
      CODE: 'reserve_stock',
      FIELDS: { DESCRIPTION: '', HANDLER, NAME: 'Reserve stock', USE_SUBSCRIPTION: 'Y', PROPERTIES: params.PROPERTIES, RETURN_PROPERTIES: params.RETURN_PROPERTIES },
    });
    const described = registrationParams(validateActivityDefinition(reserveStock({ description: { en: 'Holds items', ru: '' } })), HANDLER);
    assert.deepEqual(described.DESCRIPTION, { en: 'Holds items' });
    assert.deepEqual(updateParams(described).FIELDS.DESCRIPTION, { en: 'Holds items' });
  });

  it('accepts a plain name, properties saved as JSON text, and no properties at all', () => {
    const definition = validateActivityDefinition({ kind: 'activity', code: 'a.b-c_1', name: ' Plain ', properties: JSON.stringify(reserveStock().properties), returnProperties: [] });
    assert.equal(definition.name, 'Plain');
    assert.deepEqual(Object.keys(definition.properties), ['item', 'quantity']);
    assert.deepEqual(definition.returnProperties, {});
    assert.equal(definition.useSubscription, 'Y', 'the default: logging and return values need it');
  });

  it('keeps members it does not know, and gives a property without a type the portal\'s default, string', () => {
    const definition = validateActivityDefinition(reserveStock({ properties: { item: { Name: 'Item', Description: { en: 'What' }, Custom: 42 } } }));
    assert.deepEqual(definition.properties.item, { Name: 'Item', Type: 'string', Description: { en: 'What' }, Custom: 42 });
  });

  it('offers every documented property type, and refuses others', () => {
    assert.deepEqual([...PROPERTY_TYPES].sort(), ['bool', 'date', 'datetime', 'double', 'file', 'int', 'select', 'string', 'text', 'user']);
    for (const Type of PROPERTY_TYPES) {
      const property = Type === 'select' ? { Name: 'X', Type, Options: { a: 'A' } } : { Name: 'X', Type };
      validateActivityDefinition(reserveStock({ properties: { x: property } }));
    }
    assert.deepEqual(refusal(() => validateActivityDefinition(reserveStock({ properties: { x: { Name: 'X', Type: 'money' } } }))), {
      code: 'INVALID_ACTIVITY_DEFINITION', reason: 'type', field: 'properties.x',
    });
  });

  it('refuses what the portal would refuse, naming the rule and the field', () => {
    const cases = [
      [{ code: 'reserve stock' }, 'code', 'code'],
      [{ code: 'x'.repeat(129) }, 'code', 'code'],
      [{ code: '' }, 'code', 'code'],
      [{ kind: 'bot' }, 'kind', 'kind'],
      [{ name: '' }, 'name', 'name'],
      [{ name: { ru: ' ', en: '' } }, 'name', 'name'],
      [{ name: { russian: 'Имя' } }, 'language', 'name'],
      [{ useSubscription: 'yes' }, 'flag', 'useSubscription'],
      [{ properties: { '1item': { Name: 'x' } } }, 'propertyCode', 'properties.1item'],
      [{ properties: { 'it-em': { Name: 'x' } } }, 'propertyCode', 'properties.it-em'],
      [{ returnProperties: { note: { Type: 'string' } } }, 'name', 'returnProperties.note.Name'],
      [{ properties: { item: { Name: 'x', Required: true } } }, 'flag', 'properties.item.Required'],
      [{ properties: { kind: { Name: 'x', Type: 'select' } } }, 'options', 'properties.kind'],
      [{ properties: { kind: { Name: 'x', Type: 'select', Options: { a: 'A' }, Default: 'b' } } }, 'default', 'properties.kind'],
      [{ properties: '{not json' }, 'json', 'properties'],
      [{ properties: ['item'] }, 'properties', 'properties'],
      [{ properties: { big: { Name: 'x'.repeat(900), Default: 'y'.repeat(70_000) } } }, 'size', 'properties'],
    ];
    for (const [overrides, reason, field] of cases) {
      assert.deepEqual(refusal(() => validateActivityDefinition(reserveStock(overrides))), { code: 'INVALID_ACTIVITY_DEFINITION', reason, field }, JSON.stringify(overrides).slice(0, 80));
    }
  });

  it('fingerprints a registration: the same whatever the key order, another for any change, portal or handler', () => {
    const params = registrationParams(validateActivityDefinition(reserveStock()), HANDLER);
    const fingerprint = registrationFingerprint('robot', 'portal.example app', params);
    const reordered = { RETURN_PROPERTIES: params.RETURN_PROPERTIES, PROPERTIES: { quantity: params.PROPERTIES.quantity, item: params.PROPERTIES.item }, ...params };
    assert.equal(registrationFingerprint('robot', 'portal.example app', reordered), fingerprint);
    const changed = registrationParams(validateActivityDefinition(reserveStock({ properties: { item: { Name: 'Item', Type: 'text' } } })), HANDLER);
    assert.notEqual(registrationFingerprint('robot', 'portal.example app', changed), fingerprint);
    assert.notEqual(registrationFingerprint('activity', 'portal.example app', params), fingerprint);
    assert.notEqual(registrationFingerprint('robot', 'other.example app', params), fingerprint);
    assert.notEqual(registrationFingerprint('robot', 'portal.example app', { ...params, HANDLER: `${HANDLER}2` }), fingerprint);
  });

  it('knows which parameters a batch command could not carry (an empty map clearing properties)', () => {
    assert.equal(expressibleAsCommand({ CODE: 'x', FIELDS: { NAME: 'n', PROPERTIES: { a: { Name: 'A' } } } }), true);
    assert.equal(expressibleAsCommand({ CODE: 'x', FIELDS: { PROPERTIES: {} } }), false);
    assert.equal(expressibleAsCommand({ LIST: [] }), false);
    assert.equal(expressibleAsCommand({}), true, 'no parameters at all is an empty query');
  });
});
