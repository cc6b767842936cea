import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clock } from '../src/common/clock.js';
import { MemoryRateLimitStore } from '../src/rate-limit/memory-rate-limit.store.js';
import type { RateLimitStore } from '../src/rate-limit/rate-limit.store.js';
import { MAX_BLOCK, RedisRateLimitStore } from '../src/rate-limit/redis-rate-limit.store.js';
import { deleteKeys, eventually, redisConnection, TEST_REDIS_URL, uniquePrefix } from './redis-test-support.js';

/** The behaviour every RateLimitStore adapter must have; windows are real but short, awaited by polling. */
function describeRateLimitStoreContract(
  name: string,
  create: () => Promise<{ store: RateLimitStore; dispose(): Promise<void> }>,
): void {
  describe(`RateLimitStore contract: ${name}`, () => {
    let subject: { store: RateLimitStore; dispose(): Promise<void> };
    let n = 0;
    const fresh = () => `key-${++n}`;

    beforeAll(async () => {
      subject = await create();
    });
    afterAll(() => subject?.dispose());

    it('counts hits in a window opened by the first one', async () => {
      const key = fresh();
      const first = await subject.store.hit(key, 60_000);
      expect(first.count).toBe(1);
      expect(first.resetInMs).toBeGreaterThan(0);
      expect(first.resetInMs).toBeLessThanOrEqual(60_000);
      expect((await subject.store.hit(key, 60_000)).count).toBe(2);
      expect((await subject.store.hit(fresh(), 60_000)).count).toBe(1);
    });

    it('peeks without counting, and reports an unknown key as 0', async () => {
      const key = fresh();
      expect(await subject.store.peek(key)).toEqual({ count: 0, resetInMs: 0 });
      await subject.store.hit(key, 60_000);
      expect((await subject.store.peek(key)).count).toBe(1);
      expect((await subject.store.peek(key)).count).toBe(1);
    });

    it('starts from zero after reset', async () => {
      const key = fresh();
      await subject.store.hit(key, 60_000);
      await subject.store.hit(key, 60_000);
      await subject.store.reset(key);
      expect((await subject.store.peek(key)).count).toBe(0);
      expect((await subject.store.hit(key, 60_000)).count).toBe(1);
    });

    it('a fixed window: later hits do not extend it, and a new one starts from 1 once it ends', async () => {
      const key = fresh();
      await subject.store.hit(key, 800);
      const second = await subject.store.hit(key, 60_000);
      expect(second.count).toBe(2);
      expect(second.resetInMs).toBeLessThanOrEqual(800);
      await eventually(async () => (await subject.store.peek(key)).count === 0, 10_000, 'window end');
      expect((await subject.store.hit(key, 60_000)).count).toBe(1);
    });

    it('counts concurrent hits exactly (atomic increments)', async () => {
      const key = fresh();
      const counts = await Promise.all(Array.from({ length: 50 }, () => subject.store.hit(key, 60_000)));
      expect(counts.map((c) => c.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    });

    it('keeps concurrent hits on different keys apart, and counts on after them', async () => {
      const [a, b] = [fresh(), fresh()];
      const hits = await Promise.all(Array.from({ length: 30 }, (_, i) => subject.store.hit(i % 3 ? a : b, 60_000)));
      const countsOf = (key: string) =>
        hits
          .filter((_, i) => (i % 3 ? a : b) === key)
          .map((c) => c.count)
          .sort((x, y) => x - y);
      expect(countsOf(a)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(countsOf(b)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
      expect((await subject.store.hit(a, 60_000)).count).toBe(21);
      expect((await subject.store.peek(b)).count).toBe(10);
    });
  });
}

describeRateLimitStoreContract('in-process', async () => ({
  store: new MemoryRateLimitStore(new Clock()),
  dispose: async () => {},
}));

describe.runIf(TEST_REDIS_URL)('with TEST_REDIS_URL', () => {
  describeRateLimitStoreContract('Redis', async () => {
    const url = TEST_REDIS_URL!;
    const prefix = uniquePrefix('rate-limit-contract');
    const connection = redisConnection(url, prefix);
    return {
      store: new RedisRateLimitStore(connection),
      dispose: async () => {
        await connection.onApplicationShutdown();
        await deleteKeys(url, prefix);
      },
    };
  });
});

describe.runIf(TEST_REDIS_URL)('Redis rate-limit store: counts taken ahead for busy keys', () => {
  const url = TEST_REDIS_URL!;
  const prefix = uniquePrefix('rate-limit-ahead');
  const connections: Array<ReturnType<typeof redisConnection>> = [];
  let n = 0;
  const fresh = () => `ahead-${++n}`;

  /** A store on its own connection (like another API instance), counting its scripts. */
  function instance() {
    const connection = redisConnection(url, prefix);
    connections.push(connection);
    const counter = { scripts: 0 };
    const run = connection.run.bind(connection);
    connection.run = ((work) => {
      counter.scripts += 1;
      return run(work);
    }) as typeof connection.run;
    return { store: new RedisRateLimitStore(connection), counter };
  }

  afterAll(async () => {
    await Promise.all(connections.map((connection) => connection.onApplicationShutdown()));
    await deleteKeys(url, prefix);
  });

  it('takes counts ahead while a key is busy, and never hands one out twice across instances', async () => {
    const [a, b] = [instance(), instance()];
    const key = fresh();
    const counts: number[] = [];
    for (let round = 0; round < 300; round++) {
      const both = await Promise.all([a.store.hit(key, 60_000, 100_000), b.store.hit(key, 60_000, 100_000)]);
      counts.push(...both.map((hit) => hit.count));
    }
    expect(new Set(counts).size).toBe(600);
    const counter = (await a.store.peek(key)).count;
    expect(Math.max(...counts)).toBeLessThanOrEqual(counter);
    // Each instance holds at most one unused block.
    expect(counter - 600).toBeLessThanOrEqual(2 * MAX_BLOCK);
    expect(a.counter.scripts + b.counter.scripts).toBeLessThan(100);
  });

  it('stops taking ahead near the limit, so counts there are exact', async () => {
    const { store } = instance();
    const key = fresh();
    const counts: number[] = [];
    for (let i = 0; i < 40; i++) counts.push((await store.hit(key, 60_000, 20)).count);
    expect(counts).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect((await store.peek(key)).count).toBe(40);
  });

  it('takes one count per hit for a quiet key, and for hits without a limit', async () => {
    const quiet = instance();
    const key = fresh();
    for (let i = 0; i < 3; i++) {
      await quiet.store.hit(key, 60_000, 1_000);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    expect((await quiet.store.peek(key)).count).toBe(3);
    expect(quiet.counter.scripts).toBe(4); // three hits and the peek

    const exact = instance();
    const unlimited = fresh();
    for (let i = 0; i < 30; i++) await exact.store.hit(unlimited, 60_000);
    expect((await exact.store.peek(unlimited)).count).toBe(30);
  });

  it('drops counts taken ahead when the window ends', async () => {
    const { store } = instance();
    const key = fresh();
    for (let i = 0; i < 50; i++) await store.hit(key, 600, 100_000);
    await eventually(async () => (await store.peek(key)).count === 0, 10_000, 'window end');
    expect((await store.hit(key, 60_000, 100_000)).count).toBe(1);
  });
});
