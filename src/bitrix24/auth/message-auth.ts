import { AuthorisedRequest, CallAuth, RequestAuth } from './request-auth';
import { Bitrix24Error } from '../errors';
import { normaliseBaseUrl, OAuthApplication, OAuthServerClient } from './oauth-server';

/** Rotated pairs kept to answer later messages of one activity request, which all carry the same old refresh token. */
const ROTATED_PAIRS_KEPT = 1_000;

function mismatch(): Bitrix24Error {
  return new Bitrix24Error('AUTH_DOMAIN_MISMATCH', "The message's auth belongs to another portal than the one configured: its token is not sent anywhere.");
}

/** The host (with port) of an address or bare domain, lower-cased; undefined when it is not one. */
function hostOf(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const text = value.trim();
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`).host.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * Reads the `auth` block of a Bitrix24 handler request (`access_token`, `refresh_token`, `expires`, `domain`,
 * `client_endpoint`, ...) for one call to the portal at `portalHost`. A block naming another portal is refused with
 * AUTH_DOMAIN_MISMATCH, so no token is ever sent to a host the user did not configure.
 */
export function parseMessageAuth(value: unknown, portalHost: string): CallAuth {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Bitrix24Error('INVALID_AUTH', 'The message carries no auth block (access_token, domain, ...).', {
      reason: 'missing',
    });
  }
  const auth = value as Record<string, unknown>;
  const accessToken = auth.access_token ?? auth.AUTH_ID;
  if (typeof accessToken !== 'string' || accessToken.trim() === '') {
    throw new Bitrix24Error('INVALID_AUTH', 'The auth block has no access_token.', { reason: 'token' });
  }
  const named = [hostOf(auth.domain ?? auth.DOMAIN), hostOf(auth.client_endpoint)].filter((h) => h !== undefined);
  if (named.length === 0 || named.some((host) => host !== portalHost.toLowerCase())) throw mismatch();
  const result: CallAuth = { accessToken: accessToken.trim() };
  const refreshToken = auth.refresh_token ?? auth.REFRESH_ID;
  if (typeof refreshToken === 'string' && refreshToken !== '') result.refreshToken = refreshToken;
  const expires = Number(auth.expires ?? auth.AUTH_EXPIRES);
  if (Number.isFinite(expires) && expires > 1_000_000_000) result.expiresAt = expires * 1000;
  return result;
}

/**
 * Auth carried by each message (the `auth` of Bitrix24's request to an activity handler): calls go to the configured
 * portal only, with the message's access token. An expired token is refreshed when the application's client id and
 * secret are configured (one refresh per refresh token, shared by every message that carries it), else AUTH_EXPIRED.
 */
export class MessageAuth implements RequestAuth {
  readonly host: string;
  private readonly endpoint: string;
  private readonly server: OAuthServerClient | undefined;
  private readonly now: () => number;
  private readonly refreshing = new Map<string, Promise<CallAuth>>();
  private readonly rotated = new Map<string, CallAuth>();

  constructor(options: { clientEndpoint: string; app?: OAuthApplication; now?: () => number }) {
    this.endpoint = normaliseBaseUrl(options.clientEndpoint, 'INVALID_PORTAL_URL');
    this.host = new URL(this.endpoint).host;
    this.now = options.now ?? Date.now;
    this.server = options.app === undefined ? undefined : new OAuthServerClient(options.app, this.now);
  }

  async authorise(method: string, params: Record<string, unknown>, callAuth?: CallAuth): Promise<AuthorisedRequest> {
    if (callAuth === undefined) {
      throw new Bitrix24Error('INVALID_AUTH', 'This portal takes its auth from each message, and this call has none.', {
        reason: 'missing',
      });
    }
    let auth = this.rotated.get(callAuth.refreshToken ?? '') ?? callAuth;
    if (auth.expiresAt !== undefined && auth.expiresAt <= this.now()) auth = await this.refresh(auth);
    return { url: `${this.endpoint}${method}`, params: { ...params, auth: auth.accessToken } };
  }

  async recover(error: Bitrix24Error, _request: AuthorisedRequest, callAuth?: CallAuth): Promise<boolean> {
    if (callAuth === undefined || (error.code !== 'expired_token' && error.code !== 'invalid_token')) return false;
    await this.refresh(this.rotated.get(callAuth.refreshToken ?? '') ?? callAuth);
    return true;
  }

  secrets(): string[] {
    const secrets: string[] = [];
    for (const pair of this.rotated.values()) {
      secrets.push(pair.accessToken);
      if (pair.refreshToken !== undefined) secrets.push(pair.refreshToken);
    }
    return secrets;
  }

  /** Exchanges the message's refresh token once; every message carrying it then uses the new pair. */
  private refresh(auth: CallAuth): Promise<CallAuth> {
    const refreshToken = auth.refreshToken;
    if (this.server === undefined || refreshToken === undefined) {
      return Promise.reject(
        new Bitrix24Error('AUTH_EXPIRED', "The message's access token has expired and cannot be refreshed here."),
      );
    }
    let pending = this.refreshing.get(refreshToken);
    if (pending === undefined) {
      pending = this.server
        .refresh(refreshToken)
        .then((tokens) => {
          const pair: CallAuth = { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt };
          this.remember(refreshToken, pair);
          return pair;
        })
        .finally(() => this.refreshing.delete(refreshToken));
      this.refreshing.set(refreshToken, pending);
    }
    return pending;
  }

  private remember(oldRefreshToken: string, pair: CallAuth): void {
    this.rotated.set(oldRefreshToken, pair);
    if (pair.refreshToken !== undefined) this.rotated.set(pair.refreshToken, pair);
    while (this.rotated.size > ROTATED_PAIRS_KEPT) {
      const oldest = this.rotated.keys().next().value;
      if (oldest === undefined) break;
      this.rotated.delete(oldest);
    }
  }
}
