// How a portal node's configuration becomes a RequestAuth: an incoming webhook, an application's own OAuth tokens
// (rotated pairs kept in a token store), or auth carried by each message.

import type { Node, NodeAPI } from 'node-red';
import { Bitrix24Error, DEFAULT_AUTH_SERVER, MessageAuth, OAuthApplication, OAuthAuth, OAuthTokenStore, RedisTokenChain, RequestAuth, WebhookAuth } from '../bitrix24';
import { ContextTokenStore } from './context-token-store';
import type { TokenStore } from './encrypted-token-store';
import { portalOAuthStore, seedOf } from './portal-oauth-store';
import type { SharedPortalState } from './portal-shared-state';
import { runtimeTokenStore } from './runtime-token-store';

/** The portal node's authorisation settings as saved in the flow. */
export interface PortalAuthDef {
  authType?: string;
  /** The portal's address, `https://<portal>/` (OAuth and message modes). */
  portalUrl?: string;
  /** The OAuth server, `https://oauth.bitrix.info/` unless changed. */
  authServer?: string;
  /** A context store to keep rotated tokens in (several instances, one application); empty: the encrypted file. */
  tokenStore?: string;
}

/** The portal node's credentials that concern authorisation. */
export interface PortalAuthCredentials {
  webhookUrl?: string;
  clientId?: string;
  clientSecret?: string;
  refreshToken?: string;
  accessToken?: string;
}

/** `https://<portal>/rest/` from what a user types: the portal's address, with or without `/rest/`. */
export function restEndpointOf(portalUrl: string | undefined): string {
  const text = (portalUrl ?? '').trim();
  if (text === '') throw new Bitrix24Error('INVALID_CONFIG', "The portal's address is not set.", { reason: 'portalUrl' });
  const withScheme = /^[a-z]+:\/\//i.test(text) ? text : `https://${text}`;
  return withScheme.replace(/\/+$/, '').replace(/\/rest$/i, '') + '/rest/';
}

/** The application's identity, or undefined when its client id and secret are not both set. */
export function applicationOf(def: PortalAuthDef, credentials: PortalAuthCredentials): OAuthApplication | undefined {
  const clientId = credentials.clientId?.trim();
  const clientSecret = credentials.clientSecret?.trim();
  if (!clientId || !clientSecret) return undefined;
  return { clientId, clientSecret, authServer: def.authServer?.trim() || DEFAULT_AUTH_SERVER };
}

/**
 * Where this portal keeps rotated tokens: the chosen context store, or the encrypted file in the user directory. A
 * context store is reached through a running node, so before the portal is deployed only the file can be used.
 */
export function tokenStoreOf(RED: NodeAPI, node: Node | undefined, def: PortalAuthDef): TokenStore {
  const storeName = def.tokenStore?.trim();
  if (!storeName) return runtimeTokenStore(RED);
  if (node === undefined) {
    throw new Bitrix24Error('DEPLOY_FIRST', 'Deploy the portal node once before using a context token store.');
  }
  return new ContextTokenStore(RED, node, storeName);
}

/**
 * Where an OAuth portal keeps its token pair: its own token store, or with a Redis URL the chain shared by every
 * instance, which mirrors each new pair into the portal's own store.
 */
function oauthStoreOf(RED: NodeAPI, node: Node | undefined, def: PortalAuthDef & { id: string }, credentials: PortalAuthCredentials, shared: SharedPortalState | undefined): OAuthTokenStore {
  const local = portalOAuthStore(tokenStoreOf(RED, node, def), def.id, credentials);
  if (shared === undefined) return local;
  const seed = seedOf(credentials);
  const { link, keys, sealer } = shared;
  return new RedisTokenChain({ link, keys, sealer, local, ...(seed === 'none' ? {} : { seed }) });
}

/** Builds the authorisation the portal node's settings ask for, or throws a Bitrix24Error saying why it cannot. */
export function createPortalAuth(
  RED: NodeAPI,
  node: Node | undefined,
  def: PortalAuthDef & { id: string },
  credentials: PortalAuthCredentials,
  onReauthorisationChange: (required: boolean) => void,
  shared?: SharedPortalState,
): RequestAuth {
  const authType = def.authType ?? 'webhook';
  if (authType === 'webhook') return new WebhookAuth(credentials.webhookUrl);
  if (authType === 'oauth') {
    const app = applicationOf(def, credentials);
    if (app === undefined) {
      throw new Bitrix24Error('INVALID_CONFIG', "The application's client id and client secret are both needed.", { reason: 'client' });
    }
    return new OAuthAuth({
      clientEndpoint: restEndpointOf(def.portalUrl),
      app,
      store: oauthStoreOf(RED, node, def, credentials, shared),
      onReauthorisationChange,
    });
  }
  if (authType === 'message') {
    const app = applicationOf(def, credentials);
    return new MessageAuth({ clientEndpoint: restEndpointOf(def.portalUrl), ...(app === undefined ? {} : { app }) });
  }
  throw new Bitrix24Error('UNSUPPORTED_AUTH_TYPE', `The portal's authorisation type "${authType}" is not supported.`);
}
