// A portal's OAuth token pair, kept where rotated tokens survive restarts. Node-RED cannot update a node's own
// credentials at run time (node-red issue #1055), so the pair typed into the editor only seeds a chain of rotated
// pairs kept in a token store. The record remembers which typed refresh token seeded it: when the user types a new
// one (after re-authorising), the typed one wins again; otherwise the newest rotated pair does.

import { createHash } from 'node:crypto';
import { OAuthTokens, OAuthTokenStore } from '../bitrix24';
import { parseStoredTokens } from '../bitrix24/auth/oauth-tokens';
import type { TokenStore } from './encrypted-token-store';

/** What the user typed into the portal node, if anything. */
export interface TypedTokens {
  refreshToken?: string;
  accessToken?: string;
}

interface StoredRecord {
  seed: string;
  tokens: string;
}

/** The token store key of a portal's OAuth pair. */
export function oauthTokensKey(portalId: string): string {
  return `oauth-tokens/${portalId}`;
}

/** Identifies the typed refresh token without keeping it: its hash, or `none`. */
export function seedOf(typed: TypedTokens): string {
  const refresh = typed.refreshToken?.trim();
  return refresh ? createHash('sha256').update(refresh).digest('hex') : 'none';
}

/** The tokens the user typed, as a pair to start from: a typed access token is used until the portal refuses it. */
function typedPair(typed: TypedTokens): OAuthTokens | undefined {
  const refreshToken = typed.refreshToken?.trim();
  if (!refreshToken) return undefined;
  const accessToken = typed.accessToken?.trim() ?? '';
  return { accessToken, refreshToken, expiresAt: accessToken === '' ? 0 : Number.MAX_SAFE_INTEGER };
}

/**
 * The OAuthTokenStore of one portal over a TokenStore (the encrypted file, or a context store). A stored pair wins
 * while the typed refresh token is the one it was stored under (rotations and Authorize-button pairs alike).
 */
export function portalOAuthStore(store: TokenStore, portalId: string, typed: TypedTokens): OAuthTokenStore {
  const key = oauthTokensKey(portalId);
  const seed = seedOf(typed);
  return {
    async load() {
      const text = await store.read(key);
      const record = text === undefined ? undefined : (JSON.parse(text) as Partial<StoredRecord>);
      if (record?.seed === seed && record.tokens !== undefined) return parseStoredTokens(record.tokens);
      return typedPair(typed);
    },
    save: (tokens: OAuthTokens) => writeRecord(store, portalId, typed, tokens),
  };
}

/** Stores a pair (rotated, or from the Authorize button) under the portal's current typed refresh token. */
export async function writeRecord(store: TokenStore, portalId: string, typed: TypedTokens, tokens: OAuthTokens): Promise<void> {
  const record: StoredRecord = { seed: seedOf(typed), tokens: JSON.stringify(tokens) };
  await store.write(oauthTokensKey(portalId), JSON.stringify(record));
}
