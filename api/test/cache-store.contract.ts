import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheService } from '../src/cache/cache.service.js';
import type { CacheStore } from '../src/cache/cache.store.js';
import type { AppConfig } from '../src/config/app-config.js';
import { eventually } from './redis-test-support.js';

export interface CacheStoreUnderTest {
  store: CacheStore;
  dispose(): Promise<void>;
}

/** A CacheService over `store`, as an API instance builds it. */
export function cacheService(store: CacheStore, ttlSeconds = 30): CacheService {
  return new CacheService(store, { env: { CACHE_TTL_SECONDS: ttlSeconds } } as unknown as AppConfig);
}

/** A loader that counts its runs and answers after `ms`. */
function slowLoader<T>(value: T, ms: number) {
  const state = { runs: 0 };
  const load = async () => {
    state.runs += 1;
    await new Promise((resolve) => setTimeout(resolve, ms));
    return value;
  };
  return { state, load };
}

/**
 * The behaviour every CacheStore adapter must have, run against each one: the in-process
 * LRU and Redis. TTLs are real but short, and expiry is awaited by polling, never timed.
 */
export function describeCacheStoreContract(name: string, create: () => Promise<CacheStoreUnderTest>): void {
  describe(`CacheStore contract: ${name}`, () => {
    let subject: CacheStoreUnderTest;
    let store: CacheStore;
    let n = 0;
    const fresh = (what: string) => `${what}-${++n}`;

    beforeAll(async () => {
      subject = await create();
      store = subject.store;
    });
    afterAll(() => subject?.dispose());

    it('misses a key never written, then hits what was written under the generation read', async () => {
      const ns = fresh('ns');
      const first = await store.read(ns, 'k');
      expect(first.value).toBeUndefined();
      await store.write(ns, first.generation, 'k', '{"a":1}', 60_000);
      expect(await store.read(ns, 'k')).toEqual({ generation: first.generation, value: '{"a":1}' });
      // Keys are exact: a neighbour is still a miss.
      expect((await store.read(ns, 'k2')).value).toBeUndefined();
    });

    it('forgets an entry once its TTL has passed', async () => {
      const ns = fresh('ns');
      const { generation } = await store.read(ns, 'k');
      await store.write(ns, generation, 'k', 'short', 1_000);
      await store.write(ns, generation, 'long', 'long', 60_000);
      await eventually(async () => (await store.read(ns, 'k')).value === undefined, 10_000, 'expiry');
      expect((await store.read(ns, 'long')).value).toBe('long');
    });

    it('invalidate makes every entry of the namespace unreachable at once, and only of that namespace', async () => {
      const ns = fresh('ns');
      const other = fresh('other');
      const { generation } = await store.read(ns, 'a');
      await store.write(ns, generation, 'a', '1', 60_000);
      await store.write(ns, generation, 'b', '2', 60_000);
      const otherGeneration = (await store.read(other, 'a')).generation;
      await store.write(other, otherGeneration, 'a', 'x', 60_000);
      await store.invalidate(ns);
      const after = await store.read(ns, 'a');
      expect(after.value).toBeUndefined();
      expect(after.generation).not.toBe(generation);
      expect((await store.read(ns, 'b')).value).toBeUndefined();
      expect((await store.read(other, 'a')).value).toBe('x');
    });

    it('never serves a value written under a generation an invalidation has ended', async () => {
      const ns = fresh('ns');
      // A load read the generation, then a write invalidated, then the load stored what it read.
      const { generation: before } = await store.read(ns, 'k');
      await store.invalidate(ns);
      await store.write(ns, before, 'k', 'stale', 60_000);
      expect((await store.read(ns, 'k')).value).toBeUndefined();
    });

    it('grants a lease to one holder at a time, until it is released or expires', async () => {
      const ns = fresh('ns');
      const { generation } = await store.read(ns, 'k');
      const release = await store.lease(ns, generation, 'k', 60_000);
      expect(release).toBeTypeOf('function');
      expect(await store.lease(ns, generation, 'k', 60_000)).toBeUndefined();
      // Another key, or the same key in another generation, is independent.
      expect(await store.lease(ns, generation, 'other', 60_000)).toBeTypeOf('function');
      await release!();
      const again = await store.lease(ns, generation, 'k', 500);
      expect(again).toBeTypeOf('function');
      await eventually(
        async () => (await store.lease(ns, generation, 'k', 60_000)) !== undefined,
        10_000,
        'lease expiry',
      );
    });

    it('single flight: concurrent misses of one key run the loader once', async () => {
      const cache = cacheService(store);
      const key = fresh('key');
      const loader = slowLoader({ id: key, n: 1 }, 100);
      const results = await Promise.all(Array.from({ length: 20 }, () => cache.wrap('catalog', key, loader.load)));
      expect(loader.state.runs).toBe(1);
      for (const result of results) expect(result).toEqual({ id: key, n: 1 });
      // And the value is now cached.
      expect(await cache.wrap('catalog', key, loader.load)).toEqual({ id: key, n: 1 });
      expect(loader.state.runs).toBe(1);
    });

    it('single flight across two API instances sharing the store: one computes, the other waits for it', async () => {
      const a = cacheService(store);
      const b = cacheService(store);
      const key = fresh('key');
      const loader = slowLoader({ id: key }, 150);
      const results = await Promise.all([
        ...Array.from({ length: 5 }, () => a.wrap('playback', key, loader.load)),
        ...Array.from({ length: 5 }, () => b.wrap('playback', key, loader.load)),
      ]);
      expect(loader.state.runs).toBe(1);
      for (const result of results) expect(result).toEqual({ id: key });
    });

    it('an invalidation by one instance is seen by the other at once', async () => {
      const a = cacheService(store);
      const b = cacheService(store);
      const key = fresh('key');
      let version = 1;
      const load = async () => ({ version });
      expect(await b.wrap('catalog', key, load)).toEqual({ version: 1 });
      version = 2;
      expect(await b.wrap('catalog', key, load)).toEqual({ version: 1 });
      await a.invalidate('catalog');
      expect(await b.wrap('catalog', key, load)).toEqual({ version: 2 });
    });
  });
}
