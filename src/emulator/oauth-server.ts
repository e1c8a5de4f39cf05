// The portal's OAuth side as one object, switched on by the `oauth` option: the token server, the authorisation page,
// the gate that lets `/rest/<method>?auth=<token>` calls in, and the controls tests use (seed a pair, expire access
// tokens, read the token-server record).

import { IncomingMessage, ServerResponse } from 'node:http';
import { AccessTokenGate } from './access-token-gate';
import { Clock } from './clock';
import { AuthorizePage } from './oauth-authorize-page';
import { AuthorizationCodes } from './oauth-codes';
import { ResolvedOAuthOptions } from './oauth-options';
import { OAuthRequestLog, OAuthRequestRecord } from './oauth-request-log';
import { PortalIdentity, TokenServer } from './oauth-token-server';
import { IssuedTokens, OAuthTokenStore } from './oauth-tokens';

/** The OAuth routes and token state of one emulator. */
export class OAuthServer {
  /** The gate the REST endpoint asks about calls without webhook credentials. */
  readonly gate: AccessTokenGate;

  private readonly tokens: OAuthTokenStore;
  private readonly log = new OAuthRequestLog();
  private readonly tokenServer: TokenServer;
  private readonly authorizePage: AuthorizePage;

  /** An OAuth side for the application in `options`, on the portal `portal()` describes. */
  constructor(
    options: ResolvedOAuthOptions,
    private readonly clock: Clock,
    portal: () => PortalIdentity,
  ) {
    this.tokens = new OAuthTokenStore({
      accessTokenTtlMs: options.accessTokenTtlSeconds * 1000,
      refreshTokenTtlMs: options.refreshTokenTtlSeconds * 1000,
    });
    if (options.refreshToken !== undefined) this.tokens.seedRefresh(options.refreshToken, clock.now());
    const codes = new AuthorizationCodes();
    this.gate = new AccessTokenGate(this.tokens, clock);
    this.tokenServer = new TokenServer({ options, tokens: this.tokens, codes, clock, log: this.log, portal });
    this.authorizePage = new AuthorizePage({ options, codes, clock, portal });
  }

  /** The token-server calls so far, oldest first. */
  get requests(): ReadonlyArray<Readonly<OAuthRequestRecord>> {
    return this.log.records;
  }

  /** Answers the request if `path` is an OAuth route; false otherwise. */
  async handle(request: IncomingMessage, response: ServerResponse, path: string, query: string): Promise<boolean> {
    if (path === '/oauth/token/' || path === '/oauth/token') {
      await this.tokenServer.handle(request, response, query);
      return true;
    }
    if (path === '/oauth/authorize/' || path === '/oauth/authorize') {
      this.authorizePage.handle(request, response, query);
      return true;
    }
    return false;
  }

  /** A new pair, as if the application had just been installed. */
  issueTokens(): IssuedTokens {
    return this.tokens.issue(this.clock.now());
  }

  /** Every access token issued so far stops working now. */
  expireAccessTokens(): void {
    this.tokens.expireAccessTokens(this.clock.now());
  }
}
