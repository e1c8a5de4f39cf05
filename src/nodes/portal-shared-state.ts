// A portal node's shared state, when it has a Redis URL: one connection to Redis, the admission to the portal's shared
// bucket, the sealer (keyed by the credential secret), and a store for secrets learnt at run time. Keys are named by
// the portal's host and the application (its client id; for a webhook, a keyed digest of its URL, which names it
// without revealing it). Without a Redis URL there is none, and the portal works as before, alone.

import { createHmac } from 'node:crypto';
import type { NodeAPI } from 'node-red';
import { LinkState, parseRedisUrl, RateLimit, RedisLink, SharedAdmission, SharedKeys, ValueSealer } from '../bitrix24';
import { parseWebhookUrl } from '../bitrix24/auth/webhook-url';
import { credentialSealer } from './credential-sealer';
import type { TokenStore } from './encrypted-token-store';
import { applicationOf, PortalAuthCredentials, PortalAuthDef, restEndpointOf } from './portal-auth';
import { RedisSecretStore } from './redis-secret-store';
import { credentialSecretOf, StoreSettings } from './runtime-token-store';

/** What a portal shares with the other instances on the same portal, through Redis. */
export interface SharedPortalState {
  readonly link: RedisLink;
  readonly keys: SharedKeys;
  readonly sealer: ValueSealer;
  /** Admission to the shared bucket; undefined when the portal has no rate limit. */
  readonly admission: SharedAdmission | undefined;
  /** Secrets learnt at run time (the captured application token), shared by every instance. */
  readonly secrets: TokenStore;
  /** Hears the link go down and come back; the portal node instance running now sets it. */
  report: (state: LinkState, share: number) => void;
  /** Leaves the shared bucket and closes the connection. */
  close(): Promise<void>;
}

/** The portal's host, as the keys name it: the webhook's, or the configured portal address'. */
function portalHostOf(def: PortalAuthDef, credentials: PortalAuthCredentials): string {
  if ((def.authType ?? 'webhook') === 'webhook') return parseWebhookUrl(credentials.webhookUrl).host;
  return new URL(restEndpointOf(def.portalUrl)).host;
}

/** The application on the portal, as the keys name it. */
function applicationIdOf(def: PortalAuthDef, credentials: PortalAuthCredentials, secret: string): string {
  if ((def.authType ?? 'webhook') === 'webhook') {
    const digest = createHmac('sha256', secret).update(parseWebhookUrl(credentials.webhookUrl).baseUrl).digest('hex');
    return `webhook-${digest.slice(0, 24)}`;
  }
  return applicationOf(def, credentials)?.clientId ?? 'message';
}

/**
 * The shared state the portal's Redis URL asks for, or undefined without one. Throws a Bitrix24Error when the URL is
 * malformed (INVALID_REDIS_URL) or there is no credential secret to seal with (TOKEN_STORE_UNAVAILABLE).
 */
export function sharedStateOf(
  RED: NodeAPI,
  def: PortalAuthDef,
  credentials: PortalAuthCredentials & { redisUrl?: string },
  rateLimit: RateLimit | false,
  now: () => number = Date.now,
): SharedPortalState | undefined {
  const url = credentials.redisUrl?.trim();
  if (!url) return undefined;
  const address = parseRedisUrl(url);
  const secret = credentialSecretOf(RED.settings as unknown as StoreSettings);
  const keys = new SharedKeys(portalHostOf(def, credentials), applicationIdOf(def, credentials, secret));
  const sealer = credentialSealer(secret);
  const link = new RedisLink(address);
  // Down is either: the connection lost, or Redis not answering in time (the admission then runs on its own bucket).
  let shownUp: boolean | undefined;
  const tell = (up: boolean): void => {
    if (shownUp === up) return;
    shownUp = up;
    const share = Math.max(2, admission?.instances ?? 2);
    state.report(up ? { up: true } : { up: false, trouble: link.trouble ?? 'unreachable' }, share);
  };
  const admission =
    rateLimit === false ? undefined : new SharedAdmission({ link, keys, limit: rateLimit, now, onModeChange: (shared) => tell(shared && link.up) });
  const state: SharedPortalState = {
    link,
    keys,
    sealer,
    admission,
    secrets: new RedisSecretStore(link, keys, sealer),
    report: () => undefined,
    async close() {
      await admission?.close();
      await link.close();
    },
  };
  link.onChange((change) => tell(change.up && (admission?.shared ?? true)));
  return state;
}
