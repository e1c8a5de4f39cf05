// Authorisation codes from `/oauth/authorize/`: each works once, for 30 seconds of the emulator's clock, as on
// Bitrix24, so a test can check that a client exchanges the code at once and never twice.

import { newToken } from './oauth-tokens';

/** How long a code can be exchanged for tokens. */
export const AUTHORIZATION_CODE_TTL_MS = 30_000;

// Codes live seconds; this only guards against a page reloaded in a loop without ever exchanging the codes.
const MAX_CODES = 10_000;

/** The codes issued and not yet exchanged. */
export class AuthorizationCodes {
  private readonly codes = new Map<string, number>();

  /** A new code issued at `now`. */
  issue(now: number): string {
    for (const [code, expiresAt] of this.codes) {
      if (expiresAt <= now) this.codes.delete(code);
    }
    const code = newToken(now);
    this.codes.set(code, now + AUTHORIZATION_CODE_TTL_MS);
    if (this.codes.size > MAX_CODES) {
      const oldest = this.codes.keys().next();
      if (!oldest.done) this.codes.delete(oldest.value);
    }
    return code;
  }

  /** Whether `code` was issued and is still fresh at `now`; either way it cannot be used again. */
  redeem(code: string, now: number): boolean {
    const expiresAt = this.codes.get(code);
    if (expiresAt === undefined) return false;
    this.codes.delete(code);
    return now < expiresAt;
  }
}
