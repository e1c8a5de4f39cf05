// The OAuth side's refusals, in the words Bitrix24 uses: on the portal's REST endpoint (a RestError, 401) and on the
// token server (`{error, error_description}` with the OAuth 2 codes).

import { RestError } from './rest-error';

/** REST answers to a call whose `auth` does not work. */
export const accessTokenErrors = {
  expired: (): RestError => new RestError(401, 'expired_token', 'The access token provided has expired.'),
  invalid: (): RestError => new RestError(401, 'invalid_token', 'The access token provided is invalid.'),
};

/** One answer of the token server or the authorisation page that refuses the request. */
export interface OAuthRefusal {
  status: number;
  error: string;
  description?: string;
}

/** The token server's refusals. */
export const tokenServerErrors = {
  unsupportedGrantType: (): OAuthRefusal => ({ status: 400, error: 'unsupported_grant_type' }),
  invalidClient: (): OAuthRefusal => ({ status: 401, error: 'invalid_client', description: 'The client credentials are invalid.' }),
  invalidRefreshToken: (): OAuthRefusal => ({
    status: 400,
    error: 'invalid_grant',
    description: 'The refresh token is invalid or expired.',
  }),
  invalidCode: (): OAuthRefusal => ({ status: 400, error: 'invalid_grant', description: 'The authorization code is invalid or expired.' }),
  invalidJson: (): OAuthRefusal => ({ status: 400, error: 'invalid_request', description: 'Request body is not valid JSON' }),
  httpMethodNotAllowed: (): OAuthRefusal => ({ status: 405, error: 'invalid_request', description: 'Use GET or POST' }),
};

/** The JSON body of a refusal: `{error}` alone when there is nothing to add, as the token server answers. */
export function refusalBody(refusal: OAuthRefusal): { error: string; error_description?: string } {
  return refusal.description === undefined ? { error: refusal.error } : { error: refusal.error, error_description: refusal.description };
}
