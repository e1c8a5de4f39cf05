import type { NodeAPI } from 'node-red';
import { Bitrix24Error } from '../bitrix24';
import { PACKAGE_NAME } from '../package-name';

// Error texts are shared by every node of the package, so they live in one catalogue, the portal node's, and are
// reached from the other nodes through its i18n namespace (`<module>/<node set>:`).
/** The i18n prefix of the shared catalogue, usable from any node of the package. */
export const CATALOGUE = `${PACKAGE_NAME}/bitrix24-portal:bitrix24`;

/**
 * The user-facing text of an error from the shared locale catalogue (`reasons.<CODE>.<reason>`, then
 * `errors.<CODE>`), falling back to the client's English text. `params` fill the catalogue's placeholders.
 */
export function localiseError(RED: NodeAPI, error: Bitrix24Error, params: Record<string, string | number> = {}): string {
  const values = { ...params, code: error.code, description: error.description ?? '', statusCode: error.statusCode ?? '' };
  const keys = error.reason === undefined ? [] : [`${CATALOGUE}.reasons.${error.code}.${error.reason}`];
  keys.push(`${CATALOGUE}.errors.${error.code}`);
  for (const key of keys) {
    const text = RED._(key, values);
    // i18next answers the key itself (without the namespace) when the catalogue has no text for it.
    if (typeof text === 'string' && text !== '' && !text.endsWith(key.slice(key.indexOf(':') + 1))) return text;
  }
  return error.message;
}
