// The portal dialog's "Test connection" button, served as an admin endpoint: it calls the portal's `scope` method
// with the credentials typed in the dialog (or, left untouched, those stored for that portal node, when the request
// names the node's saved addresses) and says whether they work and whether the bizproc scope is granted. The answer
// never holds a credential. JSON only.
import type { Request, Response } from 'express';
import type { Node, NodeAPI } from 'node-red';
import { Bitrix24Client, Bitrix24Error, checkScope, RequestAuth, RestCaller } from '../bitrix24';
import type { PortalCredentials, PortalNode, PortalNodeDef } from './portal-node';
import { jsonOnly } from './json-only';
import { CATALOGUE, localiseError } from './localised-error';
import { requestedAddresses, retypeSecrets, sameAddresses, SavedPortal, savedPortalOf, UNCHANGED_SECRET } from './saved-portal';

/** Builds the authorisation of a portal from its settings and credentials: the portal node's own factory. */
export type PortalAuthFactory = (def: PortalNodeDef, credentials: PortalCredentials) => RequestAuth;

/** The endpoint's path under the editor's admin root. */
export const CONNECTION_TEST_PATH = '/bitrix24-portal/test';
/** The scope the package's nodes need. */
const REQUIRED_SCOPE = 'bizproc';
/** Far below a log call's timeout, so the dialog never waits long. */
const TEST_TIMEOUT_MS = 15_000;
const ENV_REFERENCE = /^\$\{(\S+)\}$/;

/** What the dialog posts: the portal node's id, its authorisation type, and its credential fields as typed. */
interface ConnectionTestRequest {
  id?: unknown;
  authType?: unknown;
  portalUrl?: unknown;
  authServer?: unknown;
  tokenStore?: unknown;
  credentials?: unknown;
}

/** The endpoint's answer. `code` names what went wrong; `message` is the runtime's text for it. */
export interface ConnectionTestResult {
  /** The portal accepted the credentials. */
  connected: boolean;
  /** The credentials carry the bizproc scope. */
  bizproc: boolean;
  host?: string;
  scopes?: string[];
  code?: string;
  statusCode?: number;
  description?: string;
  message: string;
}

/** Registers the connection test on the editor's admin API; needs the `bitrix24-portal.write` permission. */
export function registerPortalAdminRoutes(RED: NodeAPI, createAuth: PortalAuthFactory): void {
  RED.httpAdmin.post(CONNECTION_TEST_PATH, RED.auth.needsPermission('bitrix24-portal.write'), jsonOnly, (req: Request, res: Response) => {
    testConnection(RED, createAuth, (req.body ?? {}) as ConnectionTestRequest).then(
      (result) => res.json(result),
      (error: unknown) => {
        // Only the error's class: its text could hold what was typed in the dialog.
        RED.log.warn(`${RED._(`${CATALOGUE}.connection.failed`)} (${error instanceof Error ? error.name : typeof error})`);
        res.status(500).json({ connected: false, bizproc: false, code: 'INTERNAL_ERROR', message: RED._(`${CATALOGUE}.connection.failed`) });
      },
    );
  });
}

