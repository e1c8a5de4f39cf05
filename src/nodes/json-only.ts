// The admin routes that act (OAuth start, Test connection) take JSON only. A cross-site HTML form can POST
// `application/x-www-form-urlencoded`, `multipart/form-data` or `text/plain` without a CORS preflight, and Node-RED
// without adminAuth lets any such request through `needsPermission`; `application/json` needs a preflight, which the
// admin API does not grant to other sites' pages (issue 11, point 11).

import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../http/http-reply';

/** Whether a Content-Type header names JSON (`application/json`, with or without parameters). */
export function isJsonContentType(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() === 'application/json';
}

/** Express middleware: 415 UNSUPPORTED_MEDIA_TYPE unless the request is JSON. */
export function jsonOnly(request: IncomingMessage, response: ServerResponse, next: () => void): void {
  if (isJsonContentType(request.headers['content-type'])) {
    next();
    return;
  }
  sendJson(response, 415, { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'This endpoint takes application/json only.' }, { 'Cache-Control': 'no-store' });
}
