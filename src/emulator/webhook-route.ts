// Incoming-webhook paths: `/rest/<user id>/<secret>/<method>[.json]`. The secret is compared in constant time; the
// method name is kept apart from the credentials so records and fault matching never see the secret.

import { timingSafeEqual } from 'node:crypto';
import { normaliseMethodName } from './rest-params';

/** A `/rest/...` path split into what it claims. */
export interface WebhookRoute {
  /** The REST method, normalised ('' when the path names none). */
  method: string;
  userIdSegment: string | undefined;
  secretSegment: string | undefined;
}

/** Splits a path under `/rest/`; undefined when the path is not a REST path. */
export function parseWebhookRoute(path: string): WebhookRoute | undefined {
  if (path !== '/rest' && !path.startsWith('/rest/')) return undefined;
  const segments = path.slice('/rest/'.length).split('/').map(decodePathSegment);
  if (segments.length < 3) {
    // `/rest/<method>` is the OAuth form (auth in the parameters): accepted only when the OAuth side is on.
    return { method: normaliseMethodName(segments[segments.length - 1] ?? ''), userIdSegment: undefined, secretSegment: undefined };
  }
  return { method: normaliseMethodName(segments.slice(2).join('/')), userIdSegment: segments[0], secretSegment: segments[1] };
}

/** Whether the route carries this user id and secret. */
export function isAuthorised(route: WebhookRoute, userId: number, secret: string): boolean {
  if (route.userIdSegment !== String(userId) || route.secretSegment === undefined) return false;
  const given = Buffer.from(route.secretSegment, 'utf8');
  const expected = Buffer.from(secret, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // A malformed escape is kept as typed: it then simply matches nothing.
    return segment;
  }
}
