import { CallOptions, RestCaller } from '../client';
import { ResponseTime } from '../envelope';
import { readField } from '../errors';
import { validateEventToken } from './event-token';
import { PreparedLogMessage, prepareLogMessage } from './log-message';

/** The REST method that writes a line into a business process log. */
export const ACTIVITY_LOG_METHOD = 'bizproc.activity.log';

/** What a log call returns: the portal's `result` (true), its timing, and whether the line was cut to fit. */
export interface ActivityLogResult {
  result: unknown;
  time?: ResponseTime;
  truncated: boolean;
}

/** A log call whose input has been validated: a token that can be one, and a line the portal will accept. */
export interface ActivityLogRequest {
  eventToken: string;
  message: PreparedLogMessage;
}

/**
 * Validates and coerces the input of a log call without calling the portal: the token first (the portal checks it
 * first too), then the message. Throws INVALID_EVENT_TOKEN, EMPTY_LOG_MESSAGE or INVALID_LOG_MESSAGE, naming the field
 * (`eventToken`, `message`) it is about.
 */
export function prepareActivityLog(eventToken: unknown, message: unknown): ActivityLogRequest {
  return {
    eventToken: readField('eventToken', () => validateEventToken(eventToken)),
    message: readField('message', () => prepareLogMessage(message)),
  };
}

/**
 * Writes one prepared line into the log of the business process that is waiting on its token. `result: true` does
 * not prove the line was written: the portal answers true for an activity that is no longer waiting.
 */
export function sendActivityLog(
  caller: RestCaller,
  request: ActivityLogRequest,
  options: CallOptions = {},
): Promise<ActivityLogResult> {
  const truncated = request.message.truncated;
  // Not async, and no copy of the request kept: with 100,000 lines queued every retained object counts.
  return caller
    .call(
      ACTIVITY_LOG_METHOD,
      { EVENT_TOKEN: request.eventToken, LOG_MESSAGE: request.message.text },
      // Lines of one process must reach its log in the order they were sent.
      { orderKey: request.eventToken, signal: options.signal, auth: options.auth },
    )
    .then((answer) => (answer.time === undefined ? { result: answer.result, truncated } : { result: answer.result, time: answer.time, truncated }));
}

/** Validates, then writes one line into a business process log: `prepareActivityLog` and `sendActivityLog` in one. */
export async function logActivity(caller: RestCaller, eventToken: unknown, message: unknown): Promise<ActivityLogResult> {
  return sendActivityLog(caller, prepareActivityLog(eventToken, message));
}
