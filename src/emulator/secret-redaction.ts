// What the emulator shows to anyone who can reach it (the log page, the JSON list) must not leak credentials, even when
// a flow logs them by mistake: the webhook secret and anything shaped like an event token are masked.

/** What replaces a hidden credential. */
export const REDACTED = '[hidden]';

// The full token first, then a bare signature part, in case a message carries only the tail.
const EVENT_TOKEN = /[0-9a-f]+\.[0-9]+\|[A-Za-z0-9_]+\|[A-Za-z0-9]{32}\.[0-9a-f]{64}/g;
const TOKEN_SIGNATURE = /[A-Za-z0-9]{32}\.[0-9a-f]{64}/g;
// OAuth access and refresh tokens and authorisation codes: 72 hex digits (see oauth-tokens.ts).
const OAUTH_TOKEN = /[0-9a-f]{72}/g;

/** The text with the webhook secret, event tokens and OAuth tokens masked. */
export function redactSecrets(text: string, webhookSecret: string): string {
  const withoutTokens = text.replace(EVENT_TOKEN, REDACTED).replace(TOKEN_SIGNATURE, REDACTED).replace(OAUTH_TOKEN, REDACTED);
  return withoutTokens.split(webhookSecret).join(REDACTED);
}

/** A JSON-like value with every string (and every key) masked the same way. */
export function redactDeep(value: unknown, webhookSecret: string): unknown {
  if (typeof value === 'string') return redactSecrets(value, webhookSecret);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, webhookSecret));
  if (value !== null && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      Object.defineProperty(result, redactSecrets(key, webhookSecret), {
        value: redactDeep(child, webhookSecret),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return result;
  }
  return value;
}
