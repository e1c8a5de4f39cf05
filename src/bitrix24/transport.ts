import http from 'node:http';
import https from 'node:https';
import axios, { AxiosInstance } from 'axios';
import { connectionFailureOf } from './error-codes';
import { Bitrix24Error } from './errors';
import { parseEnvelope, RestResult } from './envelope';

/** Settings of the HTTP layer of one portal. */
export interface TransportOptions {
  /** How long one HTTP request may take, in ms. Bitrix24 Cloud itself aborts requests after 60 s. */
  timeoutMs?: number;
  /** How many sockets may be open to the portal at once. */
  maxSockets?: number;
}

/** The default request timeout: a little above the 60 s after which Bitrix24 Cloud aborts a request itself. */
export const DEFAULT_TIMEOUT_MS = 65_000;

/** Sends JSON POSTs to one portal over kept-alive sockets and turns every outcome into a result or a Bitrix24Error. */
export class HttpTransport {
  private readonly http: AxiosInstance;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(
    options: TransportOptions,
    private readonly secrets: () => Iterable<string>,
  ) {
    const maxSockets = options.maxSockets ?? 10;
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets });
    this.http = axios.create({
      timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      // A renamed portal answers 302; following it would resend the secret and may turn the POST into a GET.
      maxRedirects: 0,
      validateStatus: () => true,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      maxContentLength: 64 * 1024 * 1024,
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      headers: { 'Content-Type': 'application/json; charset=utf-8', Accept: 'application/json' },
    });
  }

  /**
   * POSTs `params` as JSON to `url` and returns the method's result, or throws a Bitrix24Error; `callSecrets` (the
   * call's own tokens) are removed from whatever the portal answers, as are the portal's.
   */
  async post(url: string, params: Record<string, unknown>, callSecrets: readonly string[] = []): Promise<RestResult> {
    let payload: string;
    try {
      payload = JSON.stringify(params);
    } catch {
      throw new Bitrix24Error('INVALID_PARAMS', 'The call has parameters that cannot be sent as JSON (a cycle or a BigInt).');
    }
    let status: number;
    let body: string;
    let location: string | undefined;
    try {
      const response = await this.http.post<string>(url, payload);
      status = response.status;
      body = typeof response.data === 'string' ? response.data : String(response.data ?? '');
      const header: unknown = response.headers.location;
      location = typeof header === 'string' ? header : undefined;
    } catch (error) {
      throw networkError(error);
    }
    if (status >= 300 && status < 400) throw movedError(status, location, url);
    return parseEnvelope(status, body, [...this.secrets(), ...callSecrets]);
  }

  /** Closes idle sockets; requests still in flight finish on their own. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** A redirect is reported, never followed: only the new host is named, as the path may hold the secret. */
function movedError(status: number, location: string | undefined, requestUrl: string): Bitrix24Error {
  let where = 'another address';
  if (location !== undefined) {
    try {
      where = new URL(location, requestUrl).host;
    } catch {
      // An unreadable Location header still means the portal moved.
    }
  }
  return new Bitrix24Error('PORTAL_MOVED', `The portal answered HTTP ${status}: it has moved to ${where}. Update the portal's address.`, {
    statusCode: status,
  });
}

/** Classifies a failure without an HTTP answer; the axios error (which holds the URL) is never passed on. */
function networkError(error: unknown): Bitrix24Error {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  switch (connectionFailureOf(code)) {
    case 'timeout':
      return new Bitrix24Error('TIMEOUT', 'The portal did not answer in time; the call may have run.');
    case 'not-connected':
      return new Bitrix24Error('NETWORK_ERROR', `Could not connect to the portal (${code}).`, { certainty: 'not-executed' });
    case 'lost': {
      const reason = /^[A-Z_]+$/.test(code) ? code : 'connection lost';
      return new Bitrix24Error('NETWORK_ERROR', `The connection to the portal failed (${reason}); the call may have run.`, {
        certainty: 'ambiguous',
      });
    }
  }
}
