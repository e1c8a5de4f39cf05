// Secrets a portal learns at run time (the application token captured from ONAPPINSTALL) kept in Redis, sealed, for
// every instance sharing the portal: captured by one, known to all. The capture is a SET NX, so two instances cannot
// both capture. A value read once is remembered: a captured token never changes, and a receiver keeps checking
// requests against it while Redis is out of reach.

import type { RedisLink, SharedKeys, ValueSealer } from '../bitrix24';
import { luaScript } from '../bitrix24/shared/redis-link';
import type { TokenStore } from './encrypted-token-store';

const READ = luaScript(`return redis.call('GET', KEYS[1])`);
const WRITE = luaScript(`return redis.call('SET', KEYS[1], ARGV[1])`);
const WRITE_IF_ABSENT = luaScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then return {1, ARGV[1]} end
return {0, redis.call('GET', KEYS[1])}
`);
const REMOVE = luaScript(`return redis.call('DEL', KEYS[1])`);

/** A TokenStore in Redis under one application's keys; rejects with SHARED_STATE_UNAVAILABLE when Redis cannot answer. */
export class RedisSecretStore implements TokenStore {
  private readonly known = new Map<string, string>();

  constructor(
    private readonly link: RedisLink,
    private readonly keys: SharedKeys,
    private readonly sealer: ValueSealer,
  ) {}

  async read(key: string): Promise<string | undefined> {
    let sealed: unknown;
    try {
      sealed = await this.link.run(READ, [this.keys.secret(key)], []);
    } catch (error) {
      const remembered = this.known.get(key);
      if (remembered !== undefined) return remembered;
      throw error;
    }
    return typeof sealed === 'string' ? this.remember(key, this.sealer.open(sealed)) : undefined;
  }

  async write(key: string, value: string): Promise<void> {
    await this.link.run(WRITE, [this.keys.secret(key)], [this.sealer.seal(value)]);
    this.known.set(key, value);
  }

  async writeIfAbsent(key: string, value: string): Promise<{ stored: boolean; value: string }> {
    const answer = await this.link.run(WRITE_IF_ABSENT, [this.keys.secret(key)], [this.sealer.seal(value)]);
    const [stored, sealed] = Array.isArray(answer) ? (answer as unknown[]) : [];
    const kept = typeof sealed === 'string' ? this.sealer.open(sealed) : value;
    return { stored: Number(stored) === 1, value: this.remember(key, kept) };
  }

  async remove(key: string): Promise<void> {
    await this.link.run(REMOVE, [this.keys.secret(key)], []);
    this.known.delete(key);
  }

  private remember(key: string, value: string): string {
    this.known.set(key, value);
    return value;
  }
}
