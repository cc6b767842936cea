import { describe } from 'vitest';
import { MemoryCacheStore } from '../src/cache/memory-cache.store.js';
import { RedisCacheStore } from '../src/cache/redis-cache.store.js';
import { Clock } from '../src/common/clock.js';
import { describeCacheStoreContract } from './cache-store.contract.js';
import { deleteKeys, redisConnection, TEST_REDIS_URL, uniquePrefix } from './redis-test-support.js';

describeCacheStoreContract('in-process LRU', async () => ({
  store: new MemoryCacheStore(new Clock()),
  dispose: async () => {},
}));

describe.runIf(TEST_REDIS_URL)('with TEST_REDIS_URL', () => {
  describeCacheStoreContract('Redis', async () => {
    const url = TEST_REDIS_URL!;
    const prefix = uniquePrefix('cache-contract');
    const connection = redisConnection(url, prefix);
    return {
      store: new RedisCacheStore(connection),
      dispose: async () => {
        await connection.onApplicationShutdown();
        await deleteKeys(url, prefix);
      },
    };
  });

  describeCacheStoreContract('Redis with a near cache', async () => {
    const url = TEST_REDIS_URL!;
    const prefix = uniquePrefix('cache-contract-near');
    const connection = redisConnection(url, prefix);
    const store = new RedisCacheStore(connection, { nearEntries: 100 });
    return {
      store,
      dispose: async () => {
        store.onApplicationShutdown();
        await connection.onApplicationShutdown();
        await deleteKeys(url, prefix);
      },
    };
  });
});
