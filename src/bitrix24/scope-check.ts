import { RestCaller } from './client';
import { Bitrix24Error } from './errors';

/** The REST method that lists the scopes granted to the webhook or application calling it. */
export const SCOPE_METHOD = 'scope';

/** What the portal granted, and whether the one scope asked about is among it. */
export interface ScopeCheck {
  scopes: string[];
  granted: boolean;
}

/**
 * Asks the portal which scopes the credentials carry (method `scope`, which needs none itself): a success proves
 * the credentials work, and `granted` tells whether `required` is among the scopes. Throws a Bitrix24Error otherwise.
 */
export async function checkScope(caller: RestCaller, required: string): Promise<ScopeCheck> {
  const answer = await caller.call(SCOPE_METHOD, {});
  const { result } = answer;
  if (!Array.isArray(result) || !result.every((scope): scope is string => typeof scope === 'string')) {
    throw new Bitrix24Error('INVALID_RESPONSE', 'The portal answered the scope method with something other than a list of scopes.');
  }
  return { scopes: [...result], granted: result.includes(required) };
}
