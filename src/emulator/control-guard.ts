// Who may use the emulator's control routes (the log page, `/emulator/api/...`). They start workflows, hand out event
// tokens and make the emulator POST activity requests with the installed application's real token to a handler on
// this machine, such as the demo's Node-RED. A web page the user visits must not drive them (issue 11, point 13):
// - Host must name this machine or the address the emulator listens on, so a DNS-rebinding page (its own name
//   resolving to 127.0.0.1) is refused;
// - an Origin, which browsers send with every cross-origin POST, must be such a host as well;
// - bodies are JSON (checked by the routes), which a cross-site form cannot send without a CORS preflight, and the
//   emulator grants none.

import { IncomingMessage } from 'node:http';

/** Hosts that never leave this machine; the emulator's own check, so it shares no code with the client it tests. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Whether a Content-Type header names JSON (`application/json`, `...+json`, with or without parameters). */
export function isJsonContentType(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || type.endsWith('+json');
}

/** The host name of a `Host` header value (`name:port`, `[v6]:port`), lower-cased, or undefined when malformed. */
function hostnameOf(hostHeader: string): string | undefined {
  try {
    return new URL(`http://${hostHeader}/`).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return undefined;
  }
}

/** Why a request may not use the control routes (`host` or `origin`), or undefined when it may. */
export type ControlRefusal = 'host' | 'origin' | undefined;

/** Checks requests against the loopback names and the one address the emulator listens on. */
export class ControlGuard {
  /** A guard for an emulator listening on `listenHost` (a wildcard such as 0.0.0.0 adds no name). */
  constructor(private readonly listenHost: () => string) {}

  /** Whether `hostname` names this emulator. */
  allows(hostname: string): boolean {
    if (isLoopbackHost(hostname)) return true;
    const listening = this.listenHost().replace(/^\[|\]$/g, '').toLowerCase();
    return listening !== '0.0.0.0' && listening !== '::' && listening !== '' && hostname === listening;
  }

  /** Why the request is refused, or undefined. */
  refusal(request: IncomingMessage): ControlRefusal {
    const host = hostnameOf(request.headers.host ?? '');
    if (host === undefined || !this.allows(host)) return 'host';
    const origin = request.headers.origin;
    if (origin === undefined) return undefined;
    try {
      const url = new URL(origin);
      return (url.protocol === 'http:' || url.protocol === 'https:') && this.allows(url.hostname.replace(/^\[|\]$/g, '').toLowerCase()) ? undefined : 'origin';
    } catch {
      // `Origin: null` (sandboxed frames, file pages) and anything unreadable.
      return 'origin';
    }
  }
}
