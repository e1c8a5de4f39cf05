// Writing answers on the wire. Every answer goes through here, so headers stay consistent and a client that went away
// mid-answer never throws into the server.

import { ServerResponse } from 'node:http';

/** Answers `status` with `body` as UTF-8 JSON. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  // JSON.stringify gives undefined for a function or undefined body: send JSON null rather than throw.
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(body) ?? 'null', headers);
}

/** Answers `status` with an HTML document. */
export function sendHtml(response: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  send(response, status, 'text/html; charset=utf-8', html, headers);
}

/** Answers `status` with this exact text under this content type. */
export function send(
  response: ServerResponse,
  status: number,
  contentType: string,
  text: string,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent || response.destroyed) return;
  const bytes = Buffer.from(text, 'utf8');
  response.writeHead(status, { 'Content-Type': contentType, 'Content-Length': String(bytes.length), ...headers });
  response.end(bytes);
}
