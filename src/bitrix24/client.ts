import { CallAuth, RequestAuth } from './auth/request-auth';
import { Bitrix24Error } from './errors';
import { RestResult } from './envelope';
import { redactSecrets } from './redact';
import { HttpTransport, TransportOptions } from './transport';

/** How one call is to be treated by a queue in front of the client; a plain client ignores it. */
export interface CallOptions {
  /** Calls with the same key reach the portal in the order they were made (bizproc calls use the event token). */
  orderKey?: string;
  /** Aborting ends the call with NODE_CLOSED (or the abort reason) if it has not been sent yet. */
  signal?: AbortSignal;
  /** The call's own credentials (auth carried by a message); calls with different ones never share a batch. */
  auth?: CallAuth;
}

/** Anything that can run one REST method and return its result: the client, or a queue in front of it. */
export interface RestCaller {
  call(method: string, params: Record<string, unknown>, options?: CallOptions): Promise<RestResult>;
}

/** What a queue needs of the client it sends through. */
export interface RestSender extends RestCaller {
  /** Every secret the client holds, for redaction. */
  secrets(): string[];
  /** Releases the client's connections. */
  close(graceMs?: number): Promise<void>;
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
  private readonly pending = new Set<Promise<unknown>>();

  constructor(options: Bitrix24ClientOptions) {
    this.auth = options.auth;
    this.transport = new HttpTransport(options.transport ?? {}, () => this.auth.secrets());
  }

  /** The portal's host, safe to show. */
  get host(): string {
    return this.auth.host;
  }

  /** Runs one method; when the portal refuses the credentials and they can be renewed, repeats it once. */
  call(method: string, params: Record<string, unknown>, options: CallOptions = {}): Promise<RestResult> {
    const call = this.callWithRecovery(method, params, options.auth);
    const tracked = call.then(
      () => undefined,
      () => undefined,
    );
    this.pending.add(tracked);
    void tracked.then(() => this.pending.delete(tracked));
    return call;
  }

  private async callWithRecovery(method: string, params: Record<string, unknown>, callAuth?: CallAuth): Promise<RestResult> {
    const request = await this.auth.authorise(method, params, callAuth);
    try {
      return await this.transport.post(request.url, request.params);
    } catch (error) {
      if (!(error instanceof Bitrix24Error) || error.statusCode !== 401) throw error;
      if (!(await this.auth.recover(error, request, callAuth))) throw error;
      const renewed = await this.auth.authorise(method, params, callAuth);
      return this.transport.post(renewed.url, renewed.params);
    }
  }

  /** Every secret this client's authorisation holds. */
  secrets(): string[] {
    return this.auth.secrets();
  }

  /** Removes this portal's secrets, and anything shaped like a secret, from a text. */
  redact(text: string): string {
    return redactSecrets(text, this.auth.secrets());
  }

  /** Lets calls already sent finish for up to `graceMs`, then releases the sockets kept open to the portal. */
  async close(graceMs = 0): Promise<void> {
    if (this.pending.size > 0 && graceMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([Promise.all([...this.pending]), deadline]);
      clearTimeout(timer);
    }
    this.transport.close();
  }
}
