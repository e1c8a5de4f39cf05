// Where a portal node's stored secrets may go: the portal and OAuth server addresses saved in the deployed node.
// The editor sends `__PWRD__` (or nothing) for a secret the user did not retype, and the admin routes used to fill
// it in from the store whatever addresses the request named, so a caller could have the stored client secret and
// refresh token sent to a host of its choosing (issue 11, point 11). A request that names other addresses must
// carry newly typed secrets.

import type { NodeAPI, NodeDef } from 'node-red';
import { Bitrix24Error, DEFAULT_AUTH_SERVER } from '../bitrix24';
import { normaliseBaseUrl } from '../bitrix24/auth/oauth-server';
import type { PortalCredentials } from './portal-node';
import { restEndpointOf } from './portal-auth';

/** A portal node's destinations, normalised so that two spellings of one address compare equal. */
export interface PortalAddresses {
  /** `https://<portal>/rest/`, or undefined when no portal address is set (webhook portals). */
  portal: string | undefined;
  /** The OAuth server, Bitrix24's own unless another is set. */
  authServer: string;
}

/** A deployed portal node: where its secrets may go, and the secrets. */
export interface SavedPortal {
  addresses: PortalAddresses;
  credentials: PortalCredentials;
}

/** What the editor sends for a stored password credential the user did not change. */
export const UNCHANGED_SECRET = '__PWRD__';

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

/** The addresses named by a portal's settings; throws INVALID_PORTAL_URL or INVALID_AUTH_SERVER for a bad one. */
export function addressesOf(settings: { portalUrl?: unknown; authServer?: unknown }): PortalAddresses {
  const portalUrl = text(settings.portalUrl);
  return {
    portal: portalUrl === '' ? undefined : normaliseBaseUrl(restEndpointOf(portalUrl), 'INVALID_PORTAL_URL'),
    authServer: normaliseBaseUrl(text(settings.authServer) || DEFAULT_AUTH_SERVER, 'INVALID_AUTH_SERVER'),
  };
}

/**
 * The addresses a request names; an address it leaves out (not even blank) is the saved one, as an untouched secret
 * is the stored one. Throws INVALID_PORTAL_URL or INVALID_AUTH_SERVER for a bad one.
 */
export function requestedAddresses(request: { portalUrl?: unknown; authServer?: unknown }, saved: SavedPortal | undefined): PortalAddresses {
  const named = addressesOf(request);
  return {
    portal: request.portalUrl === undefined && saved !== undefined ? saved.addresses.portal : named.portal,
    authServer: request.authServer === undefined && saved !== undefined ? saved.addresses.authServer : named.authServer,
  };
}

/** Whether two sets of addresses are the same destinations. */
export function sameAddresses(a: PortalAddresses, b: PortalAddresses): boolean {
  return a.portal === b.portal && a.authServer === b.authServer;
}

/**
 * The deployed portal node with this id: its saved addresses and its credentials (`${ENV}` substituted, as the
 * running node has them). Undefined when no such portal is deployed, or its saved addresses are unusable (then no
 * address is safe for its secrets).
 */
export function savedPortalOf(RED: NodeAPI, id: string): SavedPortal | undefined {
  let def: (NodeDef & { portalUrl?: unknown; authServer?: unknown }) | undefined;
  RED.nodes.eachNode((node) => {
    if (node.id === id && node.type === 'bitrix24-portal') def = node;
  });
  if (def === undefined) return undefined;
  let addresses: PortalAddresses;
  try {
    addresses = addressesOf(def);
  } catch {
    return undefined;
  }
  const running = RED.nodes.getNode(id) as { credentials?: PortalCredentials } | null;
  const credentials = running?.credentials ?? ((RED.nodes.getCredentials(id) ?? {}) as PortalCredentials);
  return { addresses, credentials };
}

/** RETYPE_SECRETS: the request names addresses other than the saved ones and relies on stored secrets. */
export function retypeSecrets(): Bitrix24Error {
  return new Bitrix24Error('RETYPE_SECRETS', 'The portal or OAuth server address differs from the saved one: type the secrets again; stored secrets go only to the saved addresses.');
}
