// The portal dialog's Authorize button: the authorisation-code flow of a Bitrix24 application, run through admin
// endpoints of ours, so a user never copies tokens by hand.
//   POST /bitrix24-portal/oauth/start     (bitrix24-portal.write) -> { authorizeUrl }: a single-use `state`, 10 min
//   GET  /bitrix24-portal/oauth/callback  the portal's redirect: checks `state` and the portal, exchanges the code,
//                                         stores the pair where the portal node keeps rotated tokens
//   GET  /bitrix24-portal/oauth/status/:id (bitrix24-portal.read) -> { status, code? } for the dialog to poll
// The callback is a browser redirect, which carries no admin token: the single-use, unguessable state is what binds
// it to the start request, which did need the write permission.

import { randomBytes } from 'node:crypto';
import type { NodeAPI } from 'node-red';
import { Bitrix24Error, OAuthApplication, OAuthServerClient, OAuthTokens } from '../bitrix24';
import type { PortalCredentials, PortalNode } from './portal-node';
import { jsonOnly } from './json-only';
import { tokenStoreOf } from './portal-auth';
import { writeRecord } from './portal-oauth-store';
import { requestedAddresses, retypeSecrets, sameAddresses, savedPortalOf, UNCHANGED_SECRET } from './saved-portal';

interface PendingAuthorisation {
  portalId: string;
  portalHost: string;
  app: OAuthApplication;
  /** The request named the deployed node's saved addresses: its running queue may take the new pair. */
  atSavedAddresses: boolean;
  tokenStore: string;
  createdAt: number;
}

type Outcome = { status: 'pending' | 'authorised' } | { status: 'failed'; code: string };

const STATE_TTL_MS = 10 * 60_000;
const MAX_PENDING = 100;

interface Request {
  body?: Record<string, unknown>;
  query: Record<string, unknown>;
  params: Record<string, string>;
}
interface Response {
  status(code: number): Response;
  json(body: unknown): void;
  type(type: string): Response;
  send(body: string): void;
  readonly headersSent: boolean;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

/**
 * The client secret to use: the one typed in the dialog, or, left untouched, the stored one, but only when the
 * request names the saved addresses; otherwise RETYPE_SECRETS, so a stored secret never goes to a new address.
 */
function clientSecretOf(typed: unknown, stored: string | undefined, atSavedAddresses: boolean): string {
  const value = text(typed);
  if (value !== '' && value !== UNCHANGED_SECRET) return value;
  if (atSavedAddresses) return stored ?? '';
  // Left blank or untouched with a secret stored: say why nothing is sent, rather than "no secret".
  if (value === UNCHANGED_SECRET || stored) throw retypeSecrets();
  return '';
}

/**
 * Whether the OAuth server's answer is about the configured portal: `client_endpoint` and `domain` must name it.
 * Bitrix24's OAuth server may put its own host in `domain`; that names no portal and is not held against it. An
 * answer naming no portal at all is refused, as is a callback without `domain`.
 */
export function answerNamesPortal(tokens: OAuthTokens, portalHost: string, authServer: string): boolean {
  const expected = portalHost.toLowerCase();
  const named: string[] = [];
  if (tokens.clientEndpoint !== undefined) {
    try {
      named.push(new URL(tokens.clientEndpoint).host.toLowerCase());
    } catch {
      return false;
    }
  }
  const domain = tokens.domain?.trim().toLowerCase();
  if (domain && domain !== new URL(authServer).host.toLowerCase()) named.push(domain);
  return named.length > 0 && named.every((host) => host === expected);
}

/** Registers the three endpoints on Node-RED's admin app. */
export function registerOAuthAuthorizeRoutes(RED: NodeAPI): void {
  const pending = new Map<string, PendingAuthorisation>();
  const outcomes = new Map<string, Outcome>();

  const forget = (now: number): void => {
    for (const [state, entry] of pending) if (now - entry.createdAt > STATE_TTL_MS) pending.delete(state);
  };

  RED.httpAdmin.post('/bitrix24-portal/oauth/start', RED.auth.needsPermission('bitrix24-portal.write'), jsonOnly, (req: Request, res: Response) => {
    try {
      const body = req.body ?? {};
      const portalId = text(body.id);
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(portalId)) throw new Bitrix24Error('INVALID_CONFIG', 'No portal node id.', { reason: 'id' });
      const saved = savedPortalOf(RED, portalId);
      // Both addresses are checked here, at start: a bad one must not surface later in the unauthenticated callback.
      const requested = requestedAddresses(body, saved);
      if (requested.portal === undefined) throw new Bitrix24Error('INVALID_CONFIG', "The portal's address is not set.", { reason: 'portalUrl' });
      const atSavedAddresses = saved !== undefined && sameAddresses(saved.addresses, requested);
      const stored = saved?.credentials ?? ({} as PortalCredentials);
      const clientId = text(body.clientId) || (stored.clientId ?? '').trim();
      const clientSecret = clientSecretOf(body.clientSecret, stored.clientSecret, atSavedAddresses);
      if (clientId === '' || clientSecret === '') throw new Bitrix24Error('INVALID_CONFIG', 'The client id and client secret are needed.', { reason: 'client' });
      const app: OAuthApplication = { clientId, clientSecret, authServer: requested.authServer };
      // Fails now, with a code, for an address the token client would refuse at the callback.
      void new OAuthServerClient(app);
      const endpoint = new URL(requested.portal);
      const redirectUri = new URL(text(body.callbackUrl));
      if (redirectUri.protocol !== 'https:' && redirectUri.protocol !== 'http:') throw new Bitrix24Error('INVALID_CONFIG', 'Bad callback URL.');
      forget(Date.now());
      if (pending.size >= MAX_PENDING) throw new Bitrix24Error('TOO_MANY_AUTHORISATIONS', 'Too many authorisations are in progress.');
      const state = randomBytes(24).toString('hex');
      pending.set(state, { portalId, portalHost: endpoint.host, app, atSavedAddresses, tokenStore: text(body.tokenStore), createdAt: Date.now() });
      outcomes.set(portalId, { status: 'pending' });
      const authorizeUrl = new URL('/oauth/authorize/', endpoint.origin);
      authorizeUrl.search = new URLSearchParams({
        client_id: app.clientId,
        state,
        response_type: 'code',
        redirect_uri: redirectUri.toString(),
      }).toString();
      res.json({ authorizeUrl: authorizeUrl.toString() });
    } catch (error) {
      res.status(400).json({ code: error instanceof Bitrix24Error ? error.code : 'INVALID_CONFIG' });
    }
  });

