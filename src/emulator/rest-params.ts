// Turns a request into the parameter map the portal's methods see: query-string parameters, overridden by the body
// (JSON, or a form with PHP bracket keys), with top-level keys upper-cased as the portal does, so `event_token` works.
// A body of any other content type is ignored, as PHP would leave it unread.

import { decodePhpForm } from './php-form';

/** Parameters, or the reason they could not be read. */
export type ParsedParams = { ok: true; params: Record<string, unknown> } | { ok: false; reason: 'invalid-json' };

// PHP json_decode's default depth: deeper documents fail to decode. It also keeps later recursion (rendering) safe.
const MAX_JSON_DEPTH = 512;

/** The parameters of a request with this query string, content type and body. */
export function parseRestParams(query: string, contentType: string | undefined, body: Buffer): ParsedParams {
  const merged = upperCaseKeys(decodePhpForm(query));
  const fromBody = parseBody(contentType, body);
  if (!fromBody.ok) return fromBody;
  for (const [key, value] of Object.entries(fromBody.params)) setOwn(merged, key, value);
  return { ok: true, params: merged };
}

/** Parses a body on its own (used by the emulator's JSON API too). */
export function parseBody(contentType: string | undefined, body: Buffer): ParsedParams {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/x-www-form-urlencoded') return { ok: true, params: upperCaseKeys(decodePhpForm(body.toString('utf8'))) };
  if (!type.endsWith('/json') && !type.endsWith('+json')) return { ok: true, params: {} };
  const text = body.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trim() === '') return { ok: true, params: {} };
  let decoded: unknown;
  try {
    decoded = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'invalid-json' };
  }
  if (depthExceeds(decoded, MAX_JSON_DEPTH)) return { ok: false, reason: 'invalid-json' };
  // A top-level list or scalar has no named parameters.
  if (decoded === null || typeof decoded !== 'object' || Array.isArray(decoded)) return { ok: true, params: {} };
  return { ok: true, params: upperCaseKeys(decoded as Record<string, unknown>) };
}

/** The map with its top-level keys upper-cased (a later key wins a clash, like PHP array_change_key_case). */
export function upperCaseKeys(params: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) setOwn(result, key.toUpperCase(), value);
  return result;
}

/** A method name as the portal matches it: trimmed, lower-case, without the optional `.json` transport suffix. */
export function normaliseMethodName(raw: string): string {
  const name = raw.trim().toLowerCase();
  return name.endsWith('.json') ? name.slice(0, -'.json'.length) : name;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function depthExceeds(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (limit === 0) return true;
  return Object.values(value).some((child) => depthExceeds(child, limit - 1));
}
