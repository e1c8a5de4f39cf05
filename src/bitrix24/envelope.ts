import { Bitrix24Error, DeliveryCertainty } from './errors';
import { redactSecrets } from './redact';

/** The `time` block every Bitrix24 answer carries. `operating*` exist on newer portals only. */
export interface ResponseTime {
  start?: number;
  finish?: number;
  duration?: number;
  processing?: number;
  date_start?: string;
  date_finish?: string;
  /** Seconds of server time this method has used in the current 10-minute window. */
  operating?: number;
  /** Unix time (seconds) when the operating-time window of this method resets. */
  operating_reset_at?: number;
}

/** A successful answer: the method's `result` and the portal's timing. */
export interface RestResult {
  result: unknown;
  time?: ResponseTime;
  total?: number;
  next?: number;
}

// Portal errors after which the call certainly did not run, so a retry cannot write a line twice.
const NOT_EXECUTED_CODES = new Set(['QUERY_LIMIT_EXCEEDED', 'OPERATION_TIME_LIMIT', 'OVERLOAD_LIMIT', '423']);

/** How sure we are the call did not run, from the HTTP status and the portal's error code. */
function certaintyOf(statusCode: number, code: string): DeliveryCertainty {
  if (NOT_EXECUTED_CODES.has(code)) return 'not-executed';
  return statusCode >= 500 ? 'ambiguous' : 'final';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads `time` leniently: a portal that sends something odd there must not turn a success into a failure. */
export function readTime(value: unknown): ResponseTime | undefined {
  return isRecord(value) ? (value as ResponseTime) : undefined;
}

/** Turns an `{error, error_description}` object into our error; the description is cleared of secrets. */
export function portalError(
  body: Record<string, unknown>,
  statusCode: number | undefined,
  secrets: Iterable<string>,
): Bitrix24Error {
  const code = String(body.error);
  const rawDescription = typeof body.error_description === 'string' ? body.error_description : undefined;
  const description = rawDescription === undefined ? undefined : redactSecrets(rawDescription, secrets);
  const time = readTime(body.time);
  const retryAfterSeconds =
    code === 'OPERATION_TIME_LIMIT' && time?.operating_reset_at !== undefined
      ? Math.max(0, time.operating_reset_at - (time.finish ?? Date.now() / 1000))
      : undefined;
  const message = description === undefined ? `Bitrix24 answered ${code}.` : `Bitrix24 answered ${code}: ${description}`;
  return new Bitrix24Error(code, message, {
    ...(statusCode === undefined ? {} : { statusCode }),
    ...(description === undefined ? {} : { description }),
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    certainty: certaintyOf(statusCode ?? 400, code),
  });
}

/**
 * Reads a portal answer whatever it is: a JSON envelope with `result` or `error`, or anything else (HTML from a
 * proxy, a truncated body), which becomes a clean error naming only the HTTP status.
 */
export function parseEnvelope(statusCode: number, body: string, secrets: Iterable<string>): RestResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    const certainty: DeliveryCertainty = statusCode >= 500 ? 'ambiguous' : 'final';
    const looksLikeHtml = /^\s*</.test(body);
    throw new Bitrix24Error(
      statusCode >= 200 && statusCode < 300 ? 'INVALID_RESPONSE' : 'HTTP_ERROR',
      `The portal answered HTTP ${statusCode} with ${looksLikeHtml ? 'an HTML page' : 'a body that is not JSON'}.`,
      { statusCode, certainty },
    );
  }
  if (isRecord(parsed) && parsed.error !== undefined && parsed.error !== null && parsed.error !== '') {
    throw portalError(parsed, statusCode, secrets);
  }
  if (statusCode < 200 || statusCode >= 300) {
    throw new Bitrix24Error('HTTP_ERROR', `The portal answered HTTP ${statusCode} without an error code.`, {
      statusCode,
      certainty: statusCode >= 500 ? 'ambiguous' : 'final',
    });
  }
  if (!isRecord(parsed) || !('result' in parsed)) {
    throw new Bitrix24Error('INVALID_RESPONSE', 'The portal answered without a result.', {
      statusCode,
      certainty: 'ambiguous',
    });
  }
  const answer: RestResult = { result: parsed.result };
  const time = readTime(parsed.time);
  if (time !== undefined) answer.time = time;
  if (typeof parsed.total === 'number') answer.total = parsed.total;
  if (typeof parsed.next === 'number') answer.next = parsed.next;
  return answer;
}
