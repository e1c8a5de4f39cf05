// Where a portal's shared state lives in Redis. The request limit belongs to the portal (every application and
// webhook calling it from one address shares it), so the bucket and the count of processes are keyed by the portal
// alone; operating-time holds, the OAuth token chain and captured tokens belong to one application on that portal.
// Every key of a portal carries the same hash tag, so a Redis cluster would keep them in one slot, as scripts need.

import { createHash } from 'node:crypto';

const PREFIX = 'b24bp';

/** A key part made safe: kept when it is plain, else replaced by a digest (so no key ever holds odd text). */
function part(text: string): string {
  const plain = text.trim().toLowerCase();
  return /^[a-z0-9._-]{1,100}$/.test(plain) ? plain : createHash('sha256').update(plain).digest('hex').slice(0, 32);
}

/** The Redis keys of one portal and one application on it. */
export class SharedKeys {
  private readonly portal: string;
  private readonly app: string;

  /** `portal`: the portal's host (or member id); `application`: the application's client id, or a webhook's digest. */
  constructor(portal: string, application: string) {
    this.portal = `${PREFIX}:{${part(portal)}}`;
    this.app = `${this.portal}:app:${part(application)}`;
  }

  /** The portal's leaky bucket (a hash: level, at). */
  get bucket(): string {
    return `${this.portal}:bucket`;
  }

  /** The processes that used the bucket lately (a sorted set by last use). */
  get instances(): string {
    return `${this.portal}:instances`;
  }

  /** The application's methods held by the operating-time limit (a hash: method, until). */
  get holds(): string {
    return `${this.app}:holds`;
  }

  /** The application's OAuth token pair (a hash: generation, sealed pair). */
  get tokens(): string {
    return `${this.app}:oauth:pair`;
  }

  /** The typed refresh tokens (their digests) that ever seeded the chain (a set). */
  get tokenSeeds(): string {
    return `${this.app}:oauth:seeds`;
  }

  /** The lock of the one process refreshing the pair (a string: its owner, with an expiry). */
  get tokenLock(): string {
    return `${this.app}:oauth:lock`;
  }

  /** A sealed secret of the application kept by name (the captured application token, say). */
  secret(name: string): string {
    return `${this.app}:secret:${part(name)}`;
  }
}
