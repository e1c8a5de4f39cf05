// What the activity receiver does with one POST, apart from Node-RED: read the body, check the application token in
// constant time (capturing it from ONAPPINSTALL when asked to), validate the activity request, and answer at once.
// The order matters: nothing about a body's shape is said to a caller that has not shown the application token.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { Bitrix24Error } from '../bitrix24';
import {
  ActivityRequest,
  applicationTokenOf,
  handlerEventOf,
  handlerFieldsOf,
  INVALID_ACTIVITY_REQUEST,
  MAX_ACTIVITY_REQUEST_BYTES,
  parseHandlerBody,
  readActivityRequest,
} from '../bitrix24/bizproc/activity-request';
import { applicationTokenMatches, isApplicationTokenShaped } from '../bitrix24/bizproc/application-token';
import { sendJson } from '../http/http-reply';
import { readRequestBody } from '../http/request-body';

/** Where the expected application token comes from, and how a token from ONAPPINSTALL is kept. */
export interface ApplicationTokens {
  /** The token requests must carry; undefined when none is configured or captured. May reject (store unreadable). */
  expected(): Promise<string | undefined>;
  /** Keeps `token` unless one is kept already; resolves with what is kept now. Absent when capture is off. */
  capture?: (token: string) => Promise<{ stored: boolean; value: string }>;
}

/** How one POST ended. */
export type EndpointOutcome =
  | { kind: 'activity'; request: ActivityRequest }
  | { kind: 'install'; captured: boolean }
  | { kind: 'refused'; reason: 'no-token' | 'mismatch' }
  | { kind: 'invalid'; error: Bitrix24Error }
  | { kind: 'failed'; error: Bitrix24Error };

/** The application event whose token can be captured. */
export const INSTALL_EVENT = 'ONAPPINSTALL';

/** A request body parsed by middleware in front of the handler (Express sets `_body` once it has read one). */
type ParsedRequest = IncomingMessage & { body?: unknown; _body?: boolean };

function tooLarge(): Bitrix24Error {
  return new Bitrix24Error(INVALID_ACTIVITY_REQUEST, 'The body is too large for an activity request.', { reason: 'size', statusCode: 413 });
}

/** Reads the fields of a handler's POST; throws INVALID_ACTIVITY_REQUEST when they cannot be read. */
export async function readHandlerFields(request: ParsedRequest): Promise<Record<string, unknown>> {
  if (request._body === true) {
    const body = request.body;
    if (Buffer.isBuffer(body) || typeof body === 'string') return parseHandlerBody(request.headers['content-type'], body);
    return handlerFieldsOf(body);
  }
  const read = await readRequestBody(request, MAX_ACTIVITY_REQUEST_BYTES);
  if (!read.ok) {
    if (read.reason === 'too-large') throw tooLarge();
    throw new Bitrix24Error(INVALID_ACTIVITY_REQUEST, 'The body was not received whole.', { reason: 'aborted', statusCode: 400 });
  }
  return parseHandlerBody(request.headers['content-type'], read.bytes);
}

/** Decides what a POST with these fields is, checking the application token before anything else about them. */
export async function decideActivityPost(fields: Record<string, unknown>, tokens: ApplicationTokens): Promise<EndpointOutcome> {
  const event = handlerEventOf(fields);
  const received = applicationTokenOf(fields);
  let expected: string | undefined;
  try {
    expected = await tokens.expected();
    if (expected === undefined && event === INSTALL_EVENT && tokens.capture !== undefined && isApplicationTokenShaped(received)) {
      const kept = await tokens.capture(received);
      if (kept.stored) return { kind: 'install', captured: true };
      expected = kept.value;
    }
  } catch (error) {
    return { kind: 'failed', error: asBitrix24Error(error) };
  }
  if (expected === undefined) return { kind: 'refused', reason: 'no-token' };
  if (!applicationTokenMatches(expected, received)) return { kind: 'refused', reason: 'mismatch' };
  if (event === INSTALL_EVENT) return { kind: 'install', captured: false };
  if (event !== undefined) {
    return { kind: 'invalid', error: new Bitrix24Error(INVALID_ACTIVITY_REQUEST, 'This handler takes activity requests, not application events.', { reason: 'event', statusCode: 400 }) };
  }
  try {
    return { kind: 'activity', request: readActivityRequest(fields) };
  } catch (error) {
    return { kind: 'invalid', error: asBitrix24Error(error) };
  }
}

/** Answers the POST: 200 for an accepted request, 401 refused, 400 or 413 malformed, 503 when tokens cannot be read. */
export function replyToActivityPost(response: ServerResponse, outcome: EndpointOutcome): void {
  const headers = { 'Cache-Control': 'no-store' };
  switch (outcome.kind) {
    case 'activity':
    case 'install':
      sendJson(response, 200, { result: 'accepted' }, headers);
      return;
    case 'refused':
      sendJson(response, 401, { error: 'INVALID_APPLICATION_TOKEN', error_description: 'The application token is missing or wrong.' }, headers);
      return;
    case 'invalid':
      sendJson(
        response,
        outcome.error.statusCode ?? 400,
        { error: outcome.error.code, error_description: outcome.error.message },
        outcome.error.statusCode === 413 ? { ...headers, Connection: 'close' } : headers,
      );
      return;
    case 'failed':
      sendJson(response, 503, { error: 'HANDLER_UNAVAILABLE', error_description: 'The handler cannot check application tokens right now.' }, headers);
      return;
  }
}

/** Anything thrown becomes a Bitrix24Error; an unexpected one is named only by its type, never by its text. */
export function asBitrix24Error(error: unknown): Bitrix24Error {
  if (error instanceof Bitrix24Error) return error;
  return new Bitrix24Error('INTERNAL_ERROR', 'Unexpected internal error in the Bitrix24 activity receiver.', {
    description: error instanceof Error ? error.name : typeof error,
  });
}
