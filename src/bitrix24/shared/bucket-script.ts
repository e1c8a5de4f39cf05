// The shared leaky bucket as one server-side script, so that taking room is atomic across every process: the level
// drains by Redis' own clock (the processes' clocks may disagree), a request is counted only when it fits, and the
// same answer carries how many processes share the bucket and which methods the operating-time limit holds, so
// nothing else needs a round trip of its own.

import { luaScript } from './redis-link';

/** What one call of the script does. */
export type BucketOperation = 'take' | 'full' | 'recover' | 'hold' | 'leave';

/**
 * KEYS: bucket, instances, holds. ARGV: operation, burst, capacity, drain per second, instance id, [method, hold ms].
 * Answers: granted (0/1), ms until room, processes seen in the last minute, then method and ms left per hold.
 */
export const BUCKET_SCRIPT = luaScript(`
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local op, burst, capacity, drain, id = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
if op == 'leave' then
  redis.call('ZREM', KEYS[2], id)
  return {0, 0, redis.call('ZCARD', KEYS[2])}
end
local state = redis.call('HMGET', KEYS[1], 'level', 'at')
local level = tonumber(state[1]) or 0
local at = tonumber(state[2]) or now
if now > at then
  level = math.max(0, level - (now - at) / 1000 * drain)
  at = now
end
local granted, delay = 0, 0
if op == 'full' then
  level = math.max(level, burst)
elseif op == 'recover' then
  level = math.max(level, capacity)
elseif op == 'hold' then
  local untilMs = now + tonumber(ARGV[7])
  local held = tonumber(redis.call('HGET', KEYS[3], ARGV[6])) or 0
  if untilMs > held then redis.call('HSET', KEYS[3], ARGV[6], tostring(math.floor(untilMs))) end
  if redis.call('PTTL', KEYS[3]) < tonumber(ARGV[7]) + 60000 then redis.call('PEXPIRE', KEYS[3], math.floor(tonumber(ARGV[7])) + 60000) end
end
if op == 'take' or op == 'recover' then
  local excess = level + 1 - capacity
  if op == 'take' and excess <= 0.000001 then
    level = level + 1
    granted = 1
  elseif excess > 0.000001 then
    delay = math.ceil(excess / drain * 1000)
  end
end
redis.call('HSET', KEYS[1], 'level', tostring(level), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / drain * 1000) + 60000)
redis.call('ZADD', KEYS[2], now, id)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 60000)
redis.call('PEXPIRE', KEYS[2], 120000)
local answer = {granted, delay, redis.call('ZCARD', KEYS[2])}
local holds = redis.call('HGETALL', KEYS[3])
for i = 1, #holds, 2 do
  local left = tonumber(holds[i + 1]) - now
  if left > 0 then
    answer[#answer + 1] = holds[i]
    answer[#answer + 1] = math.floor(left)
  else
    redis.call('HDEL', KEYS[3], holds[i])
  end
end
return answer
`);

/** The script's answer, read. */
export interface BucketAnswer {
  granted: boolean;
  /** Ms until one more request fits (0 when granted, or when nothing was asked). */
  delayMs: number;
  /** Processes that used the bucket in the last minute, this one included. */
  instances: number;
  /** Methods held by the operating-time limit, and for how many more ms. */
  holds: Array<{ method: string; ms: number }>;
}

/** Reads what the script answered; anything malformed reads as no room for a second (it cannot happen, but is safe). */
export function readBucketAnswer(raw: unknown): BucketAnswer {
  if (!Array.isArray(raw) || raw.length < 3) return { granted: false, delayMs: 1_000, instances: 1, holds: [] };
  const values: unknown[] = raw;
  const holds: Array<{ method: string; ms: number }> = [];
  for (let index = 3; index + 1 < values.length; index += 2) {
    const ms = Number(values[index + 1]);
    if (Number.isFinite(ms) && ms > 0) holds.push({ method: String(values[index]), ms });
  }
  return {
    granted: Number(values[0]) === 1,
    delayMs: Math.max(0, Number(values[1]) || 0),
    instances: Math.max(1, Number(values[2]) || 1),
    holds,
  };
}
