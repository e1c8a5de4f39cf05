/** Where a failure happened, as far as the caller can know: decides whether repeating the call is safe. */
export type DeliveryCertainty =
  /** The portal did not run the call (refused before execution, or never reached): a retry cannot duplicate it. */
  | 'not-executed'
  /** The call may or may not have run (timeout or connection lost after sending, 5xx): a retry may duplicate it. */
  | 'ambiguous'
  /** The portal ran the call and answered with an error, or the input was refused locally: repeating gives the same. */
  | 'final';

/** What is known about a failure besides its code and message. */
export interface Bitrix24ErrorDetails {
  /** HTTP status of the portal's answer, when there was one. */
  statusCode?: number;
  /** The portal's own `error_description`, already cleared of secrets. */
  description?: string;
  /** Whether the call may have run; defaults to `final`. */
  certainty?: DeliveryCertainty;
  /** Seconds the portal asked us to wait before the next call (429 operating limit). */
  retryAfterSeconds?: number;
  /** A finer, stable reason within the code (`missing`, `zero`, ...), for localised messages. */
  reason?: string;
}

/**
 * The one error type of the client. `code` is Bitrix24's own error code when the portal sent one
 * (`ACCESS_DENIED`, `QUERY_LIMIT_EXCEEDED`, ...) and one of ours otherwise (`TIMEOUT`, `INVALID_RESPONSE`, ...).
 * The message never contains a secret: it is built from fixed texts and redacted portal descriptions only.
 */
export class Bitrix24Error extends Error {
  readonly code: string;
  readonly statusCode?: number;
  readonly description?: string;
  readonly certainty: DeliveryCertainty;
  readonly retryAfterSeconds?: number;
  readonly reason?: string;

  constructor(code: string, message: string, details: Bitrix24ErrorDetails = {}) {
    super(message);
    this.name = 'Bitrix24Error';
    this.code = code;
    this.certainty = details.certainty ?? 'final';
    if (details.statusCode !== undefined) this.statusCode = details.statusCode;
    if (details.description !== undefined) this.description = details.description;
    if (details.retryAfterSeconds !== undefined) this.retryAfterSeconds = details.retryAfterSeconds;
    if (details.reason !== undefined) this.reason = details.reason;
  }

  /** True when the call may have run on the portal, so its effect (a log line) may exist. */
  get ambiguous(): boolean {
    return this.certainty === 'ambiguous';
  }
}

/** Narrows an unknown thrown value to our error type. */
export function isBitrix24Error(value: unknown): value is Bitrix24Error {
  return value instanceof Bitrix24Error;
}

/** The error of a call ended because its node or portal closed (redeploy, shutdown) before it was sent. */
export function nodeClosedError(): Bitrix24Error {
  return new Bitrix24Error('NODE_CLOSED', 'The node was closed (redeploy or shutdown) before the call could be sent.', {
    certainty: 'not-executed',
  });
}
