import type { NodeAPI } from 'node-red';
import { Bitrix24Error } from '../bitrix24';
import type { ApplicationTokens } from './activity-endpoint';
import type { TokenStore } from './encrypted-token-store';
import type { PortalNode } from './portal-node';
import { runtimeTokenStore } from './runtime-token-store';

/** The token store key of a portal's captured application token. */
export function applicationTokenKey(portalId: string): string {
  return `application-token/${portalId}`;
}

/**
 * A portal's application token: the one typed into the portal node (its `applicationToken` credential) wins;
 * otherwise the one captured from ONAPPINSTALL into the runtime's encrypted token store (with a Redis URL: into Redis,
 * for every instance on the portal), by any receiver of this portal. `capture` is offered only when the receiver
 * allows it. Without a portal there is no token at all.
 */
export function applicationTokensOf(RED: NodeAPI, portal: PortalNode | null, capture: boolean): ApplicationTokens {
  if (portal === null) return { expected: async () => undefined };
  // With a Redis URL the token is the portal's and the application's, whichever instance captured it.
  const shared = portal.sharedSecrets;
  const key = shared === undefined ? applicationTokenKey(portal.id) : 'application-token';
  const store = (): TokenStore => shared ?? runtimeTokenStore(RED);
  const tokens: ApplicationTokens = {
    async expected() {
      const configured = portal.credentials?.applicationToken?.trim();
      if (configured) return configured;
      try {
        return await store().read(key);
      } catch (error) {
        // No store means nothing was ever captured; an unreadable store may hold the token, so that one fails.
        if (error instanceof Bitrix24Error && error.code === 'TOKEN_STORE_UNAVAILABLE') return undefined;
        throw error;
      }
    },
  };
  if (capture) tokens.capture = (token) => store().writeIfAbsent(key, token);
  return tokens;
}
