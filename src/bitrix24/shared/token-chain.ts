// An application's OAuth token chain shared by several processes through Redis. Bitrix24 rotates refresh tokens: the
// first refresh with a token kills it, so two processes refreshing the same pair break the chain for good. Here one
// process refreshes per rotation: it takes a lock that expires by itself (a crashed holder's lock ends), refreshes,
// and stores the new pair with compare-and-set on the chain's generation; the others, finding the lock taken, wait
// for the new pair and take it. Pairs are sealed by the caller's sealer (the credential secret in Node-RED), and each
// process mirrors the newest pair it knows into its own store, to seed Redis again should it lose its data.
//
// Redis unreachable: a pair still valid is used as it is; a refresh is not attempted (it would fork the chain), and
// the call fails with SHARED_STATE_UNAVAILABLE, which the queue retries with back-off.

import { randomUUID } from 'node:crypto';
import { Bitrix24Error } from '../errors';
import { OAuthTokens, OAuthTokenStore, parseStoredTokens, RotatingTokenStore } from '../auth/oauth-tokens';
import { READ_CHAIN, RELEASE_LOCK, SEED_CHAIN, TAKE_LOCK, WRITE_CHAIN } from './chain-scripts';
import { sharedStateUnavailable } from './redis-link';
import type { RedisLink } from './redis-link';
import type { ValueSealer } from './value-sealer';
import type { SharedKeys } from './shared-keys';

/** What a shared chain is built from. */
export interface RedisTokenChainOptions {
  link: RedisLink;
  keys: SharedKeys;
  sealer: ValueSealer;
  /** This process' own store: the newest pair it knows is mirrored there, and seeds Redis when Redis has none. */
  local: OAuthTokenStore;
  /** The digest of the refresh token typed into this process' configuration, if any (see portal-oauth-store.ts). */
  seed?: string;
  /** How long the refresh lock lives: longer than a refresh can take (the OAuth server's timeout is 30 s). */
  lockTtlMs?: number;
  /** How often a process waiting for another's refresh looks for the new pair, at most (ms). */
  pollMs?: number;
}

interface StoredChain {
  generation: number;
  tokens: OAuthTokens | undefined;
  seedKnown: boolean;
}

const DEFAULT_LOCK_TTL_MS = 40_000;
const DEFAULT_POLL_MS = 250;
// After invalid_grant, how long to look for a pair another process may be storing right now (its write was delayed).
const INVALID_GRANT_GRACE_MS = 3_000;
// A pair refreshed while Redis could not take it is offered again this often, for this long.
const PERSIST_RETRY_MS = 500;
const PERSIST_GIVE_UP_MS = 600_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The OAuth token chain in Redis; see the file's head. */
export class RedisTokenChain implements RotatingTokenStore {
  private readonly owner = randomUUID();
  private readonly lockTtlMs: number;
  private readonly pollMs: number;

  constructor(private readonly options: RedisTokenChainOptions) {
    this.lockTtlMs = options.lockTtlMs ?? DEFAULT_LOCK_TTL_MS;
    this.pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  }

  async load(): Promise<OAuthTokens | undefined> {
    let stored: StoredChain;
    try {
      stored = await this.read();
    } catch (error) {
      // Redis out of reach at start: this process' own newest pair serves while its access token lasts.
      if (error instanceof Bitrix24Error && error.code === 'SHARED_STATE_UNAVAILABLE') return this.options.local.load();
      throw error;
    }
    if (stored.tokens !== undefined && (this.options.seed === undefined || stored.seedKnown)) return this.adopt(stored.tokens);
    // Redis has no pair yet (or lost it), or this process was given a refresh token that never seeded the chain:
    // this process' newest pair starts the chain, unless another process seeds it first.
    const mine = await this.options.local.load();
    if (mine === undefined) return stored.tokens;
    return this.seedWith(mine, this.options.seed ?? '');
  }

  async latest(): Promise<OAuthTokens | undefined> {
    return (await this.read()).tokens;
  }

  /** Stores a pair from the authorisation flow: it replaces whatever the chain holds. */
  async save(tokens: OAuthTokens): Promise<void> {
    await this.options.local.save(tokens);
    await this.write('', tokens);
  }

  async rotate(stale: OAuthTokens, refresh: (refreshToken: string) => Promise<OAuthTokens>): Promise<OAuthTokens> {
    const deadline = Date.now() + this.lockTtlMs + 5 * this.pollMs;
    for (let wait = Math.min(50, this.pollMs); ; wait = Math.min(wait * 2, this.pollMs)) {
      const stored = await this.read();
      if (stored.tokens !== undefined && stored.tokens.refreshToken !== stale.refreshToken) return this.adopt(stored.tokens);
      if (stored.tokens === undefined) {
        // Redis lost the chain (restarted without its data): offer ours, then look again.
        await this.seedWith(stale, '');
        continue;
      }
      if (await this.lock()) return this.refreshHolding(stale, refresh);
      if (Date.now() >= deadline) throw sharedStateUnavailable('timeout');
      await sleep(wait);
    }
  }

