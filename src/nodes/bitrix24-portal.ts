// bitrix24-portal: the config node. It turns the saved settings and credentials into one client and one queue for
// the portal, shared by every node using it, and tells those nodes of the state it owns (re-authorise, unusable).
// A redeploy that keeps the portal with the same settings hands the connection to the new instance (the calls waiting
// and in flight go on under the same limit); a stop of Node-RED drains the queue within the grace. With a Redis URL
// the connection also shares the portal's bucket and OAuth token chain with the other instances (portal-shared-state).
import type { Node, NodeAPI } from 'node-red';
import { BatchDispatcher, Bitrix24Client, Bitrix24Error, OAuthAuth, parseMessageAuth } from '../bitrix24';
import { DeployWatch } from './deploy-watch';
import { localiseError } from './localised-error';
import { registerOAuthAuthorizeRoutes } from './oauth-authorize-routes';
import { registerPortalAdminRoutes } from './portal-admin-routes';
import { createPortalAuth } from './portal-auth';
import { PortalConditions } from './portal-conditions';
import { closeConnection, fingerprintOf, ParkedConnections, PortalConnection, PortalStateBroadcast } from './portal-connections';
import type { PortalCredentials, PortalNode, PortalNodeDef } from './portal-node';
import { CATALOGUE } from './localised-error';
import { sharedStateOf } from './portal-shared-state';
import { portalDeliveryOf } from './portal-settings';
import { PUBLIC_URL_SETTINGS, publicUrlOf, PublicUrlSettings } from './public-url';
import { closeGraceOf } from './runtime-settings';

export = function registerPortalNode(RED: NodeAPI): void {
  const watch = DeployWatch.of(RED);
  const parked = ParkedConnections.of(RED);

  function PortalConfigNode(this: Node<PortalCredentials>, def: PortalNodeDef): void {
    RED.nodes.createNode(this, def);
    const self = this as PortalNode;
    const fingerprint = fingerprintOf(def, RED.nodes.getCredentials(def.id));
    let connection: PortalConnection | undefined = parked.adopt(def.id, fingerprint);
    const broadcast = connection?.broadcast ?? new PortalStateBroadcast();
    const conditions = connection?.conditions ?? new PortalConditions(broadcast);
    let configError: Bitrix24Error | undefined;
    if (connection === undefined) {
      let shared: ReturnType<typeof sharedStateOf>;
      try {
        const delivery = portalDeliveryOf(def);
        const credentials = this.credentials ?? {};
        shared = sharedStateOf(RED, def, credentials, delivery.dispatcher.rateLimit ?? false);
        const auth = createPortalAuth(RED, this, def, credentials, (required) => conditions.reauthorisation(required), shared);
        const admission = shared?.admission;
        const options = admission === undefined ? delivery.dispatcher : { ...delivery.dispatcher, admission };
        const queue = new BatchDispatcher(new Bitrix24Client({ auth, transport: { timeoutMs: delivery.timeoutMs } }), options);
        connection = { fingerprint, queue, auth, broadcast, conditions, ...(shared === undefined ? {} : { shared }) };
      } catch (error) {
        void shared?.close();
        configError = error instanceof Bitrix24Error ? error : new Bitrix24Error('INVALID_CONFIG', 'The portal configuration is invalid.');
        broadcast.change({ kind: 'unusable', code: configError.code });
        this.error(localiseError(RED, configError));
      }
    }

    self.queue = () => {
      if (connection !== undefined) return connection.queue;
      throw configError ?? new Bitrix24Error('INVALID_CONFIG', 'The portal configuration is invalid.');
    };
    const usesMessageAuth = (def.authType ?? 'webhook') === 'message';
    const auth = connection?.auth;
    Object.defineProperty(self, 'usesMessageAuth', { value: usesMessageAuth });
    Object.defineProperty(self, 'oauth', { value: auth instanceof OAuthAuth ? auth : undefined });
    Object.defineProperty(self, 'publicUrl', { value: publicUrlOf(RED, def) });
    self.messageAuth = (value) => (usesMessageAuth && auth !== undefined ? parseMessageAuth(value, auth.host) : undefined);
    Object.defineProperty(self, 'sharedSecrets', { value: connection?.shared?.secrets });
    if (connection?.shared !== undefined) {
      let wasDown = false;
      // Told to this instance: after a redeploy the instance that adopted the connection tells it instead.
      connection.shared.report = (state, share) => {
        conditions.shared(state.up);
        if (!state.up) this.warn(RED._(`${CATALOGUE}.warnings.sharedDown.${state.trouble}`, { share }));
        else if (wasDown) this.log(RED._(`${CATALOGUE}.warnings.sharedUp`));
        wasDown = !state.up;
      };
    }
    self.register = (listener) => broadcast.add(listener);
    self.deregister = (listener) => broadcast.remove(listener);

    this.on('close', (_removed: boolean, done: () => void) => {
      broadcast.clear();
      const running = connection;
      connection = undefined;
      if (running === undefined) {
        done();
        return;
      }
      const next = watch.nextDefinition(def.id);
      if (next !== undefined && next.type === def.type && fingerprintOf(next, RED.nodes.getCredentials(def.id)) === running.fingerprint) {
        // The deploy starts this portal again as it is: the new instance takes over the queue, nothing stops.
        parked.park(def.id, running);
        watch.whenStarted(() => {
          for (const left of parked.takeUnadopted()) closeConnection(left, closeGraceOf(RED)).catch(() => undefined);
        });
        done();
        return;
      }
      closeConnection(running, closeGraceOf(RED)).then(
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
      redisUrl: { type: 'password' },
    },
  });
  registerOAuthAuthorizeRoutes(RED);
  registerPortalAdminRoutes(RED, (portalDef, credentials) =>
    createPortalAuth(RED, RED.nodes.getNode(portalDef.id) ?? undefined, portalDef, credentials, () => undefined),
  );
};
