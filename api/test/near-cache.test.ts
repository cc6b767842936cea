import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisCacheStore } from '../src/cache/redis-cache.store.js';
import type { RedisConnection } from '../src/redis/redis.connection.js';
import { cacheService } from './cache-store.contract.js';
import { eventually, redisConnection, TEST_REDIS_URL, ThrowawayRedis } from './redis-test-support.js';

/** Calls of one command on the server so far (a throwaway server: nobody else adds to them). */
async function calls(admin: Redis, command: string): Promise<number> {
  const info = await admin.info('commandstats');
  return Number(new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(info)?.[1] ?? 0);
}

// Two RedisCacheStores on connections of their own are two API instances sharing one Redis.
describe.runIf(TEST_REDIS_URL)('near cache in front of Redis (two instances, one Redis)', () => {
  let server: ThrowawayRedis;
  let admin: Redis;
  const connections: RedisConnection[] = [];

  async function instance(): Promise<{ store: RedisCacheStore; cache: ReturnType<typeof cacheService> }> {
    const connection = redisConnection(server.url, 'near:');
    connections.push(connection);
    const store = new RedisCacheStore(connection, { nearEntries: 100 });
    await eventually(() => store.nearEntries !== undefined, 10_000, 'near cache subscribed');
    return { store, cache: cacheService(store) };
  }

  beforeAll(async () => {
    server = await ThrowawayRedis.start();
    admin = new Redis(server.url);
  });

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((connection) => connection.onApplicationShutdown()));
    await admin.flushall();
  });

  afterAll(async () => {
    admin?.disconnect();
    await server?.kill();
  });

  it('answers a hot key from the process, without a round trip to Redis', async () => {
    const { store, cache } = await instance();
    const load = async () => ({ title: 'Dune' });
    expect(await cache.wrap('catalog', 'hot', load)).toEqual({ title: 'Dune' });
    const before = await calls(admin, 'evalsha');
    for (let i = 0; i < 50; i++) expect(await cache.wrap('catalog', 'hot', load)).toEqual({ title: 'Dune' });
    expect(await calls(admin, 'evalsha')).toBe(before);
    expect(store.nearEntries).toBe(1);
  });

  it('a write acknowledged by one instance is seen by the next read on the other, every time', async () => {
    const a = await instance();
    const b = await instance();
    let version = 0;
    const load = async () => ({ version });
    for (let round = 1; round <= 200; round++) {
      // B holds the current version near (a second read is answered from the process).
      expect(await b.cache.wrap('catalog', 'page', load)).toEqual({ version });
      expect(await b.cache.wrap('catalog', 'page', load)).toEqual({ version });
      version = round;
      await a.cache.invalidate('catalog');
      expect(await b.cache.wrap('catalog', 'page', load)).toEqual({ version: round });
    }
    expect(b.store.nearEntries).toBe(1);
  });

  it('while its subscription is down it keeps nothing, and it never trusts what it held before', async () => {
    const a = await instance();
    const b = await instance();
    let version = 1;
    const load = async () => ({ version });
    await b.cache.wrap('catalog', 'page', load);
    expect(b.store.nearEntries).toBe(1);

    // Cut every subscriber connection: B can miss announcements until it has subscribed again.
    await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    version = 2;
    await a.cache.invalidate('catalog');
    expect(await b.cache.wrap('catalog', 'page', load)).toEqual({ version: 2 });

    // Back in step: B keeps entries again, and later announcements reach it.
    await eventually(() => b.store.nearEntries !== undefined, 10_000, 'B subscribed again');
    expect(await b.cache.wrap('catalog', 'page', load)).toEqual({ version: 2 });
    version = 3;
    await a.cache.invalidate('catalog');
    expect(await b.cache.wrap('catalog', 'page', load)).toEqual({ version: 3 });
  });

  it('starts over after Redis restarts empty, with generations counting from zero again', async () => {
    const a = await instance();
    const b = await instance();
    let version = 1;
    const load = async () => ({ version });
    for (let i = 0; i < 3; i++) await a.cache.invalidate('catalog');
    expect(await b.cache.wrap('catalog', 'page', load)).toEqual({ version: 1 });

    await server.kill();
    await server.start();
    await eventually(
      () => a.store.nearEntries !== undefined && b.store.nearEntries !== undefined,
      15_000,
      'both subscribed again',
    );
    version = 2;
    // Generation 0 again: a near cache that still knew generation 3 would refuse to keep it forever.
    expect(await b.cache.wrap('catalog', 'page', load)).toEqual({ version: 2 });
    expect(await b.cache.wrap('catalog', 'page', load)).toEqual({ version: 2 });
    expect(b.store.nearEntries).toBe(1);
    version = 3;
    await a.cache.invalidate('catalog');
    expect(await b.cache.wrap('catalog', 'page', load)).toEqual({ version: 3 });
  });

  it('stops answering from the process when its subscription stalls without closing, until it answers again', async () => {
    const { store, cache } = await instance();
    let version = 1;
    const load = async () => ({ version });
    await cache.wrap('catalog', 'page', load);
    expect(store.nearEntries).toBe(1);

    // A hung Redis keeps every connection open: only the unanswered heartbeat tells.
    server.pause();
    try {
      await eventually(() => store.nearEntries === undefined, 10_000, 'near cache suspended');
      version = 2;
      // Redis cannot answer: the loader's answer, not what the process held.
      expect(await cache.wrap('catalog', 'page', load)).toEqual({ version: 2 });
    } finally {
      server.resume();
    }
    await eventually(() => store.nearEntries !== undefined, 10_000, 'near cache resumed');
  });
});
