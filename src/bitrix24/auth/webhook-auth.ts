import type { AuthorisedRequest, RequestAuth } from './request-auth';
import { parseWebhookUrl, WebhookAddress } from './webhook-url';

/** An incoming webhook: the secret is part of the URL, nothing is added to the body, nothing can be refreshed. */
export class WebhookAuth implements RequestAuth {
  private readonly address: WebhookAddress;

  /** Validates the webhook URL at once, so a bad one is reported when the portal is configured. */
  constructor(webhookUrl: unknown) {
    this.address = parseWebhookUrl(webhookUrl);
  }

  get host(): string {
    return this.address.host;
  }

  async authorise(method: string, params: Record<string, unknown>): Promise<AuthorisedRequest> {
    return { url: `${this.address.baseUrl}${method}`, params };
  }

  async recover(): Promise<boolean> {
    return false;
  }

  secrets(): string[] {
    return [this.address.secret, this.address.baseUrl];
  }
}
