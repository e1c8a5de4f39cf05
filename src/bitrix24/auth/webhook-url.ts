import { Bitrix24Error } from '../errors';

/** An incoming webhook taken apart: everything after `origin` is secret. */
export interface WebhookAddress {
  /** `https://<host>/rest/<user id>/<secret>/`: the base every method name is appended to. A secret. */
  baseUrl: string;
  /** `https://<host>`: safe to show. */
  origin: string;
  /** The portal's host name (with port when one is given): safe to show. */
  host: string;
  /** The id of the user the webhook acts as: safe to show. */
  userId: number;
  /** The webhook's secret code. */
  secret: string;
}

const REST_PATH = /^\/rest\/(\d+)\/([A-Za-z0-9_-]+)(?:\/(?:[A-Za-z0-9_.]+)?)?$/;

/** True for hosts that never leave this machine, where plain http cannot expose the secret. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Validates an incoming webhook URL (`https://<host>/rest/<user id>/<secret>/`, tolerating a trailing method name or
 * `.json`) and takes it apart. Plain http is accepted for loopback hosts only. Errors never repeat the URL.
 */
export function parseWebhookUrl(input: unknown): WebhookAddress {
  if (typeof input !== 'string' || input.trim() === '') {
    throw new Bitrix24Error('INVALID_WEBHOOK_URL', 'No webhook URL is configured for this portal.');
  }
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new Bitrix24Error('INVALID_WEBHOOK_URL', 'The webhook URL is not a valid URL.');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new Bitrix24Error(
      'INVALID_WEBHOOK_URL',
      'The webhook URL must start with https:// (plain http is accepted only for 127.0.0.1 or localhost).',
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new Bitrix24Error('INVALID_WEBHOOK_URL', 'The webhook URL must not contain a user name or password.');
  }
  const match = REST_PATH.exec(url.pathname);
  if (match === null || url.search !== '' || url.hash !== '') {
    throw new Bitrix24Error(
      'INVALID_WEBHOOK_URL',
      'The webhook URL must look like https://<portal>/rest/<user id>/<secret>/ as Bitrix24 shows it.',
    );
  }
  const userId = Number(match[1]);
  const secret = match[2];
  return { baseUrl: `${url.origin}/rest/${userId}/${secret}/`, origin: url.origin, host: url.host, userId, secret };
}
