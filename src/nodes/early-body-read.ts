// Reading a receiver's body as its request arrives, before any body parser can. In Node-RED's default layout
// (httpAdminRoot and httpNodeRoot both `/`) every request passes the editor's admin app first, whose JSON and form
// parsers read up to 5 MB, inflate gzip, and answer what they refuse with an HTML page and a stack trace (issue 11,
// point 8). Nodes cannot reach that app's middleware (their RED.httpAdmin is mounted at its end), but they can reach
// the HTTP server: a `request` listener put before Express's sees each request first. For a POST to a receiver's
// path it starts our own bounded read and sets `_body`, the flag by which body-parser (1.x, in Node-RED 4 and 5)
// leaves a request it did not read alone. The receiver's route then takes the body read here.

import type { IncomingMessage } from 'node:http';
import type { BodyRead } from '../http/request-body';

/** How a receiver reads a body: with its size cap and timeout. */
export type BodyReader = (request: IncomingMessage) => Promise<BodyRead>;

/** The part of Node's HTTP server this file touches. */
interface RequestEmitter {
  prependListener(event: 'request', listener: (request: IncomingMessage) => void): unknown;
  off(event: 'request', listener: (request: IncomingMessage) => void): unknown;
}

interface Claims {
  readers: Map<string, BodyReader[]>;
  listener: (request: IncomingMessage) => void;
}

const EARLY_BODY = Symbol.for('node-red-contrib-bitrix24-bizproc/early-body');
const claimsByServer = new WeakMap<object, Claims>();

/** A body-parser 1.x request flag, and the body read early, if any. */
type ClaimedRequest = IncomingMessage & { _body?: boolean; [EARLY_BODY]?: Promise<BodyRead> };

function isRequestEmitter(value: unknown): value is RequestEmitter {
  return typeof value === 'object' && value !== null && typeof (value as RequestEmitter).prependListener === 'function';
}

/**
 * The key Express would match a route path by: case-insensitive, one trailing slash optional (its defaults), the
 * path still percent-encoded, without the query.
 */
export function routeKeyOf(urlPath: string): string {
  const question = urlPath.indexOf('?');
  const path = (question < 0 ? urlPath : urlPath.slice(0, question)).toLowerCase();
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** The path under which a route on httpNode is reached from outside: the node root, then the route's own path. */
export function fullRoutePath(httpNodeRoot: unknown, routePath: string): string {
  const root = typeof httpNodeRoot === 'string' ? httpNodeRoot.trim().replace(/\/+$/, '') : '';
  return `${root.startsWith('/') || root === '' ? root : `/${root}`}${routePath}`;
}

/**
 * Reads the bodies of POSTs to `fullPath` on `server` as they arrive, with `read`; returns the function that stops
 * it. Without a server (a test harness that serves the app elsewhere) nothing is claimed and the route reads alone.
 */
export function claimEarlyBodies(server: unknown, fullPath: string, read: BodyReader): () => void {
  if (!isRequestEmitter(server)) return () => undefined;
  let claims = claimsByServer.get(server);
  if (claims === undefined) {
    const readers = new Map<string, BodyReader[]>();
    const listener = (request: IncomingMessage): void => {
      if (request.method !== 'POST') return;
      const reader = readers.get(routeKeyOf(request.url ?? '/'))?.[0];
      if (reader === undefined) return;
      const claimed = request as ClaimedRequest;
      claimed._body = true;
      claimed[EARLY_BODY] = reader(request);
    };
    claims = { readers, listener };
    claimsByServer.set(server, claims);
    server.prependListener('request', listener);
  }
  const key = routeKeyOf(fullPath);
  const list = claims.readers.get(key) ?? [];
  list.push(read);
  claims.readers.set(key, list);
  const owner = claims;
  return () => {
    const remaining = (owner.readers.get(key) ?? []).filter((reader) => reader !== read);
    if (remaining.length > 0) owner.readers.set(key, remaining);
    else owner.readers.delete(key);
    if (owner.readers.size === 0) {
      server.off('request', owner.listener);
      claimsByServer.delete(server);
    }
  };
}

/** The body read as the request arrived, or undefined when it was not claimed. */
export function earlyBodyOf(request: IncomingMessage): Promise<BodyRead> | undefined {
  return (request as ClaimedRequest)[EARLY_BODY];
}
