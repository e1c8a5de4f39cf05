// The emulator's routes for the activities and robots the application registered:
//   GET  /emulator/api/registrations               every registration (kind, code, name, handler, properties, ...)
//   POST /emulator/api/registrations/start         JSON {code, kind?, properties?, name?, documentId?}: starts a
//                                                  workflow that reaches it and POSTs the request to its HANDLER;
//                                                  answers {workflowId, eventToken, status}
//   GET  /emulator/registrations/<kind>/<code>     the page with a form that does the same
//   POST /emulator/registrations/<kind>/<code>     that form (form-encoded): starts, then 303 to the log page
// The form is the one control that is not JSON, so it needs more than the control guard's Host and Origin checks: a
// browser's Origin must be present (every browser sends it with a POST), and the form must carry a token that only
// this emulator's own page holds (no other site can read the page). As with /emulator/api/activities, only a HANDLER
// on this machine, or on the application's registered host, is posted to from HTTP.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { HandlerUnreachableError } from './activity-dispatch';
import { RegistrationKind } from './app-registrations';
import { invalid } from './console-routes';
import { isJsonContentType, isLoopbackHost } from './control-guard';
import { escapeHtml, PAGE_STYLE } from './log-page';
import { decodePhpForm } from './php-form';
import { RegisteredStarts, StartRegisteredOptions, UnknownRegistrationError } from './registered-start';
import { renderStartPage } from './registration-pages';
import { sendHtml, sendJson } from '../http/http-reply';
import { readRequestBody } from '../http/request-body';

const NO_STORE = { 'Cache-Control': 'no-store' };
const PAGE_HEADERS = {
  ...NO_STORE,
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
};
const FORM_PATH = /^\/emulator\/registrations\/(activity|robot)\/([A-Za-z0-9._%-]{1,400})\/?$/;
const MAX_TEXT = 256;
// Start requests are a few kilobytes; the cap keeps a hostile body from costing memory.
const MAX_START_BODY = 256 * 1024;

type Body = Record<string, unknown>;

/** Serves the registration routes. */
export class RegistrationRoutes {
  private readonly formSecret = randomBytes(32);

  /** Routes over `starts`; `applicationHost()` is the registered application's host, when it has one. */
  constructor(
    private readonly starts: RegisteredStarts,
    private readonly listing: () => unknown,
    private readonly applicationHost: () => string | undefined,
  ) {}

  /** The token the start forms carry. */
  formToken(): string {
    return createHmac('sha256', this.formSecret).update('registration start form').digest('hex');
  }

  /** Answers the request if the path is one of ours; false otherwise. */
  async handle(request: IncomingMessage, response: ServerResponse, path: string): Promise<boolean> {
    const route = path.replace(/\/$/, '');
    if (route === '/emulator/api/registrations') {
      request.resume();
      if (request.method !== 'GET' && request.method !== 'HEAD') sendJson(response, 405, invalid('Use GET'), { Allow: 'GET' });
      else sendJson(response, 200, this.listing(), NO_STORE);
      return true;
    }
    if (route === '/emulator/api/registrations/start') {
      await this.startFromJson(request, response);
      return true;
    }
    const form = FORM_PATH.exec(path);
    if (form === null) return false;
    let code: string;
    try {
      code = decodeURIComponent(form[2] ?? '');
    } catch {
      code = '';
    }
    const kind = form[1] as RegistrationKind;
    if (request.method === 'GET' || request.method === 'HEAD') {
      request.resume();
      try {
        sendHtml(response, 200, renderStartPage(this.starts.registrationOf(code, kind), this.formToken(), PAGE_STYLE), PAGE_HEADERS);
      } catch {
        sendHtml(response, 404, messagePage('No activity or robot with this code is registered.'), PAGE_HEADERS);
      }
    } else if (request.method === 'POST') {
      await this.startFromForm(request, response, kind, code);
    } else {
      request.resume();
      sendJson(response, 405, invalid('Use GET or POST'), { Allow: 'GET, POST' });
    }
    return true;
  }

