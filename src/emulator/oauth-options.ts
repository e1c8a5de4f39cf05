// The OAuth side's options (a Bitrix24 application registered on the emulated portal) and their defaults, checked
// once here so the token server and the authorisation page can trust them.

import { randomBytes } from 'node:crypto';

/** The emulated portal's one registered application: setting these switches the OAuth side on. */
export interface OAuthOptions {
  /** The application's client id, e.g. `local.65a1b2c3d4e5f6.12345678`. */
  clientId: string;
  /** The application's client secret; it only ever goes to the token server. */
  clientSecret: string;
  /** How long an access token works; default 3600 (one hour, as on Bitrix24). */
  accessTokenTtlSeconds?: number;
  /** How long an unused refresh token works; default 180 days, as on Bitrix24. */
  refreshTokenTtlSeconds?: number;
  /** The portal's `member_id`; default 32 random hex digits, like the portal's. */
  memberId?: string;
  /**
   * The application's registered handler URL: `/oauth/authorize/` may then omit `redirect_uri`, and activities and
   * robots must be registered with a HANDLER on its host (the docs' "same domain as the application").
   */
  redirectUri?: string;
  /**
   * A refresh token that works from the start, as if issued at installation, so that credentials a demo keeps survive
   * the emulator's restart. Like any refresh token it works once.
   */
  refreshToken?: string;
}

/** OAuth options with every default applied. */
export interface ResolvedOAuthOptions {
  clientId: string;
  clientSecret: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  memberId: string;
  redirectUri: URL | undefined;
  refreshToken: string | undefined;
}

/** An access token's life on Bitrix24. */
export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 3600;
/** A refresh token's life on Bitrix24. */
export const DEFAULT_REFRESH_TOKEN_TTL_SECONDS = 180 * 24 * 3600;

// Printable ASCII without spaces: the id and secret travel in query strings and forms, and anything else is a typo.
const CREDENTIAL_SHAPE = /^[\x21-\x7e]{1,256}$/;
const MEMBER_ID_SHAPE = /^[A-Za-z0-9_-]{1,64}$/;

/** Applies defaults and rejects values the OAuth side could not work with. */
export function resolveOAuthOptions(options: OAuthOptions): ResolvedOAuthOptions {
  if (!CREDENTIAL_SHAPE.test(String(options.clientId))) {
    throw new RangeError('oauth.clientId must be 1 to 256 printable characters without spaces');
  }
  if (!CREDENTIAL_SHAPE.test(String(options.clientSecret))) {
    throw new RangeError('oauth.clientSecret must be 1 to 256 printable characters without spaces');
  }
  const memberId = options.memberId ?? randomBytes(16).toString('hex');
  if (!MEMBER_ID_SHAPE.test(memberId)) throw new RangeError('oauth.memberId must be 1 to 64 letters, digits, "_" or "-"');
  return {
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    accessTokenTtlSeconds: positiveSeconds(options.accessTokenTtlSeconds, DEFAULT_ACCESS_TOKEN_TTL_SECONDS, 'accessTokenTtlSeconds'),
    refreshTokenTtlSeconds: positiveSeconds(options.refreshTokenTtlSeconds, DEFAULT_REFRESH_TOKEN_TTL_SECONDS, 'refreshTokenTtlSeconds'),
    memberId,
    redirectUri: options.redirectUri === undefined ? undefined : checkedRedirectUri(options.redirectUri, 'oauth.redirectUri'),
    refreshToken: options.refreshToken === undefined ? undefined : checkedToken(options.refreshToken),
  };
}

/** The URL if it is an absolute http(s) URL; throws RangeError naming `what` otherwise. */
export function checkedRedirectUri(text: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RangeError(`${what} must be an absolute URL`);
  }
  // Anything else (javascript:, data:, custom schemes) would turn the emulator into a launcher for arbitrary content.
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RangeError(`${what} must be an http or https URL`);
  return url;
}

function checkedToken(token: string): string {
  if (!CREDENTIAL_SHAPE.test(String(token))) throw new RangeError('oauth.refreshToken must be 1 to 256 printable characters without spaces');
  return token;
}

function positiveSeconds(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`oauth.${name} must be a finite number > 0, got ${value}`);
  return value;
}
