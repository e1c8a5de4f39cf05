import http from 'node:http';
import https from 'node:https';
import axios, { AxiosInstance } from 'axios';
import { Bitrix24Error } from '../errors';
import { OAuthTokens } from './oauth-tokens';
import { redactSecrets } from '../redact';
import { isLoopbackHost } from './webhook-url';

/** A Bitrix24 application's identity at the OAuth server. `clientSecret` is only ever sent to that server. */
export interface OAuthApplication {
  clientId: string;
  clientSecret: string;
  /** The OAuth server, `https://oauth.bitrix.info/` by default; taken from the portal's payload where known. */
  authServer: string;
}

/** Bitrix24's global OAuth server. */
export const DEFAULT_AUTH_SERVER = 'https://oauth.bitrix.info/';

/** Validates an auth-server or portal address: https, or http on loopback; returns it with one trailing slash. */
export function normaliseBaseUrl(input: string, code: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new Bitrix24Error(code, 'The address is not a valid URL.');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new Bitrix24Error(code, 'The address must start with https:// (http only for 127.0.0.1 or localhost).');
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new Bitrix24Error(code, 'The address must not hold credentials, a query or a fragment.');
  }
  return `${url.origin}${url.pathname.replace(/\/*$/, '/')}`;
}

/** Talks to the OAuth server: refreshes a token pair, or exchanges an authorisation code for one. */
export class OAuthServerClient {
  private readonly http: AxiosInstance;
  private readonly tokenUrl: string;

  constructor(
    private readonly app: OAuthApplication,
    private readonly now: () => number = Date.now,
    timeoutMs = 30_000,
  ) {
    this.tokenUrl = `${normaliseBaseUrl(app.authServer, 'INVALID_AUTH_SERVER')}oauth/token/`;
    this.http = axios.create({
      timeout: timeoutMs,
      maxRedirects: 0,
      validateStatus: () => true,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      httpAgent: new http.Agent({ keepAlive: false }),
      httpsAgent: new https.Agent({ keepAlive: false }),
    });
  }

  /** Trades a refresh token for a new pair; the old refresh token is dead afterwards (Bitrix24 rotates them). */
  refresh(refreshToken: string): Promise<OAuthTokens> {
    return this.request({ grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  /** Trades an authorisation code (from the authorize redirect) for a pair. */
  exchangeCode(code: string): Promise<OAuthTokens> {
    return this.request({ grant_type: 'authorization_code', code });
  }

  private async request(grant: Record<string, string>): Promise<OAuthTokens> {
    const form = new URLSearchParams({ ...grant, client_id: this.app.clientId, client_secret: this.app.clientSecret });
    const secrets = [this.app.clientSecret, ...Object.values(grant)];
    let status: number;
    let body: string;
    try {
      const response = await this.http.post<string>(this.tokenUrl, form.toString(), {
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      status = response.status;
      body = String(response.data ?? '');
    } catch (error) {
      const raw = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
      // Only a plain code such as ECONNREFUSED: anything else could carry what was sent.
      const code = /^[A-Z_]+$/.test(raw) ? raw : 'connection lost';
      // A refresh that may have reached the server may also have consumed the refresh token.
      throw new Bitrix24Error('AUTH_SERVER_UNREACHABLE', `The OAuth server could not be reached (${code}).`);
    }
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(body) as Record<string, unknown>;
    } catch {
      throw new Bitrix24Error('AUTH_SERVER_ERROR', `The OAuth server answered HTTP ${status} with a body that is not JSON.`, {
        statusCode: status,
      });
    }
    if (typeof parsed.error === 'string') {
      const description = redactSecrets(String(parsed.error_description ?? ''), secrets);
      if (parsed.error === 'invalid_grant') {
        throw new Bitrix24Error('REAUTH_REQUIRED', 'The refresh token was refused (invalid_grant): authorise the application again.', {
          statusCode: status,
          description: 'invalid_grant',
        });
      }
      const code = parsed.error === 'invalid_client' ? 'INVALID_CLIENT' : 'AUTH_SERVER_ERROR';
      throw new Bitrix24Error(code, `The OAuth server refused the request (${parsed.error}).`, {
        statusCode: status,
        ...(description === '' ? {} : { description }),
      });
    }
    return tokensFrom(parsed, status, this.now());
  }
}

/** The token pair in an auth server answer; anything missing is a clean error, not a crash later. */
function tokensFrom(body: Record<string, unknown>, status: number, now: number): OAuthTokens {
  const { access_token: accessToken, refresh_token: refreshToken } = body;
  if (typeof accessToken !== 'string' || typeof refreshToken !== 'string' || accessToken === '' || refreshToken === '') {
    throw new Bitrix24Error('AUTH_SERVER_ERROR', `The OAuth server answered HTTP ${status} without a token pair.`, { statusCode: status });
  }
  // Relative lifetime first: the portal's clock and ours may disagree, the token's lifetime does not.
  const expiresIn = Number(body.expires_in);
  const expires = Number(body.expires);
  const expiresAt =
    Number.isFinite(expiresIn) && expiresIn > 0 ? now + expiresIn * 1000 : Number.isFinite(expires) && expires > 0 ? expires * 1000 : now + 3_600_000;
  const tokens: OAuthTokens = { accessToken, refreshToken, expiresAt, issuedAt: now };
  if (typeof body.client_endpoint === 'string') tokens.clientEndpoint = body.client_endpoint;
  if (typeof body.domain === 'string') tokens.domain = body.domain;
  if (typeof body.member_id === 'string') tokens.memberId = body.member_id;
  return tokens;
}