  private async startFromJson(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'POST') {
      request.resume();
      sendJson(response, 405, invalid('Use POST'), { Allow: 'POST' });
      return;
    }
    if (!isJsonContentType(request.headers['content-type'])) {
      request.resume();
      sendJson(response, 415, { error: 'UNSUPPORTED_MEDIA_TYPE', error_description: 'The body must be application/json' });
      return;
    }
    const body = await readBody(request, response, (text) => JSON.parse(text) as unknown);
    if (body === undefined) return;
    const options = startOptions(body);
    if (typeof options === 'string') {
      sendJson(response, 400, invalid(options));
      return;
    }
    try {
      sendJson(response, 200, await this.start(options), NO_STORE);
    } catch (error) {
      const { status, description } = failureOf(error);
      sendJson(response, status, { error: status === 502 ? 'HANDLER_UNREACHABLE' : 'INVALID_REQUEST', error_description: description, ...workflowOf(error) });
    }
  }

  private async startFromForm(request: IncomingMessage, response: ServerResponse, kind: RegistrationKind, code: string): Promise<void> {
    const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    // A browser always names its Origin on a POST; without it, or with the wrong token, this is not our own form.
    if (request.headers.origin === undefined || type !== 'application/x-www-form-urlencoded') {
      request.resume();
      sendHtml(response, 403, messagePage('This form is accepted only from the emulator\'s own page.'), PAGE_HEADERS);
      return;
    }
    const body = await readBody(request, response, (text) => decodePhpForm(text));
    if (body === undefined) return;
    const token = typeof body.formToken === 'string' ? Buffer.from(body.formToken) : Buffer.alloc(0);
    const expected = Buffer.from(this.formToken());
    if (token.length !== expected.length || !timingSafeEqual(token, expected)) {
      sendHtml(response, 403, messagePage('This form is accepted only from the emulator\'s own page.'), PAGE_HEADERS);
      return;
    }
    const given = typeof body.property === 'object' && body.property !== null && !Array.isArray(body.property) ? (body.property as Body) : {};
    const properties: Body = {};
    try {
      const registration = this.starts.registrationOf(code, kind);
      for (const [name, property] of Object.entries(registration.properties)) {
        const value = given[name];
        if (typeof value !== 'string') continue;
        // A multiple property is typed one value a line.
        properties[name] = property.MULTIPLE === 'Y' ? value.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '') : value;
      }
      await this.start({ code, kind, properties });
      response.writeHead(303, { Location: '/', ...NO_STORE, 'Content-Length': '0' });
      response.end();
    } catch (error) {
      const { status, description } = failureOf(error);
      sendHtml(response, status, messagePage(description), PAGE_HEADERS);
    }
  }

  /** Starts the workflow, after checking that the HANDLER is one HTTP may target. */
  private start(options: StartRegisteredOptions): ReturnType<RegisteredStarts['start']> {
    const registration = this.starts.registrationOf(options.code, options.kind);
    const target = new URL(registration.handler);
    const host = this.applicationHost();
    if (!isLoopbackHost(target.hostname) && (host === undefined || target.hostname.toLowerCase() !== host.toLowerCase())) {
      throw new RangeError("The HANDLER is neither on this machine nor on the application's host: the emulator does not post there from HTTP.");
    }
    return this.starts.start(options);
  }
}

/** The options of a JSON start, or the reason they are unusable. */
function startOptions(body: Body): StartRegisteredOptions | string {
  const { code, kind, properties, name, documentId } = body;
  if (typeof code !== 'string' || code === '' || code.length > MAX_TEXT) return 'code must be a registered code';
  if (kind !== undefined && kind !== 'activity' && kind !== 'robot') return "kind must be 'activity' or 'robot'";
  if (properties !== undefined && (typeof properties !== 'object' || properties === null || Array.isArray(properties))) return 'properties must be an object';
  for (const [label, value] of [['name', name], ['documentId', documentId]] as const) {
    if (value !== undefined && (typeof value !== 'string' || value.length > MAX_TEXT)) return `${label} must be a string of at most ${MAX_TEXT} characters`;
  }
  return { code, kind: kind as RegistrationKind | undefined, properties: properties as Body | undefined, name: name as string | undefined, documentId: documentId as string | undefined };
}

/** Reads and decodes a body of at most MAX_START_BODY; answers 413 or 400 itself and resolves undefined then. */
async function readBody(request: IncomingMessage, response: ServerResponse, decode: (text: string) => unknown): Promise<Body | undefined> {
  const read = await readRequestBody(request, MAX_START_BODY);
  if (!read.ok) {
    if (read.reason === 'too-large') sendJson(response, 413, invalid('Body too large'), { Connection: 'close' });
    return undefined;
  }
  try {
    const decoded = decode(read.bytes.toString('utf8'));
    if (typeof decoded === 'object' && decoded !== null && !Array.isArray(decoded)) return decoded as Body;
  } catch {
    // Answered below.
  }
  sendJson(response, 400, invalid('The body must be a JSON object or a form'));
  return undefined;
}

function failureOf(error: unknown): { status: number; description: string } {
  if (error instanceof UnknownRegistrationError) return { status: 404, description: error.message };
  if (error instanceof HandlerUnreachableError) return { status: 502, description: error.message };
  if (error instanceof RangeError) return { status: 400, description: error.message };
  throw error;
}

function workflowOf(error: unknown): { workflowId?: string } {
  return error instanceof HandlerUnreachableError && error.workflowId !== undefined ? { workflowId: error.workflowId } : {};
}

function messagePage(message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bitrix24 emulator</title><style>${PAGE_STYLE}</style></head><body><main><section><p>${escapeHtml(message)}</p><p><a href="/">Back to the log</a></p></section></main></body></html>`;
}
