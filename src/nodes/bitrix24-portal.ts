import type { Node, NodeAPI, NodeDef } from 'node-red';
import { BatchDispatcher, Bitrix24Client, Bitrix24Error, RequestAuth, RestCaller, WebhookAuth } from '../bitrix24';
import { localiseError } from './localised-error';
import { closeGraceOf } from './message-lifecycle';
import { PortalDeliveryDef, portalDeliveryOf } from './portal-settings';

/** The config node's properties as saved in the flow: a public contract, flows depend on these names. */
export interface PortalNodeDef extends NodeDef, PortalDeliveryDef {
  authType?: string;
}

/** The config node's credentials, kept in Node-RED's encrypted credentials file. */
export interface PortalCredentials {
  webhookUrl?: string;
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
}


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
    let client: BatchDispatcher | undefined;
    let configError: Bitrix24Error | undefined;
    try {
      const delivery = portalDeliveryOf(def);
      const sender = new Bitrix24Client({
        auth: createAuth(def, this.credentials ?? {}),
        transport: { timeoutMs: delivery.timeoutMs },
      });
      client = new BatchDispatcher(sender, delivery.dispatcher);
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
      client.close(closeGraceOf(RED)).then(
        () => done(),
        () => done(),
      );
    });
  }

  RED.nodes.registerType<Node<PortalCredentials>, PortalNodeDef, unknown, PortalCredentials>('bitrix24-portal', PortalConfigNode, {
    credentials: { webhookUrl: { type: 'password' }, applicationToken: { type: 'password' } },
  });
};