  /** With the lock held: refresh, store with compare-and-set, and release (or let it expire if Redis went away). */
  private async refreshHolding(stale: OAuthTokens, refresh: (refreshToken: string) => Promise<OAuthTokens>): Promise<OAuthTokens> {
    let generation: number;
    try {
      // Someone may have stored a pair between our read and our lock.
      const again = await this.read();
      if (again.tokens !== undefined && again.tokens.refreshToken !== stale.refreshToken) {
        await this.unlock();
        return this.adopt(again.tokens);
      }
      generation = again.generation;
    } catch (error) {
      await this.unlock().catch(() => undefined);
      throw error;
    }
    let fresh: OAuthTokens;
    try {
      fresh = await refresh(stale.refreshToken);
    } catch (error) {
      await this.unlock().catch(() => undefined);
      if (error instanceof Bitrix24Error && error.code === 'REAUTH_REQUIRED') {
        const stored = await this.newPairWithin(stale, INVALID_GRANT_GRACE_MS);
        if (stored !== undefined) return stored;
      }
      throw error;
    }
    // Saved before use: the old refresh token is dead now. Locally first (it cannot fail for Redis' reasons).
    await this.options.local.save(fresh).catch(() => undefined);
    try {
      await this.write(String(generation), fresh);
    } catch {
      this.persistLater(fresh, generation);
    }
    return fresh;
  }

  /** After invalid_grant: a pair another process stored meanwhile, if one appears within `ms`. */
  private async newPairWithin(stale: OAuthTokens, ms: number): Promise<OAuthTokens | undefined> {
    const until = Date.now() + ms;
    for (;;) {
      const stored = await this.read().catch(() => undefined);
      if (stored?.tokens !== undefined && stored.tokens.refreshToken !== stale.refreshToken) return this.adopt(stored.tokens);
      if (Date.now() >= until) return undefined;
      await sleep(this.pollMs);
    }
  }

  /** Keeps offering a refreshed pair Redis could not take, until it is stored or superseded. */
  private persistLater(fresh: OAuthTokens, generation: number): void {
    const until = Date.now() + PERSIST_GIVE_UP_MS;
    const attempt = async (): Promise<void> => {
      if (Date.now() > until) return;
      try {
        // Not written means another pair is stored (ours landed after all, or the Authorize button gave a new one).
        await this.write(String(generation), fresh);
      } catch (error) {
        // The portal closed its connection: nobody is left to use the pair.
        if (error instanceof Bitrix24Error && error.reason === 'closed') return;
        setTimeout(() => void attempt(), PERSIST_RETRY_MS).unref();
      }
    };
    setTimeout(() => void attempt(), PERSIST_RETRY_MS).unref();
  }

  private async adopt(tokens: OAuthTokens): Promise<OAuthTokens> {
    await this.options.local.save(tokens).catch(() => undefined);
    return tokens;
  }

  private async seedWith(tokens: OAuthTokens, seed: string): Promise<OAuthTokens | undefined> {
    const { keys, link, sealer } = this.options;
    const answer = await link.run(SEED_CHAIN, [keys.tokens, keys.tokenSeeds], [seed, sealer.seal(JSON.stringify(tokens))]);
    const [, , sealed] = Array.isArray(answer) ? (answer as unknown[]) : [];
    return typeof sealed === 'string' ? this.open(sealed) : undefined;
  }

  private async read(): Promise<StoredChain> {
    const { keys, link } = this.options;
    const answer = await link.run(READ_CHAIN, [keys.tokens, keys.tokenSeeds], [this.options.seed ?? '']);
    const [generation, sealed, known] = Array.isArray(answer) ? (answer as unknown[]) : [];
    return {
      generation: Number(generation) || 0,
      tokens: typeof sealed === 'string' ? this.open(sealed) : undefined,
      seedKnown: Number(known) === 1,
    };
  }

  private async write(generation: string, tokens: OAuthTokens): Promise<boolean> {
    const { keys, link, sealer } = this.options;
    const args = [generation, sealer.seal(JSON.stringify(tokens)), this.owner, this.options.seed ?? ''];
    const answer = await link.run(WRITE_CHAIN, [keys.tokens, keys.tokenLock, keys.tokenSeeds], args);
    return Array.isArray(answer) && Number(answer[0]) === 1;
  }

  private async lock(): Promise<boolean> {
    const answer = await this.options.link.run(TAKE_LOCK, [this.options.keys.tokenLock], [this.owner, this.lockTtlMs]);
    return Number(answer) === 1;
  }

  private async unlock(): Promise<void> {
    await this.options.link.run(RELEASE_LOCK, [this.options.keys.tokenLock], [this.owner]);
  }

  private open(sealed: string): OAuthTokens | undefined {
    return parseStoredTokens(this.options.sealer.open(sealed));
  }
}
