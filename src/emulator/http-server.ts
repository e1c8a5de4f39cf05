// The listening socket: routes each request to the REST endpoint or the console routes, keeps connections alive
// between requests like a real portal, and on stop closes every socket at once, idle keep-alive ones included, so a
// test's after() hook never waits for a client's idle timeout. With the OAuth side on, `/oauth/...` goes to it.

import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { ControlGuard } from './control-guard';
import { sendJson } from '../http/http-reply';
import { OAuthServer } from './oauth-server';
import { RestEndpoint } from './rest-endpoint';
import { restErrors } from './rest-error';
import { parseWebhookRoute } from './webhook-route';

/** Routes beside the REST API (the log page, the workflow and activity APIs): each answers the paths it knows. */
export interface RouteSet {
  handle(request: IncomingMessage, response: ServerResponse, path: string): Promise<boolean>;
}

/** Where the server listens once started. */
export interface ListeningAddress {
  host: string;
  port: number;
}

/** The emulator's HTTP server. */
export class EmulatorHttpServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly guard: ControlGuard;
  private listenHost = '';

  /** A server (not yet listening) over these routes. */
  constructor(
    private readonly rest: RestEndpoint,
    private readonly routeSets: RouteSet[],
    private readonly oauthRoutes?: OAuthServer,
  ) {
    this.guard = new ControlGuard(() => this.listenHost);
    this.server = createServer((request, response) => {
      this.route(request, response).catch(() => answerInternalError(response));
    });
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    // Malformed HTTP: answer 400 if the socket still can, never let it reach 'error' unhandled.
    this.server.on('clientError', (_error: Error, socket: Socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
    });
  }

  /** Starts listening; resolves with the actual address (port 0 picks a free port). */
  listen(host: string, port: number): Promise<ListeningAddress> {
    return new Promise((resolve, reject) => {
      this.listenHost = host;
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const address = this.server.address() as AddressInfo;
        resolve({ host, port: address.port });
      });
    });
  }

  /** Stops listening and destroys every open connection; resolves when the server is closed. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) {
        resolve();
        return;
      }
      this.server.close(() => resolve());
      this.rest.cancelDelayedAnswers();
      for (const socket of this.sockets) socket.destroy();
      this.sockets.clear();
    });
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const target = request.url ?? '/';
    const questionMark = target.indexOf('?');
    const path = questionMark < 0 ? target : target.slice(0, questionMark);
    const query = questionMark < 0 ? '' : target.slice(questionMark + 1);
    const route = parseWebhookRoute(path);
    if (route) {
      await this.rest.handle(request, response, route, query);
      return;
    }
    if (this.oauthRoutes && (await this.oauthRoutes.handle(request, response, path, query))) return;
    if (isControlPath(path)) {
      const refusal = this.guard.refusal(request);
      if (refusal !== undefined) {
        request.resume();
        const what = refusal === 'host' ? 'Host' : 'Origin';
        sendJson(response, 403, { error: refusal === 'host' ? 'FORBIDDEN_HOST' : 'FORBIDDEN_ORIGIN', error_description: `The control API answers only requests whose ${what} is this machine` });
        return;
      }
    }
    for (const routes of this.routeSets) {
      if (await routes.handle(request, response, path)) return;
    }
    request.resume();
    sendJson(response, 404, { error: 'NOT_FOUND', error_description: 'No such route on this emulator' });
  }
}

/** The log page and `/emulator/...`: what a web page must not drive (control-guard.ts). */
function isControlPath(path: string): boolean {
  return path === '/' || path === '/emulator' || path.startsWith('/emulator/');
}

function answerInternalError(response: ServerResponse): void {
  const error = restErrors.internal();
  try {
    sendJson(response, error.status, error.toBody());
  } catch {
    response.destroy();
  }
}
