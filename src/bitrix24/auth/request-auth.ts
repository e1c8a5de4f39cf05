import type { Bitrix24Error } from '../errors';

/** Where one REST call goes and what it carries, once authorised. */
export interface AuthorisedRequest {
  /** Full URL of the method (or of `batch`). Holds secrets for webhooks: never log it. */
  url: string;
  /** The call's parameters plus whatever the authorisation adds (`auth=<token>` for OAuth). */
  params: Record<string, unknown>;
}

/** Credentials that come with one call (auth carried by a message), rather than with the portal. */
export interface CallAuth {
  accessToken: string;
  refreshToken?: string;
  /** When the access token expires, in ms; unknown when absent. */
  expiresAt?: number;
}

/** How requests to one portal are authorised: a webhook, an OAuth application, or auth carried by a message. */
export interface RequestAuth {
  /** The portal's host, safe to show in statuses and errors. */
  readonly host: string;
  /** Builds the URL and parameters of a call to `method`; `callAuth` is the call's own credentials, if any. */
  authorise(method: string, params: Record<string, unknown>, callAuth?: CallAuth): Promise<AuthorisedRequest>;
  /** Called once when the portal refused the credentials of `request`; resolves true when repeating it may succeed. */
  recover(error: Bitrix24Error, request: AuthorisedRequest, callAuth?: CallAuth): Promise<boolean>;
  /** Every secret value this authorisation holds, for redaction. */
  secrets(): string[];
}
