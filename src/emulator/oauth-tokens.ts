// The application's access and refresh tokens, with the lifetimes and the rotation Bitrix24 applies: an access token
// works until its own expiry, a refresh token works exactly once (redeeming it kills it, whatever happens to the pair
// it was issued with), and every refresh hands out a new pair.

import { randomBytes } from 'node:crypto';

/** A freshly issued pair; `expiresAt` is when the access token stops working (clock ms). */
export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
}

/** What an access token presented on a REST call turns out to be. */
export type AccessTokenState = 'valid' | 'expired' | 'unknown';

/** How long the tokens of one application live. */
export interface TokenLifetimes {
  accessTokenTtlMs: number;
  refreshTokenTtlMs: number;
}

// Bounded so that a long-running emulator refreshed in a loop does not grow without end; the oldest go first.
const MAX_TOKENS = 100_000;

/** The live tokens of the emulated portal's one application. */
export class OAuthTokenStore {
  // token -> expiry (clock ms). Expired access tokens are kept so that they answer expired_token, not invalid_token.
  private readonly accessTokens = new Map<string, number>();
  private readonly refreshTokens = new Map<string, number>();

  /** A store whose tokens live this long. */
  constructor(private readonly lifetimes: TokenLifetimes) {}

  /** Issues a new pair at `now`. */
  issue(now: number): IssuedTokens {
    const accessToken = newToken(now);
    const refreshToken = newToken(now);
    const expiresAt = now + this.lifetimes.accessTokenTtlMs;
    remember(this.accessTokens, accessToken, expiresAt);
    remember(this.refreshTokens, refreshToken, now + this.lifetimes.refreshTokenTtlMs);
    return { accessToken, refreshToken, expiresAt };
  }

  /** Makes `token` a live refresh token from `now` on (a seeded one, see OAuthOptions.refreshToken). */
  seedRefresh(token: string, now: number): void {
    remember(this.refreshTokens, token, now + this.lifetimes.refreshTokenTtlMs);
  }

  /** Whether `token` is a live access token at `now`. */
  checkAccess(token: string, now: number): AccessTokenState {
    const expiresAt = this.accessTokens.get(token);
    if (expiresAt === undefined) return 'unknown';
    return now < expiresAt ? 'valid' : 'expired';
  }

  /**
   * Redeems a refresh token: a new pair if it is live at `now`, undefined if unknown, used or expired. Either way the
   * token is dead afterwards.
   */
  redeemRefresh(token: string, now: number): IssuedTokens | undefined {
    const expiresAt = this.refreshTokens.get(token);
    if (expiresAt === undefined) return undefined;
    this.refreshTokens.delete(token);
    return now < expiresAt ? this.issue(now) : undefined;
  }

  /** Makes every access token issued so far expired at `now`; refresh tokens are untouched. */
  expireAccessTokens(now: number): void {
    for (const [token, expiresAt] of this.accessTokens) {
      if (expiresAt > now) this.accessTokens.set(token, now);
    }
  }
}

/**
 * A token shaped like the portal's: 8 hex digits of the issue time in seconds, then 64 random hex digits (72 in all).
 * Access and refresh tokens share the shape but not their randomness, so neither can be derived from the other.
 */
export function newToken(now: number): string {
  const issued = Math.max(0, Math.floor(now / 1000)).toString(16).padStart(8, '0').slice(-8);
  return `${issued}${randomBytes(32).toString('hex')}`;
}

function remember(tokens: Map<string, number>, token: string, expiresAt: number): void {
  tokens.set(token, expiresAt);
  if (tokens.size > MAX_TOKENS) {
    const oldest = tokens.keys().next();
    if (!oldest.done) tokens.delete(oldest.value);
  }
}
