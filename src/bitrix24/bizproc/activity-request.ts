// The request Bitrix24 POSTs to an application's handler when a business process reaches the application's activity
// or robot (docs/bitrix24-api.md, section 2): form-encoded with PHP bracket keys (`auth[access_token]`,
// `document_id[0]`), or JSON as some documentation reads it. Reading it is split in steps, so that a handler checks
// the application token (found by a scan, handler-credentials.ts) before any parser runs, and says nothing about the
// body's shape to a caller that has not shown it.

import { parse as parseForm } from 'qs';
import { Bitrix24Error } from '../errors';
import { validateEventToken } from './event-token';
import { HandlerCredentials, scanFormCredentials, scanJsonCredentials } from './handler-credentials';
import { FieldLimits, overLimit, plainFieldsOf } from './plain-fields';

/** A validated activity request, with the names of the fields Bitrix24 sends. */
export interface ActivityRequest {
  eventToken: string;
  workflowId: string;
  /** The activity's or robot's code, as registered with `bizproc.activity.add` / `bizproc.robot.add`. */
  code: string;
  /** `[module, entity class, document id]`, e.g. `['crm', 'CCrmDocumentDeal', 'DEAL_42']`. */
  documentId: string[];
  /** `[module, entity class, document type]`, e.g. `['crm', 'CCrmDocumentDeal', 'DEAL']`. */
  documentType: string[];
  /** The activity's input properties, by name. */
  properties: Record<string, unknown>;
  /** `Y` when the process waits for `bizproc.event.send`, `N` when it goes on at once. */
  useSubscription: 'Y' | 'N';
  /** Seconds the process waits for the answer; 0 when no timeout was given. */
  timeoutDuration: number;
  /** The `auth` block (OAuth tokens, domain, member id, ...) without `application_token`. */
  auth: Record<string, unknown>;
}

/** The error code of every refusal of a request's body or shape; `reason` says which rule it broke. */
export const INVALID_ACTIVITY_REQUEST = 'INVALID_ACTIVITY_REQUEST';

/** The largest handler body read; an activity request is a few kilobytes. */
export const MAX_ACTIVITY_REQUEST_BYTES = 1024 * 1024;

/** Form pairs at most: PHP's max_input_vars, and what Node-RED's own body parser allows. */
export const MAX_FORM_PAIRS = 1000;
/** Nesting below the top level at most, forms and JSON alike; Bitrix24 sends three levels. */
export const MAX_FIELD_DEPTH = 32;
/** JSON members and elements at most (containers count too): as many as a form has pairs. */
export const MAX_JSON_ENTRIES = MAX_FORM_PAIRS;

const JSON_LIMITS: FieldLimits = { maxEntries: MAX_JSON_ENTRIES, maxDepth: MAX_FIELD_DEPTH };
// qs already holds a form to MAX_FORM_PAIRS leaves; each may bring up to MAX_FIELD_DEPTH containers with it.
const FORM_LIMITS: FieldLimits = { maxEntries: MAX_FORM_PAIRS * (MAX_FIELD_DEPTH + 1), maxDepth: MAX_FIELD_DEPTH };

/** The two encodings a handler body comes in; anything else carries no fields the handler can read. */
export type HandlerBodyType = 'form' | 'json' | 'other';

function invalid(reason: string, message: string): Bitrix24Error {
  return new Bitrix24Error(INVALID_ACTIVITY_REQUEST, message, { reason, statusCode: 400 });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Which encoding a Content-Type names (parameters such as `charset` are ignored: bodies are UTF-8). */
export function handlerBodyTypeOf(contentType: string | undefined): HandlerBodyType {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  return 'other';
}

function textOf(body: Buffer | string): string {
  return (typeof body === 'string' ? body : body.toString('utf8')).replace(/^\uFEFF/, '');
}

/**
 * The application token and event of a raw body, by a scan that builds nothing; a body of another type has none.
 * Cheap enough to run on every request before the token is compared.
 */
export function scanHandlerBody(type: HandlerBodyType, body: Buffer | string): HandlerCredentials {
  if (type === 'form') return scanFormCredentials(textOf(body));
  if (type === 'json') {
    const { applicationToken, event } = scanJsonCredentials(textOf(body));
    return { applicationToken, event };
  }
  return { applicationToken: undefined, event: undefined };
}

/**
 * Reads a handler's body into its fields: a form with PHP bracket keys (qs: at most MAX_FORM_PAIRS pairs and
 * MAX_FIELD_DEPTH levels, refused rather than cut), or a JSON object within the same caps, checked by a scan before
 * JSON.parse runs. Top-level names are lower-cased; prototype keys are dropped at every level. Throws
 * INVALID_ACTIVITY_REQUEST (reason `content-type`, `json`, `limits` or `depth`) for anything else.
 */
export function parseHandlerBody(contentType: string | undefined, body: Buffer | string): Record<string, unknown> {
  const type = handlerBodyTypeOf(contentType);
  const text = textOf(body);
  if (type === 'form') return plainFieldsOf(parseFormFields(text), FORM_LIMITS);
  if (type !== 'json') throw invalid('content-type', 'The body must be application/x-www-form-urlencoded or application/json.');
  const shape = scanJsonCredentials(text);
  if (shape.depth > MAX_FIELD_DEPTH) throw overLimit('depth');
  if (shape.entries > MAX_JSON_ENTRIES) throw overLimit('limits');
  let decoded: unknown;
  try {
    decoded = JSON.parse(text);
  } catch {
    throw invalid('json', 'The body is not valid JSON.');
  }
  if (!isRecord(decoded)) throw invalid('json', 'The body is not a JSON object.');
  return plainFieldsOf(decoded, JSON_LIMITS);
}

function parseFormFields(text: string): Record<string, unknown> {
  try {
    return parseForm(text, {
      parameterLimit: MAX_FORM_PAIRS,
      // Indices up to the pair limit stay lists; a PHP list cannot be longer under that limit.
      arrayLimit: MAX_FORM_PAIRS,
      depth: MAX_FIELD_DEPTH,
      strictDepth: true,
      throwOnLimitExceeded: true,
      // A repeated key: the later value wins, as in PHP, not a list of both.
      duplicates: 'last',
      allowPrototypes: false,
      plainObjects: true,
      allowDots: false,
      charset: 'utf-8',
    }) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof RangeError) throw overLimit(/depth/i.test(error.message) ? 'depth' : 'limits');
    throw invalid('form', 'The body is not a readable form.');
  }
}

