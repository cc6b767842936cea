import { Global, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { RedisConnection } from '../redis/redis.connection.js';
import { MemoryRateLimitStore } from './memory-rate-limit.store.js';
import { PrincipalRateLimiter } from './principal-rate-limiter.js';
import { registerIpRateLimit } from './rate-limit.hooks.js';
import { RateLimitMetrics } from './rate-limit.metrics.js';
import { RateLimitService } from './rate-limit.service.js';
import { RateLimitStore } from './rate-limit.store.js';
import { RedisRateLimitStore } from './redis-rate-limit.store.js';

/**
 * Request rate limits per client IP (every route but health and metrics) and per principal,
 * counted in Redis when REDIS_URL is set (shared by every instance), else in this process.
 * The sign-in limiter (auth/login-rate-limiter.ts) keeps its counters in the same store.
 */
@Global()
@Module({
  providers: [
    {
      provide: RateLimitStore,
      useFactory: (redis: RedisConnection, clock: Clock): RateLimitStore =>
        redis.enabled ? new RedisRateLimitStore(redis) : new MemoryRateLimitStore(clock),
      inject: [RedisConnection, Clock],
    },
    RateLimitMetrics,
    RateLimitService,
    PrincipalRateLimiter,
  ],
  exports: [RateLimitStore, RateLimitMetrics, PrincipalRateLimiter],
})
export class RateLimitModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly limits: RateLimitService,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    registerIpRateLimit(fastify, this.limits, this.config.env.RATE_LIMIT_IP_PER_MINUTE);
  }
}
