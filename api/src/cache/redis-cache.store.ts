import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { LuaScript, RedisConnection } from '../redis/redis.connection.js';
import { CacheStore, type CacheRead, type ReleaseLease } from './cache.store.js';
import { afterPendingIo, NearCache } from './near-cache.js';

/**
 * The generation, the entry and its remaining life in one round trip (and atomically: no
 * write can slip between).
 */
const READ = `
local generation = redis.call('GET', KEYS[1]) or '0'
local entry = ARGV[1] .. generation .. ':' .. ARGV[2]
local value = redis.call('GET', entry)
if not value then return {generation} end
return {generation, value, redis.call('PTTL', entry)}`;

/**
 * A new generation, announced to every instance's near cache in the same step, so no
 * instance can see the new generation before the announcement is on its way.
 */
const INVALIDATE = `
local generation = redis.call('INCR', KEYS[1])
redis.call('PUBLISH', ARGV[1], ARGV[2] .. ' ' .. generation)
return generation`;

/** Releases a lease only if it is still ours (it may have expired and been taken by another). */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

const HEARTBEAT_MS = 1_000;

export interface RedisCacheStoreOptions {
  /** Entries kept in this process as well (see NearCache); 0 or unset: none. */
  nearEntries?: number;
}

/**
 * The cache in Redis, shared by every API instance. Keys (under REDIS_KEY_PREFIX):
 * `cache:gen:<namespace>` holds the generation counter, `cache:<namespace>:<generation>:<key>`
 * the entries (each with a TTL), `cache:lease:…` the single-flight leases; invalidations are
 * announced on the channel `cache:invalidated`. Calls go through the connection's circuit
 * breaker and fail fast while Redis is away.
 *
 * With a near cache, hot entries are answered from this process. A write stays visible to
 * every instance as soon as it is acknowledged, because:
 * 1. the new generation and its announcement are one script, and `invalidate` returns only
 *    after a further round trip, by when Redis has written the announcement to every
 *    subscriber's socket;
 * 2. so a request that follows the acknowledgement reaches any instance after the
 *    announcement did, and that instance answers from its near cache only after handling
 *    the I/O ready with the request (`afterPendingIo`);
 * 3. while an instance's subscription is down it answers from Redis and keeps nothing.
 */
export class RedisCacheStore extends CacheStore {
  readonly kind = 'redis';
  private readonly readScript: LuaScript;
  private readonly invalidateScript: LuaScript;
  private readonly releaseScript: LuaScript;
  private readonly near: NearCache | undefined;
  private beat: NodeJS.Timeout | undefined;
  private subscribed = false;

  constructor(
    private readonly redis: RedisConnection,
    options: RedisCacheStoreOptions = {},
  ) {
    super();
    this.readScript = redis.defineScript('aleflixCacheRead', READ, 1);
    this.invalidateScript = redis.defineScript('aleflixCacheInvalidate', INVALIDATE, 1);
    this.releaseScript = redis.defineScript('aleflixCacheRelease', RELEASE, 1);
    if (options.nearEntries && options.nearEntries > 0) {
      this.near = new NearCache(options.nearEntries);
      this.follow(this.near);
    }
  }

  /** Entries answered from this process, or undefined without a near cache (for tests). */
  get nearEntries(): number | undefined {
    return this.near?.active ? this.near.size : undefined;
  }

  onApplicationShutdown(): void {
    clearInterval(this.beat);
  }

  async read(namespace: string, key: string): Promise<CacheRead> {
    const near = this.near;
    if (near?.lookup(namespace, key)) {
      await afterPendingIo();
      // Looked up again: an invalidation may have been among the I/O just handled.
      const hit = near.lookup(namespace, key);
      if (hit) return hit;
    }
    const ticket = near?.ticket() ?? -1;
    const reply = (await this.redis.run((redis) =>
      this.readScript(redis, this.generationKey(namespace), this.entryPrefix(namespace), key),
    )) as [string, string?, number?];
    const generation = String(reply[0]);
    const value = reply[1];
    if (near && value !== undefined) near.remember(ticket, namespace, key, Number(generation), value, reply[2] ?? 0);
    else near?.observe(namespace, Number(generation));
    return { generation, value };
  }

  async write(namespace: string, generation: string, key: string, value: string, ttlMs: number): Promise<void> {
    const ttl = Math.max(1, Math.round(ttlMs));
    const ticket = this.near?.ticket() ?? -1;
    await this.redis.run((redis) => redis.set(this.entryPrefix(namespace) + `${generation}:${key}`, value, 'PX', ttl));
    this.near?.remember(ticket, namespace, key, Number(generation), value, ttl);
  }

  async invalidate(namespace: string): Promise<void> {
    const generation = await this.redis.run((redis) =>
      this.invalidateScript(redis, this.generationKey(namespace), this.channel(), namespace),
    );
    this.near?.observe(namespace, Number(generation));
    // Processed only after Redis has flushed the announcement to every subscriber (see above).
    await this.redis.run((redis) => redis.ping());
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

  /** Keeps the near cache in step with the invalidations of every instance, or idle while it cannot. */
  private follow(near: NearCache): void {
    const subscriber = this.redis.subscriber();
    const channel = this.channel();
    const subscribe = () => {
      const ticket = near.pendingTicket();
      subscriber.subscribe(channel).then(
        () => {
          this.subscribed = true;
          near.resume(ticket);
        },
        () => undefined,
      );
    };
    subscriber.on('message', (from: string, text: string) => {
      if (from !== channel) return;
      const [namespace, generation] = text.split(' ');
      if (namespace && generation) near.observe(namespace, Number(generation));
    });
    subscriber.on('connect', () => {
      // The socket's end is read with the other I/O of its turn; ioredis reports the close
      // only in a later phase of the loop, after a near hit may already have been answered.
      subscriber.stream.once('end', () => near.suspend());
    });
    subscriber.on('close', () => {
      this.subscribed = false;
      near.suspend();
    });
    // ioredis subscribes again by itself after a reconnect, but says nothing when it is done.
    subscriber.on('ready', subscribe);
    if (subscriber.status === 'ready') subscribe();
    else if (subscriber.status === 'wait') subscriber.connect().catch(() => undefined);
    this.heartbeat(subscriber, near);
  }

  /**
   * A connection that silently stopped delivering (a network partition sends no close) would
   * leave the near cache serving what it holds until entries expire. A PING on the
   * subscription every second, answered after every message sent before it, bounds that: a
   * PING still unanswered at the next beat suspends the near cache until one is answered.
   */
  private heartbeat(subscriber: Redis, near: NearCache): void {
    let unanswered = false;
    this.beat = setInterval(() => {
      if (subscriber.status !== 'ready') return;
      if (unanswered) near.suspend();
      unanswered = true;
      const ticket = near.pendingTicket();
      subscriber.ping().then(
        () => {
          unanswered = false;
          // Nothing was lost while it stalled (the connection held): every message came first.
          if (this.subscribed && !near.active) near.resume(ticket);
        },
        () => undefined,
      );
    }, HEARTBEAT_MS);
    this.beat.unref();
  }

  private channel(): string {
    return this.redis.key('cache', 'invalidated');
  }

  private generationKey(namespace: string): string {
    return this.redis.key('cache', 'gen', namespace);
  }

  private entryPrefix(namespace: string): string {
    return this.redis.key('cache', namespace, '');
  }
}
