import { Bitrix24Error, DEFAULT_DISPATCHER_OPTIONS, DEFAULT_TIMEOUT_MS, DispatcherOptions, RATE_LIMIT_PRESETS, RateLimit } from '../bitrix24';

/** The portal node's delivery settings as saved in the flow (numbers may arrive as strings from the editor). */
export interface PortalDeliveryDef {
  rateLimit?: string;
  burst?: string | number;
  drainRate?: string | number;
  maxQueue?: string | number;
  maxWait?: string | number;
  timeout?: string | number;
  retryAmbiguous?: boolean;
}

/** What the portal node builds its client and queue from. */
export interface PortalDelivery {
  dispatcher: DispatcherOptions;
  timeoutMs: number;
}

function invalid(setting: string): Bitrix24Error {
  return new Bitrix24Error('INVALID_CONFIG', `The portal's setting "${setting}" is not a valid positive number.`, {
    reason: setting,
  });
}

/** Reads a positive number, or the default when the setting is empty (flows saved before the setting existed). */
function positive(value: string | number | undefined, fallback: number, setting: string): number {
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw invalid(setting);
  return number;
}

/** The rate limit chosen in the editor: a preset, custom values, or none (a self-hosted portal without limits). */
function rateLimitOf(def: PortalDeliveryDef): RateLimit | false {
  switch (def.rateLimit ?? 'standard') {
    case 'standard':
      return RATE_LIMIT_PRESETS.standard;
    case 'enterprise':
      return RATE_LIMIT_PRESETS.enterprise;
    case 'custom':
      return { burst: Math.floor(positive(def.burst, 50, 'burst')), drainPerSecond: positive(def.drainRate, 2, 'drainRate') };
    case 'off':
      return false;
    default:
      throw invalid('rateLimit');
  }
}

/** Turns the portal node's saved settings into client and queue options; throws INVALID_CONFIG naming a bad one. */
export function portalDeliveryOf(def: PortalDeliveryDef): PortalDelivery {
  return {
    dispatcher: {
      rateLimit: rateLimitOf(def),
      maxQueue: Math.floor(positive(def.maxQueue, DEFAULT_DISPATCHER_OPTIONS.maxQueue, 'maxQueue')),
      maxWaitMs: positive(def.maxWait, DEFAULT_DISPATCHER_OPTIONS.maxWaitMs / 1000, 'maxWait') * 1000,
      retry: { retryAmbiguous: def.retryAmbiguous === true },
    },
    timeoutMs: positive(def.timeout, DEFAULT_TIMEOUT_MS / 1000, 'timeout') * 1000,
  };
}
