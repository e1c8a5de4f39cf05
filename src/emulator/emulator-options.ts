// The emulator's options and their defaults. Validation happens once here, so the rest of the code can trust the values.
import { randomBytes, randomInt } from 'node:crypto';
import { Clock, systemClock } from './clock';
import { OAuthOptions, ResolvedOAuthOptions, resolveOAuthOptions } from './oauth-options';

/** The portal's leaky bucket: `burst` requests at once, refilled by `drainPerSecond`. */
export interface RateLimit {
  burst: number;
  drainPerSecond: number;
}

/** Per-method operating time: each executed call costs `costSecondsPerCall` out of `budgetSeconds` per rolling window. */
export interface OperatingLimit {
  budgetSeconds: number;
  windowSeconds: number;
  costSecondsPerCall: number;
}

/** Options for a Bitrix24Emulator; every field is optional. */
export interface EmulatorOptions {
  /** Interface to listen on; default '127.0.0.1'. */
  host?: string;
  /** Port; default 0, a free port chosen by the system. */
  port?: number;
  /** The user id in the webhook path; default 1. */
  userId?: number;
  /** The secret in the webhook path; default 16 random lowercase letters and digits. */
  webhookSecret?: string;
  /** Default { burst: 50, drainPerSecond: 2 } as on most cloud plans; false turns the limit off. */
  rateLimit?: RateLimit | false;
  /** Default false (no operating-time accounting). */
  operatingLimit?: OperatingLimit | false;
  /** Default: real time. */
  clock?: Clock;
  /** Default true: engine errors come back as {"error": 404}; false: {"error": "404"}. */
  engineErrorCodeAsNumber?: boolean;
  /** What the `scope` method lists, and which method groups are allowed; default ['bizproc']. */
  scopes?: string[];
  /** The one application registered on the portal; set, it switches the OAuth side on. Default: webhooks only. */
  oauth?: OAuthOptions;
  /** The installed application's token (`auth[application_token]`); default 32 random hex characters. */
  applicationToken?: string;
}

/** Options with every default applied and every value checked. */
export interface ResolvedEmulatorOptions {
  host: string;
  port: number;
  userId: number;
  webhookSecret: string;
  rateLimit: RateLimit | false;
  operatingLimit: OperatingLimit | false;
  clock: Clock;
  engineErrorCodeAsNumber: boolean;
  scopes: string[];
  oauth: ResolvedOAuthOptions | undefined;
  applicationToken: string;
}

/** The rate limit of most cloud plans (Enterprise plans have 250 and 5). */
export const DEFAULT_RATE_LIMIT: RateLimit = { burst: 50, drainPerSecond: 2 };

const LOWERCASE_ALPHANUMERICS = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Applies defaults and rejects values that would make the emulator misbehave later. */
export function resolveEmulatorOptions(options: EmulatorOptions = {}): ResolvedEmulatorOptions {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`port must be an integer 0..65535, got ${port}`);
  const userId = options.userId ?? 1;
  if (!Number.isSafeInteger(userId) || userId < 1) throw new RangeError(`userId must be a positive integer, got ${userId}`);
  const webhookSecret = options.webhookSecret ?? randomSecret();
  // The secret is one path segment: anything that needs escaping there would make the webhook URL ambiguous.
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(webhookSecret)) {
    throw new RangeError('webhookSecret must be 1 to 128 letters, digits, "_" or "-"');
  }
  const applicationToken = options.applicationToken ?? randomBytes(16).toString('hex');
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(applicationToken)) {
    throw new RangeError('applicationToken must be 1 to 256 letters, digits, "_" or "-"');
  }
  return {
    host: options.host ?? '127.0.0.1',
    port,
    userId,
    webhookSecret,
    rateLimit: options.rateLimit === undefined ? { ...DEFAULT_RATE_LIMIT } : checkedRateLimit(options.rateLimit),
    operatingLimit: options.operatingLimit === undefined ? false : checkedOperatingLimit(options.operatingLimit),
    clock: options.clock ?? systemClock,
    engineErrorCodeAsNumber: options.engineErrorCodeAsNumber ?? true,
    scopes: [...(options.scopes ?? ['bizproc'])],
    oauth: options.oauth === undefined ? undefined : resolveOAuthOptions(options.oauth),
    applicationToken,
  };
}

/** Checks a rate limit given at construction or at run time. */
export function checkedRateLimit(limit: RateLimit | false): RateLimit | false {
  if (limit === false) return false;
  if (!Number.isFinite(limit.burst) || limit.burst < 1) throw new RangeError(`rateLimit.burst must be >= 1, got ${limit.burst}`);
  if (!Number.isFinite(limit.drainPerSecond) || limit.drainPerSecond < 0) {
    throw new RangeError(`rateLimit.drainPerSecond must be >= 0, got ${limit.drainPerSecond}`);
  }
  return { burst: limit.burst, drainPerSecond: limit.drainPerSecond };
}

function checkedOperatingLimit(limit: OperatingLimit | false): OperatingLimit | false {
  if (limit === false) return false;
  for (const [name, value] of Object.entries(limit)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`operatingLimit.${name} must be a finite number >= 0, got ${String(value)}`);
    }
  }
  if (limit.windowSeconds <= 0) throw new RangeError('operatingLimit.windowSeconds must be > 0');
  return { budgetSeconds: limit.budgetSeconds, windowSeconds: limit.windowSeconds, costSecondsPerCall: limit.costSecondsPerCall };
}

function randomSecret(): string {
  let secret = '';
  for (let i = 0; i < 16; i += 1) secret += LOWERCASE_ALPHANUMERICS[randomInt(LOWERCASE_ALPHANUMERICS.length)];
  return secret;
}
