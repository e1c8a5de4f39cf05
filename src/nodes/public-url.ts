// The address at which Bitrix24 reaches this Node-RED's HTTP nodes: the portal node's `publicUrl`, or settings.js'
// `bitrix24PortalPublicUrl` (one value for a whole installation behind a proxy). A receiver's HANDLER is that address
// followed by the receiver's path. Node-RED cannot know it: behind a proxy or a tunnel the browser's address, the
// listening port and the public name all differ.

import type { NodeAPI } from 'node-red';
import { Bitrix24Error } from '../bitrix24';
import type { PortalNodeDef } from './portal-node';

/** The settings.js entry the portal node declares (Node-RED's `<type in camelCase><Setting>` rule). */
export interface PublicUrlSettings {
  bitrix24PortalPublicUrl: string;
}

/** Declared with the portal node's type; exportable, so the dialog can show the installation's default. */
export const PUBLIC_URL_SETTINGS = { bitrix24PortalPublicUrl: { value: '', exportable: true } };

// The HANDLER column of the portal's table holds 1000 characters (RestActivityTable).
const MAX_HANDLER_LENGTH = 1000;

/** The portal's public address as configured (node first, then settings.js), trimmed; undefined when neither is set. */
export function publicUrlOf(RED: NodeAPI, def: Pick<PortalNodeDef, 'publicUrl'>): string | undefined {
  const own = typeof def.publicUrl === 'string' ? def.publicUrl.trim() : '';
  if (own !== '') return own;
  const setting = (RED.settings as unknown as Record<string, unknown>).bitrix24PortalPublicUrl;
  return typeof setting === 'string' && setting.trim() !== '' ? setting.trim() : undefined;
}

function invalidPublicUrl(reason: string, message: string): Bitrix24Error {
  return new Bitrix24Error('INVALID_PUBLIC_URL', message, { reason });
}

/**
 * The HANDLER of a receiver at `path` under `publicUrl`. Bitrix24 takes http and https handlers only
 * (ERROR_UNSUPPORTED_PROTOCOL otherwise); credentials, a query or a fragment in the address would end up in every
 * request's URL, so they are refused. Throws NO_PUBLIC_URL or INVALID_PUBLIC_URL.
 */
export function handlerUrlOf(publicUrl: string | undefined, path: string): string {
  if (publicUrl === undefined || publicUrl.trim() === '') {
    throw new Bitrix24Error('NO_PUBLIC_URL', "The portal node's public address of Node-RED is not set, so no HANDLER can be registered.");
  }
  let base: URL;
  try {
    base = new URL(publicUrl.trim());
  } catch {
    throw invalidPublicUrl('url', 'The public address is not an absolute URL.');
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw invalidPublicUrl('protocol', 'The public address must start with https:// (or http://).');
  if (base.username !== '' || base.password !== '') throw invalidPublicUrl('credentials', 'The public address must not hold a user name or password.');
  if (base.search !== '' || base.hash !== '') throw invalidPublicUrl('query', 'The public address must not hold a query or a fragment.');
  const root = base.href.endsWith('/') ? base.href : `${base.href}/`;
  const handler = root + path.trim().replace(/^\/+/, '');
  if (handler.length > MAX_HANDLER_LENGTH) throw invalidPublicUrl('length', `The handler URL is longer than the ${MAX_HANDLER_LENGTH} characters Bitrix24 keeps.`);
  return handler;
}
