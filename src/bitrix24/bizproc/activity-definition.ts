// An application's activity or robot as Bitrix24 registers it (bizproc.activity.add / bizproc.robot.add), and the
// checks the portal applies to it, run here first so that a bad definition is refused before anything is sent.
// Facts from the REST docs (bizproc-activity/bizproc-activity-add.md, bizproc-robot/bizproc-robot-add.md) and the
// server's RestService / RestActivityTable (public copies): CODE is `a-z A-Z 0-9 . - _` (at most 128 characters),
// property codes start with a letter and hold `a-z A-Z 0-9 _`, every property needs a Name, NAME is required, and
// the portal stores PROPERTIES and RETURN_PROPERTIES serialised in a 64 KB column.

import { Bitrix24Error } from '../errors';

/** What the package registers: a business-process designer activity, or a robot (what Bitrix24 recommends now). */
export type ActivityKind = 'activity' | 'robot';

/** A text Bitrix24 shows, plain or by language (`{"ru": "...", "en": "..."}`), as NAME and DESCRIPTION take it. */
export type LocalisedText = string | Record<string, string>;

/** The property types the REST docs list for PROPERTIES and RETURN_PROPERTIES (`file` since 2026-04). */
export const PROPERTY_TYPES = ['string', 'text', 'int', 'double', 'bool', 'date', 'datetime', 'select', 'user', 'file'] as const;

/** One of the documented property types. */
export type PropertyType = (typeof PROPERTY_TYPES)[number];

/** One input or return property, with Bitrix24's own member names; members the package does not know are kept. */
export interface ActivityProperty {
  Name: LocalisedText;
  Type: PropertyType;
  Description?: LocalisedText;
  Required?: 'Y' | 'N';
  Multiple?: 'Y' | 'N';
  Default?: unknown;
  /** For `select`: option value -> label. */
  Options?: Record<string, string>;
  [member: string]: unknown;
}

/** Properties keyed by property code, as PROPERTIES and RETURN_PROPERTIES are. */
export type ActivityProperties = Record<string, ActivityProperty>;

/** A checked definition of an activity or robot. */
export interface ActivityDefinition {
  kind: ActivityKind;
  code: string;
  name: LocalisedText;
  description?: LocalisedText;
  properties: ActivityProperties;
  returnProperties: ActivityProperties;
  /** `Y`: the process waits for bizproc.event.send (logging and return values need it); `N`: it goes on at once. */
  useSubscription: 'Y' | 'N';
}

/** A definition as it comes from a node's saved properties or an editor request: nothing checked yet. */
export interface ActivityDefinitionInput {
  kind?: unknown;
  code?: unknown;
  name?: unknown;
  description?: unknown;
  properties?: unknown;
  returnProperties?: unknown;
  useSubscription?: unknown;
}

/** The code of every refusal of a definition; `reason` says which rule, `field` which part. */
export const INVALID_ACTIVITY_DEFINITION = 'INVALID_ACTIVITY_DEFINITION';

/** Bitrix24's CODE characters; the column holds 128. */
export const ACTIVITY_CODE = /^[A-Za-z0-9._-]{1,128}$/;
/** Bitrix24's property code rule. */
export const PROPERTY_CODE = /^[A-Za-z][A-Za-z0-9_]*$/;
// Bitrix24's language ids are two letters (ru, en, de, ua, tc, sc, ...); the portal upper-cases them itself.
const LANGUAGE_ID = /^[A-Za-z]{2}$/;
// The portal keeps each properties map PHP-serialised in a 64 KB column; JSON is a little shorter, so stay well below.
const MAX_PROPERTIES_BYTES = 60_000;
const MAX_TEXT_LENGTH = 1_000;

// The field (`properties.item.Name`) is the description: it names the spot to fix, and holds no secret.
function invalid(reason: string, field: string, message: string): Bitrix24Error {
  return new Bitrix24Error(INVALID_ACTIVITY_DEFINITION, message, { reason, field, description: field });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/** Checks an activity or robot code; throws INVALID_ACTIVITY_DEFINITION (reason `code`). */
export function validateActivityCode(value: unknown): string {
  const code = typeof value === 'string' ? value.trim() : '';
  if (!ACTIVITY_CODE.test(code)) {
    throw invalid('code', 'code', 'The code must be 1 to 128 letters, digits, ".", "-" or "_".');
  }
  return code;
}

/** Checks the kind; throws INVALID_ACTIVITY_DEFINITION (reason `kind`). */
export function validateActivityKind(value: unknown): ActivityKind {
  if (value === 'activity' || value === 'robot') return value;
  throw invalid('kind', 'kind', 'Register as "activity" or "robot".');
}

/**
 * A plain text or a map by language; `required` refuses an empty one. Empty languages of a map are dropped, so a
 * dialog row left blank sends nothing.
 */
function localisedText(value: unknown, field: string, required: boolean): LocalisedText | undefined {
  if (value === undefined || value === null || value === '') {
    if (required) throw invalid('name', field, `The ${field} is empty.`);
    return undefined;
  }
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '' && required) throw invalid('name', field, `The ${field} is empty.`);
    if (text.length > MAX_TEXT_LENGTH) throw invalid('length', field, `The ${field} is longer than ${MAX_TEXT_LENGTH} characters.`);
    return text === '' ? undefined : text;
  }
  if (!isRecord(value)) throw invalid('localised', field, `The ${field} must be a text or a map of texts by language.`);
  const texts: Record<string, string> = {};
  for (const [language, text] of Object.entries(value)) {
    if (!LANGUAGE_ID.test(language)) throw invalid('language', field, `The ${field} must be keyed by two-letter language ids.`);
    if (typeof text !== 'string') throw invalid('localised', field, `The ${field} must be a text or a map of texts by language.`);
    if (text.length > MAX_TEXT_LENGTH) throw invalid('length', field, `The ${field} is longer than ${MAX_TEXT_LENGTH} characters.`);
    if (text.trim() !== '') texts[language.toLowerCase()] = text.trim();
  }
  if (Object.keys(texts).length === 0) {
    if (required) throw invalid('name', field, `The ${field} is empty.`);
    return undefined;
  }
  return texts;
}

