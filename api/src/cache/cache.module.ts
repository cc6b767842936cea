import { Global, Module } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { RedisConnection } from '../redis/redis.connection.js';
import { CacheService } from './cache.service.js';
import { CacheStore } from './cache.store.js';
import { MemoryCacheStore } from './memory-cache.store.js';
import { RedisCacheStore } from './redis-cache.store.js';

/** The cache for catalog reads and playback metadata: Redis when REDIS_URL is set, else in-process. */
@Global()
@Module({
  providers: [
    {
      provide: CacheStore,
      useFactory: (redis: RedisConnection, clock: Clock, config: AppConfig): CacheStore =>
        redis.enabled
          ? new RedisCacheStore(redis, {
              // Nothing to keep near when caching is off.
              nearEntries: config.env.CACHE_TTL_SECONDS > 0 ? config.env.CACHE_NEAR_ENTRIES : 0,
            })
          : new MemoryCacheStore(clock),
      inject: [RedisConnection, Clock, AppConfig],
    },
    CacheService,
  ],
  exports: [CacheService],
})
export class CacheModule {}
