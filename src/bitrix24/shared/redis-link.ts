// One connection to the Redis that holds a portal's shared state, on ioredis. Every wait is bounded: a command that
// gets no answer within its timeout fails, and while the connection is down commands fail at once instead of queueing
// (they are never sent late, when what they decided has gone stale); only the very first connection is waited for,
// briefly, so a process that has just started does not take its own start for an outage. ioredis keeps reconnecting in
// the background. Failures become SHARED_STATE_UNAVAILABLE: nothing of the URL or of Redis' own text reaches a caller.

import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { Redis } from 'ioredis';
import { Bitrix24Error } from '../errors';
import type { RedisAddress } from './redis-address';

/** Limits of a link; the defaults suit a Redis on the same network. */
export interface RedisLinkOptions {
  /** The longest wait for one command's answer, in ms (default 1,000). */
  commandTimeoutMs?: number;
  /** The longest wait for the first connection, in ms (default 2,000). */
  connectTimeoutMs?: number;
  /** TLS options added for `rediss://` (a test's own CA, say); the system's CAs check the server otherwise. */
  tls?: ConnectionOptions;
}

/** Why the link is down, as far as the package tells: the server refused the login, TLS failed, or no answer. */
export type LinkTrouble = 'auth' | 'tls' | 'unreachable';

/** What a link's listeners hear: it is up, or down and why. */
export type LinkState = { up: true } | { up: false; trouble: LinkTrouble };

/** A Lua script run on the server, sent in full only when the server does not know it yet (after a restart). */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

/** A script from its Lua source. */
export function luaScript(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

const DEFAULT_COMMAND_TIMEOUT_MS = 1_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 2_000;
const MAX_RECONNECT_DELAY_MS = 2_000;

/** The error every failed Redis operation becomes. */
export function sharedStateUnavailable(reason: LinkTrouble | 'timeout' | 'reply' | 'closed'): Bitrix24Error {
  return new Bitrix24Error('SHARED_STATE_UNAVAILABLE', `The shared state (Redis) cannot be used right now (${reason}).`, { reason });
}

function troubleOf(error: unknown): LinkTrouble {
  const message = error instanceof Error ? error.message : '';
  if (/WRONGPASS|NOAUTH|NOPERM|invalid password|invalid username/i.test(message)) return 'auth';
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(`${code} ${message}`)) return 'tls';
  return 'unreachable';
}

/** A connection to Redis with bounded waits; see the file's head. */
export class RedisLink {
  private readonly client: Redis;
  private state: LinkState | undefined;
  private lastTrouble: LinkTrouble = 'unreachable';
  private readonly listeners = new Set<(state: LinkState) => void>();
  private readonly firstConnection: Promise<void>;
  private closed = false;

  constructor(address: RedisAddress, options: RedisLinkOptions = {}) {
    const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    // Loaded here, not at the top: portals without a Redis URL never load the library.
    const { default: RedisClient } = require('ioredis') as typeof import('ioredis');
    this.client = new RedisClient({
      host: address.host,
      port: address.port,
      db: address.db,
      ...(address.username === undefined ? {} : { username: address.username }),
      ...(address.password === undefined ? {} : { password: address.password }),
      ...(address.tls ? { tls: { ...(isIP(address.host) === 0 ? { servername: address.host } : {}), ...options.tls } } : {}),
      connectionName: 'node-red-contrib-bitrix24-bizproc',
      commandTimeout: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
      connectTimeout: connectTimeoutMs,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times, 5), MAX_RECONNECT_DELAY_MS),
    });
    this.firstConnection = new Promise<void>((resolve) => {
      const settle = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(settle, connectTimeoutMs);
      this.client.once('ready', settle);
      this.client.once('close', settle);
    });
    this.client.on('ready', () => this.change({ up: true }));
    // ioredis prints errors nobody listens to; here they become the link's state, shown through the catalogue.
    this.client.on('error', (error: unknown) => {
      this.lastTrouble = troubleOf(error);
    });
    this.client.on('close', () => this.change({ up: false, trouble: this.lastTrouble }));
  }

  /** True while commands can be sent. */
  get up(): boolean {
    return this.state?.up === true;
  }

  /** Why the link is down, when it is (undefined while up or before the first connection). */
  get trouble(): LinkTrouble | undefined {
    return this.state?.up === false ? this.state.trouble : undefined;
  }

  /** Tells `listener` of every change between up and down (not of the state now). */
  onChange(listener: (state: LinkState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs a script; rejects with SHARED_STATE_UNAVAILABLE when Redis cannot answer in time. */
  async run(script: LuaScript, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    if (this.closed) throw sharedStateUnavailable('closed');
    if (this.state === undefined) await this.firstConnection;
    if (!this.up) throw sharedStateUnavailable(this.state?.up === false ? this.state.trouble : 'unreachable');
    try {
      return await this.client.evalsha(script.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw this.failure(error);
    }
    try {
      return await this.client.eval(script.source, keys.length, ...keys, ...args);
    } catch (error) {
      throw this.failure(error);
    }
  }

  /** Closes the connection; commands fail from now on. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    try {
      await Promise.race([this.client.quit(), new Promise((resolve) => setTimeout(resolve, DEFAULT_COMMAND_TIMEOUT_MS).unref())]);
    } catch {
      // Already gone: nothing to close politely.
    }
    this.client.disconnect();
  }

  private failure(error: unknown): Bitrix24Error {
    if (error instanceof Error && /timed out/i.test(error.message)) return sharedStateUnavailable('timeout');
    if (error instanceof Error && error.name === 'ReplyError') return sharedStateUnavailable('reply');
    return sharedStateUnavailable(troubleOf(error));
  }

  private change(state: LinkState): void {
    const was = this.state;
    this.state = state;
    if (this.closed || (was !== undefined && was.up === state.up)) return;
    // The first connection failing is news too: until then nobody was told anything.
    for (const listener of this.listeners) listener(state);
  }
}
