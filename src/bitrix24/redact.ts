/** Replaces what stands for a removed secret, so a reader sees that something was there. */
export const REDACTED = '[redacted]';

// The parts of a text that are secrets whatever their value: the secret segment of a webhook path, an event token
// (`<workflow>|<activity>|<32 chars>.<64 hex>`), OAuth parameters written as key=value, and Redis URLs.
const WEBHOOK_PATH = /(\/rest\/\d+\/)[^/\s?#"']+/gi;
const EVENT_TOKEN = /[^\s|"'<>]+\|[^\s|"'<>]+\|[A-Za-z0-9]+\.[0-9a-fA-F]{16,}/g;
const AUTH_PARAMS = /\b(auth|access_token|refresh_token|client_secret|application_token|event_token)(["']?\s*[=:]\s*["']?)[^\s&"',}]+/gi;
// A Redis URL may hold a password: the whole of it goes.
const REDIS_URL = /\b(rediss?):\/\/[^\s"'<>]+/gi;

/**
 * Removes secrets from a text before it can reach a log, a status, an error or a message: every known secret value
 * given, plus anything shaped like a webhook secret, an event token, an OAuth parameter or a Redis URL.
 */
export function redactSecrets(text: string, knownSecrets: Iterable<string> = []): string {
  let result = text;
  for (const secret of knownSecrets) {
    // Short values would redact ordinary words; the patterns below still cover the shapes that matter.
    if (secret.length >= 6) result = result.split(secret).join(REDACTED);
  }
  return result
    .replace(WEBHOOK_PATH, `$1${REDACTED}`)
    .replace(EVENT_TOKEN, REDACTED)
    .replace(AUTH_PARAMS, `$1$2${REDACTED}`)
    .replace(REDIS_URL, `$1://${REDACTED}`);
}

// Parameters whose values are credentials whatever the method: the event token of a running process, OAuth tokens.
const SECRET_PARAMS = /^(event_token|auth|access_token|refresh_token|client_secret|application_token)$/i;

/** The values of a call's parameters that are secrets (its EVENT_TOKEN, an `auth` token), for redaction. */
export function secretsOfParams(params: Readonly<Record<string, unknown>>): string[] {
  const found: string[] = [];
  for (const [key, value] of Object.entries(params)) if (typeof value === 'string' && SECRET_PARAMS.test(key)) found.push(value);
  return found;
}
