// Authorisation of REST calls made the way an application makes them: `/rest/<method>` with `auth=<access token>` in
// the query, a form or JSON body (any key case, like every parameter). Webhook calls never reach this gate.

import { decodePhpForm } from './php-form';
import { Clock } from './clock';
import { accessTokenErrors } from './oauth-errors';
import { OAuthTokenStore } from './oauth-tokens';
import { RestError, restErrors } from './rest-error';
import { ParsedParams, upperCaseKeys } from './rest-params';
import { WebhookRoute } from './webhook-route';

/** Checks the `auth` parameter of calls to the application endpoint. */
export class AccessTokenGate {
  /** A gate over these tokens, judged by this clock. */
  constructor(
    private readonly tokens: OAuthTokenStore,
    private readonly clock: Clock,
  ) {}

  /** Undefined when the call is authorised by its access token; otherwise the error to answer with. */
  refusal(route: WebhookRoute, query: string, parsed: ParsedParams): RestError | undefined {
    // A `/rest/<user>/<secret>/...` path is a webhook call with wrong credentials: a token does not rescue it.
    if (route.userIdSegment !== undefined) return restErrors.noAuth();
    // A body that does not parse still leaves the query, where a GET-style client puts `auth`.
    const params = parsed.ok ? parsed.params : upperCaseKeys(decodePhpForm(query));
    const auth = params.AUTH;
    if (auth === undefined || auth === '') return restErrors.noAuth();
    if (typeof auth !== 'string') return accessTokenErrors.invalid();
    switch (this.tokens.checkAccess(auth, this.clock.now())) {
      case 'valid':
        return undefined;
      case 'expired':
        return accessTokenErrors.expired();
      case 'unknown':
        return accessTokenErrors.invalid();
    }
  }
}
