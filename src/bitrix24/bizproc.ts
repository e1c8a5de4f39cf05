import { RestCaller } from './client';
import { ResponseTime } from './envelope';
import { validateEventToken } from './event-token';
import { prepareLogMessage } from './log-message';

/** The REST method that writes a line into a business process log. */
export const ACTIVITY_LOG_METHOD = 'bizproc.activity.log';

/** What a log call returns: the portal's `result` (true), its timing, and whether the line was cut to fit. */
export interface ActivityLogResult {
  result: unknown;
  time?: ResponseTime;
  truncated: boolean;
}

/**
 * Writes one line into the log of the business process that is waiting on `eventToken`. Input is validated and
 * coerced before any request is made. `result: true` does not prove the line was written: the portal answers true
 * for an activity that is no longer waiting.
 */
export async function logActivity(caller: RestCaller, eventToken: unknown, message: unknown): Promise<ActivityLogResult> {
  const token = validateEventToken(eventToken);
  const prepared = prepareLogMessage(message);
  const answer = await caller.call(ACTIVITY_LOG_METHOD, { EVENT_TOKEN: token, LOG_MESSAGE: prepared.text });
  const result: ActivityLogResult = { result: answer.result, truncated: prepared.truncated };
  if (answer.time !== undefined) result.time = answer.time;
  return result;
}
