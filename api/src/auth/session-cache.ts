import { Injectable, Optional } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../observability/metrics.service.js';
import type { SessionWithUser } from './sessions.repository.js';

const MAX_ENTRIES = 10_000;

/**
 * Remembers for a few seconds the session and user behind an access token, so that an
 * authenticated request costs the database one query (its own) instead of two.
 *
 * Revoking a session and changing or disabling a user clear the whole cache in this process
 * (they are rare next to reads). A generation counter keeps a lookup that started before
 * such a write from storing what it read. Other API processes see the change within
 * AUTH_CACHE_TTL_MS; 0 turns the cache off.
 */
@Injectable()
export class SessionCache {
  private readonly entries: LRUCache<string, SessionWithUser> | undefined;
  private generation = 0;

  constructor(
    config: AppConfig,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    const ttl = config.env.AUTH_CACHE_TTL_MS;
    this.entries = ttl > 0 ? new LRUCache({ max: MAX_ENTRIES, ttl }) : undefined;
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

  /** Call after a write to sessions or users has committed. */
  invalidate(): void {
    this.generation += 1;
    this.entries?.clear();
  }
}
