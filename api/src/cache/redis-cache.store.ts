import { randomUUID } from 'node:crypto';
import type { LuaScript, RedisConnection } from '../redis/redis.connection.js';
import { CacheStore, type CacheRead, type ReleaseLease } from './cache.store.js';

/** The generation and the entry in one round trip (and atomically: no write can slip between). */
const READ = `
local generation = redis.call('GET', KEYS[1]) or '0'
local value = redis.call('GET', ARGV[1] .. generation .. ':' .. ARGV[2])
if not value then return {generation} end
return {generation, value}`;

const DELETE = `
local generation = redis.call('GET', KEYS[1]) or '0'
return redis.call('DEL', ARGV[1] .. generation .. ':' .. ARGV[2])`;

/** Releases a lease only if it is still ours (it may have expired and been taken by another). */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * The cache in Redis, shared by every API instance. Keys (under REDIS_KEY_PREFIX):
 * `cache:gen:<namespace>` holds the generation counter, `cache:<namespace>:<generation>:<key>`
 * the entries (each with a TTL), `cache:lease:…` the single-flight leases. Calls go through
 * the connection's circuit breaker and fail fast while Redis is away.
 */
export class RedisCacheStore extends CacheStore {
  readonly kind = 'redis';
  private readonly readScript: LuaScript;
  private readonly deleteScript: LuaScript;
  private readonly releaseScript: LuaScript;

  constructor(private readonly redis: RedisConnection) {
    super();
    this.readScript = redis.defineScript('aleflixCacheRead', READ, 1);
    this.deleteScript = redis.defineScript('aleflixCacheDelete', DELETE, 1);
    this.releaseScript = redis.defineScript('aleflixCacheRelease', RELEASE, 1);
  }

  async read(namespace: string, key: string): Promise<CacheRead> {
    const reply = (await this.redis.run((redis) =>
      this.readScript(redis, this.generationKey(namespace), this.entryPrefix(namespace), key),
    )) as [string, string?];
    return { generation: String(reply[0]), value: reply[1] };
  }

  async write(namespace: string, generation: string, key: string, value: string, ttlMs: number): Promise<void> {
    const ttl = Math.max(1, Math.round(ttlMs));
    await this.redis.run((redis) => redis.set(this.entryPrefix(namespace) + `${generation}:${key}`, value, 'PX', ttl));
  }

  async invalidate(namespace: string): Promise<void> {
    await this.redis.run((redis) => redis.incr(this.generationKey(namespace)));
  }

  async delete(namespace: string, key: string): Promise<void> {
    await this.redis.run((redis) =>
      this.deleteScript(redis, this.generationKey(namespace), this.entryPrefix(namespace), key),
    );
  }

  async lease(namespace: string, generation: string, key: string, ttlMs: number): Promise<ReleaseLease | undefined> {
    const name = this.redis.key('cache', 'lease', namespace, generation, key);
    const token = randomUUID();
    const taken = await this.redis.run((redis) => redis.set(name, token, 'PX', Math.max(1, Math.round(ttlMs)), 'NX'));
    if (taken !== 'OK') return undefined;
    return async () => {
      await this.redis.run((redis) => this.releaseScript(redis, name, token));
    };
  }

  private generationKey(namespace: string): string {
    return this.redis.key('cache', 'gen', namespace);
  }

  private entryPrefix(namespace: string): string {
    return this.redis.key('cache', namespace, '');
  }
}
