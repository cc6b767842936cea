import type { RedisConnection } from '../redis/redis.connection.js';
import { RateLimitStore, type WindowCount } from './rate-limit.store.js';

/**
 * INCR and the window's expiry in one atomic script: the first hit sets the expiry, so the
 * window is fixed from that hit. A key that somehow lost its expiry gets one again instead
 * of counting forever.
 */
const HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}`;

const PEEK = `
local count = redis.call('GET', KEYS[1])
if not count then return {0, 0} end
return {tonumber(count), math.max(redis.call('PTTL', KEYS[1]), 0)}`;

/** Fixed windows in Redis (`rl:<key>` under REDIS_KEY_PREFIX), shared by every API instance. */
export class RedisRateLimitStore extends RateLimitStore {
  readonly kind = 'redis';

  constructor(private readonly redis: RedisConnection) {
    super();
  }

  async hit(key: string, windowMs: number): Promise<WindowCount> {
    const window = String(Math.max(1, Math.round(windowMs)));
    return toCount(await this.redis.run((redis) => redis.eval(HIT, 1, this.redis.key('rl', key), window)));
  }

  async peek(key: string): Promise<WindowCount> {
    return toCount(await this.redis.run((redis) => redis.eval(PEEK, 1, this.redis.key('rl', key))));
  }

  async reset(key: string): Promise<void> {
    await this.redis.run((redis) => redis.del(this.redis.key('rl', key)));
  }
}

function toCount(reply: unknown): WindowCount {
  const [count, ttl] = reply as [number, number];
  return { count: Number(count), resetInMs: Number(ttl) };
}
