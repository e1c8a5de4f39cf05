// `/oauth/authorize/`: where a user installs the application and approves it. The emulator has no users to log in,
// so a request naming the registered client is approved at once: 302 to the redirect URI with `code`, `state`
// (unchanged), `domain`, `member_id`, `scope` and `server_domain`, as the portal sends them. Anything wrong is
// answered with a 400 page and no redirect, because redirecting to an unchecked address would make the emulator an
// open redirector: the redirect URI must be on the registered handler's host, or, with none registered, on this
// machine.

import { IncomingMessage, ServerResponse } from 'node:http';
import { Clock } from './clock';
import { sendHtml } from '../http/http-reply';
import { escapeHtml } from './log-page';
import { isLoopbackHost } from './control-guard';
import { AuthorizationCodes } from './oauth-codes';
import { checkedRedirectUri, ResolvedOAuthOptions } from './oauth-options';

/** What the authorisation page works with. */
export interface AuthorizePageParts {
  options: ResolvedOAuthOptions;
  codes: AuthorizationCodes;
  clock: Clock;
  /** The emulator's base URL and scopes, read per request because the URL is known only once started. */
  portal: () => { url: string; scopes: readonly string[] };
}

// Generous for real redirect URIs and states, small enough that the Location header stays well under header limits.
const MAX_REDIRECT_URI_LENGTH = 2048;
const MAX_STATE_LENGTH = 1024;
// The page loads nothing and runs nothing.
const PAGE_HEADERS = {
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
  'X-Content-Type-Options': 'nosniff',
};

/** Answers requests for `/oauth/authorize/`. */
export class AuthorizePage {
  /** A page over these parts. */
  constructor(private readonly parts: AuthorizePageParts) {}

  /** Answers one request; `query` is the raw query string. */
  handle(request: IncomingMessage, response: ServerResponse, query: string): void {
    request.resume();
    const method = request.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      sendHtml(response, 405, page('Method not allowed', 'Open this page with GET.'), { ...PAGE_HEADERS, Allow: 'GET, HEAD' });
      return;
    }
    const target = this.redirectTarget(new URLSearchParams(query));
    if (typeof target === 'string') {
      sendHtml(response, 400, page('Authorisation refused', target), PAGE_HEADERS);
      return;
    }
    const location = target.href;
    const link = `<p>Application approved. Continue to <a href="${escapeHtml(location)}">the application</a>.</p>`;
    sendHtml(response, 302, page('Application approved', link, true), { ...PAGE_HEADERS, Location: location });
  }

  /** The URL to send the browser to, or why there is none. */
  private redirectTarget(query: URLSearchParams): URL | string {
    const { options, codes, clock } = this.parts;
    if (query.get('client_id') !== options.clientId) return 'Unknown client_id: no such application is installed on this portal.';
    const responseType = query.get('response_type');
    if (responseType !== null && responseType !== 'code') return 'Only response_type=code is supported.';
    const state = query.get('state');
    if (state !== null && state.length > MAX_STATE_LENGTH) return `state must be at most ${MAX_STATE_LENGTH} characters.`;
    const redirect = this.redirectUri(query.get('redirect_uri'));
    if (typeof redirect === 'string') return redirect;
    const portal = this.parts.portal();
    const domain = new URL(portal.url).host;
    const answer = new URLSearchParams();
    answer.set('code', codes.issue(clock.now()));
    if (state !== null) answer.set('state', state);
    answer.set('domain', domain);
    answer.set('member_id', options.memberId);
    answer.set('scope', portal.scopes.join(','));
    answer.set('server_domain', domain);
    // Appended to the redirect URI's own query, which stays as the application wrote it.
    const existing = redirect.search.slice(1);
    redirect.search = existing === '' ? answer.toString() : `${existing}&${answer.toString()}`;
    return redirect;
  }

  private redirectUri(given: string | null): URL | string {
    const registered = this.parts.options.redirectUri;
    if (given === null || given === '') {
      return registered === undefined ? 'redirect_uri is required: this application has no registered handler URL.' : new URL(registered.href);
    }
    if (given.length > MAX_REDIRECT_URI_LENGTH) return `redirect_uri must be at most ${MAX_REDIRECT_URI_LENGTH} characters.`;
    let url: URL;
    try {
      url = checkedRedirectUri(given, 'redirect_uri');
    } catch (error) {
      return `${(error as Error).message}.`;
    }
    if (url.hash !== '') return 'redirect_uri must not contain a fragment.';
    // Like the portal, which only redirects to the application's own server.
    if (registered !== undefined && url.origin !== registered.origin) return "redirect_uri must be on the application's registered host.";
    // With no handler registered, only this machine: otherwise the page would send a code anywhere it is told to.
    if (registered === undefined && !isLoopbackHost(url.hostname)) {
      return 'redirect_uri must be on this machine (127.0.0.1, localhost or ::1) unless the application registers one (redirectUri, --redirect-uri).';
    }
    return url;
  }
}

/** The whole document; `html` is already safe markup, `title` is plain text. */
function page(title: string, html: string, isMarkup = false): string {
  const content = isMarkup ? html : `<p>${escapeHtml(html)}</p>`;
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font:14px/1.45 system-ui,sans-serif;margin:24px">
<h1 style="font-size:20px">${escapeHtml(title)}</h1>
${content}
</body>
</html>
`;
}
