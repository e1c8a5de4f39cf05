// The request Bitrix24 POSTs to an application's handler when a business process reaches the application's activity
// or robot (docs/bitrix24-api.md, section 2): form-encoded with PHP bracket keys (`auth[access_token]`,
// `document_id[0]`), or JSON as some documentation reads it. Reading it is split in two steps, so that a handler can
// check the application token after the body is readable and before it says anything about the body's shape.

import { Bitrix24Error } from '../errors';
import { validateEventToken } from './event-token';
import { parsePhpQuery } from '../php-query';

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

// Deeper JSON is not something Bitrix24 sends, and nesting without bound would let a caller make later recursive
// work (message cloning in Node-RED) overflow the stack. PHP form keys are bounded by parsePhpQuery already.
const MAX_JSON_DEPTH = 64;

function invalid(reason: string, message: string): Bitrix24Error {
  return new Bitrix24Error(INVALID_ACTIVITY_REQUEST, message, { reason, statusCode: 400 });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a handler's body into its fields: a form with PHP bracket keys, or a JSON object. Top-level names are
 * lower-cased. Throws INVALID_ACTIVITY_REQUEST (reason `content-type`, `json` or `depth`) for anything else.
 */
export function parseHandlerBody(contentType: string | undefined, body: Buffer | string): Record<string, unknown> {
  const text = (typeof body === 'string' ? body : body.toString('utf8')).replace(/^\uFEFF/, '');
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/x-www-form-urlencoded') return lowerCaseKeys(parsePhpQuery(text));
  if (type !== 'application/json' && !type.endsWith('+json')) {
    throw invalid('content-type', 'The body must be application/x-www-form-urlencoded or application/json.');
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(text);
  } catch {
    throw invalid('json', 'The body is not valid JSON.');
  }
  if (!isRecord(decoded)) throw invalid('json', 'The body is not a JSON object.');
  if (nestingExceeds(decoded, MAX_JSON_DEPTH)) throw invalid('depth', 'The body is nested too deeply.');
  return lowerCaseKeys(decoded);
}

/** Uses fields a body parser in front of the handler already produced (an object), with the same key rules. */
export function handlerFieldsOf(parsed: unknown): Record<string, unknown> {
  if (!isRecord(parsed)) throw invalid('json', 'The body is not an object.');
  if (nestingExceeds(parsed, MAX_JSON_DEPTH)) throw invalid('depth', 'The body is nested too deeply.');
  return lowerCaseKeys(parsed);
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

/** The map with its top-level keys lower-cased; entries are defined, so a key such as `__proto__` stays data. */
function lowerCaseKeys(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).map(([key, value]) => [key.toLowerCase(), value]));
}

/** Whether the value nests deeper than `limit` levels; walks with an explicit stack, so depth cannot overflow it. */
function nestingExceeds(root: unknown, limit: number): boolean {
  const pending: Array<[unknown, number]> = [[root, 0]];
  while (pending.length > 0) {
    const [value, depth] = pending.pop() as [unknown, number];
    if (value === null || typeof value !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(value)) pending.push([child, depth + 1]);
  }
  return false;
}
