// The OAuth token chain's operations as server-side scripts, each atomic: read the pair, seed it, write a rotated pair
// only if nobody wrote since it was read (compare-and-set on a generation that grows with every write), and the lock
// of the one process refreshing. The pair itself is sealed by the caller: Redis never holds a usable token.

import { luaScript } from './redis-link';

/** KEYS: pair, seeds. ARGV: seed digest ('' for none). Answers: generation, sealed pair (or false), seed known (0/1). */
export const READ_CHAIN = luaScript(`
local state = redis.call('HMGET', KEYS[1], 'generation', 'pair')
local known = 0
if ARGV[1] ~= '' then known = redis.call('SISMEMBER', KEYS[2], ARGV[1]) end
return {tonumber(state[1]) or 0, state[2], known}
`);

/**
 * KEYS: pair, seeds. ARGV: seed digest ('' for none), sealed pair. Stores the pair unless one is stored already and
 * the seed is none or known: so a refresh token typed anew starts the chain again, an old one never does. Answers:
 * stored (0/1), generation, the sealed pair now stored.
 */
export const SEED_CHAIN = luaScript(`
local state = redis.call('HMGET', KEYS[1], 'generation', 'pair')
local generation = tonumber(state[1]) or 0
if state[2] and (ARGV[1] == '' or redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1) then
  return {0, generation, state[2]}
end
generation = generation + 1
redis.call('HSET', KEYS[1], 'generation', generation, 'pair', ARGV[2])
if ARGV[1] ~= '' then redis.call('SADD', KEYS[2], ARGV[1]) end
return {1, generation, ARGV[2]}
`);

/**
 * KEYS: pair, lock, seeds. ARGV: generation read ('' to write whatever is stored: a pair from the Authorize
 * button), sealed pair, lock owner, seed digest ('' for none). Writes only if the stored generation is still the one
 * read, then releases the owner's lock. Answers: written (0/1), the generation now stored.
 */
export const WRITE_CHAIN = luaScript(`
local generation = tonumber(redis.call('HGET', KEYS[1], 'generation')) or 0
if ARGV[1] ~= '' and generation ~= tonumber(ARGV[1]) then return {0, generation} end
generation = generation + 1
redis.call('HSET', KEYS[1], 'generation', generation, 'pair', ARGV[2])
if ARGV[4] ~= '' then redis.call('SADD', KEYS[3], ARGV[4]) end
if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
return {1, generation}
`);

/** KEYS: lock. ARGV: owner, ms. Takes the lock if nobody holds it; it expires by itself, so a crashed holder's ends. */
export const TAKE_LOCK = luaScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
`);

/** KEYS: lock. ARGV: owner. Releases the lock if this owner still holds it (never someone else's, taken after expiry). */
export const RELEASE_LOCK = luaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);
