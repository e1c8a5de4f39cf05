import { Bitrix24Error } from '../errors';

/** An OAuth token pair of a Bitrix24 application, and what the auth server told about the portal. */
export interface OAuthTokens {
  accessToken: string;
  refreshToken: string;
  /** When the access token expires, in ms since the epoch. */
  expiresAt: number;
  /** When the pair was issued, in ms, when known: with expiresAt it gives the token's lifetime. */
  issuedAt?: number;
  /** `https://<portal>/rest/`, as the auth server reported it. */
  clientEndpoint?: string;
  domain?: string;
  memberId?: string;
}

/** Where rotated tokens are kept. `save` must be durable when it resolves: the old refresh token is already dead. */
export interface OAuthTokenStore {
  load(): Promise<OAuthTokens | undefined>;
  save(tokens: OAuthTokens): Promise<void>;
}

/**
 * A token store several processes share that rotates the pair itself, so that one refresh happens per rotation across
 * all of them: the others take the pair it stored instead of refreshing (a second refresh would kill the chain).
 */
export interface RotatingTokenStore extends OAuthTokenStore {
  /** A pair newer than `stale`: the one another process stored, or the one `refresh` gets under the store's lock. */
  rotate(stale: OAuthTokens, refresh: (refreshToken: string) => Promise<OAuthTokens>): Promise<OAuthTokens>;
  /** The newest stored pair, seeding and refreshing nothing. */
  latest(): Promise<OAuthTokens | undefined>;
}

/** Whether `store` rotates the pair itself. */
export function isRotatingStore(store: OAuthTokenStore): store is RotatingTokenStore {
  const candidate = store as Partial<RotatingTokenStore>;
  return typeof candidate.rotate === 'function' && typeof candidate.latest === 'function';
}

/** Keeps tokens in memory only: for tests and short-lived scripts. */
export class MemoryTokenStore implements OAuthTokenStore {
  constructor(private tokens?: OAuthTokens) {}

  async load(): Promise<OAuthTokens | undefined> {
    return this.tokens === undefined ? undefined : { ...this.tokens };
  }

  async save(tokens: OAuthTokens): Promise<void> {
    this.tokens = { ...tokens };
  }
}

/** Reads a stored token pair back, refusing anything that is not one (a store shared with other data, say). */
export function parseStoredTokens(text: string | undefined): OAuthTokens | undefined {
  if (text === undefined || text === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Bitrix24Error('TOKEN_STORE_UNREADABLE', 'The stored OAuth tokens are not readable.');
  }
  const record = value as Partial<OAuthTokens> | null;
  if (
    record === null ||
    typeof record !== 'object' ||
    typeof record.accessToken !== 'string' ||
    typeof record.refreshToken !== 'string' ||
    typeof record.expiresAt !== 'number'
  ) {
    throw new Bitrix24Error('TOKEN_STORE_UNREADABLE', 'The stored OAuth tokens are not readable.');
  }
  return record as OAuthTokens;
}
