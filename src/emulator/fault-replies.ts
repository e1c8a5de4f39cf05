// How a fault that stops a request before it runs looks on the wire.

import { ServerResponse, STATUS_CODES } from 'node:http';
import { Fault } from './faults';
import { send, sendHtml, sendJson } from '../http/http-reply';

// An envelope cut off mid-number, as when a proxy or a crashing PHP worker truncates the answer.
const TRUNCATED_ENVELOPE = '{"result":true,"time":{"start":17';

/** Answers a fault that does not execute the request; returns the status answered, 0 when the connection was dropped. */
export function answerWithFault(fault: Exclude<Fault, { type: 'lost-after' } | { type: 'delay' }>, response: ServerResponse): number {
  switch (fault.type) {
    case 'status':
      sendJson(response, fault.status, fault.body === undefined ? defaultFaultBody(fault.status) : fault.body);
      return fault.status;
    case 'html':
      sendHtml(response, fault.status, proxyErrorPage(fault.status));
      return fault.status;
    case 'malformed-json': {
      const status = fault.status ?? 200;
      send(response, status, 'application/json; charset=utf-8', TRUNCATED_ENVELOPE);
      return status;
    }
    case 'redirect':
      send(response, fault.status, 'text/plain; charset=utf-8', '', { Location: fault.location });
      return fault.status;
    case 'reset-before':
      dropConnection(response);
      return 0;
  }
}

function defaultFaultBody(status: number): { error: string; error_description: string } {
  if (status >= 500) return { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' };
  return { error: 'INJECTED_FAULT', error_description: `HTTP ${status} injected by the emulator` };
}

/** Drops the connection without an answer: an RST, which the client sees as ECONNRESET. */
export function dropConnection(response: ServerResponse): void {
  const socket = response.socket;
  if (!socket || socket.destroyed) return;
  socket.resetAndDestroy();
}

/** The page nginx shows for an error status, which is what a client meets behind a proxy or during maintenance. */
export function proxyErrorPage(status: number): string {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}
