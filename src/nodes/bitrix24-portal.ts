import type { Node, NodeAPI, NodeDef } from 'node-red';
import { Bitrix24Client, Bitrix24Error, RequestAuth, WebhookAuth } from '../bitrix24';
import { localiseError } from './localised-error';
import { registerPortalAdminRoutes } from './portal-admin-routes';

/** The config node's properties as saved in the flow. */
export interface PortalNodeDef extends NodeDef {
  authType?: string;
}

/** The config node's credentials, kept in Node-RED's encrypted credentials file. */
export interface PortalCredentials {
  webhookUrl?: string;
}

/** The `bitrix24-portal` config node as the nodes that use it see it. */
export interface PortalNode extends Node<PortalCredentials> {
  /** The portal's client, shared by every node using this portal; throws a Bitrix24Error when the config is unusable. */
  client(): Bitrix24Client;
  /** Adds a node to those told about the portal's state. */
  register(user: Node): void;
  /** Removes a node added by `register`. */
  deregister(user: Node): void;
}

/** How long the portal waits on close for calls already sent, below Node-RED's 15 s close timeout. */
const CLOSE_GRACE_MS = 10_000;

/** Builds the authorisation the config asks for, or throws why it cannot. */
function createAuth(def: PortalNodeDef, credentials: PortalCredentials): RequestAuth {
  const authType = def.authType ?? 'webhook';
  if (authType === 'webhook') return new WebhookAuth(credentials.webhookUrl);
  throw new Bitrix24Error('UNSUPPORTED_AUTH_TYPE', `The portal's authorisation type "${authType}" is not supported.`);
}

export = function registerPortalNode(RED: NodeAPI): void {
  function PortalConfigNode(this: Node<PortalCredentials>, def: PortalNodeDef): void {
    RED.nodes.createNode(this, def);
    const self = this as PortalNode;
    const users = new Set<Node>();
    let client: Bitrix24Client | undefined;
    let configError: Bitrix24Error | undefined;
    try {
      client = new Bitrix24Client({ auth: createAuth(def, this.credentials ?? {}) });
    } catch (error) {
      configError = error instanceof Bitrix24Error ? error : new Bitrix24Error('INVALID_CONFIG', 'The portal configuration is invalid.');
      this.error(localiseError(RED, configError));
    }

    self.client = () => {
      if (client !== undefined) return client;
      throw configError ?? new Bitrix24Error('INVALID_CONFIG', 'The portal configuration is invalid.');
    };
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
      client.close(CLOSE_GRACE_MS).then(done, done);
    });
  }

  RED.nodes.registerType<Node<PortalCredentials>, PortalNodeDef, unknown, PortalCredentials>('bitrix24-portal', PortalConfigNode, {
    credentials: { webhookUrl: { type: 'password' } },
  });
  registerPortalAdminRoutes(RED, createAuth);
};
