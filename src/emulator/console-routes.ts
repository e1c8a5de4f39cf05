// The emulator's own routes, beside the REST API:
//   GET  /                        the log page (HTML, refreshes itself)
//   GET  /emulator/api/workflows  the same as JSON: workflows newest first, without event tokens
//   POST /emulator/api/workflows  starts a workflow whose activity waits, answers {workflowId, eventToken}. Body
//                                 optional, JSON with `name`, `activityName`, `documentId`. This is how a demo
//                                 flow in Node-RED gets a fresh token without a real portal: an `http request` node
//                                 POSTs here and passes msg.payload.eventToken on to the log node.
// These routes are not REST requests: they are not recorded, rate limited or affected by faults.

import { IncomingMessage, ServerResponse } from 'node:http';
import { Clock } from './clock';
import { isValidActivityName } from './event-token';
import { sendHtml, sendJson } from '../http/http-reply';
import { renderLogPage } from './log-page';
import { readRequestBody } from '../http/request-body';
import { isJsonContentType } from './control-guard';
import { WorkflowStore } from './workflow-store';
import { describeWorkflows } from './workflow-view';

/** What the console routes show and change. */
export interface ConsoleParts {
  store: WorkflowStore;
  clock: Clock;
  userId: number;
  webhookSecret: string;
  rateLimitText: () => string;
  /** The log page's section listing the registered activities and robots ("" when there are none). */
  registrationList?: () => string;
}

const NO_STORE = { 'Cache-Control': 'no-store' };
// The page needs only its inline style; nothing else may load or run.
const PAGE_HEADERS = {
  ...NO_STORE,
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
  'X-Content-Type-Options': 'nosniff',
};
const MAX_NAME_LENGTH = 200;

/** Serves the log page and the workflow API. */
export class ConsoleRoutes {
  /** Routes over these parts. */
  constructor(private readonly parts: ConsoleParts) {}

  /** Answers the request if the path is one of ours; false otherwise. */
  async handle(request: IncomingMessage, response: ServerResponse, path: string): Promise<boolean> {
    const method = request.method ?? 'GET';
    if (path === '/' && (method === 'GET' || method === 'HEAD')) {
      const page = renderLogPage(this.workflows(), { userId: this.parts.userId, rateLimit: this.parts.rateLimitText() }, this.parts.registrationList?.() ?? '');
      sendHtml(response, 200, page, PAGE_HEADERS);
      return true;
    }
    if (path !== '/emulator/api/workflows' && path !== '/emulator/api/workflows/') return false;
    if (method === 'GET' || method === 'HEAD') {
      sendJson(response, 200, this.workflows(), NO_STORE);
    } else if (method === 'POST') {
      await this.startWorkflow(request, response);
    } else {
      sendJson(response, 405, { error: 'METHOD_NOT_ALLOWED', error_description: 'Use GET or POST' }, { Allow: 'GET, POST' });
    }
    return true;
  }

  private workflows(): ReturnType<typeof describeWorkflows> {
    return describeWorkflows(this.parts.store, this.parts.webhookSecret);
  }

  private async startWorkflow(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readRequestBody(request);
    if (!body.ok) {
      if (body.reason === 'too-large') sendJson(response, 413, invalid('Body too large'), { Connection: 'close' });
      return;
    }
    // Every field is optional, so an empty body may come with any label; one with content must be JSON.
    const text = body.bytes.toString('utf8').trim();
    if (text !== '' && !isJsonContentType(request.headers['content-type'])) {
      sendJson(response, 415, { error: 'UNSUPPORTED_MEDIA_TYPE', error_description: 'The body must be application/json' });
      return;
    }
    const fields = text === '' ? {} : jsonObjectOf(text);
    if (fields === undefined) {
      sendJson(response, 400, invalid('Body is not valid JSON'));
      return;
    }
    const { NAME: name, ACTIVITYNAME: activityName, DOCUMENTID: documentId } = fields;
    const options = {
      name: optionalText(name, MAX_NAME_LENGTH),
      documentId: optionalText(documentId, MAX_NAME_LENGTH),
      activityName: optionalText(activityName, MAX_NAME_LENGTH),
    };
    if (options.name === null || options.documentId === null) {
      sendJson(response, 400, invalid(`name and documentId must be strings of at most ${MAX_NAME_LENGTH} characters`));
      return;
    }
    if (options.activityName === null || (options.activityName !== undefined && !isValidActivityName(options.activityName))) {
      sendJson(response, 400, invalid('activityName must be 1 to 64 letters, digits or "_"'));
      return;
    }
    const started = this.parts.store.start(
      { name: options.name, documentId: options.documentId, activityName: options.activityName },
      this.parts.clock.now(),
    );
    sendJson(response, 200, started, NO_STORE);
  }
}

/** A JSON object's members under upper-cased names (any casing of `name` works), or undefined for anything else. */
function jsonObjectOf(text: string): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  return Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key.toUpperCase(), value]));
}

/** The value if it is a short enough string, undefined if absent, null if unusable. */
export function optionalText(value: unknown, maxLength: number): string | undefined | null {
  if (value === undefined) return undefined;
  return typeof value === 'string' && value.length <= maxLength ? value : null;
}

export function invalid(description: string): { error: string; error_description: string } {
  return { error: 'INVALID_REQUEST', error_description: description };
}