/** Uses fields a body parser in front of the handler already produced (an object), with the same caps and key rules. */
export function handlerFieldsOf(parsed: unknown): Record<string, unknown> {
  if (!isRecord(parsed)) throw invalid('json', 'The body is not an object.');
  return plainFieldsOf(parsed, JSON_LIMITS);
}

/** The application token and event of fields a body parser in front of the handler produced. */
export function credentialsOfFields(parsed: unknown): HandlerCredentials {
  if (!isRecord(parsed)) return { applicationToken: undefined, event: undefined };
  let auth: unknown;
  let event: unknown;
  // Own keys only, case-insensitive at the top as the fields will be: an inherited `auth` is no credential.
  for (const key of Object.keys(parsed)) {
    const name = key.toLowerCase();
    if (name === 'auth') auth = parsed[key];
    else if (name === 'event') event = parsed[key];
  }
  const token = isRecord(auth) && Object.prototype.hasOwnProperty.call(auth, 'application_token') ? auth.application_token : undefined;
  return {
    applicationToken: typeof token === 'string' ? token : undefined,
    event: typeof event === 'string' && event.trim() !== '' ? event.trim().toUpperCase() : undefined,
  };
}

/** `auth[application_token]` of a request, whatever it is (checked by applicationTokenMatches). */
export function applicationTokenOf(fields: Record<string, unknown>): unknown {
  return isRecord(fields.auth) ? fields.auth.application_token : undefined;
}

/** The `event` of an application event (`ONAPPINSTALL`, ...), upper-cased; undefined for an activity request. */
export function handlerEventOf(fields: Record<string, unknown>): string | undefined {
  return typeof fields.event === 'string' && fields.event.trim() !== '' ? fields.event.trim().toUpperCase() : undefined;
}

/**
 * Validates the fields of an activity request. Throws INVALID_ACTIVITY_REQUEST with a reason naming the field; the
 * message never repeats a value.
 */
export function readActivityRequest(fields: Record<string, unknown>): ActivityRequest {
  let eventToken: string;
  try {
    eventToken = validateEventToken(fields.event_token);
  } catch {
    throw invalid('event_token', 'event_token is missing or is not an event token.');
  }
  return {
    eventToken,
    workflowId: requiredText(fields.workflow_id, 'workflow_id'),
    code: requiredText(fields.code, 'code'),
    documentId: textList(fields.document_id, 'document_id'),
    documentType: textList(fields.document_type, 'document_type'),
    properties: propertiesOf(fields.properties),
    useSubscription: useSubscriptionOf(fields.use_subscription),
    timeoutDuration: timeoutOf(fields.timeout_duration),
    auth: authWithoutApplicationToken(fields.auth),
  };
}

function requiredText(value: unknown, name: string): string {
  if (typeof value === 'string' && value.trim() !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw invalid(name, `${name} is missing or is not text.`);
}

function textList(value: unknown, name: string): string[] {
  const items = Array.isArray(value) ? value : undefined;
  if (items === undefined || items.length === 0 || !items.every((item) => typeof item === 'string' || typeof item === 'number')) {
    throw invalid(name, `${name} must be a list of texts.`);
  }
  return items.map(String);
}

/** The properties map; an empty PHP array (`[]` in JSON) is an empty map, a list becomes index keys. */
function propertiesOf(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null || value === '') return {};
  if (Array.isArray(value)) return Object.fromEntries(value.map((item, index) => [String(index), item]));
  if (isRecord(value)) return value;
  throw invalid('properties', 'properties must be a map of the activity\'s properties.');
}

function useSubscriptionOf(value: unknown): 'Y' | 'N' {
  if (value === undefined || value === '') return 'N';
  const flag = typeof value === 'string' ? value.trim().toUpperCase() : value;
  if (flag === 'Y' || flag === true) return 'Y';
  if (flag === 'N' || flag === false) return 'N';
  throw invalid('use_subscription', 'use_subscription must be Y or N.');
}

function timeoutOf(value: unknown): number {
  if (value === undefined || value === null || value === '') return 0;
  const seconds = typeof value === 'string' && /^\s*\d{1,12}\s*$/.test(value) ? Number(value) : value;
  if (typeof seconds === 'number' && Number.isSafeInteger(seconds) && seconds >= 0) return seconds;
  throw invalid('timeout_duration', 'timeout_duration must be a whole number of seconds.');
}

/** The auth block for the flow: the OAuth tokens a later call may use, but not the handler's own credential. */
function authWithoutApplicationToken(value: unknown): Record<string, unknown> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(Object.entries(value).filter(([key]) => key.toLowerCase() !== 'application_token'));
}
