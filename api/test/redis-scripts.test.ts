import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { RedisCacheStore } from '../src/cache/redis-cache.store.js';
import { RedisRateLimitStore } from '../src/rate-limit/redis-rate-limit.store.js';
import { redisConnection, TEST_REDIS_URL, ThrowawayRedis } from './redis-test-support.js';

/** Calls per command on this server only (a throwaway one, so no other test adds to them). */
async function commandCalls(client: Redis): Promise<Record<string, number>> {
  const info = await client.info('commandstats');
  return Object.fromEntries(
    [...info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)].map(([, name, calls]) => [name!, Number(calls)]),
  );
}

// With TEST_REDIS_URL (redis-server is installed then), like the Redis fault tests; on a server
// of its own so that its command counts are this test's alone.
describe.runIf(TEST_REDIS_URL)('Lua scripts of the Redis stores', () => {
  let server: ThrowawayRedis;
  let admin: Redis;
  const connection = () => redisConnection(server.url, 'scripts:');

  beforeAll(async () => {
    server = await ThrowawayRedis.start();
    admin = new Redis(server.url);
  });

  afterAll(async () => {
    admin?.disconnect();
    await server?.kill();
  });

  it('are sent by SHA once Redis knows them, and reloaded after Redis forgot them', async () => {
    const redis = connection();
    try {
      const cache = new RedisCacheStore(redis);
      const limits = new RedisRateLimitStore(redis);
      await cache.write('catalog', '0', 'k', 'v', 60_000);
      for (let i = 0; i < 20; i++) {
        expect((await cache.read('catalog', 'k')).value).toBe('v');
        expect((await limits.hit('ip:a', 60_000)).count).toBe(i + 1);
      }
      const before = await commandCalls(admin);
      // Forty calls of two scripts: each sent in full once (its first EVALSHA got NOSCRIPT).
      expect(before.eval).toBe(2);
      expect(before.evalsha).toBe(38);

      await admin.script('FLUSH');
      expect((await cache.read('catalog', 'k')).value).toBe('v');
      expect((await limits.hit('ip:a', 60_000)).count).toBe(21);
      const after = await commandCalls(admin);
      expect((after.eval ?? 0) - (before.eval ?? 0)).toBe(2);
    } finally {
      await redis.onApplicationShutdown();
    }
  });
});