  RED.httpAdmin.get('/bitrix24-portal/oauth/callback', (req: Request, res: Response) => {
    const page = (ok: boolean): void => {
      const key = ok ? 'authorised' : 'failed';
      const message = RED._(`bitrix24-portal.authorize.${key}`);
      res.status(ok ? 200 : 400).type('html').send(`<!doctype html><meta charset="utf-8"><title>Bitrix24</title><p>${escapeHtml(message)}</p>`);
    };
    // Unauthenticated: whatever goes wrong is the fixed page, never Express's error page with a stack trace.
    try {
      const state = text(req.query.state);
      const entry = pending.get(state);
      if (entry === undefined || Date.now() - entry.createdAt > STATE_TTL_MS) {
        page(false);
        return;
      }
      pending.delete(state);
      const fail = (code: string): void => {
        outcomes.set(entry.portalId, { status: 'failed', code });
        page(false);
      };
      const domain = text(req.query.domain).toLowerCase();
      if (domain !== entry.portalHost.toLowerCase()) {
        fail('AUTH_DOMAIN_MISMATCH');
        return;
      }
      const code = text(req.query.code);
      if (code === '') {
        fail('AUTHORIZATION_DENIED');
        return;
      }
      void new OAuthServerClient(entry.app)
        .exchangeCode(code)
        .then((tokens) => {
          if (!answerNamesPortal(tokens, entry.portalHost, entry.app.authServer)) {
            throw new Bitrix24Error('AUTH_DOMAIN_MISMATCH', 'The OAuth server answered for another portal.');
          }
          return storeTokens(RED, entry, tokens);
        })
        .then(
          () => {
            outcomes.set(entry.portalId, { status: 'authorised' });
            page(true);
          },
          (error: unknown) => fail(error instanceof Bitrix24Error ? error.code : 'AUTH_SERVER_ERROR'),
        )
        // Answering can still fail (the browser went away): Node-RED 4 exits on an unhandled rejection.
        .catch(() => undefined);
    } catch {
      if (!res.headersSent) page(false);
    }
  });

  RED.httpAdmin.get('/bitrix24-portal/oauth/status/:id', RED.auth.needsPermission('bitrix24-portal.read'), (req: Request, res: Response) => {
    res.json(outcomes.get(req.params.id) ?? { status: 'none' });
  });
}

/** Keeps a new pair where the portal node will find it: through the running node, or straight into its store. */
async function storeTokens(RED: NodeAPI, entry: PendingAuthorisation, tokens: OAuthTokens): Promise<void> {
  const running = RED.nodes.getNode(entry.portalId) as PortalNode | null;
  // A running node calls its saved portal: a pair for another address waits in the store for the deploy.
  if (running?.oauth !== undefined && entry.atSavedAddresses) {
    await running.oauth.replaceTokens(tokens);
    return;
  }
  const typed = (RED.nodes.getCredentials(entry.portalId) ?? {}) as PortalCredentials;
  await writeRecord(tokenStoreOf(RED, running ?? undefined, { tokenStore: entry.tokenStore }), entry.portalId, typed, tokens);
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
