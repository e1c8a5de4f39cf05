// The record of token-server calls, for tests to assert on (how often a client refreshed, and whether it reused a
// refresh token): when, which grant, how it ended. Never a client secret, code or token.

/** One call of the token server. */
export interface OAuthRequestRecord {
  /** Clock time of the call (ms). */
  at: number;
  /** The grant type asked for; '' when none was given, '(invalid)' when it was not a plain word. */
  grantType: string;
  /** Whether a new token pair was issued. */
  ok: boolean;
  /** The OAuth error code answered, when not ok. */
  error?: string;
}

// Bounded like the REST request record, for a long-running emulator.
const MAX_RECORDS = 100_000;
// Grant types are plain words; anything else may be a credential pasted into the wrong field, so it is not kept.
const GRANT_TYPE_SHAPE = /^[A-Za-z_]{1,64}$/;

/** The ordered token-server records of one emulator. */
export class OAuthRequestLog {
  private readonly entries: OAuthRequestRecord[] = [];

  /** The records, oldest first. */
  get records(): ReadonlyArray<Readonly<OAuthRequestRecord>> {
    return this.entries;
  }

  /** Records one call; `grantType` is the raw parameter, reduced to something safe to keep. */
  add(at: number, grantType: unknown, error: string | undefined): void {
    const record: OAuthRequestRecord = { at, grantType: safeGrantType(grantType), ok: error === undefined };
    if (error !== undefined) record.error = error;
    this.entries.push(record);
    if (this.entries.length > MAX_RECORDS) this.entries.shift();
  }
}

function safeGrantType(value: unknown): string {
  if (value === undefined || value === '') return '';
  return typeof value === 'string' && GRANT_TYPE_SHAPE.test(value) ? value : '(invalid)';
}