/** Runs one connection test; every portal or configuration failure becomes a result, never a rejection. */
async function testConnection(RED: NodeAPI, createAuth: PortalAuthFactory, body: ConnectionTestRequest): Promise<ConnectionTestResult> {
  const deployed = typeof body.id === 'string' ? deployedPortal(RED, body.id) : undefined;
  const saved = typeof body.id === 'string' ? savedPortalOf(RED, body.id) : undefined;
  let client: Bitrix24Client | undefined;
  try {
    // A webhook test uses no stored secret but the webhook URL, which is its own address.
    const webhook = (typeof body.authType === 'string' ? body.authType : 'webhook') === 'webhook';
    const requested = requestedAddresses(body, saved);
    const atSavedAddresses = saved !== undefined && (webhook || sameAddresses(saved.addresses, requested));
    const credentials = dialogCredentials(RED, body.credentials, deployed, saved, atSavedAddresses);
    const def: PortalNodeDef = {
      id: typeof body.id === 'string' ? body.id : '',
      type: 'bitrix24-portal',
      name: '',
      z: '',
      authType: typeof body.authType === 'string' ? body.authType : 'webhook',
      ...optionalText('portalUrl', body.portalUrl ?? requested.portal),
      ...optionalText('authServer', body.authServer ?? requested.authServer),
      ...optionalText('tokenStore', body.tokenStore),
    };
    let caller: RestCaller;
    let host: string;
    const running = deployed as PortalNode | undefined;
    if (def.authType === 'oauth' && running?.oauth !== undefined && atSavedAddresses && !typesSecrets(body.credentials)) {
      // A deployed OAuth portal is tested through its own queue: a second client refreshing the same rotating
      // refresh token at the same moment would leave both with a dead one.
      caller = running.queue();
      host = running.oauth.host;
    } else {
      client = new Bitrix24Client({ auth: createAuth(def, credentials), transport: { timeoutMs: TEST_TIMEOUT_MS, maxSockets: 1 } });
      caller = client;
      host = client.host;
    }
    const { scopes, granted } = await checkScope(caller, REQUIRED_SCOPE);
    if (granted) return { connected: true, bizproc: true, host, scopes, message: RED._(`${CATALOGUE}.connection.ok`, { host }) };
    return { connected: true, bizproc: false, host, scopes, code: 'MISSING_BIZPROC_SCOPE', message: RED._(`${CATALOGUE}.connection.noBizproc`, { host }) };
  } catch (error) {
    if (!(error instanceof Bitrix24Error)) throw error;
    const result: ConnectionTestResult = { connected: false, bizproc: false, code: error.code, message: localiseError(RED, error) };
    if (error.statusCode !== undefined) result.statusCode = error.statusCode;
    if (error.description !== undefined) result.description = error.description;
    return result;
  } finally {
    void client?.close();
  }
}

/** `{ [name]: value }` for a non-empty string, else nothing: settings the dialog may leave out. */
function optionalText(name: 'portalUrl' | 'authServer' | 'tokenStore', value: unknown): Partial<PortalNodeDef> {
  return typeof value === 'string' && value.trim() !== '' ? { [name]: value.trim() } : {};
}

/** The running portal node with that id, or undefined (not deployed yet, or not a portal). */
function deployedPortal(RED: NodeAPI, id: string): Node<PortalCredentials> | undefined {
  const node = RED.nodes.getNode(id) as Node<PortalCredentials> | null;
  return node !== null && node.type === 'bitrix24-portal' ? node : undefined;
}

/** The secrets among the credentials: each goes only where the portal node's saved addresses say. */
const SECRET_FIELDS: ReadonlySet<string> = new Set(['clientSecret', 'refreshToken', 'accessToken']);

/** Whether the dialog typed any secret anew (then the test uses those, not the running node's). */
function typesSecrets(typed: unknown): boolean {
  const fields = typeof typed === 'object' && typed !== null ? (typed as Record<string, unknown>) : {};
  return Object.entries(fields).some(([name, value]) => (SECRET_FIELDS.has(name) || name === 'webhookUrl') && typeof value === 'string' && value !== '' && value !== UNCHANGED_SECRET);
}

/**
 * The credentials to test: each field typed in the dialog, and for a field left untouched (the editor's
 * placeholder, or left out) the one stored for that portal (`${ENV}` already substituted by Node-RED). A stored
 * client secret, refresh or access token is used only when the request names the node's saved portal and OAuth
 * server; otherwise an untouched one is RETYPE_SECRETS. A stored webhook URL is its own address, so it goes only there
 * anyway. A typed `${ENV}` is substituted the way Node-RED does for the deployed node.
 */
function dialogCredentials(
  RED: NodeAPI,
  typed: unknown,
  deployed: Node<PortalCredentials> | undefined,
  saved: SavedPortal | undefined,
  atSavedAddresses: boolean,
): PortalCredentials {
  const stored: Record<string, unknown> = { ...(saved?.credentials ?? deployed?.credentials ?? {}) };
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(stored)) {
    if (!SECRET_FIELDS.has(name) || atSavedAddresses) result[name] = value;
  }
  const fields = typeof typed === 'object' && typed !== null ? (typed as Record<string, unknown>) : {};
  for (const [name, value] of Object.entries(fields)) {
    if (value === UNCHANGED_SECRET || value === undefined) {
      if (SECRET_FIELDS.has(name) && !atSavedAddresses && stored[name]) throw retypeSecrets();
      continue;
    }
    const variable = typeof value === 'string' ? ENV_REFERENCE.exec(value)?.[1] : undefined;
    if (variable === undefined) result[name] = value;
    else result[name] = deployed ? RED.util.getSetting(deployed, variable) : process.env[variable];
  }
  return result as PortalCredentials;
}
