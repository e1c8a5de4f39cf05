// The token server at `/oauth/token/` (with or without the trailing slash): what oauth.bitrix.info does for a real
// application. GET with a query, or POST with a form or JSON; `grant_type=refresh_token` rotates a pair,
// `grant_type=authorization_code` exchanges a code from `/oauth/authorize/`. Checks run in the usual OAuth order:
// the grant type, then the client, then the grant itself. Every call is recorded, without its secrets.

import { createHash, timingSafeEqual } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Clock } from './clock';
import { sendJson } from '../http/http-reply';
import { AuthorizationCodes } from './oauth-codes';
import { OAuthRefusal, refusalBody, tokenServerErrors } from './oauth-errors';
import { ResolvedOAuthOptions } from './oauth-options';
import { OAuthRequestLog } from './oauth-request-log';
import { IssuedTokens, OAuthTokenStore } from './oauth-tokens';
import { readRequestBody } from '../http/request-body';
import { parseRestParams } from './rest-params';

/** Who the emulated portal is, as the token answer describes it; read per call because the URL is known only once started. */
export interface PortalIdentity {
  /** The emulator's base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  userId: number;
  scopes: readonly string[];
}

/** What the token server works with. */
export interface TokenServerParts {
  options: ResolvedOAuthOptions;
  tokens: OAuthTokenStore;
  codes: AuthorizationCodes;
  clock: Clock;
  log: OAuthRequestLog;
  portal: () => PortalIdentity;
}

/** The token answer Bitrix24 gives, field for field. */
export interface TokenAnswer {
  access_token: string;
  refresh_token: string;
  expires: number;
  expires_in: number;
  scope: string;
  domain: string;
  server_endpoint: string;
  client_endpoint: string;
  member_id: string;
  user_id: number;
  status: string;
}

// Token answers must never be cached by anything in between (RFC 6749, 5.1).
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

/** Answers requests for `/oauth/token/`. */
export class TokenServer {
  /** A token server over these parts. */
  constructor(private readonly parts: TokenServerParts) {}

  /** Answers one request; `query` is the raw query string. */
  async handle(request: IncomingMessage, response: ServerResponse, query: string): Promise<void> {
    const method = request.method ?? 'GET';
    const body = await readRequestBody(request);
    if (!body.ok) {
      if (body.reason === 'too-large') {
        sendJson(response, 413, { error: 'invalid_request', error_description: 'Body too large' }, { Connection: 'close' });
      }
      return;
    }
    if (method !== 'GET' && method !== 'POST') {
      this.refuse(response, undefined, tokenServerErrors.httpMethodNotAllowed(), { Allow: 'GET, POST' });
      return;
    }
    const parsed = parseRestParams(query, request.headers['content-type'], body.bytes);
    if (!parsed.ok) {
      this.refuse(response, undefined, tokenServerErrors.invalidJson());
      return;
    }
    const params = parsed.params;
    const outcome = this.grant(params);
    if ('error' in outcome) {
      this.refuse(response, params.GRANT_TYPE, outcome);
      return;
    }
    this.parts.log.add(this.parts.clock.now(), params.GRANT_TYPE, undefined);
    sendJson(response, 200, this.tokenAnswer(outcome), NO_STORE);
  }

  private grant(params: Record<string, unknown>): IssuedTokens | OAuthRefusal {
    const grantType = params.GRANT_TYPE;
    if (grantType !== 'refresh_token' && grantType !== 'authorization_code') return tokenServerErrors.unsupportedGrantType();
    if (!this.isClient(params.CLIENT_ID, params.CLIENT_SECRET)) return tokenServerErrors.invalidClient();
    const now = this.parts.clock.now();
    if (grantType === 'refresh_token') {
      const refreshToken = params.REFRESH_TOKEN;
      const issued = typeof refreshToken === 'string' ? this.parts.tokens.redeemRefresh(refreshToken, now) : undefined;
      return issued ?? tokenServerErrors.invalidRefreshToken();
    }
    const code = params.CODE;
    if (typeof code !== 'string' || !this.parts.codes.redeem(code, now)) return tokenServerErrors.invalidCode();
    return this.parts.tokens.issue(now);
  }

  private isClient(clientId: unknown, clientSecret: unknown): boolean {
    const { options } = this.parts;
    // Both compared (no early return) and in constant time, so timing tells nothing about which one was wrong.
    const idMatches = sameSecret(clientId, options.clientId);
    const secretMatches = sameSecret(clientSecret, options.clientSecret);
    return idMatches && secretMatches;
  }

  private tokenAnswer(tokens: IssuedTokens): TokenAnswer {
    const portal = this.parts.portal();
    const now = this.parts.clock.now();
    return {
      access_token: tokens.accessToken,
      refresh_token: tokens.refreshToken,
      expires: Math.floor(tokens.expiresAt / 1000),
      expires_in: Math.round((tokens.expiresAt - now) / 1000),
      scope: portal.scopes.join(','),
      domain: new URL(portal.url).host,
      server_endpoint: `${portal.url}/oauth/rest/`,
      client_endpoint: `${portal.url}/rest/`,
      member_id: this.parts.options.memberId,
      user_id: portal.userId,
      status: 'L',
    };
  }

  private refuse(response: ServerResponse, grantType: unknown, refusal: OAuthRefusal, headers: Record<string, string> = {}): void {
    this.parts.log.add(this.parts.clock.now(), grantType, refusal.error);
    sendJson(response, refusal.status, refusalBody(refusal), { ...NO_STORE, ...headers });
  }
}

function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  // Digests have equal lengths, so timingSafeEqual also hides the length of the expected value.
  const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
