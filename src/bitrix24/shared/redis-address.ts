// A Redis URL as a user types it (`redis://[user:password@]host[:port][/db]`, or `rediss://` for TLS), read once
// here into what the connection needs. The URL is a secret (it may hold a password): no error below repeats it.

import { Bitrix24Error } from '../errors';

/** Where the shared state lives and how to log in there. */
export interface RedisAddress {
  host: string;
  port: number;
  /** The database number, 0 unless the URL's path names another. */
  db: number;
  username?: string;
  password?: string;
  /** `rediss://`: TLS, the server's certificate checked against the system's CAs (and NODE_EXTRA_CA_CERTS). */
  tls: boolean;
}

function invalid(reason: string, message: string): Bitrix24Error {
  return new Bitrix24Error('INVALID_REDIS_URL', message, { reason });
}

/**
 * Reads a Redis URL. Query options are refused rather than passed on: the client library would take them as its own
 * options, and a URL could then turn off the time limits this package relies on.
 */
export function parseRedisUrl(text: string): RedisAddress {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw invalid('syntax', 'The Redis URL is not a valid URL.');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw invalid('scheme', 'The Redis URL must start with redis:// or rediss://.');
  }
  if (url.hostname === '') throw invalid('host', 'The Redis URL names no host.');
  if (url.search !== '' || url.hash !== '') throw invalid('query', 'The Redis URL must not carry a query or a fragment.');
  const path = url.pathname.replace(/^\/+|\/+$/g, '');
  if (path !== '' && !/^\d{1,2}$/.test(path)) throw invalid('db', 'The Redis URL path must be a database number.');
  const port = url.port === '' ? 6379 : Number(url.port);
  const address: RedisAddress = {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    db: path === '' ? 0 : Number(path),
    tls: url.protocol === 'rediss:',
  };
  if (url.username !== '') address.username = decodeURIComponent(url.username);
  if (url.password !== '') address.password = decodeURIComponent(url.password);
  return address;
}
