import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionCache } from '../src/auth/session-cache.js';
import type { SessionWithUser } from '../src/auth/sessions.repository.js';
import type { AppConfig } from '../src/config/app-config.js';
import type { JobEventMessage } from '../src/events/events.dto.js';
import { RedisJobEventsBus } from '../src/events/redis-job-events.bus.js';
import type { RedisConnection } from '../src/redis/redis.connection.js';
import { RedisPubSub } from '../src/redis/redis.pubsub.js';
import { eventually, redisConnection, TEST_REDIS_URL, uniquePrefix } from './redis-test-support.js';

function message(progress: number): JobEventMessage {
  return {
    v: 1,
    type: 'job.progress',
    assetId: randomUUID(),
    jobId: randomUUID(),
    attempt: 1,
    status: 'running',
    progress,
    speed: 1,
    etaSeconds: 1,
    errorCode: null,
    errorMessage: null,
    at: new Date().toISOString(),
  };
}

/** Two "API instances" in one test process: each has its own connections, as separate processes do. */
describe.runIf(TEST_REDIS_URL)('Redis pub/sub between API instances', () => {
  const prefix = uniquePrefix('pubsub');
  const connections: RedisConnection[] = [];
  let a: RedisPubSub;
  let b: RedisPubSub;

  beforeAll(() => {
    const [ca, cb] = [redisConnection(TEST_REDIS_URL!, prefix), redisConnection(TEST_REDIS_URL!, prefix)];
    connections.push(ca, cb);
    a = new RedisPubSub(ca);
    b = new RedisPubSub(cb);
  });
  afterAll(async () => {
    await Promise.all(connections.map((connection) => connection.onApplicationShutdown()));
  });

  it('delivers job events to the other instance once, and to the publishing one once (locally)', async () => {
    const busA = new RedisJobEventsBus(a);
    const busB = new RedisJobEventsBus(b);
    busA.onModuleInit();
    busB.onModuleInit();
    const onA: JobEventMessage[] = [];
    const onB: JobEventMessage[] = [];
    busA.subscribe((m) => onA.push(m));
    busB.subscribe((m) => onB.push(m));
    // Wait until both subscriptions are live, using the bus's own channel.
    await eventually(
      async () => {
        busA.publish(message(0));
        return onB.length > 0;
      },
      10_000,
      'bus subscription',
    );
    const sent = [message(10), message(20), message(30)];
    // Probes may still be arriving: look only at these three.
    const ours = (received: JobEventMessage[]) => received.filter((m) => sent.some((s) => s.jobId === m.jobId));
    for (const m of sent) busA.publish(m);
    await eventually(() => ours(onB).length === 3, 10_000, 'remote delivery');
    expect(ours(onB)).toEqual(sent);
    // Local delivery is synchronous and happens once: the publisher skips its own echo.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(ours(onA)).toEqual(sent);
    expect(ours(onB)).toEqual(sent);
    // An asset announced gone follows the messages published before it, on the other instance too.
    const gone: string[] = [];
    const order: string[] = [];
    busB.subscribe((m) => sent.some((s) => s.jobId === m.jobId) || order.push(`message ${m.progress}`));
    busB.subscribeAssetGone((assetId) => {
      gone.push(assetId);
      order.push('gone');
    });
    const last = message(40);
    busA.publish(last);
    busA.publishAssetGone(last.assetId);
    await eventually(() => gone.length === 1, 10_000, 'asset gone on B');
    expect(gone).toEqual([last.assetId]);
    expect(order.filter((entry) => entry === 'gone' || entry === 'message 40')).toEqual(['message 40', 'gone']);
    busA.onModuleDestroy();
    busB.onModuleDestroy();
  });

  it('clears the session cache of the other instance when one invalidates', async () => {
    const config = { env: { AUTH_CACHE_TTL_MS: 60_000 } } as unknown as AppConfig;
    const cacheA = new SessionCache(config, undefined, a);
    const cacheB = new SessionCache(config, undefined, b);
    cacheA.onModuleInit();
    cacheB.onModuleInit();
    let loads = 0;
    const load = async () => {
      loads += 1;
      return { session: { id: 's' }, user: { id: 'u' } } as unknown as SessionWithUser;
    };
    await eventually(
      async () => {
        // Keep invalidating until B's subscription is live, then check B drops its entry.
        await cacheB.get('s', load);
        const before = loads;
        await cacheB.get('s', load);
        if (loads !== before) return false;
        await cacheA.invalidate();
        await new Promise((resolve) => setTimeout(resolve, 50));
        await cacheB.get('s', load);
        return loads === before + 1;
      },
      10_000,
      'remote invalidation',
    );
    cacheA.onModuleDestroy();
    cacheB.onModuleDestroy();
  });

  it("tells the other instance's invalidation listeners, even with the session cache off", async () => {
    const config = { env: { AUTH_CACHE_TTL_MS: 0 } } as unknown as AppConfig;
    const cacheA = new SessionCache(config, undefined, a);
    const cacheB = new SessionCache(config, undefined, b);
    cacheA.onModuleInit();
    cacheB.onModuleInit();
    let heard = 0;
    cacheB.onInvalidated(() => (heard += 1));
    await eventually(
      async () => {
        // Keep invalidating until B's subscription is live.
        await cacheA.invalidate();
        await new Promise((resolve) => setTimeout(resolve, 50));
        return heard > 0;
      },
      10_000,
      'remote invalidation listener',
    );
    cacheA.onModuleDestroy();
    cacheB.onModuleDestroy();
  });
});
