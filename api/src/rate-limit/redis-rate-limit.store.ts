import type { RedisConnection } from '../redis/redis.connection.js';
import { RateLimitStore, type WindowCount } from './rate-limit.store.js';

/**
 * INCRBY (the hits of one batch) and the window's expiry in one atomic script: the first hit sets the expiry, so the
 * window is fixed from that hit. A key that somehow lost its expiry gets one again instead
 * of counting forever.
 */
const HIT = `
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
if count == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
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

interface PendingHits {
  windowMs: number;
  waiters: Array<{ resolve: (count: WindowCount) => void; reject: (error: unknown) => void }>;
}

/**
 * Fixed windows in Redis (`rl:<key>` under REDIS_KEY_PREFIX), shared by every API instance.
 *
 * Hits on one key within one turn of the event loop (a busy client's concurrent requests)
 * go to Redis as one INCRBY, and each caller gets the count it would have had on its own:
 * the n hits of a batch that took the counter to c are c-n+1 … c, in arrival order. The
 * same counts, one script run instead of n.
 */
export class RedisRateLimitStore extends RateLimitStore {
  readonly kind = 'redis';
  private readonly pending = new Map<string, PendingHits>();

  constructor(private readonly redis: RedisConnection) {
    super();
  }

  hit(key: string, windowMs: number): Promise<WindowCount> {
    let batch = this.pending.get(key);
    if (!batch) {
      batch = { windowMs, waiters: [] };
      this.pending.set(key, batch);
      // One flush for every key hit in this turn: their scripts leave in one pipelined write.
      if (this.pending.size === 1) setImmediate(() => this.flush());
    }
    const waiters = batch.waiters;
    return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  }

  private flush(): void {
    const batches = [...this.pending];
    this.pending.clear();
    for (const [key, batch] of batches) void this.send(key, batch);
  }

  private async send(key: string, { windowMs, waiters }: PendingHits): Promise<void> {
    const window = String(Math.max(1, Math.round(windowMs)));
    try {
      const total = toCount(
        await this.redis.run((redis) => redis.eval(HIT, 1, this.redis.key('rl', key), window, String(waiters.length))),
      );
      const first = total.count - waiters.length + 1;
      waiters.forEach((waiter, i) => waiter.resolve({ count: first + i, resetInMs: total.resetInMs }));
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
    }
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
