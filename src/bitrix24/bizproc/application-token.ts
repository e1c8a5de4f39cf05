// The application token (`auth[application_token]`) is what proves that a POST to an application's handler comes from
// the portal the application is installed on: Bitrix24 sends it with every event and activity request, and the
// handler compares it with the value it saved at installation. Without that check anyone who knows the handler's URL
// can drive the business process.

import { createHash, timingSafeEqual } from 'node:crypto';

/** Longer than any token Bitrix24 issues (32 hex characters today) by a wide margin; longer input is not a token. */
export const MAX_APPLICATION_TOKEN_LENGTH = 256;

/** Whether a value can be an application token: a non-empty string of letters, digits, `_` or `-`, of sane length. */
export function isApplicationTokenShaped(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_APPLICATION_TOKEN_LENGTH && /^[A-Za-z0-9_-]+$/.test(value);
}

/**
 * Whether `received` is the `expected` application token, compared in constant time: both are hashed first, so the
 * comparison takes the same time whatever their lengths and wherever they differ. An empty or missing expected token
 * matches nothing, so a handler without a configured token refuses every request rather than accepting them all.
 */
export function applicationTokenMatches(expected: string | undefined, received: unknown): boolean {
  if (expected === undefined || expected === '' || typeof received !== 'string' || received === '') return false;
  return timingSafeEqual(digest(expected), digest(received));
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
