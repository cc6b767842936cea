import type { LuaScript, RedisConnection } from '../redis/redis.connection.js';
import { RateLimitStore, type MaybePromise, type WindowCount } from './rate-limit.store.js';

/**
 * INCRBY (the counts one claim takes) and the window's expiry in one atomic script: the
 * first hit sets the expiry, so the window is fixed from that hit. A key that somehow lost
 * its expiry gets one again instead of counting forever.
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

/**
 * Largest block of counts one instance takes ahead for a busy key. Only limits above 65,536
 * a minute reach it (below, the share of the remaining budget is smaller); for those, a
 * claim per 1,024 requests keeps the Redis round trips of a busy key negligible.
 */
export const MAX_BLOCK = 1024;
/** A key hit again within this long after a claim is busy: its next block doubles. */
const BUSY_WITHIN_MS = 100;
/**
 * Never take ahead more than this share of what the last claim left under the limit: an
 * instance then holds back at most 1/64 of a client's remaining budget, and a limit under 128
 * (with 64 or more left) is never taken ahead at all, so small limits stay exact.
 */
const SHARE_OF_REMAINING = 1 / 64;

interface Waiter {
  resolve: (count: WindowCount) => void;
  reject: (error: unknown) => void;
}

interface PendingHits {
  windowMs: number;
  limit: number | undefined;
  waiters: Waiter[];
}

/** Counts this instance took from Redis and has not handed out yet, for one key. */
interface Allowance {
  next: number;
  /** The last count taken: also the counter as Redis reported it after the claim. */
  last: number;
  /** performance.now() by which the window has certainly ended in Redis. */
  endsAt: number;
  /** Size of the next block this key takes ahead (1 = none). */
  block: number;
  claimedAt: number;
}

/**
 * Fixed windows in Redis (`rl:<key>` under REDIS_KEY_PREFIX), shared by every API instance.
 *
 * Hits on one key within one turn of the event loop go to Redis as one INCRBY, and each
 * caller gets the count it would have had on its own: the n hits of a claim that took the
 * counter to c are c-n+1 … c, in arrival order.
 *
 * When the caller gives the limit, a busy key (hit again within 100 ms) also takes counts
 * ahead: a block that doubles while the key stays busy (at most 1,024, at most 1/64 of what was
 * left under the limit), handed out locally until used up or the window ends.
 * Every allowed request still has its own count no higher than the limit, so no client
 * gets past its limit across any number of instances; counts taken ahead and unused until
 * the window ends only make the counter run ahead, so a client spread over several
 * instances may be refused up to that many requests early. A quiet key takes one count
 * per hit, exactly as before. Sign-in counters pass no limit and are always exact.
 */
export class RedisRateLimitStore extends RateLimitStore {
  readonly kind = 'redis';
  private readonly pending = new Map<string, PendingHits>();
  private readonly allowances = new Map<string, Allowance>();
  private readonly hitScript: LuaScript;
  private readonly peekScript: LuaScript;

  constructor(private readonly redis: RedisConnection) {
    super();
    this.hitScript = redis.defineScript('aleflixRateLimitHit', HIT, 1);
    this.peekScript = redis.defineScript('aleflixRateLimitPeek', PEEK, 1);
  }

  hit(key: string, windowMs: number, limit?: number): MaybePromise<WindowCount> {
    const now = performance.now();
    const allowance = this.allowances.get(key);
    if (allowance && allowance.next <= allowance.last && now < allowance.endsAt) {
      return { count: allowance.next++, resetInMs: Math.ceil(allowance.endsAt - now) };
    }
    let batch = this.pending.get(key);
    if (!batch) {
      batch = { windowMs, limit, waiters: [] };
      this.pending.set(key, batch);
      // One flush for every key hit in this turn: their scripts leave in one pipelined write.
      if (this.pending.size === 1) setImmediate(() => this.flush());
    }
    const waiters = batch.waiters;
    return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  }

  async peek(key: string): Promise<WindowCount> {
    return toCount(await this.redis.run((redis) => this.peekScript(redis, this.redis.key('rl', key))));
  }

  async reset(key: string): Promise<void> {
    this.allowances.delete(key);
    await this.redis.run((redis) => redis.del(this.redis.key('rl', key)));
  }

  private flush(): void {
    const batches = [...this.pending];
    this.pending.clear();
    for (const [key, batch] of batches) void this.claim(key, batch);
  }

  private async claim(key: string, { windowMs, limit, waiters }: PendingHits): Promise<void> {
    const sentAt = performance.now();
    const previous = this.allowances.get(key);
    const ahead = limit === undefined ? 0 : this.countsAhead(previous, sentAt, limit, waiters.length);
    const take = waiters.length + ahead;
    const window = String(Math.max(1, Math.round(windowMs)));
    let total: WindowCount;
    try {
      total = toCount(
        await this.redis.run((redis) => this.hitScript(redis, this.redis.key('rl', key), window, String(take))),
      );
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
      return;
    }
    const first = total.count - take + 1;
    waiters.forEach((waiter, i) => waiter.resolve({ count: first + i, resetInMs: total.resetInMs }));
    if (limit === undefined) return;
    const busy = previous !== undefined && sentAt - previous.claimedAt < BUSY_WITHIN_MS;
    this.allowances.set(key, {
      next: first + waiters.length,
      last: total.count,
      // Redis read the TTL after this claim was sent, so the window ends no earlier than this.
      endsAt: sentAt + total.resetInMs,
      block: busy ? Math.min(MAX_BLOCK, Math.max(2, (previous?.block ?? 1) * 2)) : 1,
      claimedAt: sentAt,
    });
    if (this.allowances.size > 10_000) this.sweep(sentAt);
  }

  /** How many counts to take beyond the waiting hits: none for a quiet key or near the limit. */
  private countsAhead(previous: Allowance | undefined, now: number, limit: number, waiting: number): number {
    if (!previous || now >= previous.endsAt || now - previous.claimedAt >= BUSY_WITHIN_MS) return 0;
    const remaining = limit - previous.last - waiting;
    return Math.max(0, Math.min(previous.block - 1, Math.floor(remaining * SHARE_OF_REMAINING)));
  }

  private sweep(now: number): void {
    for (const [key, allowance] of this.allowances) if (now >= allowance.endsAt) this.allowances.delete(key);
  }
}

function toCount(reply: unknown): WindowCount {
  const [count, ttl] = reply as [number, number];
  return { count: Number(count), resetInMs: Number(ttl) };
}
