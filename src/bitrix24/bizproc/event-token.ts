import { Bitrix24Error } from '../errors';

/** Longer than any token Bitrix24 issues (about 150 characters) by a wide margin; longer input is not a token. */
export const MAX_EVENT_TOKEN_LENGTH = 1024;

function invalid(reason: string, message: string): Bitrix24Error {
  return new Bitrix24Error('INVALID_EVENT_TOKEN', message, { reason });
}

/**
 * Checks that a value can be an event token and returns it without surrounding white space. The token is opaque
 * (`<workflow>|<activity>|<signed part>` today), so only what no token can be is refused; the portal checks the rest.
 * Errors never repeat the value: it is a credential for the running workflow.
 */
export function validateEventToken(value: unknown): string {
  if (value === undefined || value === null) throw invalid('missing', 'There is no event token.');
  if (typeof value !== 'string') throw invalid('type', `The event token must be a string, not ${Array.isArray(value) ? 'an array' : typeof value}.`);
  const token = value.trim();
  if (token === '') throw invalid('blank', 'The event token is empty.');
  if (token.length > MAX_EVENT_TOKEN_LENGTH) throw invalid('length', 'The event token is too long to be one.');
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(token)) throw invalid('characters', 'The event token contains spaces or control characters.');
  return token;
}
