import { Global, Module } from '@nestjs/common';
import { Clock } from '../common/clock.js';
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
      useFactory: (redis: RedisConnection, clock: Clock): CacheStore =>
        redis.enabled ? new RedisCacheStore(redis) : new MemoryCacheStore(clock),
      inject: [RedisConnection, Clock],
    },
    CacheService,
  ],
  exports: [CacheService],
})
export class CacheModule {}
