// The emulator's routes that play the portal's side of an application's activity:
//   POST /emulator/api/activities  starts a workflow and POSTs its activity request to `handlerUrl`; answers
//                                  {workflowId, eventToken, status} (status: the handler's HTTP status). JSON body:
//                                  handlerUrl (required), applicationToken, properties, code, useSubscription,
//                                  timeoutDuration, name, documentId, activityName, encoding ('form' or 'json').
//   POST /emulator/api/install     POSTs the ONAPPINSTALL event to `handlerUrl`; answers {status}. JSON body:
//                                  handlerUrl (required), applicationToken.
// Only handlers on this machine (127.0.0.1, localhost, ::1) can be targeted from HTTP, so the emulator cannot be used
// to send requests elsewhere; the JavaScript API has no such limit.

import { IncomingMessage, ServerResponse } from 'node:http';
import { ActivityDispatcher, DispatchActivityOptions, HandlerUnreachableError } from './activity-dispatch';
import { isJsonContentType, isLoopbackHost } from './control-guard';
import { invalid, optionalText as optionalTextOf } from './console-routes';
import { sendJson } from '../http/http-reply';
import { readRequestBody } from '../http/request-body';

const NO_STORE = { 'Cache-Control': 'no-store' };
const MAX_TEXT_LENGTH = 256;

type Body = Record<string, unknown>;

/** Serves the activity and install routes. */
export class ActivityRoutes {
  constructor(private readonly dispatcher: ActivityDispatcher) {}

  /** Answers the request if the path is one of ours; false otherwise. */
  async handle(request: IncomingMessage, response: ServerResponse, path: string): Promise<boolean> {
    const route = path.replace(/\/$/, '');
    if (route !== '/emulator/api/activities' && route !== '/emulator/api/install') return false;
    if (request.method !== 'POST') {
      request.resume();
      sendJson(response, 405, invalid('Use POST'), { Allow: 'POST' });
      return true;
    }
    const body = await readJsonBody(request, response);
    if (body === undefined) return true;
    const handlerUrl = body.handlerUrl;
    if (typeof handlerUrl !== 'string' || !isLoopbackUrl(handlerUrl)) {
      sendJson(response, 400, invalid('handlerUrl must be an http(s) URL on 127.0.0.1, localhost or ::1'));
      return true;
    }
    const applicationToken = optionalText(body.applicationToken);
    if (applicationToken === null) {
      sendJson(response, 400, invalid(`applicationToken must be a string of at most ${MAX_TEXT_LENGTH} characters`));
      return true;
    }
    try {
      if (route === '/emulator/api/install') {
        sendJson(response, 200, await this.dispatcher.dispatchInstall({ handlerUrl, applicationToken }), NO_STORE);
        return true;
      }
      const options = activityOptions(body, handlerUrl, applicationToken);
      if (typeof options === 'string') {
        sendJson(response, 400, invalid(options));
        return true;
      }
      sendJson(response, 200, await this.dispatcher.dispatchActivity(options), NO_STORE);
    } catch (error) {
      if (error instanceof HandlerUnreachableError) {
        const workflow = error.workflowId === undefined ? {} : { workflowId: error.workflowId };
        sendJson(response, 502, { error: 'HANDLER_UNREACHABLE', error_description: error.message, ...workflow });
      } else if (error instanceof RangeError) {
        sendJson(response, 400, invalid(error.message));
      } else {
        throw error;
      }
    }
    return true;
  }
}

/** The dispatch options from a request body, or the reason they are unusable. */
function activityOptions(body: Body, handlerUrl: string, applicationToken: string | undefined): DispatchActivityOptions | string {
  const options: DispatchActivityOptions = { handlerUrl, applicationToken };
  for (const name of ['code', 'name', 'documentId', 'activityName'] as const) {
    const value = optionalText(body[name]);
    if (value === null) return `${name} must be a string of at most ${MAX_TEXT_LENGTH} characters`;
    options[name] = value;
  }
  const { properties, useSubscription, timeoutDuration, encoding } = body;
  if (properties !== undefined && (typeof properties !== 'object' || properties === null || Array.isArray(properties))) {
    return 'properties must be an object';
  }
  if (useSubscription !== undefined && typeof useSubscription !== 'boolean') return 'useSubscription must be true or false';
  if (timeoutDuration !== undefined && !(Number.isSafeInteger(timeoutDuration) && (timeoutDuration as number) >= 0)) {
    return 'timeoutDuration must be a whole number of seconds';
  }
  if (encoding !== undefined && encoding !== 'form' && encoding !== 'json') return "encoding must be 'form' or 'json'";
  return {
    ...options,
    properties: properties as Record<string, unknown> | undefined,
    useSubscription,
    timeoutDuration: timeoutDuration as number | undefined,
    encoding,
  };
}

/** The JSON object the request carries; answers 415, 400 or 413 itself and resolves undefined when there is none. */
async function readJsonBody(request: IncomingMessage, response: ServerResponse): Promise<Body | undefined> {
  if (!isJsonContentType(request.headers['content-type'])) {
    request.resume();
    sendJson(response, 415, { error: 'UNSUPPORTED_MEDIA_TYPE', error_description: 'The body must be application/json' });
    return undefined;
  }
  const read = await readRequestBody(request);
  if (!read.ok) {
    if (read.reason === 'too-large') sendJson(response, 413, invalid('Body too large'), { Connection: 'close' });
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(read.bytes.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Body;
  } catch {
    // Answered below.
  }
  sendJson(response, 400, invalid('The body must be a JSON object'));
  return undefined;
}

function isLoopbackUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(url.hostname);
  } catch {
    return false;
  }
}

/** The value if it is a short enough string, undefined if absent, null if unusable. */
function optionalText(value: unknown): string | undefined | null {
  return optionalTextOf(value, MAX_TEXT_LENGTH);
}
