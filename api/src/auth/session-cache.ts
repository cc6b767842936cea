import { Injectable, Logger, Optional, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../observability/metrics.service.js';
import { RedisPubSub } from '../redis/redis.pubsub.js';
import type { SessionWithUser } from './sessions.repository.js';

const MAX_ENTRIES = 10_000;
const INVALIDATED_CHANNEL = 'sessions-invalidated';

/** Told that credentials may have changed somewhere; see SessionCache.onInvalidated. */
export type InvalidationListener = () => void;

/**
 * Remembers for a few seconds the session and user behind an access token, so that an
 * authenticated request costs the database one query (its own) instead of two.
 *
 * Revoking a session or an API key and changing or disabling a user clear the whole cache
 * (they are rare next to reads): in this process at once and, with Redis, in every other API
 * instance via pub/sub. A generation counter keeps a lookup that started before such a write
 * from storing what it read. Without Redis (or while it is down: broadcasts are lost, and a
 * reconnect clears the cache to be safe) other processes see the change within
 * AUTH_CACHE_TTL_MS; 0 turns the cache off.
 *
 * Each clear is also announced to `onInvalidated` listeners (the events gateway rechecks its
 * open sockets then), which is why the broadcast goes out even with the cache off. API keys are
 * not cached here; revoking one clears the cache only to tell those listeners.
 */
@Injectable()
export class SessionCache implements OnModuleInit, OnModuleDestroy {
  private readonly entries: LRUCache<string, SessionWithUser> | undefined;
  private generation = 0;
  private readonly unsubscribe: Array<() => void> = [];
  private readonly listeners = new Set<InvalidationListener>();
  private readonly logger = new Logger('SessionCache');

  constructor(
    config: AppConfig,
    @Optional() private readonly metrics?: MetricsService,
    @Optional() private readonly pubsub?: RedisPubSub,
  ) {
    const ttl = config.env.AUTH_CACHE_TTL_MS;
    this.entries = ttl > 0 ? new LRUCache({ max: MAX_ENTRIES, ttl }) : undefined;
  }

  onModuleInit(): void {
    if (!this.pubsub?.enabled) return;
    this.unsubscribe.push(
      this.pubsub.subscribe(INVALIDATED_CHANNEL, () => this.clear()),
      this.pubsub.onReconnect(() => this.clear()),
    );
  }

  onModuleDestroy(): void {
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
  }

  /** Synchronous on a hit: every authenticated request asks. */
  get(
    sessionId: string,
    load: (sessionId: string) => Promise<SessionWithUser | null>,
  ): SessionWithUser | null | Promise<SessionWithUser | null> {
    const cached = this.entries?.get(sessionId);
    // Only a cache that is on reports: with AUTH_CACHE_TTL_MS=0 there are no lookups to count.
    if (this.entries) this.metrics?.recordCacheLookup('session', cached !== undefined);
    return cached ?? this.loadAndKeep(sessionId, load);
  }

  private async loadAndKeep(
    sessionId: string,
    load: (sessionId: string) => Promise<SessionWithUser | null>,
  ): Promise<SessionWithUser | null> {
    const generation = this.generation;
    const found = await load(sessionId);
    if (found && generation === this.generation) this.entries?.set(sessionId, found);
    return found;
  }

  /**
   * Call, and await, after a write to sessions or users has committed. With Redis it resolves
   * once Redis has acknowledged the broadcast, by which time Redis has already pushed it to
   * the other instances: the response to the request that made the change cannot overtake
   * it. Never throws (a broadcast Redis cannot take is logged; the TTL still bounds it).
   */
  async invalidate(): Promise<void> {
    this.clear();
    if (this.pubsub?.enabled) await this.pubsub.publish(INVALIDATED_CHANNEL, null);
  }

  /**
   * Calls `listener` (synchronously, so keep it short) each time the cache is cleared: after a
   * write in this process, when another instance broadcasts one, and after a Redis reconnect
   * (broadcasts may have been lost meanwhile). It says that some session, user or API key may
   * have changed, not which. Returns the unsubscribe.
   */
  onInvalidated(listener: InvalidationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private clear(): void {
    this.generation += 1;
    this.entries?.clear();
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (error) {
        // The write has happened: a listener's failure must not fail the request that made it.
        this.logger.error(`An invalidation listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
