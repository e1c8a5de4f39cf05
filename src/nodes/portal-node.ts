// What the nodes of the package see of a `bitrix24-portal` config node: its saved settings and credentials, its queue,
// and the state it owns (authorised or not, usable or not), which it pushes to the nodes registered with it, as
// Node-RED's MQTT broker node pushes its connection state to the nodes using it.

import type { Node, NodeDef } from 'node-red';
import type { BatchDispatcher, CallAuth, OAuthAuth } from '../bitrix24';
import type { TokenStore } from './encrypted-token-store';
import type { PortalAuthCredentials, PortalAuthDef } from './portal-auth';
import type { PortalDeliveryDef } from './portal-settings';

/** The config node's properties as saved in the flow: a public contract, flows depend on these names. */
export interface PortalNodeDef extends NodeDef, PortalDeliveryDef, PortalAuthDef {
  /**
   * Where Bitrix24 reaches this Node-RED's HTTP nodes, httpNodeRoot included (`https://nodered.example.com/`): the
   * base of the HANDLER of every activity or robot registered through this portal. Empty: settings.js'
   * `bitrix24PortalPublicUrl`.
   */
  publicUrl?: string;
}

/** The config node's credentials, kept in Node-RED's encrypted credentials file. */
export interface PortalCredentials extends PortalAuthCredentials {
  /** The application token Bitrix24 sends as `auth[application_token]`, checked by the activity receiver. */
  applicationToken?: string;
  /** Several instances on one portal: where they share its bucket and token chain (`redis://` or `rediss://`). */
  redisUrl?: string;
}

/**
 * What the portal says of itself to the nodes using it: it works, it needs re-authorising, it cannot work, or the
 * Redis it shares with other instances is out of reach (it works on, alone, at a fraction of the limit).
 */
export type PortalState = { kind: 'ready' } | { kind: 'reauth' } | { kind: 'unusable'; code: string } | { kind: 'shared-down' };

/** A node that wants to hear of its portal's state (its status writer). */
export interface PortalStateListener {
  /** The portal's state now: called on registration and on every change. */
  portalStateChanged(state: PortalState): void;
}

/** The `bitrix24-portal` config node as the nodes that use it see it. */
export interface PortalNode extends Node<PortalCredentials> {
  /**
   * The portal's queue, shared by every node using this portal: one rate limit, batching, safe retries. Throws a
   * Bitrix24Error when the configuration is unusable.
   */
  queue(): BatchDispatcher;
  /** Tells `listener` the portal's state now and on every change, until deregistered. */
  register(listener: PortalStateListener): void;
  /** Stops telling `listener`. */
  deregister(listener: PortalStateListener): void;
  /**
   * For a portal whose auth comes with each message: the call credentials in `value` (a handler request's `auth`),
   * refused with AUTH_DOMAIN_MISMATCH when they name another portal. Undefined for other portals.
   */
  messageAuth(value: unknown): CallAuth | undefined;
  /** Whether the nodes must read auth from each message. */
  readonly usesMessageAuth: boolean;
  /** The public address of this Node-RED's HTTP nodes (`publicUrl`, else settings.js), or undefined when none is set. */
  readonly publicUrl: string | undefined;
  /** The application's OAuth tokens, for the Authorize button; undefined for other kinds of portal. */
  readonly oauth: OAuthAuth | undefined;
  /** With a Redis URL: secrets learnt at run time, shared by every instance on the portal; undefined otherwise. */
  readonly sharedSecrets: TokenStore | undefined;
}
