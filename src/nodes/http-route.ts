import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NodeAPI } from 'node-red';

/** A request handler on Node-RED's HTTP server (Express passes its own request and response, which extend these). */
export type RouteHandler = (request: IncomingMessage, response: ServerResponse) => void;

/** The part of an Express router this file touches: its layers, each a route with the handlers it runs. */
interface RouterLayer {
  route?: { stack?: Array<{ handle?: unknown }> };
}
interface RouterOwner {
  _router?: { stack?: RouterLayer[] };
  router?: { stack?: RouterLayer[] };
}

/** A path as Express expects it: with a leading `/`. */
export function normaliseRoutePath(path: string): string {
  const trimmed = path.trim();
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/**
 * Adds a POST route to Node-RED's HTTP server (`httpNode`, the server of core `http in` nodes) and returns the
 * function that removes it again. Express has no API to remove a route: the route whose handlers include this very
 * handler is taken out of the router's stack, so another node's route on the same path stays.
 */
export function addPostRoute(RED: NodeAPI, path: string, handler: RouteHandler): () => void {
  RED.httpNode.post(path, handler);
  return () => {
    const owner = RED.httpNode as unknown as RouterOwner;
    const stack = owner._router?.stack ?? owner.router?.stack;
    if (stack === undefined) return;
    for (let i = stack.length - 1; i >= 0; i -= 1) {
      if (stack[i]?.route?.stack?.some((layer) => layer.handle === handler)) stack.splice(i, 1);
    }
  };
}
