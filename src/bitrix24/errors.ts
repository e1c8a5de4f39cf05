import { DeliveryCertainty, factsOf } from './error-codes';

export type { DeliveryCertainty } from './error-codes';

/** What is known about a failure besides its code and message. */
export interface Bitrix24ErrorDetails {
  /** HTTP status of the portal's answer, when there was one. */
  statusCode?: number;
  /** The portal's own `error_description`, already cleared of secrets. */
  description?: string;
  /** Whether the call may have run; defaults to what the error table says of the code, else `final`. */
  certainty?: DeliveryCertainty;
  /** Seconds the portal asked us to wait before the next call (429 operating limit). */
  retryAfterSeconds?: number;
  /** A finer, stable reason within the code (`missing`, `zero`, ...), for localised messages. */
  reason?: string;
  /** The field of the call's input the error is about (`eventToken`, `message`, ...), when it is about one. */
  field?: string;
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
  readonly field?: string;

  constructor(code: string, message: string, details: Bitrix24ErrorDetails = {}) {
    super(message);
    this.name = 'Bitrix24Error';
    this.code = code;
    this.certainty = details.certainty ?? factsOf(code)?.ran ?? 'final';
    if (details.statusCode !== undefined) this.statusCode = details.statusCode;
    if (details.description !== undefined) this.description = details.description;
    if (details.retryAfterSeconds !== undefined) this.retryAfterSeconds = details.retryAfterSeconds;
    if (details.reason !== undefined) this.reason = details.reason;
    if (details.field !== undefined) this.field = details.field;
  }

  /** True when the call may have run on the portal, so its effect (a log line) may exist. */
  get ambiguous(): boolean {
    return this.certainty === 'ambiguous';
  }

  /** The same error, about the input field `field`. */
  about(field: string): Bitrix24Error {
    const { statusCode, description, certainty, retryAfterSeconds, reason } = this;
    return new Bitrix24Error(this.code, this.message, { statusCode, description, certainty, retryAfterSeconds, reason, field });
  }
}

/** Runs `read` (the check of one input field); a Bitrix24Error it throws is thrown again as about that field. */
export function readField<T>(field: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw error instanceof Bitrix24Error ? error.about(field) : error;
  }
}

/** The error of a call ended because its node or portal closed (redeploy, shutdown) before it was sent. */
export function nodeClosedError(): Bitrix24Error {
  return new Bitrix24Error('NODE_CLOSED', 'The node was closed (redeploy or shutdown) before the call could be sent.');
}
