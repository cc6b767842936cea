import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedReadyAsset } from './cache-seeds.js';
import { createTestApp, databaseTargets, type InjectResult, type TestApp } from './http-harness.js';
import { parsePrometheusText, sampleValue } from './prometheus-text.js';
import { eventually, ThrowawayRedis, uniquePrefix } from './redis-test-support.js';

/** Bounds on waiting for state (the breaker's cooldown is 2 s); nothing asserts on timing. */
const RECOVERY_MS = 30_000;

/**
 * Redis taken away mid-run from an API that uses it: killed (SIGKILL, connection refused)
 * and hung (SIGSTOP, commands time out). The API keeps answering catalog and playback reads
 * correctly from the database, writes are still seen by the next read, readiness says
 * `degraded`, and once Redis is back the circuit closes and the cache is used again.
 * A throwaway redis-server on a random port, so no other test is affected.
 */
describe.runIf(process.env.TEST_REDIS_URL)('the API when Redis fails', { timeout: 120_000 }, () => {
  const prefix = uniquePrefix('redis-fault');
  let redis: ThrowawayRedis;
  let t: TestApp;
  let editor: string;
  let viewer: string;
  let movieId: string;
  let assetId: string;
  let segmentPath: string;
  let name = 'Before the outage';

  const metric = async (name: string, labels: Record<string, string>) =>
    sampleValue(parsePrometheusText((await t.request('GET', '/metrics')).body), name, labels) ?? 0;
  const hits = (cache: string) => metric('aleflix_cache_requests_total', { cache, result: 'hit' });
  const ready = async () => (await t.request('GET', '/health/ready')).json();

  /** Every read a viewer makes: all must answer correctly. */
  async function readEverything(): Promise<InjectResult[]> {
    const detail = await t.request('GET', `/titles/${movieId}`, { token: viewer });
    expect(detail.status, detail.body).toBe(200);
    expect(detail.json().name).toBe(name);
    const list = await t.request('GET', '/titles?kind=movie', { token: viewer });
    expect(list.status, list.body).toBe(200);
    expect(list.json().items.map((item: { name: string }) => item.name)).toContain(name);
    const stream = await t.request('GET', `/media/stream/${movieId}`, { token: viewer });
    expect(stream.status, stream.body).toBe(200);
    expect(stream.json().assetId).toBe(assetId);
    const segment = await t.request('GET', segmentPath);
    expect(segment.status).toBe(200);
    expect(segment.body).toBe('segment');
    return [detail, list, stream, segment];
  }

  async function rename(to: string): Promise<void> {
    const current = await t.request('GET', `/titles/${movieId}`, { token: editor });
    const response = await t.request('PATCH', `/titles/${movieId}`, {
      token: editor,
      headers: { 'if-match': String(current.headers.etag) },
      body: { name: to },
    });
    expect(response.status, response.body).toBe(200);
    name = to;
  }

  async function cacheKeys(): Promise<string[]> {
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      return await client.keys(`${prefix}cache:catalog:*`);
    } finally {
      client.disconnect();
    }
  }

  beforeAll(async () => {
    redis = await ThrowawayRedis.start();
    t = await createTestApp(databaseTargets()[0]!, { REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix });
    editor = (await t.userWithRole('editor')).token;
    viewer = (await t.userWithRole('viewer')).token;
    const movie = await t.request('POST', '/titles', {
      token: editor,
      body: { kind: 'movie', name, status: 'published' },
    });
    movieId = movie.json().id;
    assetId = await seedReadyAsset(t.dataSource, t.home, movieId);
    const stream = (await t.request('GET', `/media/stream/${movieId}`, { token: viewer })).json();
    segmentPath = new URL(stream.url).pathname.replace(/master\.m3u8$/, 'seg0.m4s');
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await redis?.kill();
  });

  it('uses Redis while it is up', async () => {
    await readEverything();
    const before = await hits('catalog');
    await readEverything();
    expect(await hits('catalog')).toBeGreaterThan(before);
    expect(await cacheKeys()).not.toEqual([]);
    expect(await ready()).toMatchObject({ status: 'ok', checks: { redis: { status: 'up' } } });
  });

  it('killed: answers every read from the database, sees writes at once, readiness degraded', async () => {
    await redis.kill();
    for (let round = 0; round < 5; round++) {
      for (const response of await readEverything()) expect(response.status).toBeLessThan(500);
    }
    await rename('Renamed while Redis was dead');
    await readEverything();
    const readiness = await t.request('GET', '/health/ready');
    expect(readiness.status).toBe(200);
    expect(readiness.json()).toEqual({
      status: 'degraded',
      checks: { database: { status: 'up', latencyMs: expect.any(Number) }, redis: { status: 'degraded' } },
    });
    expect(await metric('aleflix_redis_circuit_open', {})).toBe(1);
  });

  it('restarted: the circuit closes and the cache is used again', async () => {
    await redis.start();
    await eventually(async () => (await ready()).checks.redis.status === 'up', RECOVERY_MS, 'readiness up');
    expect((await ready()).status).toBe('ok');
    await readEverything();
    const before = await hits('catalog');
    await readEverything();
    expect(await hits('catalog')).toBeGreaterThan(before);
    expect(await cacheKeys()).not.toEqual([]);
    expect(await metric('aleflix_redis_circuit_open', {})).toBe(0);
  });

  it('hung (SIGSTOP): reads time out of Redis into the database; a write made meanwhile is not hidden by entries Redis still holds', async () => {
    await readEverything(); // entries cached with the current name
    redis.pause();
    try {
      for (let round = 0; round < 4; round++) await readEverything();
      await rename('Renamed while Redis was hung');
      await readEverything();
      expect((await ready()).checks.redis.status).toBe('degraded');
    } finally {
      redis.resume();
    }
    // Redis comes back with the entries cached under the old name: the invalidation it missed
    // is replayed before it is read again, so the old name never reappears.
    await eventually(
      async () => {
        await readEverything();
        return (await ready()).checks.redis.status === 'up';
      },
      RECOVERY_MS,
      'recovery after SIGCONT',
    );
    const before = await hits('catalog');
    await readEverything();
    await readEverything();
    expect(await hits('catalog')).toBeGreaterThan(before);
  });
});
