// bitrix24-portal: the config node. It turns the saved settings and credentials into one client and one queue for
// the portal, shared by every node using it, and tells those nodes of the state it owns (re-authorise, unusable).
import type { Node, NodeAPI } from 'node-red';
import { BatchDispatcher, Bitrix24Client, Bitrix24Error, OAuthAuth, parseMessageAuth, RequestAuth } from '../bitrix24';
import { localiseError } from './localised-error';
import { registerOAuthAuthorizeRoutes } from './oauth-authorize-routes';
import { registerPortalAdminRoutes } from './portal-admin-routes';
import { createPortalAuth } from './portal-auth';
import type { PortalCredentials, PortalNode, PortalNodeDef, PortalState, PortalStateListener } from './portal-node';
import { portalDeliveryOf } from './portal-settings';
import { PUBLIC_URL_SETTINGS, publicUrlOf, PublicUrlSettings } from './public-url';
import { closeGraceOf } from './runtime-settings';

export = function registerPortalNode(RED: NodeAPI): void {
  function PortalConfigNode(this: Node<PortalCredentials>, def: PortalNodeDef): void {
    RED.nodes.createNode(this, def);
    const self = this as PortalNode;
    const listeners = new Set<PortalStateListener>();
    let state: PortalState = { kind: 'ready' };
    const changeState = (next: PortalState): void => {
      state = next;
      for (const listener of listeners) listener.portalStateChanged(state);
    };

    let queue: BatchDispatcher | undefined;
    let auth: RequestAuth | undefined;
    let configError: Bitrix24Error | undefined;
    try {
      const delivery = portalDeliveryOf(def);
      auth = createPortalAuth(RED, this, def, this.credentials ?? {}, (required) => changeState(required ? { kind: 'reauth' } : { kind: 'ready' }));
      queue = new BatchDispatcher(new Bitrix24Client({ auth, transport: { timeoutMs: delivery.timeoutMs } }), delivery.dispatcher);
    } catch (error) {
      configError = error instanceof Bitrix24Error ? error : new Bitrix24Error('INVALID_CONFIG', 'The portal configuration is invalid.');
      state = { kind: 'unusable', code: configError.code };
      this.error(localiseError(RED, configError));
    }

    self.queue = () => {
      if (queue !== undefined) return queue;
      throw configError ?? new Bitrix24Error('INVALID_CONFIG', 'The portal configuration is invalid.');
    };
    const usesMessageAuth = (def.authType ?? 'webhook') === 'message';
    Object.defineProperty(self, 'usesMessageAuth', { value: usesMessageAuth });
    Object.defineProperty(self, 'oauth', { value: auth instanceof OAuthAuth ? auth : undefined });
    Object.defineProperty(self, 'publicUrl', { value: publicUrlOf(RED, def) });
    self.messageAuth = (value) => (usesMessageAuth && auth !== undefined ? parseMessageAuth(value, auth.host) : undefined);
    self.register = (listener) => {
      listeners.add(listener);
      listener.portalStateChanged(state);
    };
    self.deregister = (listener) => {
      listeners.delete(listener);
    };

    this.on('close', (_removed: boolean, done: () => void) => {
      listeners.clear();
      if (queue === undefined) {
        done();
        return;
      }
      queue.close(closeGraceOf(RED)).then(
        () => done(),
        () => done(),
      );
    });
  }

  RED.nodes.registerType<Node<PortalCredentials>, PortalNodeDef, PublicUrlSettings, PortalCredentials>('bitrix24-portal', PortalConfigNode, {
    settings: PUBLIC_URL_SETTINGS,
    credentials: {
      webhookUrl: { type: 'password' },
      applicationToken: { type: 'password' },
      clientId: { type: 'text' },
      clientSecret: { type: 'password' },
      refreshToken: { type: 'password' },
      accessToken: { type: 'password' },
    },
  });
  registerOAuthAuthorizeRoutes(RED);
  registerPortalAdminRoutes(RED, (portalDef, credentials) =>
    createPortalAuth(RED, RED.nodes.getNode(portalDef.id) ?? undefined, portalDef, credentials, () => undefined),
  );
};
