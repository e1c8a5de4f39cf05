// What the activity receiver does with one POST, apart from Node-RED: read the body, check the application token in
// constant time (capturing it from ONAPPINSTALL when asked to), validate the activity request, and answer at once.
// The order matters: nothing about a body's shape is said to a caller that has not shown the application token.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { Bitrix24Error } from '../bitrix24';
import {
  ActivityRequest,
  applicationTokenOf,
  credentialsOfFields,
  handlerBodyTypeOf,
  handlerEventOf,
  handlerFieldsOf,
  INVALID_ACTIVITY_REQUEST,
  MAX_ACTIVITY_REQUEST_BYTES,
  parseHandlerBody,
  readActivityRequest,
  scanHandlerBody,
} from '../bitrix24/bizproc/activity-request';
import { applicationTokenMatches, isApplicationTokenShaped } from '../bitrix24/bizproc/application-token';
import type { HandlerCredentials } from '../bitrix24/bizproc/handler-credentials';
import { sendJson } from '../http/http-reply';
import { BodyRead, readRequestBody } from '../http/request-body';
import { earlyBodyOf } from './early-body-read';

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

/** How long a body may take to arrive unless `bitrix24ActivityInBodyTimeout` says otherwise. */
export const DEFAULT_BODY_TIMEOUT_MS = 5_000;

/**
 * A handler body as the receiver got it: what decides whether it is read (found without parsing it), and its fields,
 * parsed only when asked for (throws INVALID_ACTIVITY_REQUEST).
 */
export interface HandlerBody {
  credentials: HandlerCredentials;
  fields(): Record<string, unknown>;
}

/** A request body parsed by middleware in front of the handler (Express sets `_body` once it has read one). */
type ParsedRequest = IncomingMessage & { body?: unknown; _body?: boolean };

function refusedRead(read: Exclude<BodyRead, { ok: true }>): Bitrix24Error {
  if (read.reason === 'too-large') {
    return new Bitrix24Error(INVALID_ACTIVITY_REQUEST, 'The body is too large for an activity request.', { reason: 'size', statusCode: 413 });
  }
  if (read.reason === 'timeout') {
    return new Bitrix24Error(INVALID_ACTIVITY_REQUEST, 'The body did not arrive in time.', { reason: 'timeout', statusCode: 408 });
  }
  return new Bitrix24Error(INVALID_ACTIVITY_REQUEST, 'The body was not received whole.', { reason: 'aborted', statusCode: 400 });
}

/** A raw body: scanned now, parsed later. A compressed body is not inflated, so it carries nothing readable. */
function rawHandlerBody(request: IncomingMessage, bytes: Buffer | string): HandlerBody {
  const encoding = String(request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const contentType = request.headers['content-type'];
  const type = encoding === 'identity' || encoding === '' ? handlerBodyTypeOf(contentType) : 'other';
  return { credentials: scanHandlerBody(type, bytes), fields: () => parseHandlerBody(type === 'other' ? undefined : contentType, bytes) };
}

/** Reads the raw body of a POST to the receiver: at most 1 MB, within `timeoutMs`. Never rejects. */
export function readHandlerBodyBytes(request: IncomingMessage, timeoutMs: number): Promise<BodyRead> {
  return readRequestBody(request, MAX_ACTIVITY_REQUEST_BYTES, timeoutMs);
}

/**
 * The body of a handler's POST: read as the request arrived (early-body-read.ts), read now, or, when a parser in
 * front of the route consumed it already, the object it made. Throws INVALID_ACTIVITY_REQUEST (413, 408, 400) when
 * the body cannot be had.
 */
export async function readHandlerBody(request: ParsedRequest, timeoutMs: number): Promise<HandlerBody> {
  const early = earlyBodyOf(request);
  if (early === undefined && request._body === true) {
    const body = request.body;
    if (Buffer.isBuffer(body) || typeof body === 'string') return rawHandlerBody(request, body);
    return { credentials: credentialsOfFields(body), fields: () => handlerFieldsOf(body) };
  }
  const read = await (early ?? readHandlerBodyBytes(request, timeoutMs));
  if (!read.ok) throw refusedRead(read);
  return rawHandlerBody(request, read.bytes);
}

/**
 * Decides what a POST with this body is. The application token is compared (in constant time) before the body is
 * parsed, so a caller without it costs a scan and learns nothing but 401; after parsing, the parsed token must be the
 * same, so the scan can never let through a body whose fields say otherwise.
 */
export async function decideActivityPost(body: HandlerBody, tokens: ApplicationTokens): Promise<EndpointOutcome> {
  const { applicationToken: received, event } = body.credentials;
  let expected: string | undefined;
  try {
    expected = await tokens.expected();
    if (expected === undefined && event === INSTALL_EVENT && tokens.capture !== undefined && isApplicationTokenShaped(received)) {
      // Trust on first use: the fields must say the same as the scan before the token is kept.
      const fields = body.fields();
      if (handlerEventOf(fields) !== INSTALL_EVENT || applicationTokenOf(fields) !== received) return { kind: 'refused', reason: 'no-token' };
      const kept = await tokens.capture(received);
      if (kept.stored) return { kind: 'install', captured: true };
      expected = kept.value;
    }
  } catch (error) {
    const failure = asBitrix24Error(error);
    if (failure.code === INVALID_ACTIVITY_REQUEST) return { kind: 'refused', reason: 'no-token' };
    return { kind: 'failed', error: failure };
  }
  if (expected === undefined) return { kind: 'refused', reason: 'no-token' };
  if (!applicationTokenMatches(expected, received)) return { kind: 'refused', reason: 'mismatch' };
  let fields: Record<string, unknown>;
  try {
    fields = body.fields();
  } catch (error) {
    return { kind: 'invalid', error: asBitrix24Error(error) };
  }
  if (!applicationTokenMatches(expected, applicationTokenOf(fields))) return { kind: 'refused', reason: 'mismatch' };
  const parsedEvent = handlerEventOf(fields);
  if (parsedEvent === INSTALL_EVENT) return { kind: 'install', captured: false };
  if (parsedEvent !== undefined) {
    return { kind: 'invalid', error: new Bitrix24Error(INVALID_ACTIVITY_REQUEST, 'This handler takes activity requests, not application events.', { reason: 'event', statusCode: 400 }) };
  }
  try {
    return { kind: 'activity', request: readActivityRequest(fields) };
  } catch (error) {
    return { kind: 'invalid', error: asBitrix24Error(error) };
  }
}

/** Answers the POST: 200 for an accepted request, 401 refused, 400 malformed, 408 or 413 not received, 503 when tokens cannot be read. */
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
        // The rest of a refused body is not read: the connection cannot carry another request.
        outcome.error.statusCode === 413 || outcome.error.statusCode === 408 ? { ...headers, Connection: 'close' } : headers,
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
