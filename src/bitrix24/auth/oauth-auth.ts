import { AuthorisedRequest, RequestAuth } from './request-auth';
import { Bitrix24Error } from '../errors';
import { normaliseBaseUrl, OAuthApplication, OAuthServerClient } from './oauth-server';
import { isRotatingStore, OAuthTokens, OAuthTokenStore } from './oauth-tokens';

/** Settings of a portal reached with an application's OAuth tokens. */
export interface OAuthAuthOptions {
  /** `https://<portal>/rest/`: every call goes here and nowhere else, whatever a token answer says. */
  clientEndpoint: string;
  /** The application, to refresh tokens; without it an expired token fails with AUTH_EXPIRED. */
  app?: OAuthApplication;
  store: OAuthTokenStore;
  now?: () => number;
  /** Called when the refresh token is refused (true: the user must authorise again) and when new tokens end that (false). */
  onReauthorisationChange?: (required: boolean) => void;
  /**
   * Refresh this long before the access token expires, so calls rarely meet an expired one; never more than half
   * the token's lifetime, or short-lived tokens would be refreshed on every call.
   */
  refreshMarginMs?: number;
}

// Errors with which the portal says the access token, not the call, is the problem.
const TOKEN_ERRORS = new Set(['expired_token', 'invalid_token']);

/**
 * An application's OAuth tokens: calls carry `auth=<access token>`; an expiring or refused token is refreshed once,
 * single-flight (every call waiting shares one refresh: two refreshes with one rotating refresh token would kill
 * both), and the new pair is saved before it is used. A refused refresh token puts the portal in a re-authorise
 * state: REAUTH_REQUIRED at once for every call, and no refresh loop.
 */
export class OAuthAuth implements RequestAuth {
  readonly host: string;
  private readonly endpoint: string;
  private readonly server: OAuthServerClient | undefined;
  private readonly now: () => number;
  private readonly margin: number;
  private tokens: OAuthTokens | undefined;
  /** When this process first saw the current pair: its start, for a pair that does not say when it was issued. */
  private seenAt = 0;
  private loading: Promise<void> | undefined;
  private refreshing: Promise<void> | undefined;
  private reauth = false;

  constructor(private readonly options: OAuthAuthOptions) {
    this.endpoint = normaliseBaseUrl(options.clientEndpoint, 'INVALID_PORTAL_URL');
    this.host = new URL(this.endpoint).host;
    this.now = options.now ?? Date.now;
    this.server = options.app === undefined ? undefined : new OAuthServerClient(options.app, this.now);
    this.margin = options.refreshMarginMs ?? 60_000;
  }

  /** True once the refresh token was refused, until new tokens are given. */
  get needsReauthorisation(): boolean {
    return this.reauth;
  }

  async authorise(method: string, params: Record<string, unknown>): Promise<AuthorisedRequest> {
    await this.load();
    if (this.reauth) await this.takeSharedPair();
    const tokens = this.current();
    if (tokens.expiresAt - this.now() <= this.marginFor(tokens)) await this.refresh(tokens.accessToken);
    return { url: `${this.endpoint}${method}`, params: { ...params, auth: this.current().accessToken } };
  }

  async recover(error: Bitrix24Error, request: AuthorisedRequest): Promise<boolean> {
    if (!TOKEN_ERRORS.has(error.code)) return false;
    await this.refresh(String(request.params.auth ?? ''));
    return true;
  }

  secrets(): string[] {
    const secrets = this.options.app === undefined ? [] : [this.options.app.clientSecret];
    if (this.tokens !== undefined) secrets.push(this.tokens.accessToken, this.tokens.refreshToken);
    return secrets;
  }

  /** Takes a new pair (from the authorisation flow), saves it, and leaves the re-authorise state. */
  async replaceTokens(tokens: OAuthTokens): Promise<void> {
    await this.options.store.save(tokens);
    this.use(tokens);
    if (this.reauth) {
      this.reauth = false;
      this.options.onReauthorisationChange?.(false);
    }
  }

  /**
   * In the re-authorise state with a store shared by several processes: another process may have been authorised
   * again (its Authorize button), and its pair ends the state here too.
   */
  private async takeSharedPair(): Promise<void> {
    const { store } = this.options;
    if (!isRotatingStore(store)) return;
    const latest = await store.latest().catch(() => undefined);
    if (latest === undefined || latest.refreshToken === this.tokens?.refreshToken || !this.reauth) return;
    this.use(latest);
    this.reauth = false;
    this.options.onReauthorisationChange?.(false);
  }

  /** The refresh margin for this pair: the configured one, at most half its lifetime. */
  private marginFor(tokens: OAuthTokens): number {
    const lifetime = tokens.expiresAt - (tokens.issuedAt ?? this.seenAt);
    return Math.max(0, Math.min(this.margin, lifetime / 2));
  }

  /** Takes `tokens` as the current pair. */
  private use(tokens: OAuthTokens | undefined): void {
    this.tokens = tokens;
    this.seenAt = this.now();
  }

  private current(): OAuthTokens {
    if (this.reauth) throw reauthRequired();
    if (this.tokens === undefined) {
      throw new Bitrix24Error('REAUTH_REQUIRED', 'The portal has no OAuth tokens yet: authorise the application.', {
        reason: 'no-tokens',
      });
    }
    return this.tokens;
  }

  private load(): Promise<void> {
    this.loading ??= this.options.store.load().then(
      (stored) => {
        if (this.tokens === undefined) this.use(stored);
      },
      (error: unknown) => {
        // A store that could not be read now (a shared one out of reach, say) is read again by the next call.
        this.loading = undefined;
        throw error;
      },
    );
    return this.loading;
  }

  /** Refreshes unless the token that failed has already been replaced; one refresh at a time. */
  private refresh(staleAccessToken: string): Promise<void> {
    if (this.tokens !== undefined && this.tokens.accessToken !== staleAccessToken && !this.reauth) return Promise.resolve();
    this.refreshing ??= this.refreshNow().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refreshNow(): Promise<void> {
    const tokens = this.current();
    if (this.server === undefined) {
      throw new Bitrix24Error('AUTH_EXPIRED', 'The access token has expired and no application is configured to refresh it.');
    }
    const { server } = this;
    const { store } = this.options;
    let fresh: OAuthTokens;
    try {
      // A shared store refreshes under its lock, or hands over the pair another process refreshed.
      fresh = isRotatingStore(store) ? await store.rotate(tokens, (refreshToken) => server.refresh(refreshToken)) : await server.refresh(tokens.refreshToken);
    } catch (error) {
      if (error instanceof Bitrix24Error && error.code === 'REAUTH_REQUIRED') {
        this.reauth = true;
        this.options.onReauthorisationChange?.(true);
        throw reauthRequired();
      }
      throw error;
    }
    // Saved before use: the old refresh token is already dead, so losing this pair would end the integration (a
    // rotating store has saved it already).
    if (!isRotatingStore(store)) await store.save(fresh);
    this.use(fresh);
  }
}

function reauthRequired(): Bitrix24Error {
  return new Bitrix24Error('REAUTH_REQUIRED', 'Bitrix24 refused the refresh token: authorise the application again.');
}
