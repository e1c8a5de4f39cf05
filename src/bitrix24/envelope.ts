import { certaintyOfAnswer } from './error-codes';
import { Bitrix24Error } from './errors';
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads `time` leniently: a portal that sends something odd there must not turn a success into a failure. */
export function readTime(value: unknown): ResponseTime | undefined {
  return isRecord(value) ? (value as ResponseTime) : undefined;
}

// What a portal's error code looks like (ACCESS_DENIED, expired_token, 404). Anything else in `error` is not a code:
// a proxy or portal that echoes the request could put a token there, and the code reaches every status and log.
const CODE_SHAPE = /^[A-Za-z0-9_]{1,64}$/;

/**
 * Turns an `{error, error_description}` object into our error; the description is cleared of secrets. An `error`
 * that is not code-shaped becomes HTTP_ERROR (or INVALID_RESPONSE after a 2xx), its text redacted into the description.
 */
export function portalError(
  body: Record<string, unknown>,
  statusCode: number | undefined,
  secrets: Iterable<string>,
): Bitrix24Error {
  const rawCode = typeof body.error === 'number' ? String(body.error) : body.error;
  if (typeof rawCode !== 'string' || !CODE_SHAPE.test(rawCode)) return unreadableError(body, statusCode, secrets);
  const code = rawCode;
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
    certainty: certaintyOfAnswer(code, statusCode),
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
    const what = /^\s*</.test(body) ? 'an HTML page' : 'a body that is not JSON';
    if (statusCode >= 200 && statusCode < 300) {
      throw new Bitrix24Error('INVALID_RESPONSE', `The portal answered HTTP ${statusCode} with ${what}; the call may have run.`, { statusCode });
    }
    throw httpError(statusCode, `The portal answered HTTP ${statusCode} with ${what}.`);
  }
  if (isRecord(parsed) && parsed.error !== undefined && parsed.error !== null && parsed.error !== '') {
    throw portalError(parsed, statusCode, secrets);
  }
  if (statusCode < 200 || statusCode >= 300) throw httpError(statusCode, `The portal answered HTTP ${statusCode} without an error code.`);
  if (!isRecord(parsed) || !('result' in parsed)) {
    throw new Bitrix24Error('INVALID_RESPONSE', 'The portal answered without a result; the call may have run.', { statusCode });
  }
  const answer: RestResult = { result: parsed.result };
  const time = readTime(parsed.time);
  if (time !== undefined) answer.time = time;
  if (typeof parsed.total === 'number') answer.total = parsed.total;
  if (typeof parsed.next === 'number') answer.next = parsed.next;
  return answer;
}

/** The error for an answer whose `error` is not a code: the package's own code, the text kept only redacted. */
function unreadableError(body: Record<string, unknown>, statusCode: number | undefined, secrets: Iterable<string>): Bitrix24Error {
  const text = redactSecrets(String(typeof body.error === 'string' ? body.error : JSON.stringify(body.error) ?? '').slice(0, 200), secrets);
  // A 2xx, or a command of a batch (which the portal answered 200): the work may have been done before the failure.
  if (statusCode === undefined || (statusCode >= 200 && statusCode < 300)) {
    return new Bitrix24Error('INVALID_RESPONSE', 'The portal answered with an error that is not a Bitrix24 code; the call may have run.', {
      ...(statusCode === undefined ? {} : { statusCode }),
      description: text,
    });
  }
  const failure = httpError(statusCode, `The portal answered HTTP ${statusCode} with an error that is not a Bitrix24 code.`);
  return new Bitrix24Error(failure.code, failure.message, { statusCode, certainty: failure.certainty, description: text });
}

/** An HTTP error without a Bitrix24 answer: after a 5xx the call may have run, after anything else it did not. */
function httpError(statusCode: number, message: string): Bitrix24Error {
  return new Bitrix24Error('HTTP_ERROR', message, { statusCode, certainty: statusCode >= 500 ? 'ambiguous' : 'not-executed' });
}
