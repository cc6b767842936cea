import { Injectable, Optional, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../observability/metrics.service.js';
import { RedisPubSub } from '../redis/redis.pubsub.js';
import type { SessionWithUser } from './sessions.repository.js';

const MAX_ENTRIES = 10_000;
const INVALIDATED_CHANNEL = 'sessions-invalidated';

/**
 * Remembers for a few seconds the session and user behind an access token, so that an
 * authenticated request costs the database one query (its own) instead of two.
 *
 * Revoking a session and changing or disabling a user clear the whole cache (they are rare
 * next to reads): in this process at once and, with Redis, in every other API instance via
 * pub/sub. A generation counter keeps a lookup that started before such a write from storing
 * what it read. Without Redis (or while it is down: broadcasts are lost, and a reconnect
 * clears the cache to be safe) other processes see the change within AUTH_CACHE_TTL_MS;
 * 0 turns the cache off.
 */
@Injectable()
export class SessionCache implements OnModuleInit, OnModuleDestroy {
  private readonly entries: LRUCache<string, SessionWithUser> | undefined;
  private generation = 0;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    config: AppConfig,
    @Optional() private readonly metrics?: MetricsService,
    @Optional() private readonly pubsub?: RedisPubSub,
  ) {
    const ttl = config.env.AUTH_CACHE_TTL_MS;
    this.entries = ttl > 0 ? new LRUCache({ max: MAX_ENTRIES, ttl }) : undefined;
  }

  onModuleInit(): void {
    if (!this.entries || !this.pubsub?.enabled) return;
    this.unsubscribe.push(
      this.pubsub.subscribe(INVALIDATED_CHANNEL, () => this.clear()),
      this.pubsub.onReconnect(() => this.clear()),
    );
  }

  onModuleDestroy(): void {
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
  }

  async get(
    sessionId: string,
    load: (sessionId: string) => Promise<SessionWithUser | null>,
  ): Promise<SessionWithUser | null> {
    const cached = this.entries?.get(sessionId);
    // Only a cache that is on reports: with AUTH_CACHE_TTL_MS=0 there are no lookups to count.
    if (this.entries) this.metrics?.recordCacheLookup('session', cached !== undefined);
    if (cached) return cached;
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
    if (this.entries && this.pubsub?.enabled) await this.pubsub.publish(INVALIDATED_CHANNEL, null);
  }

  private clear(): void {
    this.generation += 1;
    this.entries?.clear();
  }
}
