import { CallOptions, RestCaller } from '../client';
import { ResponseTime } from '../envelope';
import { Bitrix24Error, readField } from '../errors';
import { validateEventToken } from './event-token';
import { PreparedLogMessage, prepareLogMessage } from './log-message';

/** The REST method that answers a waiting activity with its return values, which closes the activity. */
export const EVENT_SEND_METHOD = 'bizproc.event.send';

/** What an event.send call returns: the portal's `result` (true) and its timing. */
export interface EventSendResult {
  result: unknown;
  time?: ResponseTime;
}

/** An event.send call whose input has been validated. */
export interface EventSendRequest {
  eventToken: string;
  /** Plain JSON data, keyed by the activity's RETURN_PROPERTIES. */
  returnValues: Record<string, unknown>;
  /** A last line for the process log, when one was given. */
  logMessage?: PreparedLogMessage;
}

function invalidReturnValues(reason: string, message: string): Bitrix24Error {
  return new Bitrix24Error('INVALID_RETURN_VALUES', message, { reason });
}

/** What a value is, in a word for an error message (never the value itself). */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (Buffer.isBuffer(value)) return 'a Buffer';
  if (value instanceof Date) return 'a date';
  return `a ${typeof value}`;
}

/**
 * Checks return values: an object whose keys are the activity's RETURN_PROPERTIES (the portal ignores other keys,
 * and this side cannot know the registered ones). Arrays, Buffers, dates and scalars are refused; the result is the
 * JSON form of the object, which is exactly what will be sent. Throws INVALID_RETURN_VALUES.
 */
export function prepareReturnValues(value: unknown): Record<string, unknown> {
  if (value === undefined) throw invalidReturnValues('missing', 'There are no return values: the property is not set.');
  const isPlainObject =
    typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value) && !(value instanceof Date);
  if (!isPlainObject) {
    throw invalidReturnValues('type', `The return values must be an object keyed by the activity's return properties, not ${kindOf(value)}.`);
  }
  try {
    return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  } catch {
    throw invalidReturnValues('json', 'The return values cannot be written as JSON (circular, or hold a BigInt).');
  }
}

/**
 * The optional last log line: whatever the log node would refuse as empty (nothing, white space, "0", which the
 * portal skips as empty) means no line; anything else goes through the log node's coercion and checks.
 */
export function prepareOptionalLogMessage(value: unknown): PreparedLogMessage | undefined {
  try {
    return prepareLogMessage(value);
  } catch (error) {
    if (error instanceof Bitrix24Error && error.code === 'EMPTY_LOG_MESSAGE') return undefined;
    throw error;
  }
}

/**
 * Validates the input of an event.send call without calling the portal: the token first (the portal checks it
 * first too), then the return values, then the optional log line. Throws INVALID_EVENT_TOKEN, INVALID_RETURN_VALUES,
 * or INVALID_LOG_MESSAGE, naming the field (`eventToken`, `returnValues`, `logMessage`) it is about.
 */
export function prepareEventSend(eventToken: unknown, returnValues: unknown, logMessage?: unknown): EventSendRequest {
  const request: EventSendRequest = {
    eventToken: readField('eventToken', () => validateEventToken(eventToken)),
    returnValues: readField('returnValues', () => prepareReturnValues(returnValues)),
  };
  const line = readField('logMessage', () => prepareOptionalLogMessage(logMessage));
  if (line !== undefined) request.logMessage = line;
  return request;
}

/**
 * Answers the waiting activity: the portal stores the return values, writes the optional line and closes the
 * activity, so later log calls for the token write nothing and a second answer is refused.
 */
export function sendEvent(caller: RestCaller, request: EventSendRequest, options: CallOptions = {}): Promise<EventSendResult> {
  const params: Record<string, unknown> = { EVENT_TOKEN: request.eventToken, RETURN_VALUES: request.returnValues };
  if (request.logMessage !== undefined) params.LOG_MESSAGE = request.logMessage.text;
  // The same order key as the log lines of this token: an answer must not overtake the lines logged before it.
  return caller
    .call(EVENT_SEND_METHOD, params, { orderKey: request.eventToken, signal: options.signal, auth: options.auth })
    .then((answer) => (answer.time === undefined ? { result: answer.result } : { result: answer.result, time: answer.time }));
}
