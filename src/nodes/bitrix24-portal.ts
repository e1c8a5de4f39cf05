import type { Node, NodeAPI, NodeDef } from 'node-red';
import { BatchDispatcher, Bitrix24Client, Bitrix24Error, CallAuth, OAuthAuth, parseMessageAuth, RequestAuth, RestCaller } from '../bitrix24';
import { CATALOGUE, localiseError } from './localised-error';
import { closeGraceOf } from './message-lifecycle';
import { registerOAuthAuthorizeRoutes } from './oauth-authorize-routes';
import { createPortalAuth, PortalAuthCredentials, PortalAuthDef } from './portal-auth';
import { PortalDeliveryDef, portalDeliveryOf } from './portal-settings';
import { registerPortalAdminRoutes } from './portal-admin-routes';

/** The config node's properties as saved in the flow: a public contract, flows depend on these names. */
export interface PortalNodeDef extends NodeDef, PortalDeliveryDef, PortalAuthDef {}

/** The config node's credentials, kept in Node-RED's encrypted credentials file. */
export interface PortalCredentials extends PortalAuthCredentials {
  /** The application token Bitrix24 sends as `auth[application_token]`, checked by the activity receiver. */
  applicationToken?: string;
}

/** The `bitrix24-portal` config node as the nodes that use it see it. */
export interface PortalNode extends Node<PortalCredentials> {
  /**
   * The portal's queue, shared by every node using this portal: one rate limit, batching, safe retries. Throws a
   * Bitrix24Error when the configuration is unusable.
   */
  client(): RestCaller;
  /** Adds a node to those told about the portal's state. */
  register(user: Node): void;
  /** Removes a node added by `register`. */
  deregister(user: Node): void;
  /**
   * For a portal whose auth comes with each message: the call credentials in `value` (a handler request's `auth`),
   * refused with AUTH_DOMAIN_MISMATCH when they name another portal. Undefined for other portals.
   */
  messageAuth(value: unknown): CallAuth | undefined;
  /** Whether the nodes must read auth from each message. */
  readonly usesMessageAuth: boolean;
  /** The application's OAuth tokens, for the Authorize button; undefined for other kinds of portal. */
  readonly oauth: OAuthAuth | undefined;
}

export = function registerPortalNode(RED: NodeAPI): void {
  function PortalConfigNode(this: Node<PortalCredentials>, def: PortalNodeDef): void {
    RED.nodes.createNode(this, def);
    const self = this as PortalNode;
    const users = new Set<Node>();
    let client: BatchDispatcher | undefined;
    let auth: RequestAuth | undefined;
    let configError: Bitrix24Error | undefined;
    // Every node using the portal shows it needs re-authorising, not only the one whose call found out.
    const reauthRequired = (): void => {
      for (const user of users) {
        user.status({ fill: 'red', shape: 'ring', text: RED._(`${CATALOGUE}.status.reauth`) });
      }
    };
    try {
      const delivery = portalDeliveryOf(def);
      auth = createPortalAuth(RED, this, def, this.credentials ?? {}, reauthRequired);
      const sender = new Bitrix24Client({ auth, transport: { timeoutMs: delivery.timeoutMs } });
      client = new BatchDispatcher(sender, delivery.dispatcher);
    } catch (error) {
      configError = error instanceof Bitrix24Error ? error : new Bitrix24Error('INVALID_CONFIG', 'The portal configuration is invalid.');
      this.error(localiseError(RED, configError));
    }

    self.client = () => {
      if (client !== undefined) return client;
      throw configError ?? new Bitrix24Error('INVALID_CONFIG', 'The portal configuration is invalid.');
    };
    const usesMessageAuth = (def.authType ?? 'webhook') === 'message';
    Object.defineProperty(self, 'usesMessageAuth', { value: usesMessageAuth });
    Object.defineProperty(self, 'oauth', { value: auth instanceof OAuthAuth ? auth : undefined });
    self.messageAuth = (value) => (usesMessageAuth && auth !== undefined ? parseMessageAuth(value, auth.host) : undefined);
    self.register = (user) => {
      users.add(user);
    };
    self.deregister = (user) => {
      users.delete(user);
    };

    this.on('close', (_removed: boolean, done: () => void) => {
      users.clear();
      if (client === undefined) {
        done();
        return;
      }
      client.close(closeGraceOf(RED)).then(
        () => done(),
        () => done(),
      );
    });
  }

  RED.nodes.registerType<Node<PortalCredentials>, PortalNodeDef, unknown, PortalCredentials>('bitrix24-portal', PortalConfigNode, {
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
