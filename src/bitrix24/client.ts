import { CallAuth, RequestAuth } from './auth/request-auth';
import { Bitrix24Error } from './errors';
import { RestResult } from './envelope';
import { secretsOfParams } from './redact';
import { HttpTransport, TransportOptions } from './transport';

/** How one call is to be treated by a queue in front of the client; a plain client ignores it. */
export interface CallOptions {
  /** Calls with the same key reach the portal in the order they were made (bizproc calls use the event token). */
  orderKey?: string;
  /** Aborting ends the call with NODE_CLOSED (or the abort reason) if it has not been sent yet. */
  signal?: AbortSignal;
  /** The call's own credentials (auth carried by a message); calls with different ones never share a batch. */
  auth?: CallAuth;
  /**
   * The method only reads, so a call that may have run can safely be sent again (a timeout, a 5xx). Off by default:
   * sending a write twice may do it twice.
   */
  repeatable?: boolean;
  /** Values the call carries that are secrets beyond its own parameters (the tokens of a batch's commands). */
  secrets?: readonly string[];
}

/** Anything that can run one REST method and return its result: the client, or a queue in front of it. */
export interface RestCaller {
  call(method: string, params: Record<string, unknown>, options?: CallOptions): Promise<RestResult>;
}

/** What a queue needs of the client it sends through. */
export interface RestSender extends RestCaller {
  /** Every secret the client holds, for redaction. */
  secrets(): string[];
  /** Releases the client's connections; calls still in flight are cut off. */
  close(): void;
}

/** Settings of a client for one portal. */
export interface Bitrix24ClientOptions {
  auth: RequestAuth;
  transport?: TransportOptions;
}

/** A REST client for one portal: authorises each call, sends it, and reports every failure as a Bitrix24Error. */
export class Bitrix24Client implements RestSender {
  private readonly auth: RequestAuth;
  private readonly transport: HttpTransport;

  constructor(options: Bitrix24ClientOptions) {
    this.auth = options.auth;
    this.transport = new HttpTransport(options.transport ?? {}, () => this.auth.secrets());
  }

  /** The portal's host, safe to show. */
  get host(): string {
    return this.auth.host;
  }

  /** Runs one method; when the portal refuses the credentials and they can be renewed, repeats it once. */
  async call(method: string, params: Record<string, unknown>, options: CallOptions = {}): Promise<RestResult> {
    const callAuth = options.auth;
    // A portal (or a proxy) that echoes the request must not put the call's own event token into an error.
    const callSecrets = [...secretsOfParams(params), ...(options.secrets ?? [])];
    if (callAuth !== undefined) callSecrets.push(callAuth.accessToken);
    const request = await this.auth.authorise(method, params, callAuth);
    try {
      return await this.transport.post(request.url, request.params, callSecrets);
    } catch (error) {
      if (!(error instanceof Bitrix24Error) || error.statusCode !== 401) throw error;
      if (!(await this.auth.recover(error, request, callAuth))) throw error;
      const renewed = await this.auth.authorise(method, params, callAuth);
      return this.transport.post(renewed.url, renewed.params, callSecrets);
    }
  }

  /** Every secret this client's authorisation holds. */
  secrets(): string[] {
    return this.auth.secrets();
  }

  /**
   * Releases the sockets kept open to the portal. Calls still on the wire are cut off: a queue in front of the client
   * (BatchDispatcher) waits for its own before it closes the client.
   */
  close(): void {
    this.transport.close();
  }
}
