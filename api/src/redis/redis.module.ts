import { Global, Module } from '@nestjs/common';
import { RedisConnection } from './redis.connection.js';
import { RedisPubSub } from './redis.pubsub.js';

/**
 * The shared Redis connections (when REDIS_URL is set) for the cache, the rate limits, the
 * live events bus and session invalidations. Without REDIS_URL the providers exist but are
 * disabled, and every user picks its in-process implementation.
 */
@Global()
@Module({
  providers: [RedisConnection, RedisPubSub],
  exports: [RedisConnection, RedisPubSub],
})
export class RedisModule {}