function flag(value: unknown, field: string): 'Y' | 'N' | undefined {
  if (value === undefined) return undefined;
  if (value === 'Y' || value === 'N') return value;
  throw invalid('flag', field, `${field} must be "Y" or "N".`);
}

/** One property, checked; unknown members are kept as they are, so a hand-written definition loses nothing. */
function validateProperty(code: string, value: unknown, field: string): ActivityProperty {
  const where = `${field}.${code}`;
  if (!isRecord(value)) throw invalid('property', where, `The property ${code} must be an object.`);
  const type = value.Type === undefined ? 'string' : value.Type;
  if (typeof type !== 'string' || !(PROPERTY_TYPES as readonly string[]).includes(type)) {
    throw invalid('type', where, `The property ${code} has a type Bitrix24 does not document.`);
  }
  const property: ActivityProperty = {
    ...value,
    Name: localisedText(value.Name, `${where}.Name`, true) as LocalisedText,
    Type: type as PropertyType,
  };
  const description = localisedText(value.Description, `${where}.Description`, false);
  if (description === undefined) delete property.Description;
  else property.Description = description;
  const required = flag(value.Required, `${where}.Required`);
  const multiple = flag(value.Multiple, `${where}.Multiple`);
  if (required !== undefined) property.Required = required;
  if (multiple !== undefined) property.Multiple = multiple;
  if (type === 'select') {
    const options = value.Options;
    if (!isRecord(options) || Object.keys(options).length === 0 || !Object.values(options).every((label) => typeof label === 'string')) {
      throw invalid('options', where, `The select property ${code} needs options: a map of value to label.`);
    }
    // The docs: a select's default is one of its option values.
    const fallback = value.Default;
    if (fallback !== undefined && fallback !== '' && !(typeof fallback === 'string' && Object.prototype.hasOwnProperty.call(options, fallback))) {
      throw invalid('default', where, `The default of ${code} is not one of its options.`);
    }
  } else if (value.Options !== undefined && !isRecord(value.Options)) {
    throw invalid('options', where, `The options of ${code} must be a map of value to label.`);
  }
  return property;
}

/** A properties map (PROPERTIES or RETURN_PROPERTIES), checked by Bitrix24's rules. */
export function validateActivityProperties(value: unknown, field: 'properties' | 'returnProperties'): ActivityProperties {
  if (value === undefined || value === null || value === '') return {};
  let map: unknown = value;
  if (typeof map === 'string') {
    try {
      map = JSON.parse(map) as unknown;
    } catch {
      throw invalid('json', field, `The ${field} are not valid JSON.`);
    }
  }
  // An empty PHP array travels as [] in JSON.
  if (Array.isArray(map) && map.length === 0) return {};
  if (!isRecord(map)) throw invalid('properties', field, `The ${field} must be an object keyed by property code.`);
  const properties: ActivityProperties = {};
  for (const [code, property] of Object.entries(map)) {
    if (!PROPERTY_CODE.test(code)) throw invalid('propertyCode', `${field}.${code.slice(0, 64)}`, 'A property code must start with a letter and hold only letters, digits and "_".');
    properties[code] = validateProperty(code, property, field);
  }
  if (Buffer.byteLength(JSON.stringify(properties)) > MAX_PROPERTIES_BYTES) {
    throw invalid('size', field, `The ${field} are too large for Bitrix24 (about 64 KB at most).`);
  }
  return properties;
}

/**
 * Checks a whole definition, in the portal's order: kind, code, name, then the properties. Throws
 * INVALID_ACTIVITY_DEFINITION with `reason` and `field`; the message names the rule, never a secret.
 */
export function validateActivityDefinition(input: ActivityDefinitionInput): ActivityDefinition {
  const useSubscription = input.useSubscription === undefined || input.useSubscription === '' ? 'Y' : input.useSubscription;
  if (useSubscription !== 'Y' && useSubscription !== 'N') throw invalid('flag', 'useSubscription', 'useSubscription must be "Y" or "N".');
  const definition: ActivityDefinition = {
    kind: validateActivityKind(input.kind),
    code: validateActivityCode(input.code),
    name: localisedText(input.name, 'name', true) as LocalisedText,
    properties: validateActivityProperties(input.properties, 'properties'),
    returnProperties: validateActivityProperties(input.returnProperties, 'returnProperties'),
    useSubscription,
  };
  const description = localisedText(input.description, 'description', false);
  if (description !== undefined) definition.description = description;
  return definition;
}
